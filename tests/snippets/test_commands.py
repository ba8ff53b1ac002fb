"""snippets/commands/*.sh: the exact commands the pages show, run with bash against the fake.

A reader edits the one placeholder line (VOLUME_ID="..."); the tests do the same.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from snippets import pod, secret, volume
from tests import ROOT

COMMANDS = ROOT / "snippets" / "commands"
OWNED_ELSEWHERE = {"setup-download.sh"}  # tested with the setup script


@pytest.fixture
def shell_env(fake, tmp_path):
    """A reader's shell: key and URL exported, `python` from this project, a fresh HOME."""
    env = dict(os.environ, HOME=str(tmp_path))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


def run_command(name, env, placeholders=None, stdin=None):
    """bash snippets/commands/NAME, after replacing each placeholder line's value."""
    script = (COMMANDS / name).read_text()
    for variable, value in (placeholders or {}).items():
        line = next(line for line in script.splitlines() if line.startswith(f'{variable}="'))
        script = script.replace(line, f'{variable}="{value}"')
    return subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_volume_create_list_delete(fake, shell_env):
    created = run_command("volume-create.sh", shell_env)
    assert created.returncode == 0, created.stderr
    (stored,) = fake.volumes.values()
    assert (stored.name, stored.size, stored.data_center) == ("kaggle-data", 50, "EU-RO-1")
    assert stored.type == "STANDARD" and created.stdout.endswith("標準ストレージ）\n")

    listed = run_command("volume-list.sh", shell_env)
    assert stored.id in listed.stdout

    deleted = run_command("volume-delete.sh", shell_env, {"VOLUME_ID": stored.id})
    assert deleted.returncode == 0, deleted.stderr
    assert fake.volumes == {}


def test_secret_create_and_env(fake, shell_env):
    token = "KGAT_command_test_token"
    created = run_command("secret-create.sh", shell_env, stdin=token + "\n")
    assert created.returncode == 0, created.stderr
    (stored,) = fake.secrets.values()
    assert (stored.name, stored.value) == ("kaggle_api_token", token)
    assert token not in created.stdout + created.stderr

    env_line = run_command("secret-env.sh", shell_env)
    assert env_line.stdout == "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}\n"


def test_pricing_names_the_cheapest(fake, shell_env):
    result = run_command("pricing.sh", shell_env)
    assert result.returncode == 0, result.stderr
    from snippets.pricing import cheapest_gpu

    assert f"以下で最安: {cheapest_gpu('EU-RO-1', 0.5)['id']}" in result.stdout


def test_pod_up_ssh_config_down(fake, shell_env, ssh_keypair, tmp_path):
    # A reader's key where the command expects it, a volume and the Kaggle secret.
    private_key, public_key = ssh_keypair
    ssh_dir = tmp_path / ".ssh"
    ssh_dir.mkdir()
    (ssh_dir / "id_ed25519").write_bytes(private_key.read_bytes())
    (ssh_dir / "id_ed25519").chmod(0o600)
    (ssh_dir / "id_ed25519.pub").write_text(public_key + "\n")
    disk = volume.create_volume("kaggle-data", 50, "EU-RO-1")
    secret.create_secret("kaggle_api_token", "KGAT_in_pod")

    up = run_command("pod-up.sh", shell_env, {"VOLUME_ID": disk["id"]})
    assert up.returncode == 0, up.stderr
    (created,) = fake.pods.values()
    assert created.network_volume_id == disk["id"]
    (ssh_dir / "config").write_text(up.stdout)  # what the page tells readers to do
    # ssh finds ~ through the password database, not $HOME: name the config and key.
    connect = [
        "ssh",
        "-F",
        str(ssh_dir / "config"),
        "-i",
        str(ssh_dir / "id_ed25519"),
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        f"runpod-{created.id}",
        '. /etc/rp_environment && test "$KAGGLE_API_TOKEN" = KGAT_in_pod && touch /workspace/in',
    ]
    inside = subprocess.run(connect, env=shell_env, capture_output=True, text=True, timeout=60)
    assert inside.returncode == 0, inside.stderr
    assert (fake.volume_dir(disk["id"]) / "in").exists()

    again = run_command("pod-ssh-config.sh", shell_env, {"POD_ID": created.id})
    assert again.returncode == 0, again.stderr
    assert pod.ssh_config_entry(pod.get_pod(created.id)) in again.stdout

    listed = run_command("pod-list.sh", shell_env)
    assert listed.stdout.startswith(f"{created.id}  kaggle  RUNNING  "), listed.stderr

    logs = run_command("pod-logs.sh", shell_env, {"POD_ID": created.id})
    assert logs.returncode == 0, logs.stderr

    down = run_command("pod-down.sh", shell_env, {"POD_ID": created.id})
    assert down.returncode == 0, down.stderr
    assert fake.pods == {}


def test_ssh_keys_check_says_whether_the_key_is_registered(fake, shell_env, ssh_keypair, tmp_path):
    ssh_dir = tmp_path / ".ssh"
    ssh_dir.mkdir()
    (ssh_dir / "id_ed25519.pub").write_text(ssh_keypair[1] + "\n")
    missing = run_command("ssh-keys-check.sh", shell_env)
    assert missing.returncode == 1 and "登録されていません" in missing.stderr
    from snippets import api

    api.rest("PUT", "/v2/account/ssh-keys", {"keys": [ssh_keypair[1].rsplit(" ", 1)[0] + " x"]})
    found = run_command("ssh-keys-check.sh", shell_env)
    assert found.returncode == 0 and "登録済みです" in found.stdout


def test_a_command_fails_clearly_without_a_key(fake, shell_env):
    del shell_env["RUNPOD_API_KEY"]
    result = run_command("volume-list.sh", shell_env)
    assert result.returncode == 1
    assert result.stderr.startswith("エラー: 環境変数 RUNPOD_API_KEY")


def test_every_command_file_is_tested():
    """Each file is run by a test of this module (read from its source, so the check holds
    whichever tests a worker or `-k` happens to run)."""
    run_here = set(re.findall(r'run_command\(\s*"([^"]+\.sh)"', Path(__file__).read_text()))
    shown = {path.name for path in COMMANDS.glob("*.sh")} - OWNED_ELSEWHERE
    assert shown <= run_here, f"not run by any test: {sorted(shown - run_here)}"


def test_command_files_are_tiny_scripts():
    for path in COMMANDS.glob("*.sh"):
        if path.name in OWNED_ELSEWHERE:
            continue
        lines = path.read_text().splitlines()
        assert lines[0] == "#!/usr/bin/env bash", path.name
        assert lines[-1].startswith("python -m snippets."), path.name
        assert len(lines) <= 3, path.name
