"""Find (and with --yes delete) what live replays left behind: `python -m live.sweep`.

Looks for pods, network volumes and secrets whose name is exactly one a replay makes
(`kgl-live-<UTC timestamp>-<6 hex>-<role>`, live/naming.py). A run is deleted when the time
in its name is older than --older-than (default 2h) and nothing of it shows activity newer
than that (a pod created or started, a secret written): a replay still running is left
alone. --run-id takes one run whatever its age. Everything else is listed, never silently
skipped and never touched: names that only look like ours, runs whose time is in the future
or before any replay existed (suspicious: a human decides), runs still active. Deletes go
through the same registry as the replay's teardown (live/registry.py). Dry run by default.

Exit status: 0 when nothing of ours is left to delete and nothing is suspicious, 1
otherwise, 2 for bad arguments or a scratch folder that is not ours, 130 on Ctrl-C. It talks
to whatever RUNPOD_API_BASE_URL says (default: the real api.runpod.io).

It also removes, on this machine, the private files of replays that were killed (their SSH
keys, the fake's pod homes): that needs no key.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from live import naming, registry, scratch

SKIP_MESSAGE = "RUNPOD_API_KEY が設定されていないため、Runpod の掃除 (make sweep) を飛ばしました。"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_AGE = timedelta(days=3650)  # beyond this, --older-than would select nothing anyway


def duration(text: str) -> timedelta:
    """'2h', '30m', '90s', '0' -> timedelta (at most MAX_AGE)."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"時間の形が正しくありません（例: 2h、30m、0）: {text!r}")
    seconds = float(match[1]) * _UNIT_SECONDS[match[2]]
    if seconds > MAX_AGE.total_seconds():
        raise argparse.ArgumentTypeError(f"時間が長すぎます（{MAX_AGE.days}d まで）: {text!r}")
    return timedelta(seconds=seconds)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < 86400):  # also refuses NaN and infinity
        raise argparse.ArgumentTypeError(f"0 より大きい秒数を指定してください: {text!r}")
    return value


@dataclass
class Selection:
    """What one sweep does with each item it sees."""

    delete: list[registry.Item] = field(default_factory=list)
    young: list[registry.Item] = field(default_factory=list)  # newer than the cut-off
    active: list[registry.Item] = field(default_factory=list)  # old name, recent activity
    suspicious: list[registry.Item] = field(default_factory=list)  # name time impossible
    not_ours: list[registry.Item] = field(default_factory=list)  # lookalike names


def select(
    items: list[registry.Item],
    older_than: timedelta,
    run_id: str | None = None,
    now: datetime | None = None,
) -> Selection:
    """Sort the items of every run (and the lookalikes) into what a sweep does with them."""
    now = now or datetime.now(UTC)
    chosen = Selection(not_ours=[item for item in items if item.ours is None])
    runs: dict[str, list[registry.Item]] = defaultdict(list)
    for item in items:
        if item.ours is not None:
            runs[item.ours.run_id].append(item)
    cut_off = now - older_than
    for rid, members in runs.items():
        created = members[0].ours.created
        if run_id is not None:
            group = chosen.delete if rid == run_id else None
        elif not naming.stamp_is_plausible(created, now):
            group = chosen.suspicious
        elif created > cut_off:
            group = chosen.young
        elif any(item.activity is not None and item.activity > cut_off for item in members):
            group = chosen.active
        else:
            group = chosen.delete
        if group is not None:
            group.extend(members)
    return chosen


def delete(items: list[registry.Item], gone_timeout: float, poll: float) -> list[registry.Failure]:
    """Delete in the registry's order (pods before the volumes they hold); the failures."""
    failures = []
    for kind in registry.kinds():
        ids = [item.id for item in items if item.kind == kind.name]
        if ids:
            failures += registry.remove(kind, ids, timeout=gone_timeout, poll=poll)
    return failures


DESCRIPTION = """\
毎晩の再現（live replay）が残したものを探し、--yes を付けると削除します。

対象は、再現が付ける名前（kgl-live-<UTC の時刻>-<16 進 6 桁>-<役割>）とちょうど同じ名前の
Pod、ネットワークボリューム、シークレットだけです。名前の時刻が --older-than（既定 2h）より
古く、それより新しい動き（Pod の作成や起動、シークレットの書き込み）がない実行だけを削除
します。実行中の再現には触りません。--run-id は、古さにかかわらずその実行のものを選びます。

似ているだけの名前、時刻が未来や再現の始まる前の実行（要確認: 人が判断します）、まだ動いて
いる実行は、一覧に出すだけで消しません。既定は一覧だけです。

終了コード: 消すべきものも要確認もなければ 0、あれば 1、引数の誤りやこちらで作っていない
作業フォルダは 2、Ctrl+C は 130。RUNPOD_API_BASE_URL の API（既定は本物の api.runpod.io）に
問い合わせます。このマシンに残った、中断された再現の秘密のファイル（SSH の鍵など）も消します
（これにはキーは要りません）。"""


def parse_args(argv: list[str] | None):
    from snippets.cli import JapaneseArgumentParser

    parser = JapaneseArgumentParser(
        prog="python -m live.sweep",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--older-than",
        type=duration,
        default=duration("2h"),
        help="名前の時刻がこれより古く、これより新しい動きのないものだけ（既定 2h）",
    )
    parser.add_argument("--run-id", help="この実行のものだけ（古さは問いません）")
    parser.add_argument("--yes", action="store_true", help="削除する（既定は一覧だけ）")
    parser.add_argument(
        "--gone-timeout",
        type=positive_seconds,
        default=120.0,
        help="削除したものが一覧から消えるまで待つ秒数（既定 120）",
    )
    parser.add_argument("--poll", type=positive_seconds, default=2.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_id is not None and not naming.is_run_id(args.run_id):
        parser.error(f"--run-id の形が正しくありません: {args.run_id!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    status = 0
    try:
        for name in scratch.reap():
            print(f"掃除: 止まった実行 {name} の、このマシンの作業用ファイルを消しました。")
    except scratch.ScratchError as error:  # Runpod is still swept: money comes first
        print(f"エラー: {error}", file=sys.stderr)
        status = 2
    if not os.environ.get("RUNPOD_API_KEY", "").strip():
        print(SKIP_MESSAGE)
        return status
    from snippets.cli import SnippetError

    try:
        return max(status, _sweep(args))
    except SnippetError as error:
        print(f"エラー: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print(
            "\n中断しました。残っているものは make sweep でもう一度確かめてください。",
            file=sys.stderr,
        )
        return 130
    except Exception as error:  # a bug of ours, or the machine: one line, never a traceback
        print(
            f"エラー: 掃除を続けられませんでした（{type(error).__name__}: {error}）。",
            file=sys.stderr,
        )
    return max(status, 1)


def _sweep(args) -> int:
    now = datetime.now(UTC)
    chosen = select(registry.inventory(), args.older_than, args.run_id, now)
    scope = f"実行 {args.run_id}" if args.run_id else f"{describe_age(args.older_than)}より古い実行"
    _show(chosen, args, now)
    if not chosen.delete:
        print(f"掃除: {scope}の {naming.PREFIX}* は残っていません。")
        return 1 if chosen.suspicious else 0
    if not args.yes:
        print(
            f"掃除: {scope}の残りが {len(chosen.delete)} 件あります（一覧だけ）。"
            "消すには --yes を付けてください。"
        )
        return 1
    for failure in delete(chosen.delete, args.gone_timeout, args.poll):
        print(f"削除できませんでした: {failure.japanese()}", file=sys.stderr)
    left = select(registry.inventory(), args.older_than, args.run_id).delete
    for item in left:
        print(f"まだ残っています: {item.kind} {item.id} {item.name}", file=sys.stderr)
    print(f"掃除: {len(chosen.delete) - len(left)} 件を削除しました。残り {len(left)} 件。")
    return 1 if left or chosen.suspicious else 0


def _show(chosen: Selection, args, now: datetime) -> None:
    verb = "削除します" if args.yes else "削除の対象"
    for item in chosen.delete:
        age = str(now - item.ours.created).split(".")[0]
        print(f"{verb}: {item.kind:<6} {item.id:<28} {item.name}（名前の時刻から {age}）")
    for item in chosen.active:
        print(
            f"使用中のため触りません: {item.kind:<6} {item.id:<28} {item.name}"
            f"（{describe_age(args.older_than)}以内に動きがあります）"
        )
    for item in chosen.suspicious:
        print(
            f"要確認（名前の時刻 {item.ours.created:%Y-%m-%d %H:%M} UTC が未来か、"
            f"{naming.EARLIEST:%Y-%m-%d} より前。触りません）: {item.kind:<6} {item.id:<28} "
            f"{item.name}"
        )
    if chosen.suspicious:
        print("  要確認のものは、確かめてから --run-id <実行 ID> --yes で消せます。")
    for item in chosen.not_ours:
        print(
            f"対象外（名前が似ているだけ。触りません）: {item.kind:<6} {item.id:<28} {item.name!r}"
        )
    if chosen.young:
        print(
            f"{describe_age(args.older_than)}以内に始まった実行のもの {len(chosen.young)} 件は、"
            "実行中かもしれないので触りません。"
        )


def describe_age(age: timedelta) -> str:
    seconds = age.total_seconds()
    for unit, size in (("日", 86400), ("時間", 3600), ("分", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:g} 秒"


if __name__ == "__main__":
    sys.exit(main())
