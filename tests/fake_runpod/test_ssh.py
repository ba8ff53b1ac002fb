"""SSH into fake pods with the system OpenSSH client (as a reader's terminal / VS Code does)
and with paramiko. Pods are made through REST v2; sshd is the one their start-up starts."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import time

import paramiko
import pytest

from tests.fake_runpod.helpers import NO_PROMPT_OPTIONS, Api, ssh_argv, ssh_port, wait_for


@pytest.fixture
def sdk(fake_runpod):
    """The fake (named for the tests that drove it through the SDK before REST v2)."""
    return fake_runpod


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


@pytest.fixture
def volume_id(api) -> str:
    return api.volume()


def banner(port: int) -> bytes:
    """What the SSH port says first: b"SSH-2.0-..." from sshd, b"" when reset or closed."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            return conn.recv(64)
    except OSError:
        return b""


def running(api: Api, **body) -> dict:
    return api.wait_status(api.create_pod(**body)["id"], "RUNNING")


def start_pod(api: Api, public_key: str, volume_id: str | None = None, **env) -> dict:
    """A RUNNING pod with PUBLIC_KEY whose sshd answers."""
    mounts = {"network": [{"volumeId": volume_id, "path": "/workspace"}]} if volume_id else {}
    env = {"PUBLIC_KEY": public_key, **env}
    pod = running(api, name="kgl-ssh", ports=["22/tcp", "8888/http"], env=env, mounts=mounts)
    wait_for(lambda: banner(ssh_port(pod)).startswith(b"SSH-2.0-"))
    return pod


def home(fake, pod: dict):
    return fake.pods[pod["id"]].runtime.home


def ssh(key, pod, command, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ssh_argv(key, ssh_port(pod), command), capture_output=True, timeout=20, **kwargs
    )


def test_system_ssh_runs_commands(sdk, api, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(api, public)
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


def test_system_ssh_pipes_stdin(sdk, api, ssh_keypair, tmp_path):
    key, public = ssh_keypair
    pod = start_pod(api, public)
    payload = os.urandom(3 * 1024 * 1024)
    source = tmp_path / "data.bin"
    source.write_bytes(payload)
    with source.open("rb") as stdin:
        copied = ssh(key, pod, "cat > data.bin", stdin=stdin)
    assert copied.returncode == 0, copied.stderr
    remote = home(sdk, pod) / "data.bin"
    assert remote.read_bytes() == payload
    digest = ssh(key, pod, "sha256sum data.bin", text=True)
    assert digest.stdout.split()[0] == hashlib.sha256(payload).hexdigest()
    assert ssh(key, pod, "cat data.bin").stdout == payload  # and back, through stdout


def test_a_pod_shows_its_volume_at_workspace_and_home_at_root(sdk, api, ssh_keypair, volume_id):
    key, public = ssh_keypair
    pod = start_pod(api, public, volume_id)
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
    assert (home(sdk, pod) / "dotfile").read_text() == "mine\n"


def test_ssh_commands_see_the_pod_env_only_through_rp_environment(sdk, api, ssh_keypair, volume_id):
    key, public = ssh_keypair
    sdk.state.create_secret("kaggle_api_token", "KGAT_s3cr3t", None)
    token = "{{ RUNPOD_SECRET_kaggle_api_token }}"
    pod = start_pod(api, public, volume_id, KAGGLE_API_TOKEN=token, PLAIN="a b")
    fields = '"${KAGGLE_API_TOKEN-unset}" "${PLAIN-unset}" "${RUNPOD_POD_ID-unset}"'
    bare = ssh(key, pod, f'printf "%s|" {fields}', text=True).stdout
    assert bare == "unset|unset|unset|"  # sshd does not pass the container's env on
    sourced = ssh(key, pod, f'. /etc/rp_environment; printf "%s|" {fields}', text=True).stdout
    assert sourced == f"KGAT_s3cr3t|a b|{pod['id']}|"
    assert api.pod(pod["id"])["env"]["KAGGLE_API_TOKEN"] == token  # the reference, never the value


def test_rp_environment_is_written_as_the_official_start_sh_writes_it(sdk, api, ssh_keypair):
    key, public = ssh_keypair
    env = {
        "RUNPOD_SECRET_kaggle_json": "lower-case name",
        "KAGGLE_KEY": "a$HOME",
        "TWO": "one\nNEXT=two\nnot a var",  # printenv prints it on three lines
        "PUBLIC_KEY_X": "k",
    }
    pod = start_pod(api, public, **env)
    text = ssh(key, pod, "cat /etc/rp_environment", text=True).stdout
    assert "RUNPOD_SECRET_kaggle_json" not in text  # only ^[A-Z_][A-Z0-9_]*= names
    assert "PUBLIC_KEY" not in text and "not a var" not in text
    assert 'export KAGGLE_KEY="a$HOME"\n' in text
    assert 'export TWO="one"\nexport NEXT="two"\n' in text  # cut at the line break
    assert 'export RP_WORKSPACE="/workspace"\n' in text  # the image's own ENV
    assert f'export RUNPOD_POD_ID="{pod["id"]}"\n' in text
    # the value is double-quoted, so sourcing it expands $HOME: what a reader's shell sees
    seen = ssh(key, pod, '. /etc/rp_environment; echo "$KAGGLE_KEY"', text=True)
    assert seen.stdout == "a/root\n"
    bashrc = ssh(key, pod, "tail -n 1 ~/.bashrc", text=True).stdout
    assert bashrc == "source /etc/rp_environment\n"  # start.sh appends it


def test_a_missing_secret_fails_the_pod(sdk, api):
    made = api.create_pod(env={"TOKEN": "{{ RUNPOD_SECRET_nope }}"})
    failed = api.wait_status(made["id"], "ERROR")
    last = sdk.backend.logs[made["id"]].lines[-1].line
    assert last == "error creating container: secret 'nope' not found"
    assert failed["runtime"] is None


def test_workspace_is_shared_home_is_not(sdk, api, ssh_keypair, volume_id):
    key, public = ssh_keypair
    first = start_pod(api, public, volume_id)
    wrote = ssh(key, first, "echo from-first > /workspace/note; echo mine > ~/dotfile")
    assert wrote.returncode == 0
    assert api("DELETE", f"/pods/{first['id']}").status_code == 204
    second = start_pod(api, public, volume_id)
    seen = ssh(key, second, "cat /workspace/note; test -e ~/dotfile && echo home-leaked", text=True)
    assert seen.stdout == "from-first\n"
    assert (sdk.volume_dir(volume_id) / "note").read_text() == "from-first\n"


def test_no_public_key_no_sshd_behind_the_mapped_port(sdk, api):
    pod = running(api, ports=["22/tcp"])
    assert banner(ssh_port(pod)) == b""  # the port is mapped, but nothing answers on it
    authorized = home(sdk, pod) / ".ssh" / "authorized_keys"
    assert not authorized.exists()


def test_the_port_resets_until_sshd_is_up(sdk, api, ssh_keypair):
    sdk.set_faults("pod:slow_sshd=600s")
    key, public = ssh_keypair
    pod = running(api, ports=["22/tcp"], env={"PUBLIC_KEY": public})
    wait_for(lambda: (home(sdk, pod) / ".ssh" / "authorized_keys").exists())
    assert banner(ssh_port(pod)) == b""  # start.sh started sshd; it is not up yet
    failed = ssh(key, pod, "echo up", text=True)  # OpenSSH may say nothing about a reset
    assert (failed.returncode, failed.stdout) == (255, "")


def test_sshd_comes_up_after_its_start_up_time(sdk, api, ssh_keypair):
    sdk.set_faults("pod:slow_sshd=0.2s")
    key, public = ssh_keypair
    pod = start_pod(api, public)
    assert ssh(key, pod, "echo up", text=True).stdout == "up\n"


def test_the_accounts_keys_get_in_with_start_ssh(sdk, api, ssh_keypair):
    key, public = ssh_keypair
    registered = api("PUT", "/account/ssh-keys", json={"keys": [public]})
    assert registered.json() == {"keys": [public]}
    pod = running(api, ports=["22/tcp"], startSsh=True)
    assert api.pod(pod["id"])["env"] == {}  # injected, not part of the pod's readable config
    assert wait_for(lambda: ssh(key, pod, "echo in", text=True).stdout == "in\n")
    without = running(api, ports=["22/tcp"])  # no startSsh: no key, no sshd
    assert not (home(sdk, without) / ".ssh").exists()


def test_only_the_pods_public_key_and_root_get_in(sdk, api, ssh_keypair, tmp_path):
    key, public = ssh_keypair
    pod = start_pod(api, public)
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


def test_paramiko_client_with_an_rsa_key(sdk, api, tmp_path):
    rsa_path = tmp_path / "id_rsa"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(rsa_path)], check=True
    )
    pod = start_pod(api, (tmp_path / "id_rsa.pub").read_text().strip())
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
        assert (home(sdk, pod) / "uploaded.txt").read_text() == "via sftp"
    finally:
        client.close()


def test_scp_uploads_a_file(sdk, api, ssh_keypair, tmp_path):
    key, public = ssh_keypair
    pod = start_pod(api, public)
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
    assert (home(sdk, pod) / "train.py").read_text() == "print('hi')\n"


def test_terminate_closes_ssh(sdk, api, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(api, public)
    port = ssh_port(pod)
    assert api("DELETE", f"/pods/{pod['id']}").status_code == 204
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_no_ssh_without_22_tcp(sdk, api, ssh_keypair):
    pod = running(api, ports=["8888/http"], env={"PUBLIC_KEY": ssh_keypair[1]})
    assert pod["ssh"]["direct"] is None
    assert sdk.pods[pod["id"]].runtime.ssh is None


def test_terminate_kills_background_processes(sdk, api, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(api, public)
    started = ssh(key, pod, "nohup sleep 300 >/dev/null 2>&1 & echo $!", text=True)
    pid = int(started.stdout)
    assert os.path.exists(f"/proc/{pid}")
    assert api("DELETE", f"/pods/{pod['id']}").status_code == 204
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


def test_plain_ssh_without_a_command_gets_a_shell(sdk, api, ssh_keypair):
    key, public = ssh_keypair
    pod = start_pod(api, public)
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


def test_a_pod_terminated_while_its_container_starts_leaves_no_error(sdk, api, ssh_keypair):
    """Terminating right after the pull, while proot is still coming up: the start-up gives
    up quietly (no crash in its thread, nothing in internal_errors; the fixture checks)."""
    _, public = ssh_keypair
    sdk.pod_start_delay = 0.0
    for _ in range(5):
        made = api.create_pod(ports=["22/tcp"], env={"PUBLIC_KEY": public})
        time.sleep(0.05)  # the timers have fired; the container is starting
        assert api("DELETE", f"/pods/{made['id']}").status_code == 204
    assert sdk.pods == {}
