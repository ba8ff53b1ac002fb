"""A pod's state: what it is doing, and waiting until its SSH server answers.

"Ready" means sshd answers with its banner, not that the pod has a runtime or that its
mapped port accepts a connection: Runpod maps the port while the image's start-up is still
running, and a large image takes 10-15 minutes to pull before that.
"""

import socket
import sys
import time

import runpod

from snippets.api import SnippetError, check_id, sdk

READY_TIMEOUT = 900  # seconds `up` waits for SSH: a big image takes ~10-15 min to pull
POLL = 5  # seconds between looks at the pod
PROGRESS_EVERY = 30  # seconds between progress lines while nothing changes
PULLING = "イメージを取得して起動しています（大きなイメージは 10〜15 分かかります）"
STARTING_SSH = "コンテナが起動しました。SSH サーバーの起動を待っています"


def get_pod(pod_id: str) -> dict:
    """A pod by id, with a clear message when it does not exist (any more)."""
    pod = sdk(runpod.get_pod, check_id("Pod ID", pod_id))
    if not pod:
        raise SnippetError(f"Pod {pod_id} が見つかりません（もう削除されたかもしれません）。")
    return pod


def ssh_endpoint(pod: dict) -> tuple[str, int]:
    """(public IP, port) of the pod's SSH server, from runtime.ports."""
    for port in (pod.get("runtime") or {}).get("ports") or []:
        if port["privatePort"] == 22 and port["isIpPublic"] and port["type"] == "tcp":
            return port["ip"], port["publicPort"]
    raise SnippetError(f"Pod {pod['id']} の SSH ポートがまだ開いていません。")


def wait_until_ready(
    pod_id: str, timeout: float = READY_TIMEOUT, poll: float = POLL, progress=None
):
    """Poll until the pod's SSH server answers with its banner; returns the pod.
    progress(text), if given, is called with what the pod is doing while it is not ready."""
    started = time.monotonic()
    while True:
        pod = get_pod(pod_id)
        doing = pod_progress(pod)
        if doing is None:
            return pod
        if progress:
            progress(doing)
        waited = time.monotonic() - started
        if waited > timeout:
            raise SnippetError(
                f"Pod {pod_id} が {timeout:g} 秒待っても SSH で入れる状態になりません。"
                f"課金を止めるには python -m snippets.pod down {pod_id} を実行してください。"
            )
        # look often at first (a cached image starts in seconds), then every `poll` seconds,
        # and once more at the deadline
        time.sleep(min(poll, 0.5 + waited / 10, timeout - waited))


def pod_progress(pod: dict) -> str | None:
    """What the pod is doing (None: its SSH server answers); an error when it never will."""
    if pod["desiredStatus"] != "RUNNING":
        raise SnippetError(f"Pod {pod['id']} は止まっています（{pod['desiredStatus']}）。")
    if "unsatisfied condition: cuda" in (pod.get("lastStatusChange") or ""):
        raise SnippetError(
            f"Pod {pod['id']} のマシンは GPU ドライバーが古く、このイメージを起動できません。"
            f"python -m snippets.pod down {pod['id']} で削除して、作り直してください。"
        )
    if not pod.get("runtime"):
        return PULLING
    return None if ssh_answers(ssh_endpoint(pod)) else STARTING_SSH


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
    status changes, and every `every` seconds meanwhile."""
    started, last = time.monotonic(), {"text": None, "at": 0.0}

    def show(text: str) -> None:
        waited = time.monotonic() - started
        if text != last["text"] or waited - last["at"] >= every:
            minutes, seconds = divmod(int(waited), 60)
            print(f"  {text}…（{minutes}分{seconds:02d}秒経過）", file=sys.stderr, flush=True)
            last.update(text=text, at=waited)

    return show
