"""site_hooks/facts.py: numbers and the repository URL on pages come from data.

What a reader is promised: every price on a page is the one in data/prices.toml (or the
last real live run's, when that is newer) and shows its date; the repository link is the
one in mkdocs.yml. What a maintainer is promised: a typo in a placeholder, or a price
without its source or date, fails the build and names the page or the entry.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from site_hooks import facts
from tests.site.pages import PROJECT, built_path, load_config, soup_of

PRICES = tomllib.loads((PROJECT / "data" / "prices.toml").read_text(encoding="utf-8"))
REPO_URL = load_config()["repo_url"]


def project(tmp_path: Path, prices: str | None = None, report: dict | None = None) -> Path:
    """A folder with mkdocs.yml, data/prices.toml (the real one unless given) and a report."""
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    (tmp_path / "data").mkdir()
    text = (PROJECT / "data" / "prices.toml").read_text() if prices is None else prices
    (tmp_path / "data" / "prices.toml").write_text(text)
    if report is not None:
        (tmp_path / "reports").mkdir()
        (tmp_path / "reports" / "live-report.json").write_text(json.dumps(report))
    return tmp_path


def render(root: Path, markdown: str, page: str = "docs/page.md", repo_url=REPO_URL) -> str:
    config = SimpleNamespace(config_file_path=str(root / "mkdocs.yml"), repo_url=repo_url)
    facts.on_config(config)
    file = SimpleNamespace(src_uri=Path(page).name, abs_src_path=str(root / page))
    return facts.on_page_markdown(
        markdown, page=SimpleNamespace(file=file), config=config, files=None
    )


@pytest.fixture(autouse=True)
def no_report_from_the_environment(monkeypatch):
    monkeypatch.delenv("LIVE_REPORT", raising=False)


# --- values, from the price file ------------------------------------------------------------


def expected_tonight() -> dict[str, float]:
    tonight = PRICES["tonight"]
    gpu = PRICES["gpu"][tonight["gpu"]]["usd_per_hour"]
    volume = PRICES["storage"]["runpod_volume"]["usd_per_gb_month"]
    gpu_cost = gpu * tonight["hours"]
    volume_day = tonight["volume_gb"] * volume * 24 / 730
    return {"gpu": gpu, "gpu_cost": gpu_cost, "volume_day": volume_day,
            "total": gpu_cost + volume_day}  # fmt: skip


def test_tonight_is_computed_from_the_price_file(tmp_path):
    want = expected_tonight()
    text = render(
        project(tmp_path),
        "[[fact:tonight_gpu_name]] [[fact:tonight_gpu_hour]] x [[fact:tonight_hours]] = "
        "[[fact:tonight_gpu_cost]]; [[fact:tonight_volume_gb]] GB [[fact:tonight_volume_day]]; "
        "[[fact:tonight_total]]",
    )
    tonight = PRICES["tonight"]
    label = PRICES["gpu"][tonight["gpu"]]["label"]
    assert text == (
        f"{label} {want['gpu']:.2f}ドル x {tonight['hours']} = {want['gpu_cost']:.2f}ドル; "
        f"{tonight['volume_gb']} GB {want['volume_day']:.2f}ドル; {want['total']:.2f}ドル"
    )


def test_sizes_dates_and_sources(tmp_path):
    volume = PRICES["storage"]["runpod_volume"]
    text = render(
        project(tmp_path),
        "[[fact:volume_month 500]] [[fact:volume_gb_month]] [[date:volume_gb_month]] "
        "[[source:volume_gb_month]] [[fact:topup_min]] [[source:topup_min]]",
    )
    y, m, d = (int(part) for part in volume["checked"].split("-"))
    topup = PRICES["billing"]["minimum_topup"]
    assert text == (
        f"{facts.usd(round(500 * volume['usd_per_gb_month'], 2))} "
        f"{volume['usd_per_gb_month']:.2f}ドル "
        f"{y}年{m}月{d}日 {volume['source']} {topup['usd']}ドル {topup['source']}"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(10, "10ドル"), (0.07, "0.07ドル"), (0.2, "0.20ドル"), (0.0025, "0.0025ドル")],
)
def test_dollars_are_written_as_the_pages_write_them(value, shown):
    assert facts.usd(value) == shown


# --- values, from a newer live report -------------------------------------------------------


def report(target="real", seen_at="2099-01-02T03:04:05Z", gpu_price=0.31, volume=0.05):
    tonight_gpu = PRICES["tonight"]["gpu"]
    return {
        "target": target,
        "prices": {
            "seen_at": seen_at,
            "gpus": [
                {"gpu_type": tonight_gpu, "gpu_name": "x", "data_center": "A", "usd_per_hour": 0.5},
                {
                    "gpu_type": tonight_gpu,
                    "gpu_name": "x",
                    "data_center": "B",
                    "usd_per_hour": gpu_price,
                },
                {
                    "gpu_type": "NVIDIA RTX A4000",
                    "gpu_name": "y",
                    "data_center": "A",
                    "usd_per_hour": 0.01,
                },
            ],  # fmt: skip
            "volume": {"tier": "STANDARD", "usd_per_gb_month": volume, "source": "api"},
        },
    }


def test_a_newer_real_report_wins_and_shows_its_own_date(tmp_path):
    root = project(tmp_path, report=report())
    text = render(
        root, "[[fact:tonight_gpu_hour]] [[date:tonight_gpu_hour]] [[fact:volume_gb_month]]"
    )
    assert text == "0.31ドル 2099年1月2日 0.05ドル"  # the cheapest data center's price


@pytest.mark.parametrize(
    "stale",
    [
        report(target="fake"),
        report(seen_at="2001-01-01T00:00:00Z"),
        {"target": "real"},
        report(seen_at="last night"),
        {
            "target": "real",
            "prices": {
                "seen_at": "2099-01-01T00:00:00Z",
                "volume": {},
                "gpus": [{"gpu_type": PRICES["tonight"]["gpu"], "usd_per_hour": "cheap"}, "?"],
            },
        },
        ["not", "a", "report"],
    ],
    ids=[
        "rehearsal",
        "older than the file",
        "no prices",
        "unreadable time",
        "odd entries",
        "not an object",
    ],
)
def test_the_file_wins_over_a_rehearsal_an_older_report_or_none(tmp_path, stale):
    text = render(project(tmp_path, report=stale), "[[fact:tonight_gpu_hour]]")
    assert text == facts.usd(PRICES["gpu"][PRICES["tonight"]["gpu"]]["usd_per_hour"])


def test_a_high_performance_volume_price_never_stands_for_the_standard_one(tmp_path):
    seen = report(volume=0.14)
    seen["prices"]["volume"]["tier"] = "HIGH_PERFORMANCE"
    text = render(project(tmp_path, report=seen), "[[fact:volume_gb_month]]")
    assert text == facts.usd(PRICES["storage"]["runpod_volume"]["usd_per_gb_month"])


def test_live_report_path_comes_from_the_environment(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(report(gpu_price=0.29)))
    monkeypatch.setenv("LIVE_REPORT", str(elsewhere))
    (tmp_path / "p").mkdir()
    assert render(project(tmp_path / "p"), "[[fact:tonight_gpu_hour]]") == "0.29ドル"


# --- the repository link --------------------------------------------------------------------


def test_repo_links_use_repo_url(tmp_path):
    text = render(project(tmp_path), "[リポジトリ](repo:) と [Issue](repo:issues)")
    assert text == f"[リポジトリ]({REPO_URL}) と [Issue]({REPO_URL.rstrip('/')}/issues)"


def test_a_repo_link_without_repo_url_fails(tmp_path):
    with pytest.raises(PluginError, match=r"docs/page\.md: a repo: link needs repo_url"):
        render(project(tmp_path), "[x](repo:)", repo_url=None)


# --- mistakes fail the build, naming the page or the entry -----------------------------------


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        (
            "[[fact:tonite_total]]",
            r"docs/tips/x\.md: unknown placeholder \[\[fact:tonite_total\]\]",
        ),
        ("[[fact:Tonight]]", r"docs/tips/x\.md: malformed placeholder \[\[fact:Tonight\]\]"),
        ("[[price:tonight_total]]", None),  # not ours: left alone
        ("[[fact:volume_month]]", r"docs/tips/x\.md: .* takes a size"),
        ("[[fact:tonight_total 3]]", r"docs/tips/x\.md: .* takes no size"),
        ("[[date:nothing]]", r"unknown placeholder \[\[date:nothing\]\]"),
    ],
)
def test_placeholder_mistakes_name_the_page(tmp_path, markdown, message):
    root = project(tmp_path)
    if message is None:
        assert render(root, markdown, "docs/tips/x.md") == markdown
        return
    with pytest.raises(PluginError, match=message):
        render(root, markdown, "docs/tips/x.md")


def without(field: str) -> str:
    """The real price file with one field of [gpu."NVIDIA RTX A6000"] removed."""
    lines = (PROJECT / "data" / "prices.toml").read_text().splitlines(keepends=True)
    start = lines.index('[gpu."NVIDIA RTX A6000"]\n')
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
    kept = [line for line in lines[start:end] if not line.startswith(f"{field} =")]
    return "".join(lines[:start] + kept + lines[end:])


@pytest.mark.parametrize("field", ["source", "checked"])
def test_a_price_without_source_or_date_fails_naming_the_entry(tmp_path, field):
    with pytest.raises(PluginError, match=rf"\[gpu\.NVIDIA RTX A6000\] has no {field}"):
        render(project(tmp_path, prices=without(field)), "no placeholders")


def test_a_checked_value_that_is_not_a_date_fails(tmp_path):
    text = (
        (PROJECT / "data" / "prices.toml")
        .read_text()
        .replace('checked = "2026-08-20"', 'checked = "last summer"', 1)
    )
    with pytest.raises(PluginError, match=r"checked = 'last summer' is not a YYYY-MM-DD date"):
        render(project(tmp_path, prices=text), "x")


def test_pages_without_placeholders_build_without_a_price_file(tmp_path):
    root = project(tmp_path)
    (root / "data" / "prices.toml").unlink()
    assert render(root, "plain page") == "plain page"
    with pytest.raises(PluginError, match=r"docs/page\.md: .* needs data/prices\.toml is missing"):
        render(root, "[[fact:topup_min]]")


# --- on the real site -----------------------------------------------------------------------


def test_the_built_site_has_no_placeholder_left_and_shows_tonight(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "[[fact:" not in text and "[[date:" not in text and "](repo:" not in text, page
    want = expected_tonight()
    for source in ("index.md", "intro.md"):
        article = soup_of(built_site / built_path(source)).select_one("article").get_text()
        assert f"{want['total']:.2f}ドル" in article, source
        assert f"{PRICES['billing']['minimum_topup']['usd']}ドル" in article, source
