"""What every snippet shares: the API key, retries, safe values and clear errors.

Pods go through the official `runpod` SDK (GraphQL). Network volumes and secrets go
through Runpod's REST API v2 on the same host, so RUNPOD_API_BASE_URL moves both.
"""

import importlib.metadata
import logging
import platform
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from snippets.answers import check_answer, listed  # noqa: F401 - listed: for the snippets

# Re-exported: the snippets import these from here.
from snippets.checks import SECRET_REFERENCE, check_id, check_text  # noqa: F401
from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli  # noqa: F401
from snippets.settings import api_key, base_url, read_timeout

# Importing runpod sends every log record of every library to the terminal (logging.
# basicConfig); urllib3's "Retrying (...)" warnings are ours to handle, not the reader's.
logging.getLogger("urllib3").propagate = False

TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for an answer (see read_timeout)
RETRIES = 5  # tries after the first one, for HTTP 429, 5xx and timeouts
BACKOFF = 1.0  # waits 0, 2, 4, 8, 16 s between tries (or what Retry-After asks)
MAX_ENV_VARS = 50  # Runpod's limit per pod
CREATE_TRIES = 3  # creates: tries in all, each after looking for what a lost answer made
# Answers after which a create may or may not have happened (the request reached Runpod).
AMBIGUOUS_STATUS = (500, 502, 503, 504)

# What Runpod answers when no machine can take the pod: try another GPU. Seen in Runpod's
# own smoke tests (runpod/containers tests/runpod_smoke/pod.py, UNAVAILABLE_RE).
NO_CAPACITY = (
    "no longer any instances available",
    "does not have the resources to deploy your pod",
)
# Runpod's answer when something failed on its side (TRANSIENT_RE there): a read is tried
# again; a create may have happened anyway, so it counts as a lost answer (see create_once).
TRANSIENT = ("Something went wrong. Please try again later",)


class NoCapacityError(SnippetError):
    """Runpod has no free machine for the requested GPU right now."""


class AnswerLost(SnippetError):
    """A create reached Runpod but no answer came back: it may or may not have happened."""


class NameTaken(SnippetError):
    """Runpod refused a create because the name is in use (HTTP 409; secrets)."""


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
        self.base = base_url()  # checked before anything is sent
        self.headers["Authorization"] = f"Bearer {api_key()}"
        # Cloudflare in front of api.runpod.io turns some clients away by their User-Agent
        # (runpod/containers tests/runpod_smoke/api.py): introduce ourselves as the SDK does.
        self.headers["User-Agent"] = sdk_user_agent()

    def request(self, method, url, *args, **kwargs):
        kwargs["timeout"] = (TIMEOUT[0], read_timeout(TIMEOUT[1]))  # not the SDK's fixed 30 s
        if url.endswith("/graphql"):  # the SDK glues the unchecked variable to /graphql
            url = self.base + "/graphql"
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as error:
            if self.creates and not _never_sent(error):
                raise _answer_lost("応答がありませんでした") from None
            raise SnippetError(
                f"Runpod API（{self.base}）に接続できないか、応答がありませんでした。"
                "ネットワークと RUNPOD_API_BASE_URL を確認してください。"
            ) from None
        status = response.status_code
        if status == 401 or (status == 403 and "json" in response.headers.get("Content-Type", "")):
            raise SnippetError(
                f"Runpod が API キーを受け付けませんでした（HTTP {status}）。"
                "RUNPOD_API_KEY の値と、キーの権限（Read/Write）を確認してください。"
            )
        if self.creates and status in AMBIGUOUS_STATUS:
            raise _answer_lost(f"HTTP {status} が返りました")
        check_answer(response, graphql=url.endswith("/graphql"), tries=RETRIES + 1)
        return response


def _never_sent(error: requests.RequestException) -> bool:
    """True when the request surely never reached Runpod (no connection was made).
    requests wraps urllib3's MaxRetryError, whose `reason` says what went wrong last."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _answer_lost(what: str) -> AnswerLost:
    return AnswerLost(f"作成の依頼に{what}（Runpod 側では作られた可能性があります）。")


def rest(method: str, path: str, body: dict | None = None, not_found: str = "") -> dict | None:
    """Call REST API v2, e.g. rest("GET", "/v2/network-volumes"); None for empty answers.
    A POST is a create: it is not retried blindly (see RunpodSession and create_once)."""
    session = RunpodSession(creates=method.upper() == "POST")
    response = session.request(method, session.base + path, json=body)
    status = response.status_code
    if status == 404 and not_found:
        raise SnippetError(not_found)
    answer = response.json() if response.content else None  # a dict: check_answer saw it
    if status >= 400:
        refused = NameTaken if status == 409 else SnippetError
        raise refused(
            f"Runpod API がリクエストを受け付けませんでした（HTTP {status}）:"
            f" {(answer or {}).get('detail', '')}"
        )
    return answer


def sdk_user_agent() -> str:
    """The User-Agent the runpod SDK sends (runpod/user_agent.py), made without importing
    the SDK: see _runpod."""
    system = f"{platform.system()} {platform.release()}; {platform.machine()}"
    return (
        f"RunPod-Python-SDK/{importlib.metadata.version('runpod')} ({system}) "
        f"Language/Python {platform.python_version()}"
    )


def _runpod():
    """The runpod SDK, imported on first use: importing it takes about a second (it probes
    the CPU), which the volume and secret commands (REST only) never need to pay."""
    import runpod
    import runpod.api.graphql

    return runpod


def sdk(function, *args, **kwargs):
    """Call a runpod SDK function that only reads (or is safe to repeat), with our key, our
    retries and clear errors."""
    return _call_sdk(RunpodSession(), function, args, kwargs)


def sdk_create(function, *args, **kwargs):
    """Call a runpod SDK function that creates something: never retried blindly."""
    return _call_sdk(RunpodSession(creates=True), function, args, kwargs)


def _call_sdk(session: RunpodSession, function, args, kwargs):
    key = api_key()  # a bad key is refused before the SDK is even imported
    runpod = _runpod()
    runpod.api_key = key
    for attempt in range(RETRIES + 1):
        # The SDK posts with a bare `requests.post` (no retries): hand it our session for
        # this call only, so nothing else in the process sees a changed SDK.
        bare_requests = runpod.api.graphql.requests
        runpod.api.graphql.requests = session
        try:
            return function(*args, **kwargs)
        except runpod.error.QueryError as error:
            message = str(error)
            if any(text in message for text in NO_CAPACITY):
                raise NoCapacityError("この GPU は今、空きがありません。") from None
            if not any(text in message for text in TRANSIENT):
                raise SnippetError(f"Runpod API がエラーを返しました: {message}") from None
            if session.creates:
                raise _answer_lost("Runpod の一時的なエラーが返りました") from None
        finally:
            runpod.api.graphql.requests = bare_requests
        time.sleep(BACKOFF * 2**attempt)
    raise SnippetError(
        f"Runpod API が一時的なエラーを返し続けています（{RETRIES + 1} 回試しました）。"
        "しばらく待ってからもう一度実行してください。"
    )


def create_once(
    what: str, name: str, create: Callable[[], dict | None], list_all: Callable[[], list[dict]]
) -> dict:
    """Create one resource named `name`, even when an answer is lost on the way.

    Runpod may carry out a create whose answer never arrives (a timeout, a 502, or a create
    that answers null). Sending it again blindly would make a second one, billed and unseen.
    So after a lost answer, look for a new resource with that name (one that was not there
    before we started) and send the create again only when there is none.

    Names that must be unique (secrets) answer a second create with 409 (NameTaken). On the
    first try that means the name was taken before we asked: refused, never mistaken for
    ours (it may hold another value). On a later try it means our lost create did happen and
    the list had not shown it yet: the new one with that name is ours. (Only another client
    creating the same name within these few seconds could fool this.)
    """
    before = {item["id"] for item in list_all() if item.get("name") == name}
    for attempt in range(CREATE_TRIES):
        taken = False
        try:
            made = create()
        except AnswerLost:
            made = None
        except NameTaken:
            if attempt == 0:
                raise _name_taken(what, name) from None
            made, taken = None, True
        if made:
            return made
        time.sleep(BACKOFF * 2**attempt)  # give the lost create a moment to show up
        new = [item for item in list_all() if item.get("name") == name and item["id"] not in before]
        if new:
            return new[0]
        if taken:
            raise _name_taken(what, name)
    raise SnippetError(
        f"{what}「{name}」を作る依頼に、{CREATE_TRIES} 回とも応答がありませんでした。"
        "作られた形跡もありません。しばらく待ってから、一覧で確かめてもう一度実行してください。"
    )


def _name_taken(what: str, name: str) -> SnippetError:
    return SnippetError(
        f"{what}「{name}」はすでにあります。同じ名前では作れません。一覧で確かめ、"
        "別の名前にするか、古いものを削除してから作り直してください。"
    )


def graphql(query: str) -> dict:
    """Run our own GraphQL query through the SDK and return its "data"."""
    return sdk(lambda: _runpod().api.graphql.run_graphql_query(query))["data"]


def main(argv=None) -> int:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.api",
        description="RUNPOD_API_KEY の API キーが Runpod に受け付けられるかを確かめます。",
    )
    parser.parse_args(argv)

    def check_key() -> None:
        user = sdk(lambda: _runpod().get_user())
        print(f"API キーは有効です（ユーザー ID: {user['id']}）。")

    return run_cli(check_key)


if __name__ == "__main__":
    sys.exit(main())
