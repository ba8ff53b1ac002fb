"""What an answer from Runpod's REST API v2 means, as a type (snippets.errors).

Runpod answers errors as RFC 9457 problems ({"title", "status", "detail"}, content type
application/problem+json). An HTML page where JSON was expected is a proxy, a hotel Wi-Fi's
login page or a wrong RUNPOD_API_BASE_URL; JSON cut short is an answer lost on the way. Each
gets one Japanese sentence instead of a KeyError deep in the code.
"""

import re

import requests

from snippets import errors
from snippets.checks import shown
from snippets.cli import SnippetError

# No machine can take the pod: Runpod says so only in words (createPod's description:
# "capacity exhaustion currently carries no machine-readable code of its own"). The phrases
# are those Runpod's own smoke tests match (runpod/containers tests/runpod_smoke/api.py).
NO_CAPACITY = re.compile(
    r"no\s+longer\s+any\s+instances\s+available|does\s+not\s+have\s+the\s+resources"
    r"|no\s+(?:machines|capacity|hosts|gpus|instances)\s+available|insufficient\s+capacity",
    re.IGNORECASE,
)
SERVICE_TROUBLE = (
    "Runpod API が混み合っているか障害中です（HTTP {status}）。"
    "しばらく待ってからもう一度実行してください。"
)


def is_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "").lower()


def check_json(response: requests.Response):
    """The JSON object of an answer; a typed error when it is not Runpod's JSON."""
    status = response.status_code
    if not is_json(response):
        raise errors.NotRunpod(
            f"Runpod API ではない相手が応答しました（HTML など、HTTP {status}）。"
            "RUNPOD_API_BASE_URL の設定と、ネットワーク（ログインが必要な Wi-Fi など）を"
            "確認してください。",
            status=status,
        )
    try:
        body = response.json()
    except ValueError:  # cut short on the way: worth another try for a read
        raise errors.Unavailable(
            f"Runpod API の応答が途中で切れていました（HTTP {status}）。"
            "しばらく待ってからもう一度実行してください。",
            status=status,
        ) from None
    if not isinstance(body, dict):
        raise errors.NotRunpod(
            f"Runpod API の応答の形が想定と違います（HTTP {status}）。"
            "RUNPOD_API_BASE_URL を確認してください。",
            status=status,
        )
    return body


def problem(response: requests.Response) -> errors.ApiError:
    """The typed error for an answer with an error status."""
    status = response.status_code
    detail = ""
    if is_json(response):
        try:
            body = response.json()
            detail = str(body.get("detail") or "") if isinstance(body, dict) else ""
        except ValueError:
            pass
    elif status < 500 and status not in (408, 429):  # a proxy's page: Runpod never saw it
        return errors.NotRunpod(
            f"Runpod API の手前で断られました（HTML の応答、HTTP {status}）。"
            "VPN やプロキシを使っていれば外して、もう一度実行してください。",
            status=status,
        )
    kind, message = _meaning(status, detail)
    return kind(message, status=status, detail=detail)


def _meaning(status: int, detail: str) -> tuple[type[errors.ApiError], str]:
    said = f"（Runpod: {shown(detail[:300])}）" if detail else ""
    if status == 401:
        return errors.Unauthorized, (
            "Runpod が API キーを受け付けませんでした（HTTP 401）。RUNPOD_API_KEY の値を"
            "確かめ、コンソールの Settings → API Keys で作り直したキーを設定してください。"
        )
    if status == 403:
        return errors.Forbidden, (
            "この API キーには、この操作の権限がありません（HTTP 403）。コンソールの"
            "Settings → API Keys で、Read/Write の権限があるキーを使ってください。"
        )
    if status == 404:
        return errors.NotFound, f"Runpod に見つかりません（HTTP 404）{said}。"
    if status == 409:
        return errors.Conflict, f"Runpod が今の状態ではできないと答えました（HTTP 409）{said}。"
    if status == 410:
        return errors.Retired, (
            "Runpod はこの API の提供を終了しました（HTTP 410 Gone）。このガイドの"
            "スクリプトを最新版に更新してください（git pull、または clone-guide.sh）。"
        )
    if status == 402:
        return errors.PaymentRequired, (
            "残高が足りません（HTTP 402）。コンソールの Billing でクレジットを追加してから、"
            "もう一度実行してください。"
        )
    if status in (400, 422):
        if NO_CAPACITY.search(detail):
            return errors.NoCapacity, f"今は条件に合う空きマシンがありません{said}。"
        return (
            errors.Invalid,
            f"Runpod API がリクエストを受け付けませんでした（HTTP {status}）{said}。",
        )
    if status == 429 or status in range(500, 600) or status == 408:
        return errors.Unavailable, SERVICE_TROUBLE.format(status=status)
    return errors.ApiError, f"Runpod API がエラーを返しました（HTTP {status}）{said}。"


def listed(answer, key: str) -> list[dict]:
    """answer[key] of a list call, e.g. listed(rest("GET", path), "networkVolumes"), checked:
    a list of objects with an id (anything else is not Runpod answering)."""
    items = (answer or {}).get(key) if isinstance(answer, dict) else None
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in items
    ):
        raise errors.NotRunpod(
            f"Runpod API の応答の形が想定と違います（{key} の一覧がありません）。"
            "RUNPOD_API_BASE_URL を確認してください。"
        )
    return items


__all__ = ["SnippetError", "check_json", "listed", "problem"]
