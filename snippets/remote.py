"""Run commands on a pod over SSH, with the same `ssh` your terminal and VS Code use.

    python -m snippets.remote POD_ID "nvidia-smi"
"""

import argparse
import subprocess
import sys
import time

from snippets.api import SnippetError, run_cli
from snippets.pod import get_pod, ssh_endpoint

SSH_OPTIONS = [
    "-o", "BatchMode=yes",  # never stop to ask for a password
    "-o", "StrictHostKeyChecking=accept-new",  # every new pod has a new host key...
    "-o", "UserKnownHostsFile=/dev/null",  # ...so keep none of them
    "-o", "ConnectTimeout=15",
    "-o", "IdentitiesOnly=yes",
    "-o", "LogLevel=ERROR",
]
CONNECT_TRIES = 5  # sshd may refuse a few connections while the pod boots
RETRY_WAIT = 3  # seconds between them
CONNECTION_FAILED = ("Connection refused", "Connection reset", "Connection closed")


def run(pod: dict, command: str, identity_file, stdin=None, check=True) -> subprocess.CompletedProcess:
    """Run `command` on the pod as root; stdout and stderr come back as text."""
    host, port = ssh_endpoint(pod)
    args = ["ssh", "-p", str(port), "-i", str(identity_file), *SSH_OPTIONS, f"root@{host}", command]
    return _with_retries(args, stdin, check)


def upload(pod: dict, local_path, remote_path: str, identity_file) -> None:
    """Copy one file to the pod with scp."""
    host, port = ssh_endpoint(pod)
    args = ["scp", "-O", "-P", str(port), "-i", str(identity_file), *SSH_OPTIONS,
            str(local_path), f"root@{host}:{remote_path}"]  # fmt: skip
    _with_retries(args, None, check=True)


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
    parser.add_argument("command", help="実行するコマンド（例: \"nvidia-smi\"）")
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

    return run_cli(run_command) or exit_code


if __name__ == "__main__":
    sys.exit(main())
