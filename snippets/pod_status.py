"""Waiting for a pod: what it is doing, and when its SSH server answers.

"Ready" means sshd answers with its banner. RUNNING is not ready: Runpod maps the port and
reports RUNNING while the image's start-up is still going (runpod/docs
pods/configuration/expose-ports: services may take minutes), and a large image takes
10-15 minutes to pull before that. While it waits, the reader sees the time waited and the
host's own log lines (the image pull), so ten quiet minutes are never a mystery. A pod that
errors or ends is reported at once, with its ID and the command that stops its bill.
"""

import socket
import sys
import time

from snippets import errors
from snippets.pod_api import get_pod, pod_logs

READY_TIMEOUT = 900  # seconds `up` waits for SSH: a big image takes ~10-15 min to pull
POLL = 5  # seconds between looks at the pod
PROGRESS_EVERY = 30  # seconds between progress lines while nothing changes
LOG_EVERY = 15  # seconds between reads of the host's log while the pod starts
WAITING = {
    "PROVISIONING": "空いているマシンを割り当てています",
    "STARTING": "イメージを取得して起動しています（大きなイメージは 10〜15 分かかります）",
}
NO_PORT = "コンテナが起動しました。SSH のポート（22/tcp）が公開されるのを待っています"
STARTING_SSH = "コンテナが起動しました。SSH サーバーの起動を待っています"
STOP_BILLING = "課金を止めるには python -m snippets.pod down {pod_id} を実行してください。"


def ssh_endpoint(pod: dict) -> tuple[str, int] | None:
    """(host, port) of the pod's SSH server reachable from outside, or None while there is
    none: `ssh.direct`, which Runpod fills once 22/tcp is mapped to a public port."""
    direct = (pod.get("ssh") or {}).get("direct") or {}
    host, port = direct.get("host"), direct.get("port")
    if isinstance(host, str) and host and isinstance(port, int) and 0 < port < 65536:
        return host, port
    return None


def require_ssh(pod: dict) -> tuple[str, int]:
    endpoint = ssh_endpoint(pod)
    if endpoint is None:
        raise errors.PodFailed(
            f"Pod {pod['id']} の SSH ポートがまだ開いていません（状態: {pod.get('status')}）。",
            pod_id=pod["id"],
            status=str(pod.get("status")),
        )
    return endpoint


def wait_until_ready(
    pod_id: str, timeout: float = READY_TIMEOUT, poll: float = POLL, progress=None
):
    """Poll until the pod's SSH server answers with its banner; returns the pod.

    progress(text), if given, is called with what the pod is doing while it is not ready,
    and with the host's new log lines. Raises PodFailed when the pod errors, stops, is
    deleted, or is not ready after `timeout` seconds."""
    started = time.monotonic()
    logs = _LogReader(pod_id, progress)
    while True:
        pod = get_pod(pod_id)
        doing = pod_progress(pod, logs)
        if doing is None:
            return pod
        if progress:
            progress(doing)
        waited = time.monotonic() - started
        if waited > timeout:
            raise errors.PodFailed(
                f"Pod {pod_id} が {timeout:g} 秒待っても SSH で入れる状態になりません"
                f"（{doing}）。{STOP_BILLING.format(pod_id=pod_id)}",
                pod_id=pod_id,
                status=str(pod.get("status")),
                log_lines=logs.last(),
            )
        if logs.due() and pod["status"] in WAITING:
            logs.read()
        # look often at first (a cached image starts in seconds), then every `poll` seconds,
        # and once more at the deadline
        time.sleep(max(0.0, min(poll, 0.5 + waited / 10, timeout - waited)))


def pod_progress(pod: dict, logs=None) -> str | None:
    """What the pod is doing (None: its SSH server answers); PodFailed when it never will."""
    status = pod.get("status")
    if status in WAITING:
        return WAITING[status]
    if status == "RUNNING":
        endpoint = ssh_endpoint(pod)
        if endpoint is None:
            return NO_PORT
        return None if ssh_answers(endpoint) else STARTING_SSH
    raise _ended(pod, logs)


def _ended(pod: dict, logs) -> errors.PodFailed:
    pod_id, status = pod["id"], str(pod.get("status"))
    lines = logs.last(refresh=True) if logs else []  # new lines are shown as progress
    last = f"Runpod 側のログの最後の行:「{lines[-1]}」。" if lines else ""
    if status == "TERMINATED":
        return errors.PodFailed(
            f"Pod {pod_id} は削除されました（課金は止まっています）。{last}",
            pod_id=pod_id,
            status=status,
            log_lines=lines,
        )
    if status == "ERROR":
        why = (
            f"Pod {pod_id} の起動に失敗しました（ERROR）。イメージの取得かコンテナの起動で"
            f"問題が起きています。{last}"
        )
    elif status == "EXITED":
        why = f"Pod {pod_id} は止まっています（EXITED）。{last}"
    else:
        why = f"Pod {pod_id} が想定外の状態です（{status}）。"
    return errors.PodFailed(
        f"{why}{STOP_BILLING.format(pod_id=pod_id)}", pod_id=pod_id, status=status, log_lines=lines
    )


class _LogReader:
    """The host's log lines (source=system: the image pull, the container start), read now
    and then while the pod starts, each line shown once (events are told apart by their id)."""

    def __init__(self, pod_id: str, progress) -> None:
        self.pod_id, self.progress = pod_id, progress
        self.seen: set[str] = set()
        self.lines: list[str] = []
        self.read_at = time.monotonic()  # the first read comes LOG_EVERY s into the wait

    def due(self) -> bool:
        return time.monotonic() - self.read_at >= LOG_EVERY

    def read(self) -> list[str]:
        """Read the log; show and keep the lines not seen before; return them."""
        self.read_at = time.monotonic()
        fresh = [e for e in pod_logs(self.pod_id, "system", tail=50) if e["id"] not in self.seen]
        for event in fresh:
            self.seen.add(event["id"])
            self.lines.append(event["line"])
            if self.progress:
                self.progress(f"[Runpod] {event['line']}", log=True)
        return [event["line"] for event in fresh]

    def last(self, refresh: bool = False) -> list[str]:
        if refresh:
            self.read()
        return self.lines[-20:]


def ssh_answers(endpoint: tuple[str, int]) -> bool:
    """True when an SSH server answers there: its first line is "SSH-2.0-..." (RFC 4253).
    A mapped port may accept the connection before sshd runs; that is not ready."""
    try:
        with socket.create_connection(endpoint, timeout=5) as conn:
            first = b""
            while b"\n" not in first and len(first) < 256:
                chunk = conn.recv(256)
                if not chunk:
                    break
                first += chunk
    except OSError:
        return False
    return first.startswith((b"SSH-2.0-", b"SSH-1.99-"))


def progress_printer(every: float = PROGRESS_EVERY):
    """A progress callback that prints the status and the time waited, on stderr: when the
    status changes, and every `every` seconds meanwhile; log lines as they come."""
    started, last = time.monotonic(), {"text": None, "at": 0.0}

    def show(text: str, log: bool = False) -> None:
        waited = time.monotonic() - started
        if log:
            print(f"    {text}", file=sys.stderr, flush=True)
        elif text != last["text"] or waited - last["at"] >= every:
            minutes, seconds = divmod(int(waited), 60)
            print(f"  {text}…（{minutes}分{seconds:02d}秒経過）", file=sys.stderr, flush=True)
            last.update(text=text, at=waited)

    return show
