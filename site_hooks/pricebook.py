"""The prices pages and the cost notebook show: data/prices.toml, plus what a real run read.

One loader for every reader of prices (site_hooks/facts.py, site_hooks/verified.py for the
report paths, notebooks/cost.ipynb). It declares, once:
- PRICES, the price file; every priced entry says where (`source`) and when (`checked`);
- REPORT_PATHS, where the nightly replay leaves its reports (env LIVE_REPORT / REHEARSAL_REPORT);
- HOURS_PER_MONTH, the hours Runpod bills a monthly storage price over.

Data flows one way: the replay (live/) writes only what it read from Runpod, with the time it
read it (`prices.gpus[]`: `id`, `price`, `read_at`, as live/report.schema.json describes); this
module reads it (a recorded sample: tests/site/fixtures/live-report-prices.json). A GPU
price read on a later day than the file's `checked` replaces the file's, dated by that day.
Nothing else in a report is taken as a price (a rehearsal's prices are made up; a volume
price is never read from Runpod). Mistakes in the price file raise PriceFileError with a
Japanese sentence naming the entry.

No MkDocs imports: the notebook loads this file by path (`import pricebook`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PRICES = "data/prices.toml"
HOURS_PER_MONTH = 730  # Runpod bills network volumes by the hour; a month is 730 of them
REPORT_PATHS = {
    "real": ("LIVE_REPORT", "reports/live-report.json"),
    "fake": ("REHEARSAL_REPORT", "reports/rehearsal-report.json"),
}
RUN_SOURCE = "毎晩の実機確認でRunpodのAPIから読んだ価格"
PRICE_FIELDS = ("usd", "usd_per_hour", "usd_per_gb_month")
NUMBER_FIELDS = (*PRICE_FIELDS, "hours", "volume_gb")
REQUIRED = {
    "gpu": ("label", "usd_per_hour"),
    "storage": ("label", "usd_per_gb_month"),
    "case": ("name", "hours", "gpus"),
}


class PriceFileError(ValueError):
    """A mistake in the price file, explained in Japanese for the reader."""


@dataclass(frozen=True)
class Reading:
    """A number, the page a reader can check it on (`source`), when and how it was read."""

    value: float
    day: dt.date
    source: str
    read_by: str = ""  # "" for the file's own reading, RUN_SOURCE for a real run's


def report_path(target: str, root: Path) -> Path:
    """Where the report of a real run ("real") or a rehearsal ("fake") is read from."""
    variable, default = REPORT_PATHS[target]
    path = Path(os.environ.get(variable) or default)
    return path if path.is_absolute() else root / path


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _entries(prices: dict):
    """(kind, name, entry) for every table of the file, arrays of tables included."""
    for kind, tables in prices.items():
        if isinstance(tables, list):
            for index, entry in enumerate(tables):
                name = entry.get("name", f"{index + 1}番目") if isinstance(entry, dict) else "?"
                yield kind, name, entry
        elif isinstance(tables, dict) and any(isinstance(v, dict) for v in tables.values()):
            for name, entry in tables.items():
                if isinstance(entry, dict):
                    yield kind, name, entry
        elif isinstance(tables, dict):
            yield kind, kind, tables


def check_entry(kind: str, name: str, entry: dict) -> None:
    where = f"価格ファイルの {kind}「{name}」"
    for field in REQUIRED.get(kind, ()):
        if field not in entry:
            raise PriceFileError(f"{where}に {field} がありません。")
    for field in NUMBER_FIELDS:
        if field in entry and not (_is_number(entry[field]) and entry[field] >= 0):
            raise PriceFileError(
                f"{where}の {field} が正しくありません（0以上の数が必要です）: {entry[field]!r}"
            )
    if kind in REQUIRED or any(field in entry for field in PRICE_FIELDS):
        for field in ("source", "checked"):
            if not entry.get(field):
                raise PriceFileError(f"{where}に {field} がありません。")
    if "checked" in entry:
        try:
            dt.date.fromisoformat(str(entry["checked"]))
        except ValueError:
            raise PriceFileError(
                f"{where}の checked は 2026-11-27 の形の日付にしてください: {entry['checked']!r}"
            ) from None


def check_prices(prices: dict) -> dict:
    """The file, checked: sources, dates, non-negative numbers, GPUs that exist."""
    for kind, name, entry in _entries(prices):
        check_entry(kind, name, entry)
    gpus = prices.get("gpu", {})
    for case in prices.get("case", []):
        for gpu in case["gpus"]:
            if gpu not in gpus:
                raise PriceFileError(
                    f"価格ファイルの case「{case['name']}」が使うGPU「{gpu}」の"
                    "価格が [gpu] にありません。"
                )
    tonight = prices.get("tonight", {}).get("gpu")
    if tonight is not None and tonight not in gpus:
        raise PriceFileError(
            f"価格ファイルの tonight が使うGPU「{tonight}」の価格が [gpu] にありません。"
        )
    return prices


def load_prices(path: Path) -> dict:
    try:
        prices = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PriceFileError(f"価格ファイル {path} を読めません: {error}") from None
    return check_prices(prices)


JAPAN = dt.timezone(dt.timedelta(hours=9))  # the readers' day, as the stamps show it


def _day(value) -> dt.date | None:
    """The day in Japan when a price was read (a night's run reads at 03:17 JST)."""
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return moment.astimezone(JAPAN).date()
    except (TypeError, ValueError):
        return None


def read_report(path: Path) -> dict | None:
    """A real run's report, or None (missing, unreadable, not an object, a rehearsal)."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("target") != "real":
        return None
    return report


def run_readings(report: dict | None) -> dict[str, Reading]:
    """GPU type id -> the cheapest list price the run read, dated by when it read it."""
    prices = (report or {}).get("prices")
    if not isinstance(prices, dict) or not isinstance(prices.get("gpus"), list):
        return {}
    seen: dict[str, Reading] = {}
    for row in prices["gpus"]:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            continue
        price, day = row.get("price"), _day(row.get("read_at") or prices.get("read_at"))
        if not (_is_number(price) and price >= 0) or day is None:
            continue
        reading = Reading(float(price), day, "", RUN_SOURCE)
        best = seen.get(row["id"])
        if best is None or (reading.day, -reading.value) > (best.day, -best.value):
            seen[row["id"]] = reading
    return seen


@dataclass(frozen=True)
class PriceBook:
    """The price file with every newer reading of a real run swapped in."""

    data: dict

    def gpu(self, gpu_id: str) -> Reading:
        return _reading(self.data["gpu"][gpu_id], "usd_per_hour")

    def storage(self, key: str) -> Reading:
        return _reading(self.data["storage"][key], "usd_per_gb_month")

    def entry(self, kind: str, key: str, field: str) -> Reading:
        return _reading(self.data[kind][key], field)


def _reading(entry: dict, field: str) -> Reading:
    return Reading(
        float(entry[field]),
        dt.date.fromisoformat(str(entry["checked"])),
        entry["source"],
        entry.get("read_by", ""),
    )


def apply_readings(prices: dict, readings: dict[str, Reading]) -> dict:
    """The file's GPU entries, each replaced by a run's reading of a later day (the entry's
    `source` stays: it is the page where a reader can look the price up)."""
    for gpu_id, entry in prices.get("gpu", {}).items():
        reading = readings.get(gpu_id)
        if reading and reading.day > dt.date.fromisoformat(str(entry["checked"])):
            entry.update(
                usd_per_hour=reading.value, checked=reading.day.isoformat(), read_by=reading.read_by
            )
    return prices


def load(prices_path: Path, report: Path | None) -> PriceBook:
    """The prices to show: the file, then a real run's newer readings (when a report exists)."""
    prices = load_prices(prices_path)
    readings = run_readings(read_report(report)) if report is not None else {}
    return PriceBook(apply_readings(prices, readings))


def volume_cost(gb: float, usd_per_gb_month: float, hours: float) -> float:
    """What a volume of `gb` costs for `hours` (billed hourly from a monthly price)."""
    return gb * usd_per_gb_month * hours / HOURS_PER_MONTH
