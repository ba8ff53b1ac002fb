"""What counts as Runpod's answer, and what is something else answering in its place.

An HTML page where JSON was expected is a proxy, the login page of a hotel Wi-Fi or a wrong
RUNPOD_API_BASE_URL; JSON of another shape is not Runpod either. Each gets one Japanese
sentence instead of a KeyError deep in the code.
"""

import requests

from snippets.cli import SnippetError


def check_answer(response: requests.Response, *, graphql: bool, tries: int) -> None:
    """Refuse what cannot be Runpod's answer: an HTML page (a proxy, a login page of a Wi-Fi,
    a wrong RUNPOD_API_BASE_URL), an overload that outlived the retries, JSON of another shape."""
    status = response.status_code
    if response.content and "json" not in response.headers.get("Content-Type", ""):
        if status < 400:
            raise SnippetError(
                f"Runpod API ではない相手が応答しました（HTML など、HTTP {status}）。"
                "RUNPOD_API_BASE_URL の設定と、ネットワーク（ログインが必要な Wi-Fi など）を"
                "確認してください。"
            )
        if status < 500 and status != 429:
            raise SnippetError(
                f"Runpod API の手前で断られました（HTML の応答、HTTP {status}）。"
                "VPN やプロキシを使っていれば外して、もう一度実行してください。"
            )
        raise SnippetError(
            f"Runpod API が JSON ではない応答（HTML など、HTTP {status}）を"
            "返しました。障害中かもしれません。しばらく待ってからもう一度実行してください。"
        )
    if status == 429 or status >= 500:
        raise SnippetError(
            f"Runpod API が混み合っているか障害中です（HTTP {status}、"
            f"{tries} 回試しました）。しばらく待ってからもう一度実行してください。"
        )
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = None
    if not isinstance(body, dict) or (graphql and not {"data", "errors"} & body.keys()):
        raise SnippetError(
            f"Runpod API の応答の形が想定と違います（HTTP {status}）。"
            "RUNPOD_API_BASE_URL を確認してください。"
        )


def listed(answer: dict | None, key: str) -> list[dict]:
    """answer[key] of a list call, e.g. listed(rest("GET", path), "networkVolumes"), checked:
    a list of objects with an id (anything else is not Runpod answering)."""
    items = (answer or {}).get(key)
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in items
    ):
        raise SnippetError(
            f"Runpod API の応答の形が想定と違います（{key} の一覧がありません）。"
            "RUNPOD_API_BASE_URL を確認してください。"
        )
    return items
