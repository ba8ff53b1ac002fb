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
def sdk(graphql_fake):
    runpod.api_key = graphql_fake.api_key
    return graphql_fake


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


def test_a_pod_shows_its_volume_at_workspace_and_home_at_root(sdk, ssh_keypair, volume_id):
    key, public = ssh_keypair
    pod = start_pod(public, volume_id)
    out = ssh(
        key,
        pod,
        'printf "%s|" "$HOME" "$PWD" "$(whoami)"; echo hi > /workspace/from-pod.txt; '
        "echo mine > ~/dotfile; ls -a /workspace",
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("|")[:3] == ["/root", "/root", "root"]
    assert "from-pod.txt" in out.stdout.split("|")[3].split()
    assert (sdk.volume_dir(volume_id) / "from-pod.txt").read_text() == "hi\n"
    assert (sdk.pods[pod["id"]].home / "dotfile").read_text() == "mine\n"


def test_ssh_commands_see_the_pod_env_only_through_rp_environment(sdk, ssh_keypair, volume_id):
    key, public = ssh_keypair
    sdk.state.create_secret("kaggle_api_token", "KGAT_s3cr3t", None)
    pod = start_pod(
        public,
        volume_id,
        KAGGLE_API_TOKEN="{{ RUNPOD_SECRET_kaggle_api_token }}",
        MISSING="{{ RUNPOD_SECRET_nope }}",
        PLAIN="a b",
    )
    fields = (
        '"${KAGGLE_API_TOKEN-unset}" "${MISSING-unset}" "${PLAIN-unset}" "${RUNPOD_POD_ID-unset}"'
    )
    bare = ssh(key, pod, f'printf "%s|" {fields}', text=True).stdout
    assert bare == "unset|unset|unset|unset|"  # sshd does not pass the container's env on
    sourced = ssh(key, pod, f'. /etc/rp_environment; printf "%s|" {fields}', text=True).stdout
    assert sourced == f"KGAT_s3cr3t||a b|{pod['id']}|"
    # the API keeps showing the reference, never the value
    assert (
        "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}" in runpod.get_pod(pod["id"])["env"]
    )


def test_rp_environment_is_written_as_the_official_start_sh_writes_it(sdk, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(public, RUNPOD_SECRET_kaggle_json="lower-case name", KAGGLE_KEY="a$HOME")
    text = ssh(key, pod, "cat /etc/rp_environment", text=True).stdout
    assert "RUNPOD_SECRET_kaggle_json" not in text  # only ^[A-Z_][A-Z0-9_]*= names
    assert "PUBLIC_KEY" not in text
    assert 'export KAGGLE_KEY="a$HOME"\n' in text
    assert 'export RP_WORKSPACE="/workspace"\n' in text  # the image's own ENV
    # the value is double-quoted, so sourcing it expands $HOME: what a reader's shell sees
    seen = ssh(key, pod, '. /etc/rp_environment; echo "$KAGGLE_KEY"', text=True)
    assert seen.stdout == "a/root\n"


def test_rp_environment_follows_printenv_lines():
    from fake_runpod.startup import rp_environment

    env = {"A_B": "1", "lower": "x", "TWO": "one\nNEXT=two\nnot a var", "PUBLIC_KEY_X": "k"}
    assert rp_environment(env) == ('export A_B="1"\nexport TWO="one"\nexport NEXT="two"\n')


def test_workspace_is_shared_home_is_not(sdk, ssh_keypair, volume_id):
    key, public = ssh_keypair
    first = start_pod(public, volume_id)
    wrote = ssh(key, first, "echo from-first > /workspace/note; echo mine > ~/dotfile")
    assert wrote.returncode == 0
    runpod.terminate_pod(first["id"])
    second = start_pod(public, volume_id)
    seen = ssh(key, second, "cat /workspace/note; test -e ~/dotfile && echo home-leaked", text=True)
    assert seen.stdout == "from-first\n"
    assert (sdk.volume_dir(volume_id) / "note").read_text() == "from-first\n"


def test_no_public_key_no_sshd_behind_the_mapped_port(sdk):
    created = runpod.create_pod("nokey", IMAGE, GPU, ports="22/tcp")
    pod = wait_for_runtime(created["id"])
    assert banner(ssh_port(pod)) == b""  # the port is mapped, but nothing answers on it


def test_the_port_resets_until_sshd_is_up(sdk, ssh_keypair):
    sdk.set_faults("pod:slow_sshd=600s")
    key, public = ssh_keypair
    pod = start_pod(public)
    assert banner(ssh_port(pod)) == b""  # the runtime is there, sshd is not yet
    failed = ssh(key, pod, "echo up", text=True)  # OpenSSH may say nothing about a reset
    assert (failed.returncode, failed.stdout) == (255, "")


def test_sshd_comes_up_after_its_start_up_time(sdk, ssh_keypair):
    sdk.set_faults("pod:slow_sshd=0.2s")
    key, public = ssh_keypair
    pod = start_pod(public)
    deadline = time.monotonic() + 10
    while not banner(ssh_port(pod)).startswith(b"SSH-2.0-"):
        assert time.monotonic() < deadline, "sshd never answered"
        time.sleep(0.05)
    assert ssh(key, pod, "echo up", text=True).stdout == "up\n"


def test_the_accounts_key_gets_in_with_start_ssh(sdk, ssh_keypair):
    key, public = ssh_keypair
    runpod.update_user_settings(public)
    created = runpod.create_pod("account-key", IMAGE, GPU, ports="22/tcp")  # startSsh: true
    assert ssh(key, wait_for_runtime(created["id"]), "echo in", text=True).stdout == "in\n"


def banner(port: int) -> bytes:
    """What the SSH port says first: b"SSH-2.0-..." from sshd, b"" when reset or closed."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            return conn.recv(64)
    except OSError:
        return b""


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
        assert "uploaded.txt" in sftp.listdir(".")
        assert sftp.normalize(".") == "/root"
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
    assert session.stdout == "in-shell /root\n"


def test_public_key_env_is_read_like_authorized_keys():
    from fake_runpod.ssh import authorized_blobs

    one, two = "AAAAC3NzaC1lZDI1NTE5AAAAIBSENPUsqcO6nd4Zk33kdYLmbPYA7JHGRbfE8rKwqRp6", "AAAAB3Nz"
    blobs = authorized_blobs(f"ssh-ed25519 {one} me@laptop\nssh-rsa {two} other")
    assert len(blobs) == 2
    # a literal backslash-n is not a line break for `echo "$PUBLIC_KEY"` either
    assert len(authorized_blobs(f"ssh-ed25519 {one} a\\nssh-rsa {two} b")) == 1
    assert authorized_blobs("not a key") == set()


def test_a_pod_terminated_while_its_container_starts_leaves_no_error(sdk, ssh_keypair):
    """Terminating right after the runtime timer fired, while proot is still coming up: the
    start-up gives up quietly (no crash in its thread, nothing in internal_errors)."""
    _, public = ssh_keypair
    sdk.pod_start_delay = 0.0
    for _ in range(5):
        created = runpod.create_pod("kgl-race", IMAGE, GPU, ports="22/tcp",
                                    env={"PUBLIC_KEY": public})
        time.sleep(0.05)  # the timer has fired; the container is starting
        runpod.terminate_pod(created["id"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sdk.pods:
        time.sleep(0.05)
    time.sleep(1)  # let any start-up thread still running finish
    assert sdk.pods == {}
    assert sdk.internal_errors == []
