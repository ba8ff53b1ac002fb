"""snippets/remote.py: the system ssh/scp against a fake pod's real SSH server."""

import socket
import struct
import subprocess
import sys
import threading

import pytest

from snippets import pod, remote, volume
from snippets.cli import SnippetError
from tests import ROOT


@pytest.fixture
def running_pod(fake, ssh_keypair):
    disk = volume.create_volume("kaggle-data", 20, "EU-RO-1")
    created = pod.deploy_pod(disk["id"], public_key=ssh_keypair[1])
    return pod.wait_until_ready(created["id"], timeout=30, poll=0.2)


def test_run_returns_output_and_feeds_stdin(running_pod, ssh_keypair):
    result = remote.run(running_pod, "tr a-z A-Z; whoami", ssh_keypair[0], stdin="kaggle\n")
    assert result.returncode == 0
    assert result.stdout == "KAGGLE\nroot\n"


def test_failures_raise_unless_check_is_false(running_pod, ssh_keypair):
    result = remote.run(running_pod, "echo oops >&2; exit 3", ssh_keypair[0], check=False)
    assert (result.returncode, result.stderr) == (3, "oops\n")
    with pytest.raises(SnippetError, match=r"終了コード 3）: oops"):
        remote.run(running_pod, "echo oops >&2; exit 3", ssh_keypair[0])


def test_refused_connections_are_retried(fake, running_pod, ssh_keypair):
    fake.set_faults("ssh:refusex2")
    assert remote.run(running_pod, "echo up", ssh_keypair[0]).stdout == "up\n"


@pytest.fixture
def resetting_port():
    """A port that accepts and resets every connection, as a mapped port before sshd is up;
    OpenSSH then sometimes says nothing at all on stderr."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], accepted
    server.close()


def a_pod_at(port: int) -> dict:
    """A pod as REST v2 shows it once 22/tcp is mapped to a public port."""
    direct = {"host": "127.0.0.1", "port": port, "username": "root", "command": ""}
    return {"id": "p1", "status": "RUNNING", "ssh": {"direct": direct, "proxy": None}}


def test_every_reset_is_retried_whatever_ssh_prints(
    resetting_port, ssh_keypair, monkeypatch, fast_snippets
):
    port, accepted = resetting_port
    monkeypatch.setattr(remote, "CONNECT_TRIES", 6)
    with pytest.raises(SnippetError, match="終了コード 255.*Connection reset"):
        remote.run(a_pod_at(port), "true", ssh_keypair[0])
    assert len(accepted) == 6


def test_an_upload_that_meets_resets_is_retried(
    resetting_port, ssh_keypair, monkeypatch, tmp_path, fast_snippets
):
    port, accepted = resetting_port
    monkeypatch.setattr(remote, "CONNECT_TRIES", 3)
    (tmp_path / "f").write_text("x")
    with pytest.raises(SnippetError, match="lost connection"):
        remote.upload(a_pod_at(port), tmp_path / "f", "/workspace/f", ssh_keypair[0])
    assert len(accepted) == 3


def test_a_wrong_key_is_not_retried_forever(running_pod, tmp_path):
    other = tmp_path / "other_key"
    other.write_text("not a key")
    other.chmod(0o600)
    with pytest.raises(SnippetError, match="終了コード 255"):
        remote.run(running_pod, "true", other)


def test_upload_puts_the_file_on_the_volume(fake, running_pod, ssh_keypair, tmp_path):
    local = tmp_path / "train.csv"
    local.write_text("id,target\n1,0\n")
    remote.upload(running_pod, local, "/workspace/train.csv", ssh_keypair[0])
    volume_id = fake.pods[running_pod["id"]].network_volume_id
    assert (fake.volume_dir(volume_id) / "train.csv").read_text() == "id,target\n1,0\n"


def test_cli_passes_output_and_exit_code_through(running_pod, ssh_keypair, capsys):
    key = str(ssh_keypair[0])
    assert remote.main([running_pod["id"], "echo hi; echo warn >&2", "--identity-file", key]) == 0
    assert capsys.readouterr() == ("hi\n", "warn\n")
    assert remote.main([running_pod["id"], "exit 7", "--identity-file", key]) == 7


def test_cli_unknown_pod(fake, capsys):
    assert remote.main(["nosuchpod", "true"]) == 1
    assert "Pod nosuchpod が見つかりません" in capsys.readouterr().err


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        remote.main(["--help"])
    assert "実行するコマンド" in capsys.readouterr().out


def test_runs_as_a_module(running_pod, ssh_keypair):
    command = [sys.executable, "-m", "snippets.remote", running_pod["id"], "uname -s"]
    result = subprocess.run(
        [*command, "--identity-file", str(ssh_keypair[0])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, "Linux\n"), result.stderr


def test_output_that_is_not_utf8_is_shown_not_a_traceback(running_pod, ssh_keypair):
    result = remote.run(running_pod, "printf 'caf\\351\\n'", ssh_keypair[0])
    assert result.stdout == "caf\ufffd\n"


def test_without_ssh_installed_the_reader_is_told_how_to_get_it(
    running_pod, ssh_keypair, monkeypatch
):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SnippetError, match="ssh コマンドが見つかりません"):
        remote.run(running_pod, "true", ssh_keypair[0])
