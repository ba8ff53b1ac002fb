"""Create a pod, volume or secret exactly once, even when the answer is lost on the way.

Runpod may carry out a create whose answer never arrives: a timeout, a dropped connection,
a 5xx or a Cloudflare 52x page, Ctrl+C while waiting. Sending it again would rent a second
pod or volume, billed and unseen. So after such an answer nothing is sent again: the list is
read (with backoff: lists lag) for what this create made. Only a resource that can be proven
ours is adopted: a pod carrying this invocation's token in its environment, or a name that
is unique to this invocation (the live replay's names). Anything else the list shows is
reported, with the command that lists it, never taken over silently.
"""

import secrets as tokens
import sys
from collections.abc import Callable

from snippets import api, errors
from snippets.checks import shown

# How long the list is watched for what a lost create made: lists lag behind creates.
RECOVER_WAITS = (1, 2, 4, 8, 15, 15, 15)  # seconds before each look: 60 in all
TOKEN_ENV = "GUIDE_CREATE_TOKEN"  # noqa: S105 - a variable name: which `pod up` made a pod


def new_token() -> str:
    """A per-invocation token: in a pod's env, it proves the pod is this command's."""
    return tokens.token_hex(8)


def create_once(
    what: str,
    name: str,
    path: str,
    body: dict,
    *,
    list_all: Callable[[], list[dict]],
    is_ours: Callable[[dict], bool],
    provable: bool,
    how_to_check: str,
) -> dict:
    """POST `body` to `path` once and return what was made.

    After an answer that proves nothing, watch list_all() for a new item (one not listed
    before) that is_ours(); adopt it when `provable` (is_ours is proof: a token, a unique
    name), else raise MaybeCreated naming it. `how_to_check` is the command or console page
    that lists this kind, for the reader."""
    before = {item["id"] for item in list_all()}  # a failing list stops us before any create
    try:
        return api.rest("POST", path, body, create=True)
    except api.AnswerLost as lost:
        print(
            f"{what}「{shown(name)}」を作る依頼の結果が分かりません（{lost.why}）。"
            "作られたかどうか、一覧で確かめています…",
            file=sys.stderr,
            flush=True,
        )
        return _find_made(what, name, before, list_all, is_ours, provable, how_to_check)
    except KeyboardInterrupt:
        print(
            f"作成の途中で中断しました。{what}「{shown(name)}」が作られている可能性があります"
            f"（Pod とボリュームは作られた時から課金されます）。{how_to_check}",
            file=sys.stderr,
            flush=True,
        )
        raise


def _find_made(what, name, before, list_all, is_ours, provable, how_to_check) -> dict:
    listed_once, list_error = False, None
    for wait in RECOVER_WAITS:
        api.sleep(wait)
        try:
            found = [item for item in list_all() if item["id"] not in before and is_ours(item)]
            listed_once = True
        except errors.ApiError as error:
            found, list_error = [], error
        if found and provable and len(found) == 1:
            print(f"作られていました（ID: {found[0]['id']}）。続けます。", file=sys.stderr)
            return found[0]
        if found:
            ids = "、".join(item["id"] for item in found)
            raise errors.MaybeCreated(
                f"{what}「{shown(name)}」は作られたようです（一覧に新しく現れた ID: {ids}）。"
                f"今回のものか確かめてから使ってください。もう一度作らないでください。{how_to_check}",
                what=what,
                name=name,
                candidates=found,
            )
    why = (
        f"一覧も取得できませんでした（{list_error}）"
        if not listed_once and list_error
        else f"{sum(RECOVER_WAITS)} 秒待っても一覧に現れません"
        "（作られなかったか、一覧への反映が遅れています）"
    )
    raise errors.MaybeCreated(
        f"{what}「{shown(name)}」が作られたかどうか分かりません。{why}。"
        f"数分後に確かめるまで、作り直さないでください。{how_to_check}",
        what=what,
        name=name,
    )
