"""What every snippet shares: the API key, retries, safe values and clear errors.

Pods go through the official `runpod` SDK (GraphQL). Network volumes and secrets go
through Runpod's REST API v2 on the same host, so RUNPOD_API_BASE_URL moves both.
"""

import argparse
import os
import re
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import requests
import runpod
import runpod.api.graphql
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

DEFAULT_BASE_URL = "https://api.runpod.io"
TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for an answer
RETRIES = 5  # tries after the first one, for HTTP 429, 5xx and timeouts
BACKOFF = 1.0  # waits 0, 2, 4, 8, 16 s between tries (or what Retry-After asks)
MAX_ENV_VARS = 50  # Runpod's limit per pod
CREATE_TRIES = 3  # creates: tries in all, each after looking for what a lost answer made
# Answers after which a create may or may not have happened (the request reached Runpod).
AMBIGUOUS_STATUS = (500, 502, 503, 504)

# What Runpod answers when no machine is free for the requested GPU.
NO_CAPACITY = "no longer any instances available"

# The SDK pastes values into GraphQL text without escaping, so these must never reach
# it: quotes, backslashes, control characters (newlines) and braces. The one brace
# form allowed is a secret reference such as {{ RUNPOD_SECRET_kaggle_api_token }}.
SECRET_REFERENCE = re.compile(r"\{\{ *RUNPOD_SECRET_[A-Za-z_][A-Za-z0-9_.\-/]* *\}\}")
UNSAFE_CHARACTERS = re.compile(r'["\\{}\x00-\x1f\x7f]')
SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")


class SnippetError(Exception):
    """A failure explained in one Japanese sentence for the reader."""


class NoCapacityError(SnippetError):
    """Runpod has no free machine for the requested GPU right now."""


class AnswerLost(SnippetError):
    """A create reached Runpod but no answer came back: it may or may not have happened."""


def api_key() -> str:
    """The key from RUNPOD_API_KEY (the SDK does not read it by itself)."""
    key = os.environ.get("RUNPOD_API_KEY", "").strip()
    if not key:
        raise SnippetError(
            "環境変数 RUNPOD_API_KEY が設定されていません。Runpod のコンソール"
            "（Settings → API Keys）で作ったキーを export RUNPOD_API_KEY=... で設定してください。"
        )
    runpod.api_key = key
    return key


def base_url() -> str:
    """https://api.runpod.io, or the test server named by RUNPOD_API_BASE_URL."""
    return os.environ.get("RUNPOD_API_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def load_recommended() -> dict:
    """The guide's one config: recommended image and pod defaults."""
    with open(Path(__file__).with_name("recommended_image.toml"), "rb") as file:
        return tomllib.load(file)


class RunpodSession(requests.Session):
    """A requests session that retries with backoff and turns failures into SnippetError.

    Reads are retried on 429, 5xx and timeouts. A create (creates=True) is retried only when
    Runpod surely did not act on it (no connection, or 429); when the request may have been
    carried out but the answer was lost (a timeout, a dropped connection, a 5xx), it raises
    AnswerLost instead, and create_once looks for the result before trying again.
    """

    def __init__(self, *, creates: bool = False) -> None:
        super().__init__()
        self.creates = creates
        retry = Retry(
            total=RETRIES,
            read=0 if creates else None,
            other=0 if creates else None,
            backoff_factor=BACKOFF,
            status_forcelist=[429] if creates else [429, *AMBIGUOUS_STATUS],
            allowed_methods=None,  # POST too: GraphQL always uses POST
            raise_on_status=False,  # after the last try, hand back the last answer
        )
        self.mount("http://", HTTPAdapter(max_retries=retry))
        self.mount("https://", HTTPAdapter(max_retries=retry))
        self.headers["Authorization"] = f"Bearer {api_key()}"

    def request(self, method, url, *args, **kwargs):
        kwargs["timeout"] = TIMEOUT  # also replaces the SDK's fixed 30 s
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as error:
            if self.creates and not _never_sent(error):
                raise _answer_lost("応答がありませんでした") from None
            raise SnippetError(
                f"Runpod API（{base_url()}）に接続できないか、応答がありませんでした。"
                "ネットワークと RUNPOD_API_BASE_URL を確認してください。"
            ) from None
        if response.status_code in (401, 403):
            raise SnippetError(
                f"Runpod が API キーを受け付けませんでした（HTTP {response.status_code}）。"
                "RUNPOD_API_KEY の値と、キーの権限（Read/Write）を確認してください。"
            )
        if self.creates and response.status_code in AMBIGUOUS_STATUS:
            raise _answer_lost(f"HTTP {response.status_code} が返りました")
        if response.content and "json" not in response.headers.get("Content-Type", ""):
            raise SnippetError(
                f"Runpod API が JSON ではない応答（HTML など、HTTP {response.status_code}）を"
                "返しました。障害中かもしれません。しばらく待ってからもう一度実行してください。"
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise SnippetError(
                f"Runpod API が混み合っているか障害中です（HTTP {response.status_code}、"
                f"{RETRIES + 1} 回試しました）。しばらく待ってからもう一度実行してください。"
            )
        return response


def _never_sent(error: requests.RequestException) -> bool:
    """True when the request surely never reached Runpod (no connection was made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None  # urllib3's
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _answer_lost(what: str) -> AnswerLost:
    return AnswerLost(f"作成の依頼に{what}（Runpod 側では作られた可能性があります）。")


def rest(method: str, path: str, body: dict | None = None, not_found: str = "") -> dict | None:
    """Call REST API v2, e.g. rest("GET", "/v2/network-volumes"); None for empty answers.
    A POST is a create: it is not retried blindly (see RunpodSession and create_once)."""
    session = RunpodSession(creates=method.upper() == "POST")
    response = session.request(method, base_url() + path, json=body)
    if response.status_code == 404 and not_found:
        raise SnippetError(not_found)
    if response.status_code >= 400:
        detail = response.json().get("detail", "") if response.content else ""
        raise SnippetError(
            f"Runpod API がリクエストを受け付けませんでした（HTTP {response.status_code}）:"
            f" {detail}"
        )
    return response.json() if response.content else None


def sdk(function, *args, **kwargs):
    """Call a runpod SDK function that only reads (or is safe to repeat), with our key, our
    retries and clear errors."""
    return _call_sdk(RunpodSession(), function, args, kwargs)


def sdk_create(function, *args, **kwargs):
    """Call a runpod SDK function that creates something: never retried blindly."""
    return _call_sdk(RunpodSession(creates=True), function, args, kwargs)


def _call_sdk(session: RunpodSession, function, args, kwargs):
    runpod.api_key = api_key()
    # The SDK posts with a bare `requests.post` (no retries): hand it our session for this
    # call only, so nothing else in the process sees a changed SDK.
    bare_requests = runpod.api.graphql.requests
    runpod.api.graphql.requests = session
    try:
        return function(*args, **kwargs)
    except runpod.error.QueryError as error:
        if NO_CAPACITY in str(error):
            raise NoCapacityError("この GPU は今、空きがありません。") from None
        raise SnippetError(f"Runpod API がエラーを返しました: {error}") from None
    finally:
        runpod.api.graphql.requests = bare_requests


def create_once(
    what: str, name: str, create: Callable[[], dict | None], list_all: Callable[[], list[dict]]
) -> dict:
    """Create one resource named `name`, even when an answer is lost on the way.

    Runpod may carry out a create whose answer never arrives (a timeout, a 502, or a create
    that answers null). Sending it again blindly would make a second one, billed and unseen.
    So after a lost answer, look for a new resource with that name (one that was not there
    before we started) and send the create again only when there is none.
    """
    before = {item["id"] for item in list_all() if item.get("name") == name}
    for attempt in range(CREATE_TRIES):
        try:
            made = create()
        except AnswerLost:
            made = None
        if made:
            return made
        time.sleep(BACKOFF * 2**attempt)  # give the lost create a moment to show up
        new = [item for item in list_all() if item.get("name") == name and item["id"] not in before]
        if new:
            return new[0]
    raise SnippetError(
        f"{what}「{name}」を作る依頼に、{CREATE_TRIES} 回とも応答がありませんでした。"
        "作られた形跡もありません。しばらく待ってから、一覧で確かめてもう一度実行してください。"
    )


def graphql(query: str) -> dict:
    """Run our own GraphQL query through the SDK and return its "data"."""
    return sdk(runpod.api.graphql.run_graphql_query, query)["data"]


def check_text(what: str, value: str) -> str:
    """Refuse characters that would break the SDK's GraphQL text (before any request)."""
    if UNSAFE_CHARACTERS.search(SECRET_REFERENCE.sub("", value)):
        raise SnippetError(
            f'{what} に使えない文字（" \\ 改行 {{ }}）が含まれています。'
            "{{ RUNPOD_SECRET_名前 }} の形のシークレット参照以外では使えません。"
        )
    return value


def check_id(what: str, value: str) -> str:
    """IDs from Runpod are letters, digits, - and _ only."""
    if not SAFE_ID.fullmatch(value):
        raise SnippetError(f"{what} の形が正しくありません（英数字・-・_ のみ）: {value!r}")
    return value


def run_cli(action) -> int:
    """Run a CLI action: on failure one Japanese line on stderr and exit code 1."""
    try:
        action()
    except SnippetError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C while waiting: no traceback either
        print("中断しました。", file=sys.stderr)
        return 130
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m snippets.api",
        description="RUNPOD_API_KEY の API キーが Runpod に受け付けられるかを確かめます。",
    )
    parser.parse_args(argv)

    def check_key() -> None:
        user = sdk(runpod.get_user)
        print(f"API キーは有効です（ユーザー ID: {user['id']}）。")

    return run_cli(check_key)


if __name__ == "__main__":
    sys.exit(main())
