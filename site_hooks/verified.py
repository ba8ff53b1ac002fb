"""Stamp chapter pages with what proved their steps, and when.

Two kinds of report (live/report.schema.json) can exist when the site is built:
- a real run (`make live`, target "real"): LIVE_REPORT, default reports/live-report.json;
- a rehearsal on the local Runpod stand-in (`make live-local`, target "fake"): REHEARSAL_REPORT,
  default reports/rehearsal-report.json (a fake report found at LIVE_REPORT counts as one).

On every page listed in live/page_steps.yml the stamp leads with the real run, e.g.
「最終動作確認: 2026-11-27 · 成功 · RTX A4000」; a failed step fails its pages only, a report
older than STALE_AFTER is marked 古い, a page whose steps the run never reached is 未検証.
Without a real run the stamp says 未検証 and, when a rehearsal exists, what it proved: the
commands ran against the stand-in on that date, for that commit. A rehearsal never shows
成功 and never looks like a real run. The home page's `<!-- verification-summary -->` marker
becomes the footer's sentence about trust (partials/verified-trust.html, `kgl_trust` in every
page's footer) followed by what the stamps show, so footer and home page never disagree.

Markup: partials/verified.html, verified-summary.html and verified-trust.html. "Now" comes
from the clock (SITE_NOW, an ISO date or time, freezes it for tests); status is in words.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import _common
import jinja2
import pricebook
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

STALE_AFTER = timedelta(days=3)
JST = timezone(timedelta(hours=9))  # readers are in Japan; Japan has no daylight saving
PAGE_STEPS = "live/page_steps.yml"
SCHEMA = "live/report.schema.json"
SUMMARY_MARKER = "<!-- verification-summary -->"
ICONS = {"passed": "✓", "failed": "✗"}

_state: dict = {"real": None, "rehearsal": None, "pages": {}, "config": None}


@dataclass(frozen=True)
class Run:
    """What one report says about one page."""

    result: str  # "passed" | "failed" | "not_reached"
    finished_at: str
    day: str  # the finishing day in Japan
    gpu: str | None = None
    commit: str | None = None
    failed_steps: list[str] = field(default_factory=list)
    rehearsed_only: list[str] = field(default_factory=list)  # steps the stand-in can only mimic


@dataclass(frozen=True)
class Stamp:
    state: str  # "passed" | "failed" | "unverified"
    stale: bool
    html: str
    real: Run | None = None
    rehearsal: Run | None = None


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


def finished(report: dict) -> datetime:
    return datetime.fromisoformat(report["finished_at"].replace("Z", "+00:00"))


def run_for(steps: list[str], report: dict) -> Run:
    """What `report` proved for a page whose content is proven by `steps`."""
    status = {step["name"]: step for step in report["steps"]}
    seen = [status[name]["status"] if name in status else "skipped" for name in steps]
    failed = [name for name in steps if status.get(name, {}).get("status") == "failed"]
    if failed:
        result = "failed"
    elif all(state == "passed" for state in seen):
        result = "passed"
    else:
        result = "not_reached"
    commit = report.get("commit")
    return Run(
        result=result,
        finished_at=report["finished_at"],
        day=finished(report).astimezone(JST).date().isoformat(),
        gpu=report.get("gpu_name") or report.get("gpu_type"),
        commit=commit[:7] if isinstance(commit, str) else None,
        failed_steps=failed,
        rehearsed_only=[n for n in steps if status.get(n, {}).get("rehearsal")],
    )


def split_reports(report: dict | None, rehearsal: dict | None) -> tuple[dict | None, dict | None]:
    """(real report, rehearsal report): a fake report is a rehearsal wherever it was found."""
    real = report if report and report["target"] == "real" else None
    if report and report["target"] != "real" and rehearsal is None:
        rehearsal = report
    if rehearsal and rehearsal["target"] == "real":
        real, rehearsal = real or rehearsal, None
    return real, rehearsal


def stamp_for(
    steps: list[str],
    report: dict | None,
    at: datetime,
    rehearsal: dict | None = None,
    config: MkDocsConfig | None = None,
) -> Stamp:
    """The stamp of one page whose content is proven by `steps`."""
    real, rehearsal = split_reports(report, rehearsal)
    real_run = run_for(steps, real) if real else None
    rehearsal_run = run_for(steps, rehearsal) if rehearsal else None
    state = "unverified"
    if real_run and real_run.result in ("passed", "failed"):
        state = real_run.result
    stale = bool(real and at - finished(real) > STALE_AFTER)
    context = {
        "state": state,
        "stale": stale,
        "stale_days": STALE_AFTER.days,
        "icon": ICONS.get(state, "?"),
        "real": real_run,
        "rehearsal": rehearsal_run,
    }
    markup = _render(config, "partials/verified.html", context)
    return Stamp(state, stale, markup, real_run, rehearsal_run)


def site_context(report: dict | None, rehearsal: dict | None, at: datetime) -> dict:
    """What the reports prove for the whole guide: the footer's and the home page's context.

    `trust` names the state: passed / failed / stale (a real run), rehearsed /
    rehearsal_failed (the stand-in only), none.
    """
    real, rehearsal = split_reports(report, rehearsal)
    all_steps = [step["name"] for step in (real or rehearsal or {"steps": []})["steps"]]
    real_run = run_for(all_steps, real) if real else None
    rehearsal_run = run_for(all_steps, rehearsal) if rehearsal else None
    stale = bool(real and at - finished(real) > STALE_AFTER)
    if real_run:
        trust = "stale" if stale else "passed" if real_run.result == "passed" else "failed"
    elif rehearsal_run:
        trust = "rehearsed" if rehearsal_run.result == "passed" else "rehearsal_failed"
    else:
        trust = "none"
    return {
        "real": real_run,
        "rehearsal": rehearsal_run,
        "stale": stale,
        "stale_days": STALE_AFTER.days,
        "trust": trust,
    }


def summary_for(
    report: dict | None, rehearsal: dict | None, at: datetime, config: MkDocsConfig | None = None
) -> str:
    """The home page's sentence about the stamps, for the same reports."""
    context = site_context(report, rehearsal, at)
    return _render(config, "partials/verified-summary.html", context)


def trust_for(
    report: dict | None, rehearsal: dict | None, at: datetime, config: MkDocsConfig | None = None
) -> str:
    """The footer's sentence: the one the home page's summary opens with."""
    context = site_context(report, rehearsal, at)
    return _render(config, "partials/verified-trust.html", context)


def _render(config: MkDocsConfig | None, template: str, context: dict) -> str:
    config = config or _state["config"] or _standalone_config()
    return " ".join(_common.render_partial(config, template, **context).split())


def _standalone_config() -> MkDocsConfig:
    """The project's config, for callers outside a build (tests of the stamp alone)."""
    from mkdocs.config import load_config

    root = Path(__file__).resolve().parent.parent
    _state["config"] = load_config(str(root / "mkdocs.yml"))
    return _state["config"]


def _insert(page_html: str, stamp: str) -> str:
    """Right under the page's title (the first </h1>), else at the top."""
    end = page_html.find("</h1>")
    if end < 0:
        return stamp + "\n" + page_html
    end += len("</h1>")
    return page_html[:end] + "\n" + stamp + page_html[end:]


# ---- mkdocs hook events -------------------------------------------------------------------
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    root = _common.project_root(config)
    schema = root / SCHEMA
    _state["config"] = config
    _state["real"] = load_report(pricebook.report_path("real", root), schema)
    _state["rehearsal"] = load_report(pricebook.report_path("fake", root), schema)
    _state["pages"] = yaml.safe_load((root / PAGE_STEPS).read_text(encoding="utf-8")) or {}
    return config


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    """The footer of every page (partials/copyright.html) reads `kgl_trust`."""
    env.globals["kgl_trust"] = trust_for(_state["real"], _state["rehearsal"], now(), config)
    return env


def on_page_content(html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    reports = (_state["real"], _state["rehearsal"])
    if page.is_homepage and SUMMARY_MARKER not in html_text:
        raise PluginError(
            f"{_common.source_path(page.file.abs_src_path, config)}: the home page must hold a "
            f"line {SUMMARY_MARKER}: it says what the stamps on the pages show"
        )
    html_text = html_text.replace(SUMMARY_MARKER, summary_for(*reports, now(), config))
    steps = _state["pages"].get(page.file.src_uri)
    if not steps:
        return html_text
    stamp = stamp_for(steps, reports[0], now(), rehearsal=reports[1], config=config)
    return _insert(html_text, stamp.html)
