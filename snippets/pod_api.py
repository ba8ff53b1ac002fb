"""A pod through Runpod's REST API v2: read it, list them, delete one, read its log.

A pod's life is its `status`: PROVISIONING (waiting for a machine), STARTING (the image is
being pulled, the container starting), RUNNING, EXITED (stopped), ERROR, TERMINATED; `actions`
says what may be done to it now (the v2 OpenAPI, podAction).
"""

import json

import requests

from snippets import api, errors
from snippets.answers import listed, problem
from snippets.checks import check_id, shown
from snippets.settings import base_url

LOG_IDLE_SECONDS = 2  # the log stream stays open: stop reading after this long without a line
LOG_MAX_LINES = 200
HOW_TO_CHECK = (
    "python -m snippets.pod list、またはコンソールの Pods"
    "（https://console.runpod.io/pods）で確かめられます。"
)


def get_pod(pod_id: str) -> dict:
    """A pod by id, with a clear message when it does not exist (any more)."""
    check_id("Pod ID", pod_id)
    try:
        pod = api.rest("GET", f"/v2/pods/{pod_id}")
    except errors.NotFound as missing:
        raise errors.NotFound(
            f"Pod {pod_id} が見つかりません（もう削除されたかもしれません）。{HOW_TO_CHECK}",
            status=missing.status,
            detail=missing.detail,
        ) from None
    if not isinstance(pod, dict) or pod.get("id") != pod_id or "status" not in pod:
        raise errors.NotRunpod("Runpod API の応答の形が想定と違います（Pod の情報がありません）。")
    return pod


def list_pods() -> list[dict]:
    """Every pod of the account."""
    return listed(api.rest("GET", "/v2/pods"), "pods")


def terminate_pod(pod_id: str) -> None:
    """Delete the pod (billing stops); the network volume and its files stay. A pod that
    existed when we asked and is gone afterwards counts as deleted."""
    get_pod(pod_id)  # NotFound here: a wrong ID, nothing was deleted
    try:
        api.rest("DELETE", f"/v2/pods/{pod_id}")
    except errors.NotFound:
        return


def pod_logs(pod_id: str, source: str = "system", tail: int = 50) -> list[dict]:
    """The pod's last log lines (GET /v2/pods/{id}/logs, Server-Sent Events), as a list of
    {"id", "ts", "line"}, oldest first. The stream stays open for new lines: reading stops
    once it has been quiet for LOG_IDLE_SECONDS. Best effort: a log that cannot be read
    gives []."""
    check_id("Pod ID", pod_id)
    try:
        with api.session().get(
            f"{base_url()}/v2/pods/{pod_id}/logs",
            params={"source": source, "tail": tail},
            stream=True,
            timeout=(api.TIMEOUT[0], LOG_IDLE_SECONDS),
        ) as response:
            if response.status_code != 200:
                raise problem(response)
            return _events(response)
    except (requests.RequestException, errors.ApiError):
        return []


def _events(response: requests.Response) -> list[dict]:
    """SSE events: an `id:` line, a `data:` line with JSON {"ts", "source", "line"}, a blank
    line. Read a byte at a time (buffered below us): a bigger block would wait to fill up."""
    events, event_id = [], ""
    try:
        for raw in response.iter_lines(chunk_size=1):
            text = raw.decode("utf-8", "replace")
            if text.startswith("id:"):
                event_id = text[3:].strip()
            elif text.startswith("data:"):
                try:
                    event = json.loads(text[5:].strip())
                except ValueError:
                    continue
                if isinstance(event, dict) and isinstance(event.get("line"), str):
                    ts = str(event.get("ts") or "")
                    events.append({"id": event_id or ts, "ts": ts, "line": shown(event["line"])})
                event_id = ""  # an event without an id of its own is told apart by its time
                if len(events) >= LOG_MAX_LINES:
                    break
    except requests.RequestException:  # quiet for LOG_IDLE_SECONDS, or the stream ended
        pass
    return events
