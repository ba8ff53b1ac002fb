"""A fake pod's container: what its commands see under either isolation (a namespace of its
own, or proot where namespaces are refused), and a stop that races its start (the pod is
terminated while the container comes up): start() never fails because of it and never leaves
a process behind."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from fake_runpod import container as container_module
from fake_runpod.container import Container, Launch, RootFS


@pytest.fixture
def make_container(tmp_path):
    rootfs = RootFS(tmp_path / "rootfs")

    def make() -> Container:
        folder = tmp_path / "pod"
        folder.mkdir()
        launch = Launch(["/start.sh"], lambda line: None, lambda status: None)
        return Container(folder, rootfs, {}, {}, launch)

    return make


def test_a_stop_before_the_start_launches_nothing(make_container, monkeypatch):
    launched = []
    monkeypatch.setattr(container_module.subprocess, "Popen", lambda *a, **k: launched.append(a))
    box = make_container()
    box.stop()
    shutil.rmtree(box.folder)  # what terminating a pod does right after stop()
    box.start()  # no FileNotFoundError for container.log
    assert launched == []


def test_a_stop_while_proot_comes_up_ends_it_quietly(make_container, monkeypatch):
    box = make_container()
    real_select = container_module.select.select
    stopper = threading.Thread(target=lambda: (box.stop(), shutil.rmtree(box.folder)))

    def select_then_stop(*args):
        stopper.start()  # the pod is terminated while start() waits for "ready"
        stopper.join()
        return real_select(*args)

    monkeypatch.setattr(container_module.select, "select", select_then_stop)
    box.start()
    assert box._process is None and not box.folder.exists()


def test_the_main_process_output_and_end_reach_the_fake(tmp_path):
    """The container runs its start command; each line it prints and its exit status come
    back (how a pod's container log fills and how the fake sees a container exit)."""
    lines, ended = [], threading.Event()
    status = []
    launch = Launch(
        ["/bin/sh", "-c", "echo one; echo two >&2; exit 3"],
        lines.append,
        lambda code: (status.append(code), ended.set()),
    )
    folder, home = tmp_path / "pod", tmp_path / "home"
    folder.mkdir()
    home.mkdir()
    binds = {"/root": home}  # as a pod's: its own HOME
    box = Container(folder, RootFS(tmp_path / "rootfs"), binds, {"PATH": "/usr/bin:/bin"}, launch)
    box.start()
    try:
        assert ended.wait(20)
        assert (lines, status) == (["one", "two"], [3])
    finally:
        box.stop()


def _run_in_a_pod(tmp_path, script: str) -> tuple[list[str], RootFS]:
    """Start a container whose main process is `sh -c script`; its output lines."""
    lines, ended = [], threading.Event()
    launch = Launch(["/bin/sh", "-c", script], lines.append, lambda code: ended.set())
    folder, home, volume = tmp_path / "pod", tmp_path / "home", tmp_path / "volume"
    for made in (folder, home, volume):
        made.mkdir()
    rootfs = RootFS(tmp_path / "rootfs")
    binds = {"/root": home, "/workspace": volume}
    box = Container(folder, rootfs, binds, {"PATH": "/usr/bin:/bin"}, launch)
    box.start()
    try:
        assert ended.wait(20), lines
    finally:
        box.stop()
    return lines, rootfs


SHOW_PATHS = (
    "echo made > /workspace/file; cd /root && pwd; ls /workspace; id -u;"
    " test -s /etc/hostname && echo etc"
)


@pytest.mark.parametrize("isolation", ["namespace", "proot"])
def test_either_isolation_shows_the_pod_its_volume_and_home(tmp_path, monkeypatch, isolation):
    """The pod's commands see /workspace and /root as the pod's own, as root, with this
    machine's /etc; the volume's file lands in the volume's folder on this machine."""
    if isolation == "namespace" and not _namespaces_allowed():
        pytest.skip("this machine refuses unprivileged user namespaces: proot is used")
    monkeypatch.setenv("FAKE_RUNPOD_ISOLATION", isolation)
    lines, rootfs = _run_in_a_pod(tmp_path, SHOW_PATHS)
    assert rootfs.isolation == isolation
    assert lines == ["/root", "file", "0", "etc"]
    assert (tmp_path / "volume" / "file").read_text() == "made\n"
    # nothing of the pod is mounted where this machine can see it
    assert str(tmp_path) not in Path("/proc/self/mountinfo").read_text()
    assert not Path("/workspace/file").exists()


def test_a_machine_that_refuses_namespaces_gets_proot(tmp_path, monkeypatch):
    monkeypatch.delenv("FAKE_RUNPOD_ISOLATION", raising=False)
    monkeypatch.setattr(container_module, "UNSHARE", "/bin/false")  # unshare -rm refused
    lines, rootfs = _run_in_a_pod(tmp_path, SHOW_PATHS)
    assert rootfs.isolation == "proot"
    assert lines == ["/root", "file", "0", "etc"]


def test_where_namespaces_work_they_are_chosen(tmp_path, monkeypatch):
    if not _namespaces_allowed():
        pytest.skip("this machine refuses unprivileged user namespaces")
    monkeypatch.delenv("FAKE_RUNPOD_ISOLATION", raising=False)
    assert RootFS(tmp_path / "rootfs").isolation == "namespace"


def _namespaces_allowed() -> bool:
    unshare = shutil.which("unshare")
    command = [unshare or "unshare", "--user", "--map-root-user", "--mount", "true"]
    return unshare is not None and subprocess.run(command, capture_output=True).returncode == 0
