"""SSH into fake pods with the system OpenSSH client (as a reader's terminal / VS Code does)
and with paramiko."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import time

import paramiko
import pytest
import runpod

from tests.fake_runpod.helpers import NO_PROMPT_OPTIONS, ssh_argv, ssh_port, wait_for_runtime

IMAGE = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"
GPU = "NVIDIA RTX A4000"


@pytest.fixture
def sdk(fake_runpod):
    runpod.api_key = fake_runpod.api_key
    return fake_runpod


@pytest.fixture
def volume_id(sdk) -> str:
    return sdk.state.create_volume("ws", 10, "EU-RO-1", None).id


def start_pod(public_key: str, volume_id: str | None = None, **env) -> dict:
    created = runpod.create_pod(
        "kgl-ssh",
        IMAGE,
        GPU,
        network_volume_id=volume_id,
        volume_mount_path="/workspace",
        ports="22/tcp,8888/http",
        env={"PUBLIC_KEY": public_key, **env},
    )
    return wait_for_runtime(created["id"])


def ssh(key, pod, command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ssh_argv(key, ssh_port(pod), command), capture_output=True, timeout=20, **kwargs
    )


def test_system_ssh_runs_commands(sdk, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(public)
    done = ssh(key, pod, "echo hi; echo oops >&2; exit 7", text=True)
    assert (done.returncode, done.stdout, done.stderr) == (7, "hi\n", "oops\n")
    literal = subprocess.run(
        [
            "ssh",
            "-i",
            str(key),
            "-p",
            str(ssh_port(pod)),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "root@127.0.0.1",
            "echo hi",
        ],
        capture_output=True,
        text=True,
        timeout=20,
        stdin=subprocess.DEVNULL,
    )
    assert literal.returncode == 0 and literal.stdout == "hi\n"


def test_system_ssh_pipes_stdin(sdk, ssh_keypair, tmp_path):
    key, public = ssh_keypair
    pod = start_pod(public)
    payload = os.urandom(3 * 1024 * 1024)
    source = tmp_path / "data.bin"
    source.write_bytes(payload)
    with source.open("rb") as stdin:
        copied = ssh(key, pod, "cat > data.bin", stdin=stdin)
    assert copied.returncode == 0, copied.stderr
    remote = sdk.pods[pod["id"]].home / "data.bin"
    assert remote.read_bytes() == payload
    digest = ssh(key, pod, "sha256sum data.bin", text=True)
    assert digest.stdout.split()[0] == hashlib.sha256(payload).hexdigest()
    assert ssh(key, pod, "cat data.bin").stdout == payload  # and back, through stdout


def test_pod_env_home_workspace_and_secrets(sdk, ssh_keypair, volume_id):
    key, public = ssh_keypair
    sdk.state.create_secret("kaggle_api_token", "KGAT_s3cr3t", None)
    pod = start_pod(
        public,
        volume_id,
        KAGGLE_API_TOKEN="{{ RUNPOD_SECRET_kaggle_api_token }}",
        MISSING="{{ RUNPOD_SECRET_nope }}",
        PLAIN="a b",
    )
    out = ssh(
        key,
        pod,
        'printf "%s|" "$KAGGLE_API_TOKEN" "$MISSING" "$PLAIN" "$HOME" "$PWD" '
        '"$WORKSPACE" "$RUNPOD_POD_ID"',
        text=True,
    ).stdout.split("|")
    fake_pod = sdk.pods[pod["id"]]
    assert out[:7] == [
        "KGAT_s3cr3t",
        "",
        "a b",
        str(fake_pod.home),
        str(fake_pod.home),
        str(sdk.volume_dir(volume_id)),
        pod["id"],
    ]
    # the API keeps showing the reference, never the value
    assert (
        "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}" in runpod.get_pod(pod["id"])["env"]
    )


def test_workspace_is_shared_home_is_not(sdk, ssh_keypair, volume_id):
    key, public = ssh_keypair
    first = start_pod(public, volume_id)
    assert (
        ssh(key, first, 'echo from-first > "$WORKSPACE/note"; echo mine > ~/dotfile').returncode
        == 0
    )
    runpod.terminate_pod(first["id"])
    second = start_pod(public, volume_id)
    seen = ssh(
        key, second, 'cat "$WORKSPACE/note"; test -e ~/dotfile && echo home-leaked', text=True
    )
    assert seen.stdout == "from-first\n"
    assert (sdk.volume_dir(volume_id) / "note").read_text() == "from-first\n"


def test_only_the_pods_public_key_and_root_get_in(sdk, ssh_keypair, tmp_path):
    key, public = ssh_keypair
    pod = start_pod(public)
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    denied = ssh(other, pod, "echo in", text=True)
    assert denied.returncode == 255 and "Permission denied" in denied.stderr
    wrong_user = subprocess.run(
        ssh_argv(key, ssh_port(pod), "echo in", user="ubuntu"),
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert wrong_user.returncode == 255 and "Permission denied" in wrong_user.stderr


def test_paramiko_client_with_an_rsa_key(sdk, tmp_path):
    rsa_path = tmp_path / "id_rsa"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(rsa_path)], check=True
    )
    pod = start_pod((tmp_path / "id_rsa.pub").read_text().strip())
    client = paramiko.SSHClient()
    # pin the fake's host key instead of trusting whatever answers
    host = f"[127.0.0.1]:{ssh_port(pod)}"
    client.get_host_keys().add(host, sdk.host_key.get_name(), sdk.host_key)
    client.connect(
        "127.0.0.1",
        port=ssh_port(pod),
        username="root",
        key_filename=str(rsa_path),
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )
    try:
        stdin, stdout, stderr = client.exec_command("read line; echo got:$line; exit 3")
        stdin.write("hello\n")
        stdin.channel.shutdown_write()
        assert stdout.read() == b"got:hello\n"
        assert stdout.channel.recv_exit_status() == 3
        sftp = client.open_sftp()
        with sftp.open("uploaded.txt", "w") as handle:
            handle.write("via sftp")
        assert sftp.listdir(".") == ["uploaded.txt"]
        assert (sdk.pods[pod["id"]].home / "uploaded.txt").read_text() == "via sftp"
    finally:
        client.close()


def test_scp_uploads_a_file(sdk, ssh_keypair, tmp_path):
    key, public = ssh_keypair
    pod = start_pod(public)
    source = tmp_path / "train.py"
    source.write_text("print('hi')\n")
    copied = subprocess.run(
        [
            "scp",
            "-q",
            "-i",
            str(key),
            "-P",
            str(ssh_port(pod)),
            *NO_PROMPT_OPTIONS,
            str(source),
            "root@127.0.0.1:train.py",
        ],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert copied.returncode == 0, copied.stderr
    assert (sdk.pods[pod["id"]].home / "train.py").read_text() == "print('hi')\n"


def test_terminate_closes_ssh(sdk, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(public)
    port = ssh_port(pod)
    runpod.terminate_pod(pod["id"])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_no_ssh_without_22_tcp(sdk, ssh_keypair):
    created = runpod.create_pod(
        "web", IMAGE, GPU, ports="8888/http", env={"PUBLIC_KEY": ssh_keypair[1]}
    )
    pod = wait_for_runtime(created["id"])
    with pytest.raises(LookupError):
        ssh_port(pod)
    assert sdk.pods[pod["id"]].ssh is None


def test_terminate_kills_background_processes(sdk, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(public)
    started = ssh(key, pod, "nohup sleep 300 >/dev/null 2>&1 & echo $!", text=True)
    pid = int(started.stdout)
    assert os.path.exists(f"/proc/{pid}")
    runpod.terminate_pod(pod["id"])
    for _ in range(100):
        if not os.path.exists(f"/proc/{pid}") or "Z" in _state(pid):
            break
        time.sleep(0.02)
    assert not os.path.exists(f"/proc/{pid}") or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/stat").read().split(")")[1].split()[0]
    except OSError:
        return "gone"


def test_plain_ssh_without_a_command_gets_a_shell(sdk, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(public)
    session = subprocess.run(
        ssh_argv(key, ssh_port(pod)),
        input="echo in-shell $PWD\nexit 4\n",
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert session.returncode == 4
    assert session.stdout == f"in-shell {sdk.pods[pod['id']].home}\n"


def test_public_key_env_is_read_like_authorized_keys():
    from fake_runpod.ssh import authorized_blobs

    one, two = "AAAAC3NzaC1lZDI1NTE5AAAAIBSENPUsqcO6nd4Zk33kdYLmbPYA7JHGRbfE8rKwqRp6", "AAAAB3Nz"
    blobs = authorized_blobs(f"ssh-ed25519 {one} me@laptop\nssh-rsa {two} other")
    assert len(blobs) == 2
    # a literal backslash-n is not a line break for `echo "$PUBLIC_KEY"` either
    assert len(authorized_blobs(f"ssh-ed25519 {one} a\\nssh-rsa {two} b")) == 1
    assert authorized_blobs("not a key") == set()
