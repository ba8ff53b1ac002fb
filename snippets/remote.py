"""Run commands on a pod over SSH, with the same `ssh` your terminal and VS Code use.

python -m snippets.remote POD_ID "nvidia-smi"
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli
from snippets.pod_api import get_pod
from snippets.pod_status import require_ssh

SSH_OPTIONS = {
    "BatchMode": "yes",  # never stop to ask for a password
    "StrictHostKeyChecking": "accept-new",  # every new pod has a new host key...
    "UserKnownHostsFile": "/dev/null",  # ...so remember none of them
    "ConnectTimeout": "15",
    "IdentitiesOnly": "yes",  # offer only the key we name
    "LogLevel": "ERROR",  # no "Permanently added ..." noise
}
SSH_ARGS = [f"-o{name}={value}" for name, value in SSH_OPTIONS.items()]
CONNECT_TRIES = 5  # a mapped port may reset connections until the pod's sshd is up
RETRY_WAIT = 3  # seconds between them
CONNECTION_FAILED = (
    "Connection refused",
    "Connection reset",
    "Connection closed",
    "Connection timed out",
    "lost connection",  # scp's words for all of them
)


def run(pod, command: str, identity_file, stdin=None, check=True) -> subprocess.CompletedProcess:
    """Run `command` on the pod as root; stdin, stdout and stderr are text."""
    host, port = require_ssh(pod)
    with tempfile.TemporaryDirectory(prefix="kgl-ssh-") as folder:
        # ssh's own messages go to a log of their own (stderr is the command's): there, a
        # session that never started is told from a command that failed
        log = Path(folder) / "ssh.log"
        ssh = ["ssh", "-E", str(log), "-oLogLevel=VERBOSE", "-p", str(port)]
        args = [*ssh, *_options(identity_file), f"root@{host}", command]
        return _with_retries(args, stdin, check, log)


def upload(pod, local_path, remote_path: str, identity_file) -> None:
    """Copy one file to the pod with scp (-O: the classic protocol, no SFTP needed)."""
    host, port = require_ssh(pod)
    target = f"root@{host}:{remote_path}"
    args = ["scp", "-O", "-P", str(port), *_options(identity_file), str(local_path), target]
    _with_retries(args, None, check=True)


def _options(identity_file) -> list[str]:
    """The key to log in with, then SSH_OPTIONS."""
    return ["-i", str(Path(identity_file).expanduser()), *SSH_ARGS]


def _with_retries(args: list[str], stdin, check: bool, log: Path | None = None):
    for _ in range(CONNECT_TRIES):
        try:  # the pod's output may not be UTF-8: shown with replacement characters
            result = subprocess.run(
                args, input=stdin, capture_output=True, encoding="utf-8", errors="replace"
            )
        except FileNotFoundError:
            raise SnippetError(
                f"{args[0]} コマンドが見つかりません。OpenSSH クライアントを入れてください"
                "（Windows: 設定 → オプション機能 → OpenSSH クライアント、"
                "Debian/Ubuntu: sudo apt install openssh-client）。"
            ) from None
        said = result.stderr  # scp: its own words; ssh: the command's, and the log is ssh's
        if log is not None:
            said = log.read_text(errors="replace") if log.exists() else ""
            log.unlink(missing_ok=True)
        if not _never_connected(result.returncode, said, ssh_log=log is not None):
            break
        time.sleep(RETRY_WAIT)
    if log is not None and result.returncode == 255 and "Authenticated to" not in said:
        last = said.strip().splitlines()[-1:]  # ssh's last word on why it never got in
        result.stderr += "".join(line + "\n" for line in last)
    if check and result.returncode != 0:
        raise SnippetError(
            f"Pod 上のコマンドが失敗しました（終了コード {result.returncode}）: "
            f"{result.stderr.strip()[-500:]}"
        )
    return result


def _never_connected(returncode: int, said: str, ssh_log: bool) -> bool:
    """True when the connection itself failed (worth another try), not the login or the
    command: ssh exits 255 then; scp exits 1 and says "lost connection"."""
    if returncode == 0 or (ssh_log and (returncode != 255 or "Authenticated to" in said)):
        return False
    return "Permission denied" not in said and any(m in said for m in CONNECTION_FAILED)


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
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
