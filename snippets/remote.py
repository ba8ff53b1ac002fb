"""Run commands on a pod over SSH, with the same `ssh` your terminal and VS Code use.

python -m snippets.remote POD_ID "nvidia-smi"
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from snippets.api import SnippetError, run_cli
from snippets.pod import get_pod, ssh_endpoint

SSH_OPTIONS = {
    "BatchMode": "yes",  # never stop to ask for a password
    "StrictHostKeyChecking": "accept-new",  # every new pod has a new host key...
    "UserKnownHostsFile": "/dev/null",  # ...so remember none of them
    "ConnectTimeout": "15",
    "IdentitiesOnly": "yes",  # offer only the key we name
    "LogLevel": "ERROR",  # no "Permanently added ..." noise
}
SSH_ARGS = [f"-o{name}={value}" for name, value in SSH_OPTIONS.items()]
CONNECT_TRIES = 5  # sshd may refuse a few connections while the pod boots
RETRY_WAIT = 3  # seconds between them
CONNECTION_FAILED = ("Connection refused", "Connection reset", "Connection closed")


def run(pod, command: str, identity_file, stdin=None, check=True) -> subprocess.CompletedProcess:
    """Run `command` on the pod as root; stdin, stdout and stderr are text."""
    host, port = ssh_endpoint(pod)
    args = ["ssh", "-p", str(port), *_options(identity_file), f"root@{host}", command]
    return _with_retries(args, stdin, check)


def upload(pod, local_path, remote_path: str, identity_file) -> None:
    """Copy one file to the pod with scp (-O: the classic protocol, no SFTP needed)."""
    host, port = ssh_endpoint(pod)
    target = f"root@{host}:{remote_path}"
    args = ["scp", "-O", "-P", str(port), *_options(identity_file), str(local_path), target]
    _with_retries(args, None, check=True)


def _options(identity_file) -> list[str]:
    """The key to log in with, then SSH_OPTIONS."""
    return ["-i", str(Path(identity_file).expanduser()), *SSH_ARGS]


def _with_retries(args: list[str], stdin, check: bool) -> subprocess.CompletedProcess:
    for _ in range(CONNECT_TRIES):
        result = subprocess.run(args, input=stdin, capture_output=True, text=True)
        # 255 is ssh's own failure; retry only when the connection itself failed
        if result.returncode != 255 or not any(m in result.stderr for m in CONNECTION_FAILED):
            break
        time.sleep(RETRY_WAIT)
    if check and result.returncode != 0:
        raise SnippetError(
            f"Pod 上のコマンドが失敗しました（終了コード {result.returncode}）: "
            f"{result.stderr.strip()[-500:]}"
        )
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m snippets.remote",
        description="Pod の上でコマンドを 1 つ実行します（ssh を使います）。",
    )
    parser.add_argument("pod_id", metavar="POD_ID", help="Pod ID")
    parser.add_argument("command", help='実行するコマンド（例: "nvidia-smi"）')
    parser.add_argument(
        "--identity-file", default="~/.ssh/id_ed25519", help="SSH 秘密鍵（既定 ~/.ssh/id_ed25519）"
    )
    args = parser.parse_args(argv)
    exit_code = 0

    def run_command() -> None:
        nonlocal exit_code
        result = run(get_pod(args.pod_id), args.command, args.identity_file, check=False)
        print(result.stdout, end="")
        print(result.stderr, end="", file=sys.stderr)
        exit_code = result.returncode

    return run_cli(run_command) or exit_code  # 1 for our errors, else the command's own


if __name__ == "__main__":
    sys.exit(main())
