"""Replay the guide on a pod, then destroy everything: `python -m live.replay`.

    --target real   rents a real pod on api.runpod.io (needs RUNPOD_API_KEY; the only code
                    in the project allowed to talk to the real API). `make live`.
    --target fake   starts the local fake Runpod in its realistic mode (slow image pulls,
                    mixed host drivers, capacity errors, on a scaled clock) and runs the same
                    code against it: the offline rehearsal. `make live-local`.
    --plan          prints what a run would do, take and cost, and spends nothing.

The steps are live/guide.py; what differs between the targets, live/targets.py. Resources
are named `kgl-live-<run id>-<role>`; teardown runs in `finally`, also on SIGINT, SIGTERM and
when the wall-time budget runs out (a second signal during the clean-up is only reported),
and ends by asking the API what with this run's names is left (`leaked`). What a SIGKILL
leaves, `python -m live.sweep` finds (on Runpod; on this machine: live/scratch.py).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from live import naming, scratch, signals
from live.cost import make_plan, volume_price
from live.guide import CHECKS, replay_guide, tear_down
from live.report import (
    Redactor,
    Report,
    ReportError,
    current_commit,
    ensure_writable,
    report_path,
)
from live.run import Run
from live.settings import Settings, SettingsError
from live.targets import FakeTarget, RealTarget, TargetError

SKIP_MESSAGE = (
    "RUNPOD_API_KEY が設定されていないため、実機での再現 (make live) を飛ばしました。"
    "オフラインのリハーサルは make live-local で、実行内容の確認は make live ARGS=--plan で"
    "できます。\n"
    "Skipped the live replay (make live): RUNPOD_API_KEY is not set. "
    "Run the offline rehearsal with make live-local."
)


def run_replay(
    settings: Settings,
    target,
    run_id: str | None = None,
    report_file: Path | None = None,
    *,
    use_signals: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> tuple[int, dict]:
    """Run one replay on `target`; returns (exit status, report). With use_signals (the
    CLI), SIGINT/SIGTERM and a wall-time alarm raise Interrupted into the teardown.
    on_step(name) is called as each step of the guide starts (tests inject faults there)."""
    redactor = Redactor()
    run_id = run_id or naming.new_run_id()
    plan = make_plan(settings, volume_price())
    report_file = report_file or report_path(target.name)
    ensure_writable(report_file)  # before anything is rented: the run must be recorded
    for name in scratch.reap():
        redactor.say(f"removed the local files of killed run {name}")
    folder = scratch.Scratch(run_id)
    previous: dict = {}
    try:
        target.connect(folder)
        redactor.add(os.environ.get("RUNPOD_API_KEY"))
        wall, margin = target.wall(plan)
        from snippets.api import load_recommended

        report = Report.new(
            run_id,
            target.name,
            load_recommended()["image"]["name"],
            {**settings.budget(), "max_wall_seconds": round(wall, 1)},
            CHECKS,
            redactor,
        )
        report.plan, report.commit, report.on_step = plan.as_dict(), current_commit(), on_step
        redactor.say(f"run {naming.PREFIX}{run_id} target={target.name} wall budget {wall:.0f} s")
        run = Run(settings, target, plan, report, redactor, folder)
        if use_signals:
            previous = signals.install(wall - margin)
        status = _replay_then_tear_down(run, use_signals)
        path, data = _write(report, report_file)
    finally:
        try:
            target.close()
            folder.close()
        finally:
            for signum, handler in previous.items():  # only now: the clean-up is over
                signal.signal(signum, handler)
    _summary(redactor, path, data)
    if data["outcome"] != "passed" and status == 0:
        status = 1
    return max(status, _old_apis(target, redactor)), data


def _old_apis(target, redactor: Redactor) -> int:
    """On a fake started here: every request was REST v2 (1 when one was not)."""
    calls = getattr(target, "old_api_calls", None)
    if calls is None:
        return 0
    if calls:
        print(
            f"GraphQL か REST v1 への要求がありました（{len(calls)} 件、どちらも廃止され"
            f"ます）: {', '.join(calls[:5])}",
            file=sys.stderr,
        )
        return 1
    redactor.say("fake: no request went to GraphQL or REST v1 (retired mode)")
    return 0


def _write(report: Report, path: Path) -> tuple[Path | None, dict]:
    """Write the report; if that fails after all (a full disk), say so and put it on stderr,
    so that what the run spent and left is never lost."""
    try:
        return report.write(path)
    except OSError as error:
        data = report.as_dict()
        print(
            f"報告ファイル {path} に書き込めませんでした（{error.strerror or error}）。報告を"
            "ここに出します:",
            file=sys.stderr,
        )
        print(report.redactor.scrub(json.dumps(data, ensure_ascii=False)), file=sys.stderr)
        return None, {**data, "outcome": "failed"}


def _replay_then_tear_down(run: Run, use_signals: bool) -> int:
    status = 0
    try:
        replay_guide(run)
    except signals.Interrupted as stop:
        run.redactor.say(f"{stop}: tearing down")
        run.report.mark_interrupted(str(stop))
        status = stop.status
    except Exception as error:  # the failed step is already recorded in the report
        run.redactor.say(f"replay stopped: {type(error).__name__}")
    finally:
        if use_signals:
            signals.ignore()  # a second Ctrl-C must not cut the clean-up short
        run.report.on_step = None
        tear_down(run)
    return status


def _summary(redactor: Redactor, path: Path | None, data: dict) -> None:
    leaked = "?" if data["leaked"] is None else len(data["leaked"])
    redactor.say(
        f"report {path}: {data['outcome']}"
        + (f", failed step {data['failed_step']}" if data["failed_step"] else "")
        + f", {data['wall_seconds']} s, estimated ${data['estimate']['usd']}"
        + (
            f", billed ${data['billed']['usd']} (read {data['billed']['read_at']})"
            if data.get("billed")
            else ""
        )
        + f", leaked {leaked}"
    )
    if data["failed_step"] == "preflight":
        detail = next(s for s in data["steps"] if s["name"] == "preflight").get("detail", "")
        print(
            f"実行前の確認で止めました（何も作っていません）: {detail.split(': ', 1)[-1]}",
            file=sys.stderr,
        )
    elif data["leaked"] is None or data["leaked"]:
        print(
            "後片付けを確かめられませんでした。make sweep で残りを確認してください。",
            file=sys.stderr,
        )


# ---- command line -------------------------------------------------------------------------
MIN_TIME_SCALE = 0.001  # a ten-minute pull in 0.6 s: faster, and the fake's own work dominates
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def parse_args(argv: list[str] | None):
    from snippets.cli import JapaneseArgumentParser

    parser = JapaneseArgumentParser(
        prog="python -m live.replay",
        description="ガイドの手順を Pod の上で再現し、すべて削除します。",
    )
    parser.add_argument(
        "--target",
        choices=["real", "fake"],
        required=True,
        help="real: api.runpod.io（RUNPOD_API_KEY が必要）、fake: ローカルの偽 Runpod",
    )
    parser.add_argument(
        "--plan",
        action="store_true",
        help="何をするか、時間と費用の見込みを表示するだけ（何も作りません）",
    )
    parser.add_argument(
        "--fake-url", help="起動済みの偽 Runpod の URL（このマシンの上だけ。キーは RUNPOD_API_KEY）"
    )
    parser.add_argument(
        "--fake-time-scale",
        type=float,
        default=None,
        help=f"偽 Runpod の時間の倍率（{MIN_TIME_SCALE:g}〜1。--fake-url のときの既定 1）",
    )
    parser.add_argument(
        "--run-id",
        default=os.environ.get("LIVE_RUN_ID") or None,
        help="実行 ID（UTC 時刻と 6 桁の 16 進数、10 分以内）。既定は LIVE_RUN_ID か新しい ID",
    )
    args = parser.parse_args(argv)
    problem = _argument_problem(args)
    if problem:
        parser.error(problem)
    return args


def _argument_problem(args) -> str | None:
    """Why these arguments cannot run, in Japanese (checked before anything exists)."""
    if args.run_id and not naming.is_run_id(args.run_id):
        return f"--run-id の形が正しくありません: {args.run_id!r}（例: 20261127t120333z-a1b2c3）"
    if args.run_id and not args.plan:
        problem = naming.run_id_problem(args.run_id)
        if problem:
            return f"--run-id {args.run_id}: {problem}"
    if args.target == "real" and (args.fake_url or args.fake_time_scale is not None):
        return "--fake-url と --fake-time-scale は --target fake のときだけ使えます。"
    scale = args.fake_time_scale
    if scale is not None and not (MIN_TIME_SCALE <= scale <= 1):
        return f"--fake-time-scale は {MIN_TIME_SCALE:g} 以上 1 以下にしてください: {scale!r}"
    if args.fake_url and not is_local_url(args.fake_url):
        return (
            f"--fake-url はこのマシンの上の偽 Runpod だけです（http://127.0.0.1:<port> "
            f"など）: {args.fake_url!r}"
        )
    return None


def is_local_url(url: str) -> bool:
    """http(s) on this machine's loopback, with no user, path or query to hide anything."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    hidden = parts.username or parts.password or parts.query or parts.fragment
    local = parts.scheme in ("http", "https") and parts.hostname in LOCAL_HOSTS
    return local and port is not None and not hidden and parts.path in ("", "/")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.target == "real":
            target = RealTarget()
        else:
            target = FakeTarget(
                args.fake_url, args.fake_time_scale, os.environ.get("FAKE_RUNPOD_FAULTS") or None
            )
        if args.plan:
            from live.plan import show_plan

            return show_plan(settings, target)
        if args.target == "real" and not os.environ.get("RUNPOD_API_KEY", "").strip():
            print(SKIP_MESSAGE)
            return 0
        return run_replay(settings, target, args.run_id, use_signals=True)[0]
    except (SettingsError, TargetError, ReportError, scratch.ScratchError) as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before the run's own handlers exist: nothing was rented
        print("\n中断しました（何も作っていません）。", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours, or the machine: one line, never a traceback
        print(
            f"エラー: 再現を続けられませんでした（{type(error).__name__}: {error}）。"
            "make sweep で残りがないか確かめてください。",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
