"""Numbers and the repository link on pages come from data, never typed into prose.

Pages write placeholders; this hook fills them before Markdown is rendered:

- `[[fact:NAME]]` the value, e.g. `[[fact:tonight_total]]` -> 2.34ドル
- `[[fact:NAME N]]` the value for a size, e.g. `[[fact:volume_month 50]]` -> 3.50ドル
- `[[date:NAME]]` when the number was read, e.g. 2026年8月20日
- `[[source:NAME]]` where it was read (a URL, for a link: `[料金]([[source:NAME]])`)
- `[text](repo:)` / `[text](repo:issues)` links to `repo_url` in mkdocs.yml (plus the path)

Prices come from data/prices.toml (each entry with `source` and `checked`), or from the last
real live report (LIVE_REPORT, default reports/live-report.json) when its `prices.seen_at` is
newer than the entry's `checked` date. The build fails naming the page for an unknown or
malformed placeholder, and naming the entry for a price without `source` or `checked`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

PRICES = "data/prices.toml"
DEFAULT_REPORT = "reports/live-report.json"
HOURS_PER_MONTH = 730  # Runpod bills network volumes by the hour; a month is 730 of them
PRICE_FIELDS = ("usd", "usd_per_hour", "usd_per_gb_month", "hours", "volume_gb")
PLACEHOLDER = re.compile(r"\[\[(fact|date|source):([a-z][a-z0-9_]*)(?: ([0-9]+(?:\.[0-9]+)?))?\]\]")
ANY_PLACEHOLDER = re.compile(r"\[\[(?:fact|date|source):[^\]]*\]\]")
REPO_LINK = re.compile(r"\]\(repo:([^)\s]*)\)")


@dataclass(frozen=True)
class Reading:
    """A number and where and when it was read."""

    value: float
    day: dt.date
    source: str


@dataclass(frozen=True)
class Fact:
    compute: Callable[[float | None], str]
    reading: Reading
    takes_size: bool = False


_state: dict = {"facts": None, "error": None}


def usd(value: float) -> str:
    """Dollars as the pages write them: 10ドル, 0.07ドル, 2.34ドル, 0.0025ドル."""
    if value == int(value):
        return f"{int(value)}ドル"
    if round(value, 2) == value:
        return f"{value:.2f}ドル"
    return f"{value:.4f}".rstrip("0") + "ドル"


def japanese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _checked_entries(prices: dict):
    """(name, entry) for every priced entry of the file, tables and arrays of tables."""
    for kind, tables in prices.items():
        if isinstance(tables, list):
            items = [(f"{kind}[{i}]", entry) for i, entry in enumerate(tables)]
        elif isinstance(tables, dict) and any(isinstance(v, dict) for v in tables.values()):
            items = [(f"{kind}.{name}", e) for name, e in tables.items() if isinstance(e, dict)]
        else:
            items = [(kind, tables)]
        for name, entry in items:
            if isinstance(entry, dict) and any(field in entry for field in PRICE_FIELDS):
                yield name, entry


def check_prices(prices: dict) -> None:
    """Every number in the file says where it was read and when (YYYY-MM-DD)."""
    for name, entry in _checked_entries(prices):
        missing = [field for field in ("source", "checked") if not entry.get(field)]
        if missing:
            raise PluginError(f"{PRICES}: [{name}] has no {' or '.join(missing)}")
        try:
            dt.date.fromisoformat(str(entry["checked"]))
        except ValueError:
            raise PluginError(
                f"{PRICES}: [{name}] checked = {entry['checked']!r} is not a YYYY-MM-DD date"
            ) from None


def _reading(entry: dict, field: str) -> Reading:
    checked = dt.date.fromisoformat(str(entry["checked"]))
    return Reading(float(entry[field]), checked, entry["source"])


def report_prices(root: Path) -> dict | None:
    """`prices` of the last real live report, or None (no report, a rehearsal, no prices)."""
    path = Path(os.environ.get("LIVE_REPORT") or root / DEFAULT_REPORT)
    if not path.is_absolute():
        path = root / path
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("target") != "real":
        return None
    prices = report.get("prices")
    try:
        dt.datetime.fromisoformat(str(prices["seen_at"]).replace("Z", "+00:00"))
    except (TypeError, KeyError, ValueError):
        return None  # no prices, or no readable time: the report says nothing about prices
    return prices


def _is_price(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _newer(reading: Reading, prices: dict | None, value: float | None, source: str) -> Reading:
    """The report's value instead of the file's when the report saw it later."""
    if prices is None or value is None:
        return reading
    seen = dt.datetime.fromisoformat(prices["seen_at"].replace("Z", "+00:00")).date()
    return Reading(float(value), seen, source) if seen > reading.day else reading


def build_facts(prices: dict, report: dict | None) -> dict[str, Fact]:
    tonight = prices["tonight"]
    gpu_entry = prices["gpu"][tonight["gpu"]]
    report_gpus = [g["usd_per_hour"] for g in (report or {}).get("gpus") or []
                   if isinstance(g, dict) and g.get("gpu_type") == tonight["gpu"]
                   and _is_price(g.get("usd_per_hour"))]  # fmt: skip
    gpu = _newer(_reading(gpu_entry, "usd_per_hour"), report, min(report_gpus, default=None),
                 gpu_entry["source"])  # fmt: skip
    volume_entry = prices["storage"]["runpod_volume"]
    volume_seen = (report or {}).get("volume") or {}
    report_volume = volume_seen.get("usd_per_gb_month")  # the standard tier's price only
    if volume_seen.get("tier") != "STANDARD" or not _is_price(report_volume):
        report_volume = None
    volume = _newer(_reading(volume_entry, "usd_per_gb_month"), report, report_volume,
                    volume_entry["source"])  # fmt: skip
    topup = _reading(prices["billing"]["minimum_topup"], "usd")
    stopped = _reading(prices["pod_disk"]["volume_disk_stopped"], "usd_per_gb_month")
    hours, size = float(tonight["hours"]), float(tonight["volume_gb"])

    def volume_day(gb: float) -> float:
        return gb * volume.value * 24 / HOURS_PER_MONTH

    def cost(value: float) -> str:
        return usd(round(value, 2))  # to the cent

    oldest = min((gpu, volume), key=lambda r: r.day)
    total = Reading(0, oldest.day, gpu.source)
    return gpu_hour_facts(prices, report) | {
        "topup_min": Fact(lambda _: usd(topup.value), topup),
        "volume_gb_month": Fact(lambda _: usd(volume.value), volume),
        "volume_month": Fact(lambda gb: cost(gb * volume.value), volume, takes_size=True),
        "volume_day": Fact(lambda gb: cost(volume_day(gb)), volume, takes_size=True),
        "volume_disk_stopped_gb_month": Fact(lambda _: usd(stopped.value), stopped),
        "tonight_gpu_name": Fact(lambda _: gpu_entry["label"], gpu),
        "tonight_gpu_hour": Fact(lambda _: usd(gpu.value), gpu),
        "tonight_hours": Fact(lambda _: f"{hours:g}", gpu),
        "tonight_gpu_cost": Fact(lambda _: cost(gpu.value * hours), gpu),
        "tonight_volume_gb": Fact(lambda _: f"{size:g}", volume),
        "tonight_volume_day": Fact(lambda _: cost(volume_day(size)), volume),
        "tonight_total": Fact(lambda _: cost(gpu.value * hours + volume_day(size)), total),
    }


def gpu_hour_facts(prices: dict, report: dict | None) -> dict[str, Fact]:
    """`gpu_hour_<label>` for every GPU of the file (RTX 4090 -> gpu_hour_rtx_4090): its
    price per hour, from the live report when that saw it later (pod.md's GPU table)."""
    facts = {}
    for type_id, entry in prices.get("gpu", {}).items():
        seen = [g["usd_per_hour"] for g in (report or {}).get("gpus") or []
                if isinstance(g, dict) and g.get("gpu_type") == type_id
                and _is_price(g.get("usd_per_hour"))]  # fmt: skip
        reading = _newer(_reading(entry, "usd_per_hour"), report, min(seen, default=None),
                         entry["source"])  # fmt: skip
        name = "gpu_hour_" + re.sub(r"[^a-z0-9]+", "_", entry["label"].lower()).strip("_")
        facts[name] = Fact(lambda _, value=reading.value: usd(value), reading)
    return facts


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Read and check the price file once per build (a missing file only matters when used)."""
    root = _common.project_root(config)
    _state.update(facts=None, error=f"{PRICES} is missing")
    path = root / PRICES
    if path.is_file():
        try:
            prices = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise PluginError(f"{PRICES}: {error}") from None
        check_prices(prices)
        try:
            _state["facts"] = build_facts(prices, report_prices(root))
        except KeyError as error:
            _state["error"] = f"{PRICES} has no entry {error}"
    return config


def fill(markdown: str, where: str, repo_url: str | None) -> str:
    """The page with its placeholders and repo: links filled in."""

    def value(match: re.Match) -> str:
        kind, name, size = match.groups()
        facts = _state["facts"]
        if facts is None:
            raise PluginError(f"{where}: {match[0]} needs {_state['error']}")
        fact = facts.get(name)
        if fact is None:
            raise PluginError(f"{where}: unknown placeholder {match[0]} "
                              f"(known: {', '.join(sorted(facts))})")  # fmt: skip
        if kind == "date":
            return japanese_date(fact.reading.day)
        if kind == "source":
            return fact.reading.source
        if fact.takes_size != (size is not None):
            needs = "a size, e.g. [[fact:NAME 50]]" if fact.takes_size else "no size"
            raise PluginError(f"{where}: {match[0]} takes {needs}")
        return fact.compute(float(size) if size else None)

    def repo(match: re.Match) -> str:
        if not repo_url:
            raise PluginError(f"{where}: a repo: link needs repo_url in mkdocs.yml")
        path = match[1].lstrip("/")
        return f"]({repo_url.rstrip('/')}/{path})" if path else f"]({repo_url})"

    filled = PLACEHOLDER.sub(value, markdown)
    malformed = ANY_PLACEHOLDER.search(filled)
    if malformed:
        raise PluginError(f"{where}: malformed placeholder {malformed[0]}")
    return REPO_LINK.sub(repo, filled)


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.endswith(".md"):
        return markdown  # notebooks arrive as JSON and hold no placeholders
    where = _common.source_path(page.file.abs_src_path, config)
    return fill(markdown, where, config.repo_url)
