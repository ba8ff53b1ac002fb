"""Stamp chapter pages with the last time their steps ran on a real pod.

The nightly live replay (live/replay.py) writes live-report.json; this hook reads it
(path from LIVE_REPORT, default reports/live-report.json) and, on every page listed in
live/page_steps.yml, shows e.g. 「最終動作確認: 2026-11-27 · 成功 · RTX A4000」.

- a page fails when any of its steps failed; passes only when all of them passed;
- a report older than STALE_AFTER is marked 古い;
- no report, or an offline rehearsal (target "fake"), shows 未検証: a rehearsal never
  stamps a page as verified.
The date comes from the report and "now" from the clock (SITE_NOW, an ISO date or time,
freezes it for tests). The status is written out in words, never shown by colour alone.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError

STALE_AFTER = timedelta(days=3)
JST = timezone(timedelta(hours=9))  # readers are in Japan; Japan has no daylight saving
DEFAULT_REPORT = "reports/live-report.json"
PAGE_STEPS = "live/page_steps.yml"
SCHEMA = "live/report.schema.json"

_state: dict = {"report": None, "pages": {}}


@dataclass(frozen=True)
class Stamp:
    state: str  # "passed" | "failed" | "unverified"
    stale: bool
    html: str


def now() -> datetime:
    frozen = os.environ.get("SITE_NOW")
    if not frozen:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(frozen)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_report(path: Path, schema_path: Path) -> dict | None:
    """The report, checked against its schema; None when there is none."""
    if not path.is_file():
        return None
    import jsonschema  # comes with the site's dependencies (nbformat needs it)

    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        jsonschema.validate(report, schema)
    except (ValueError, jsonschema.ValidationError) as error:
        raise PluginError(f"verified: {path} is not a valid live report: {error}") from None
    return report


def stamp_for(steps: list[str], report: dict | None, at: datetime) -> Stamp:
    """The stamp of one page whose content is proven by `steps`."""
    if report is None:
        return _render("unverified", False, "未検証", note="実機での確認はまだ行われていません")
    if report["target"] != "real":
        return _render("unverified", False, "未検証", note="オフラインのリハーサルのみ")

    finished = datetime.fromisoformat(report["finished_at"].replace("Z", "+00:00"))
    day = finished.astimezone(JST).date().isoformat()
    stale = at - finished > STALE_AFTER
    status = {s["name"]: s["status"] for s in report["steps"]}
    seen = [status.get(step, "skipped") for step in steps]
    when = f'<time datetime="{html.escape(report["finished_at"])}">{day}</time>'
    gpu = report.get("gpu_name") or report.get("gpu_type")
    if "failed" in seen:
        failed = [step for step in steps if status.get(step) == "failed"]
        note = "失敗した手順: " + ", ".join(f"<code>{html.escape(s)}</code>" for s in failed)
        return _render("failed", stale, "失敗", when=when, gpu=gpu, note=note)
    if all(s == "passed" for s in seen):
        return _render("passed", stale, "成功", when=when, gpu=gpu)
    return _render("unverified", stale, "未検証", when=when,
                   note="この日の実行は、前の手順の失敗でこのページの手順まで進みませんでした")


def _render(state: str, stale: bool, word: str, when: str | None = None,
            gpu: str | None = None, note: str | None = None) -> Stamp:
    parts = [f"最終動作確認: {when}" if when else "最終動作確認:",
             f'<strong class="kgl-verified__status">{word}</strong>']
    if when and gpu:
        parts.append(html.escape(gpu))
    text = " · ".join(parts) if when else " ".join(parts)
    if stale:
        text += (' · <strong class="kgl-verified__stale">古い</strong>'
                 f"（{STALE_AFTER.days}日以上前の結果です）")
    if note:
        text += f'<span class="kgl-verified__note">（{note}）</span>'
    classes = f"kgl-verified kgl-verified--{state}" + (" kgl-verified--stale" if stale else "")
    icon = {"passed": "✓", "failed": "✗"}.get(state, "?")
    markup = (f'<p class="{classes}" data-verified="{state}{"-stale" if stale else ""}">'
              f'<span class="kgl-verified__icon" aria-hidden="true">{icon}</span> {text}</p>')
    return Stamp(state, stale, markup)


def _insert(page_html: str, stamp: str) -> str:
    """Right under the page's title (the first </h1>), else at the top."""
    end = page_html.find("</h1>")
    if end < 0:
        return stamp + "\n" + page_html
    end += len("</h1>")
    return page_html[:end] + "\n" + stamp + page_html[end:]


# ---- mkdocs hook events -------------------------------------------------------------------
def on_config(config, **_):
    root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    report_path = Path(os.environ.get("LIVE_REPORT") or DEFAULT_REPORT)
    if not report_path.is_absolute():
        report_path = root / report_path
    _state["report"] = load_report(report_path, root / SCHEMA)
    pages = yaml.safe_load((root / PAGE_STEPS).read_text(encoding="utf-8")) or {}
    _state["pages"] = pages
    return config


def on_page_content(page_html, page, config, files, **_):
    steps = _state["pages"].get(page.file.src_uri)
    if not steps:
        return page_html
    return _insert(page_html, stamp_for(steps, _state["report"], now()).html)
