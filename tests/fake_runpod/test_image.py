"""fake_runpod/image.py: the install shims, and the guards that keep a fake pod's commands
from installing anything on this machine (a fake pod's processes run here)."""

from __future__ import annotations

from fake_runpod.image import GUARDED, install_shims, shim_env
from tests.fake_runpod.test_ssh import api, ssh, start_pod  # noqa: F401 (fixture)

INSTALLS = {
    "apt-get": "apt-get install -y cowsay",
    "apt": "apt install -y cowsay",
    "pip": "pip install six",
    "pip3": "pip3 install six",
    "python3 -m pip": "python3 -m pip install six",
}


def test_every_guarded_tool_has_a_case():
    assert set(GUARDED) | {"python3 -m pip"} == set(INSTALLS)


def test_a_pod_refuses_to_install_on_this_machine(api, ssh_keypair):  # noqa: F811
    key, public = ssh_keypair
    pod = start_pod(api, public)
    for tool, command in INSTALLS.items():
        done = ssh(key, pod, command, text=True)
        assert done.returncode != 0, f"{tool} ran for real inside a fake pod"
        expected = "virtualenv" if tool == "python3 -m pip" else "would install on this machine"
        assert expected in done.stderr, (tool, done.stderr)


def test_shims_in_front_of_the_guards_still_record(api, ssh_keypair, tmp_path):  # noqa: F811
    key, public = ssh_keypair
    pod = start_pod(api, public)
    shims, state = tmp_path / "shims", tmp_path / "state"
    (state / "site").mkdir(parents=True)
    (state / "calls.log").touch()
    install_shims(shims)
    exports = " ".join(f"{k}={v}" for k, v in shim_env(shims, state).items())
    done = ssh(key, pod, f'PATH="{shims}:$PATH" {exports} apt-get install -y cowsay', text=True)
    assert done.returncode == 0, done.stderr
    assert (state / "calls.log").read_text() == "apt-get install -y cowsay\n"


def test_the_guards_live_in_the_pods_root_and_go_with_the_fake():
    """No folder of refusing stand-ins is left in this machine's /tmp (issue 19)."""
    import tempfile
    from pathlib import Path

    from fake_runpod import FakeRunpod
    from fake_runpod.image import GUARD_DIR

    before = set(Path(tempfile.gettempdir()).glob("fake-runpod-guard-*"))
    with FakeRunpod() as fake:
        guards = fake.backend.rootfs().folder / GUARD_DIR.lstrip("/")
        assert sorted(path.name for path in guards.iterdir()) == sorted(GUARDED)
    assert not guards.exists()
    assert set(Path(tempfile.gettempdir()).glob("fake-runpod-guard-*")) == before
