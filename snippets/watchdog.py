"""A pod's own time limit: its start command deletes it after some hours, whatever happens to
the computer that rented it.

Runpod's REST API v2 has no "terminate after" setting. Every pod has its own pod-scoped
RUNPOD_API_KEY and its RUNPOD_POD_ID in its environment (runpod/docs
pods/templates/environment-variables.mdx), and Runpod's official images start with
CMD ["/start.sh"] (runpod/containers official-templates/base/Dockerfile). So the pod's start
command (`args`) sleeps in the background, then deletes its own pod with curl, and runs
/start.sh as usual in the foreground.
"""

from snippets.cli import SnippetError

MAX_HOURS = 24 * 30  # a limit longer than a month is no limit
DEFAULT_HOURS = 24
MIN_SECONDS = 60  # the shortest limit: a pod that deletes itself at once helps nobody
OFFICIAL_IMAGES = ("runpod/",)  # images that start with /start.sh


def check_hours(hours) -> float:
    """0 (no limit) or a positive number of hours up to MAX_HOURS."""
    number = isinstance(hours, int | float) and not isinstance(hours, bool)
    if not number or hours != hours or not 0 <= hours <= MAX_HOURS:
        raise SnippetError(
            f"--max-hours は 0〜{MAX_HOURS} の時間数にしてください（0 で自動削除なし、"
            f"指定: {hours}）。"
        )
    return float(hours)


def start_command(hours: float, image: str) -> str | None:
    """The pod's `args`: delete the pod after `hours`, then run the image's /start.sh.
    None when hours is 0 (the image's own start command is kept)."""
    if not check_hours(hours):
        return None
    if not image.startswith(OFFICIAL_IMAGES):
        raise SnippetError(
            "自動削除（--max-hours）は Runpod 公式イメージの /start.sh を使います。"
            f"{image} を使うときは --max-hours 0 を指定してください。"
        )
    seconds = max(MIN_SECONDS, round(hours * 3600))
    # No single quote inside: the whole script is one argument of bash -c. $RUNPOD_API_KEY is
    # expanded inside the pod, never here (no key is ever written into the request), and
    # handed to curl on stdin, so it is not on the pod's process list either.
    delete = (
        'printf "Authorization: Bearer %s\\n" "$RUNPOD_API_KEY" | '
        "curl -fsS -m 30 --retry 5 --retry-all-errors -H @- -X DELETE "
        '"${RUNPOD_API_BASE_URL:-https://api.runpod.io}/v2/pods/$RUNPOD_POD_ID"'
    )
    return f"bash -c '(sleep {seconds} && {delete}) >/tmp/watchdog.log 2>&1 & exec /start.sh'"
