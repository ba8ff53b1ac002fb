"""One-way price data: what the nightly run read from Runpod -> the one loader -> every page
and the cost notebook, each showing the same price.

The report's prices are made by the nightly run's own producer (live/preflight.py:
see_prices, prices_record) against the fake Runpod's catalog, whose list price for tonight's
GPU differs from data/prices.toml's; the rest of the report is the recorded sample of the
agreed shape (tests/site/fixtures/live-report-prices.json).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_hooks import facts, pricebook
from scripts.notebook_config import COST, cost_env, regression
from tests.lazy import lazy_module
from tests.site.pages import PROJECT

nb_regression = lazy_module("pytest_notebook.nb_regression")

SAMPLE = PROJECT / "tests" / "site" / "fixtures" / "live-report-prices.json"
DOCS = PROJECT / "docs"


@pytest.fixture
def report_from_producer(tmp_path, fake_runpod) -> Path:
    """A real run's report whose prices the replay's producer read from the (fake) catalog:
    it lists the RTX 4090 cheaper than data/prices.toml says."""
    from live.preflight import prices_record, see_prices

    report = json.loads(SAMPLE.read_text(encoding="utf-8"))
    report["prices"] = prices_record(see_prices(("EU-RO-1", "US-KS-2")))
    path = tmp_path / "live-report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def japan_day(moment: str) -> str:
    when = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    day = when.astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    return f"{day.year}年{day.month}月{day.day}日"


def rendered_pages(report: Path, monkeypatch) -> dict[str, str]:
    """Every Markdown page with its placeholders filled, as the site build fills them."""
    monkeypatch.setenv("LIVE_REPORT", str(report))
    monkeypatch.setenv("DRIFT_REPORT", str(report.with_name("no-drift.json")))
    config = SimpleNamespace(config_file_path=str(PROJECT / "mkdocs.yml"), repo_url="https://x/",
                             docs_dir=str(DOCS))
    facts.on_config(config)
    pages = {}
    for path in sorted(DOCS.rglob("*.md")):
        file = SimpleNamespace(src_uri=path.relative_to(DOCS).as_posix(), abs_src_path=str(path))
        markdown = path.read_text(encoding="utf-8")
        pages[file.src_uri] = facts.on_page_markdown(
            markdown, page=SimpleNamespace(file=file), config=config, files=None)
    return pages


def test_every_page_and_the_cost_notebook_show_the_price_the_run_read(
        report_from_producer, monkeypatch):
    report = json.loads(report_from_producer.read_text(encoding="utf-8"))
    prices = pricebook.load_prices(PROJECT / pricebook.PRICES)
    gpu = prices["tonight"]["gpu"]
    read = min(row["price"] for row in report["prices"]["gpus"] if row["id"] == gpu)
    in_file = prices["gpu"][gpu]["usd_per_hour"]
    assert read != in_file  # otherwise this test could not tell them apart

    # The pages: every place that shows tonight's GPU price shows the price the run read.
    pages = rendered_pages(report_from_producer, monkeypatch)
    showing = {name: text for name, text in pages.items()
               if "[[fact:tonight_gpu_hour]]" in (DOCS / name).read_text(encoding="utf-8")}
    assert len(showing) >= 2, "the home page and はじめに show tonight's price"
    for name, text in showing.items():
        assert f"1時間{facts.usd(read)}" in text, name
        assert f"1時間{facts.usd(in_file)}" not in text, name
        assert japan_day(report["prices"]["read_at"]) in text, name  # the day it was read
    hours = prices["tonight"]["hours"]
    totals = {re.search(rf"\| {facts.usd(round(read * hours, 2))}（約[\d,]+円） \|", text)
              is not None for text in showing.values()}
    assert totals == {True}  # the derived cost uses the same price on every page

    # The cost notebook, run with the same report, computes with the same price.
    for name, value in cost_env(report=report_from_producer).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COST_PRICES", raising=False)
    with pytest.raises(nb_regression.NBRegressionError) as changed:  # its stored outputs use the file's price
        regression().check(str(COST))
    label = prices["gpu"][gpu]["label"]
    line = rf"\+\s*{re.escape(label)}\s+x\d+\s+\d+ GPU時間 x \${read:.2f}/h"
    assert re.search(line, str(changed.value))
