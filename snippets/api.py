"""What every snippet shares: one way to call Runpod's REST API v2, with retries and errors
that say what happened.

    rest("GET", "/v2/network-volumes")                      a read: retried when it is safe
    rest("POST", "/v2/pods", body, create=True)             a create: never sent twice blindly

Everything goes to https://api.runpod.io/v2 (RUNPOD_API_BASE_URL moves it to a test server).
Runpod switched its REST API v1 off and retires GraphQL in 2027; the `runpod` SDK (1.12.0)
still speaks GraphQL, so the snippets use neither (see docs/pod.md).

Reads are tried again after a timeout, a reset, 5xx, 408 and Cloudflare's 52x answers, with
backoff; a 429 waits as long as Runpod's Retry-After asks, up to RETRY_AFTER_CAP, and says so
on stderr. A create may have been carried out whenever its answer did not prove otherwise:
rest(..., create=True) then raises AnswerLost, and snippets.create looks for the result
instead of sending the create again.
"""

import email.utils
import math
import sys
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import requests

from snippets import errors
from snippets.answers import check_json, problem
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli
from snippets.settings import api_key, base_url, read_timeout

TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for an answer (see read_timeout)
RETRIES = 5  # tries after the first one, for reads
BACKOFF = 1.0  # waits 1, 2, 4, 8, 16 s between tries of a read
RETRY_AFTER_CAP = 120  # longest wait a 429's Retry-After may ask for; longer: stop and say so
RATE_LIMIT_WAITS = 5  # 429s waited out per call, at most
COUNTDOWN_EVERY = 10  # seconds between "あと N 秒" lines while waiting
# Answers after which a request may or may not have been carried out (it reached Runpod or
# the proxy in front of it): 5xx, Request Timeout, and Cloudflare's own 52x.
AMBIGUOUS_STATUS = frozenset({408, *range(500, 600)})
USER_AGENT = "runpod-kaggle-guide/1.0 (+https://github.com/runpod-kaggle/guide)"
sleep = time.sleep  # tests replace it to skip the waits


class AnswerLost(Exception):
    """A create reached Runpod (or may have) but its answer proves nothing: snippets.create
    decides what to do. `why` is a short Japanese phrase for the reader."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def load_recommended() -> dict:
    """The guide's one config: recommended image and pod defaults."""
    with open(Path(__file__).with_name("recommended_image.toml"), "rb") as file:
        return tomllib.load(file)


def user_agent() -> str:
    # Cloudflare in front of api.runpod.io refuses Python-urllib's default User-Agent
    # (runpod/containers tests/runpod_smoke/api.py): say who we are, as Runpod's own tests do.
    return f"{USER_AGENT} python-requests/{requests.__version__}"


def session() -> requests.Session:
    """A session with our key and User-Agent (both checked before anything is sent)."""
    http = requests.Session()
    http.headers.update(
        {
            "Authorization": f"Bearer {api_key()}",
            "User-Agent": user_agent(),
            "Accept": "application/json",
        }
    )
    return http


def rest(method: str, path: str, body=None, params=None, *, create: bool = False):
    """Call REST API v2 and return the answer's JSON (None for an empty answer).

    Raises a snippets.errors type for every failure (NotFound, Conflict, ...), or
    AnswerLost for a create whose outcome is unknown."""
    base = base_url()
    http = session()
    url = base + path
    query = {
        k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v
        for k, v in (params or {}).items()
        if v not in (None, "", [], ())
    }
    # A create is tried again only when it surely never reached Runpod (no connection) or
    # was refused unheard (429); every other doubt raises AnswerLost (see the module doc).
    tries, waits = RETRIES + 1, 0
    attempt = 0
    while True:
        try:
            response = http.request(
                method,
                url,
                json=body,
                params=query,
                timeout=(TIMEOUT[0], read_timeout(TIMEOUT[1])),
            )
        except requests.ConnectionError as error:
            if create and not _never_sent(error):
                raise AnswerLost("接続が途中で切れました") from None
            failure = _unreachable(base)
        except requests.Timeout:
            if create:
                raise AnswerLost("応答が時間内に返りませんでした") from None
            failure = errors.Unavailable(
                "Runpod API から時間内に応答がありませんでした。しばらく待ってからもう一度"
                "実行してください。"
            )
        except requests.RequestException:  # e.g. the answer's body cut off on the way
            if create:
                raise AnswerLost("応答が途中で切れました") from None
            failure = _unreachable(base)
        else:
            status = response.status_code
            if status == 429:
                waits += 1
                _wait_for_rate_limit(response, waits)
                continue  # a 429 is never carried out: sending it again is safe
            if create and (status in AMBIGUOUS_STATUS or status < 300):
                return _created(response)
            try:
                return _answer(response)
            except errors.Unavailable as retryable:
                failure = retryable
        attempt += 1
        if attempt >= tries:
            raise failure
        sleep(BACKOFF * 2 ** (attempt - 1))


def _answer(response: requests.Response):
    """The JSON of a successful answer, or the typed error for any other."""
    status = response.status_code
    if 200 <= status < 300:
        if status == 204 or not response.content:
            return None
        return check_json(response)
    raise problem(response)


def _created(response: requests.Response) -> dict:
    """The JSON object a create answered with; AnswerLost when the answer proves nothing."""
    status = response.status_code
    if status >= 300:
        raise AnswerLost(f"HTTP {status} が返りました")
    try:
        made = check_json(response)
    except errors.ApiError:
        made = None
    if not isinstance(made, dict) or not isinstance(made.get("id"), str):
        raise AnswerLost(f"HTTP {status} でしたが、作ったものの情報がありませんでした")
    return made


def _never_sent(error: requests.ConnectionError) -> bool:
    """True when the request surely never reached Runpod: no connection was made."""
    text = repr(error.args[0] if error.args else error)
    return (
        "NewConnectionError" in text
        or "ConnectTimeoutError" in text
        or ("NameResolutionError" in text)
    )


def _unreachable(base: str) -> errors.Unavailable:
    return errors.Unavailable(
        f"Runpod API（{base}）に接続できないか、応答がありませんでした。"
        "ネットワークと RUNPOD_API_BASE_URL を確認してください。"
    )


def retry_after(response: requests.Response, default: float) -> float:
    """Seconds Runpod asks us to wait: Retry-After as whole seconds (what the v2 API sends)
    or an HTTP date; `default` when it is missing, malformed or in the past."""
    raw = response.headers.get("Retry-After", "").strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return default
    if when.tzinfo is None:
        return default
    seconds = (when - datetime.now(UTC)).total_seconds()
    return math.ceil(seconds) if seconds > 0 else default


def _wait_for_rate_limit(response: requests.Response, waits: int) -> None:
    seconds = retry_after(response, default=BACKOFF * 2 ** min(waits, 5))
    if waits > RATE_LIMIT_WAITS:
        raise errors.RateLimited(
            f"Runpod API から、利用回数の上限に達したという答え（HTTP 429）が {waits} 回"
            "続きました。しばらくしてからもう一度実行してください。",
            status=429,
        )
    if seconds > RETRY_AFTER_CAP:
        asked = f"{seconds:.0f} 秒" if seconds < 10**7 else "非常に長い時間"
        raise errors.RateLimited(
            f"Runpod API の利用回数の上限に達しました（HTTP 429、{asked}待つよう求められました）。"
            f"{RETRY_AFTER_CAP} 秒より長くは待たずに止めます。しばらくしてからもう一度実行して"
            "ください。",
            status=429,
        )
    countdown(seconds, "Runpod API が混み合っています（HTTP 429）")


def countdown(seconds: float, why: str) -> None:
    """Wait, saying so on stderr: why, how long, then what is left every COUNTDOWN_EVERY s."""
    print(f"{why}。{seconds:.0f} 秒待ってからもう一度試します…", file=sys.stderr, flush=True)
    left = seconds
    while left > 0:
        step = min(left, COUNTDOWN_EVERY)
        sleep(step)
        left -= step
        if left > 0:
            print(f"  あと {left:.0f} 秒…", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.api",
        description="RUNPOD_API_KEY の API キーが Runpod に受け付けられるかを確かめます。",
    )
    parser.parse_args(argv)

    def check_key() -> None:
        # the smallest read that needs a key, as Runpod's own smoke tests check theirs
        keys = rest("GET", "/v2/account/ssh-keys")
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise errors.NotRunpod("Runpod API の応答の形が想定と違います。")
        print(f"API キーは有効です（登録済みの SSH 公開鍵: {len(keys['keys'])} 個）。")

    return run_cli(check_key)


# Re-exported: live/ and the notebooks import these from here.
__all__ = ["AnswerLost", "JapaneseArgumentParser", "SnippetError", "load_recommended", "rest"]

if __name__ == "__main__":
    sys.exit(main())
