"""Find (and with --yes delete) what live replays left behind: `python -m live.sweep`.

Looks for pods, network volumes and secrets whose name is exactly one a replay makes
(`kgl-live-<UTC timestamp>-<6 hex>-<role>`, live/naming.py) and whose timestamp is older
than --older-than (default 2h, so a replay still running is left alone), or that belong to
--run-id whatever their age. Names that only look like ours are listed as "not ours" and
never touched. Deletes go through the same registry as the replay's teardown
(live/registry.py). Dry run by default. Exit status: 0 when nothing of ours is left, 1
otherwise. It talks to whatever RUNPOD_API_BASE_URL says (default: the real api.runpod.io).

It also removes, on this machine, the private files of replays that were killed (their SSH
keys, the fake's pod homes): that needs no key.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime, timedelta

from live import naming, registry, scratch

SKIP_MESSAGE = (
    "RUNPOD_API_KEY が設定されていないため、掃除 (make sweep) を飛ばしました。\n"
    "Skipped the sweep (make sweep): RUNPOD_API_KEY is not set."
)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> timedelta:
    """'2h', '30m', '90s', '0' -> timedelta."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"時間の形が正しくありません（例: 2h、30m、0）: {text!r}")
    return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < 86400):  # also refuses NaN and infinity
        raise argparse.ArgumentTypeError(f"0 より大きい秒数を指定してください: {text!r}")
    return value


def find(older_than: timedelta, run_id: str | None = None,
         now: datetime | None = None) -> registry.Found:
    """Our items of run_id, or older than older_than; and the lookalikes (never ours)."""
    now = now or datetime.now(UTC)
    if run_id is not None:
        return registry.find(registry.of_run(run_id))
    return registry.find(lambda ours: now - ours.created >= older_than)


def delete(found: registry.Found, gone_timeout: float, poll: float) -> list[str]:
    """Delete in the registry's order (pods before the volumes they hold); the errors."""
    errors = []
    for kind in registry.kinds():
        ids = [item.id for item in found.ours if item.kind == kind.name]
        if ids:
            errors += registry.remove(kind, ids, timeout=gone_timeout, poll=poll)
    return errors


def parse_args(argv: list[str] | None):
    from snippets.api import JapaneseArgumentParser

    parser = JapaneseArgumentParser(prog="python -m live.sweep", description=__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--older-than", type=duration, default=duration("2h"),
                        help="名前の時刻がこれより古いものだけ（既定 2h）")
    parser.add_argument("--run-id", help="この実行のものだけ（古さは問いません）")
    parser.add_argument("--yes", action="store_true", help="削除する（既定は一覧だけ）")
    parser.add_argument("--gone-timeout", type=positive_seconds, default=120.0,
                        help="削除したものが一覧から消えるまで待つ秒数（既定 120）")
    parser.add_argument("--poll", type=positive_seconds, default=2.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_id is not None and not naming.is_run_id(args.run_id):
        parser.error(f"--run-id の形が正しくありません: {args.run_id!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in scratch.reap():
        print(f"sweep: removed the local files of killed run {name}")
    if not os.environ.get("RUNPOD_API_KEY", "").strip():
        print(SKIP_MESSAGE)
        return 0
    from snippets.api import SnippetError

    try:
        return _sweep(args)
    except SnippetError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1


def _sweep(args) -> int:
    now = datetime.now(UTC)
    found = find(args.older_than, args.run_id, now)
    scope = f"run {args.run_id}" if args.run_id else f"older than {args.older_than}"
    for item in found.ours:
        print(f"{'delete' if args.yes else 'would delete'} {item.kind:<6} {item.id:<28} "
              f"{item.name} (age {str(now - item.ours.created).split('.')[0]})")
    for item in found.not_ours:
        print(f"not ours (left alone) {item.kind:<6} {item.id:<28} {item.name!r}")
    if not found.ours:
        print(f"sweep: nothing named {naming.PREFIX}* {scope} is left.")
        return 0
    if not args.yes:
        print(f"sweep: {len(found.ours)} leftover(s) {scope}; dry run, add --yes to delete.")
        return 1
    for error in delete(found, args.gone_timeout, args.poll):
        print(f"sweep error: {error}", file=sys.stderr)
    left = find(args.older_than, args.run_id).ours
    for item in left:
        print(f"still listed: {item.kind} {item.id} {item.name}", file=sys.stderr)
    print(f"sweep: deleted {len(found.ours) - len(left)}, left {len(left)}.")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
