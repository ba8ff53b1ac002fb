"""site_hooks/facts.py: numbers, yen, dates and sources on pages come from data.

What a reader is promised: every price on a page is the one in data/prices.toml, or the one a
real nightly run read from Runpod on a later day, and shows its date; every derived dollar
amount also shows yen at a dated reference rate, and a stale rate shows its age; a fact from
data/facts.toml is cited with its source and date, and says 「要再確認」 when the drift job saw
its source change. What a maintainer is promised: a typo in a placeholder, a price or a fact
without its source or date, or a page that states a fact the registry does not list for it,
fails the build and names the page or the entry.
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
REGISTRY = tomllib.loads((PROJECT / "data" / "facts.toml").read_text(encoding="utf-8"))
RATE = REGISTRY["rate"]["usd_jpy"]["value"]
REPO_URL = load_config()["repo_url"]
SAMPLE = PROJECT / "tests" / "site" / "fixtures" / "live-report-prices.json"
TONIGHT_GPU = PRICES["tonight"]["gpu"]


def project(tmp_path: Path, prices: str | None = None, report: dict | None = None,
            registry: str | None = None, drift: dict | None = None) -> Path:
    """A folder with mkdocs.yml, data/ (the real files unless given) and reports."""
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    (tmp_path / "data").mkdir()
    for name, text in (("prices.toml", prices), ("facts.toml", registry)):
        real = (PROJECT / "data" / name).read_text(encoding="utf-8")
        (tmp_path / "data" / name).write_text(real if text is None else text, encoding="utf-8")
    (tmp_path / "reports").mkdir()
    for name, content in (("live-report.json", report), ("drift.json", drift)):
        if content is not None:
            (tmp_path / "reports" / name).write_text(json.dumps(content))
    return tmp_path


def render(root: Path, markdown: str, page: str = "docs/page.md", repo_url=REPO_URL) -> str:
    config = SimpleNamespace(config_file_path=str(root / "mkdocs.yml"), repo_url=repo_url,
                             docs_dir=str(root / "docs"))
    facts.on_config(config)
    file = SimpleNamespace(src_uri=Path(page).name, abs_src_path=str(root / page))
    return facts.on_page_markdown(markdown, page=SimpleNamespace(file=file), config=config,
                                  files=None)


@pytest.fixture(autouse=True)
def no_reports_from_the_environment(monkeypatch):
    for name in ("LIVE_REPORT", "DRIFT_REPORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SITE_NOW", "2026-11-02T03:00:00Z")  # three days after the rate's day


# --- values, from the price file ------------------------------------------------------------


def expected_tonight() -> dict[str, float]:
    tonight = PRICES["tonight"]
    gpu = PRICES["gpu"][tonight["gpu"]]["usd_per_hour"]
    volume = PRICES["storage"]["runpod_volume"]["usd_per_gb_month"]
    gpu_cost = gpu * tonight["hours"]
    volume_day = tonight["volume_gb"] * volume * 24 / 730
    return {"gpu": gpu, "gpu_cost": gpu_cost, "volume_day": volume_day,
            "total": gpu_cost + volume_day}


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


def test_every_gpu_of_the_price_file_has_its_hourly_price(tmp_path):
    text = render(project(tmp_path, report=sample()),
                  "[[fact:gpu_hour_rtx_a6000]] [[date:gpu_hour_rtx_a6000]] "
                  "[[fact:gpu_hour_rtx_4090]] [[yen:gpu_hour_rtx_4090]]")
    # Both read by the run on 2026-12-06, cheaper than the file's: the reading wins.
    assert text == f"0.49ドル 2026年12月7日 0.59ドル {facts.yen(0.59 * RATE)}"  # 03:40 in Japan


@pytest.mark.parametrize(
    ("value", "shown"),
    [(10, "10ドル"), (0.07, "0.07ドル"), (0.2, "0.20ドル"), (0.0025, "0.0025ドル")],
)
def test_dollars_are_written_as_the_pages_write_them(value, shown):
    assert facts.usd(value) == shown


# --- yen, at the dated reference rate -------------------------------------------------------


@pytest.mark.parametrize(("value", "shown"), [(367.9, "約368円"), (1234.4, "約1,234円"),
                                              (0.39, "約0.4円")])
def test_yen_are_written_as_the_pages_write_them(value, shown):
    assert facts.yen(value) == shown


def test_every_derived_amount_has_its_yen(tmp_path):
    want = expected_tonight()
    text = render(project(tmp_path), "[[yen:tonight_total]] [[yen:tonight_gpu_cost]] "
                                     "[[yen:volume_month 200]]")
    volume = PRICES["storage"]["runpod_volume"]["usd_per_gb_month"]
    assert text == " ".join(facts.yen(usd * RATE) for usd in (
        want["total"], want["gpu_cost"], 200 * volume))


def test_the_rate_says_where_and_on_which_day_it_was_read(tmp_path):
    text = render(project(tmp_path), "[[rate:usd_jpy]]")
    assert text == (f"1ドル＝{RATE:g}円（[欧州中央銀行（ECB）の参照レート]"
                    f"({REGISTRY['rate']['usd_jpy']['url']})、2026年10月30日）")


def test_a_stale_rate_shows_its_age(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_NOW", "2026-12-06T12:00:00+09:00")
    text = render(project(tmp_path), "[[rate:usd_jpy]]")
    assert "2026年10月30日。37日前のレートなので、いまの為替とずれていることがあります）" in text


def test_the_drift_jobs_newer_rate_replaces_the_stored_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_NOW", "2026-12-07T08:00:00+09:00")
    drift = {"rate": {"value": 150.5, "day": "2026-12-05"}, "facts": {}}
    root = project(tmp_path, drift=drift)
    assert render(root, "[[rate:usd_jpy]]").startswith("1ドル＝150.5円（")
    assert "2026年12月5日）" in render(root, "[[rate:usd_jpy]]")  # two days: not stale
    assert render(root, "[[yen:topup_min]]") == facts.yen(10 * 150.5)


@pytest.mark.parametrize("seen", [
    {"value": 150.5, "day": "2026-10-01"},  # older than the stored one
    {"value": "150", "day": "2026-12-05"}, {"value": -1, "day": "2026-12-05"},
    {"value": 150.5, "day": "yesterday"}, "150.5",
], ids=["older", "text", "negative", "no date", "not an object"])
def test_a_drift_rate_that_is_older_or_odd_is_ignored(tmp_path, seen):
    root = project(tmp_path, drift={"rate": seen})
    assert render(root, "[[yen:topup_min]]") == facts.yen(10 * RATE)


def test_yen_of_something_that_is_not_money_fails(tmp_path):
    with pytest.raises(PluginError, match=r"docs/page\.md: .*tonight_gpu_name is not an amount"):
        render(project(tmp_path), "[[yen:tonight_gpu_name]]")


# --- values, from a real run's newer reading ------------------------------------------------


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def test_a_newer_real_reading_wins_and_shows_its_own_date(tmp_path):
    root = project(tmp_path, report=sample())
    text = render(root, "[[fact:tonight_gpu_hour]] [[date:tonight_gpu_hour]] "
                        "[[source:tonight_gpu_hour]]")
    # The cheapest data center's list price, the day it was read, the page to check it on.
    assert text == f"0.59ドル 2026年12月7日 {PRICES['gpu'][TONIGHT_GPU]['source']}"  # in Japan


def test_a_report_never_changes_the_volume_price(tmp_path):
    report = sample()
    report["prices"]["volume"] = {"tier": "STANDARD", "usd_per_gb_month": 0.01, "source": "x"}
    text = render(project(tmp_path, report=report),
                  "[[fact:volume_gb_month]] [[date:volume_gb_month]]")
    volume = PRICES["storage"]["runpod_volume"]
    y, m, d = (int(part) for part in volume["checked"].split("-"))
    assert text == f"{facts.usd(volume['usd_per_gb_month'])} {y}年{m}月{d}日"


def old_format() -> dict:
    """A report of the shape before 2026-12 (`seen_at`, `usd_per_hour`): it read nothing new."""
    return {"target": "real", "prices": {"seen_at": "2099-01-02T03:04:05Z", "gpus": [
        {"gpu_type": TONIGHT_GPU, "gpu_name": "x", "data_center": "A", "usd_per_hour": 0.01}]}}


def with_rows(rows: list, read_at="2099-01-01T00:00:00Z") -> dict:
    return {"target": "real", "prices": {"read_at": read_at, "gpus": rows}}


@pytest.mark.parametrize("stale", [
    dict(sample(), target="fake"),
    with_rows([{"id": TONIGHT_GPU, "price": 0.01}], read_at="2001-01-01T00:00:00Z"),
    {"target": "real"},
    with_rows([{"id": TONIGHT_GPU, "price": 0.01}], read_at="last night"),
    with_rows([{"id": TONIGHT_GPU, "price": "cheap"}, {"id": TONIGHT_GPU, "price": -1}, "?",
               {"price": 0.01}, {"id": TONIGHT_GPU, "price": True}]),
    old_format(),
    ["not", "a", "report"],
], ids=["rehearsal", "older than the file", "no prices", "unreadable time", "odd rows",
        "old format", "not an object"])
def test_the_file_wins_over_a_rehearsal_an_older_or_odd_report(tmp_path, stale):
    text = render(project(tmp_path, report=stale), "[[fact:tonight_gpu_hour]]")
    assert text == facts.usd(PRICES["gpu"][TONIGHT_GPU]["usd_per_hour"])


def test_live_report_path_comes_from_the_environment(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(with_rows([{"id": TONIGHT_GPU, "price": 0.29}])))
    monkeypatch.setenv("LIVE_REPORT", str(elsewhere))
    (tmp_path / "p").mkdir()
    assert render(project(tmp_path / "p"), "[[fact:tonight_gpu_hour]]") == "0.29ドル"


# --- facts of data/facts.toml -----------------------------------------------------------------


def test_a_fact_is_cited_with_its_source_and_date(tmp_path):
    fact = REGISTRY["fact"]["spend_limit"]
    y, m, d = (int(part) for part in fact["checked"].split("-"))
    text = render(project(tmp_path), "（[[cite:spend_limit]]）")
    assert text == f"（[{fact['label']}]({fact['url']})、{y}年{m}月{d}日時点）"


def drift_about(name: str, status: str, checked: str | None = None) -> dict:
    checked = checked or REGISTRY["fact"][name]["checked"]
    return {"facts": {name: {"status": status, "checked": checked, "detail": "x"}}}


def test_a_fact_whose_source_changed_says_recheck(tmp_path):
    text = render(project(tmp_path, drift=drift_about("spend_limit", "changed")),
                  "[[cite:spend_limit]]")
    assert text.endswith("時点、**要再確認**")


def test_a_price_whose_source_changed_says_recheck_next_to_its_date(tmp_path):
    root = project(tmp_path, drift=drift_about("volume_price", "changed"))
    assert render(root, "[[date:volume_gb_month]]").endswith("（**要再確認**）")


@pytest.mark.parametrize("status", ["unchanged", "unknown", "manual", "something else"])
def test_only_a_changed_source_says_recheck(tmp_path, status):
    text = render(project(tmp_path, drift=drift_about("spend_limit", status)),
                  "[[cite:spend_limit]]")
    assert "要再確認" not in text


def test_a_drift_result_about_an_older_check_says_nothing(tmp_path):
    drift = drift_about("spend_limit", "changed", checked="2001-01-01")
    assert "要再確認" not in render(project(tmp_path, drift=drift), "[[cite:spend_limit]]")


def registry_without(name: str, field: str) -> str:
    """data/facts.toml with one field of [fact.NAME] removed."""
    lines = (PROJECT / "data" / "facts.toml").read_text().splitlines(keepends=True)
    start = lines.index(f"[fact.{name}]\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    kept = [line for line in lines[start:end] if not line.startswith(f"{field} =")]
    return "".join(lines[:start] + kept + lines[end:])


@pytest.mark.parametrize(("field", "message"), [
    ("url", r"\[fact\.spend_limit\] has no url \(every fact needs its source"),
    ("checked", r"\[fact\.spend_limit\] has no checked"),
    ("paths", r"\[fact\.spend_limit\]: check = 'commits' needs paths"),
    ("pages", r"\[fact\.spend_limit\] names no pages"),
])
def test_a_fact_without_its_source_or_date_fails_the_build(tmp_path, field, message):
    with pytest.raises(PluginError, match=message):
        render(project(tmp_path, registry=registry_without("spend_limit", field)), "x")


@pytest.mark.parametrize(("old", "new", "message"), [
    ('checked = "2026-08-20"\npages = ["runpod.md"]\n\n[fact.prepaid',
     'checked = "last summer"\npages = ["runpod.md"]\n\n[fact.prepaid', "is not a YYYY-MM-DD date"),
    ('check = "manual"\nhow = "Read the issuer', 'check = "guess"\nhow = "Read the issuer',
     r"check = 'guess'; one of"),
    ('url = "https://docs.runpod.io/accounts-billing/referrals"',
     'url = "http://docs.runpod.io/accounts-billing/referrals"', "must be an https:// link"),
    ("value = 157.25", "value = -3", r"\[rate\.usd_jpy\]: value must be a positive"),
])
def test_a_malformed_fact_fails_naming_it(tmp_path, old, new, message):
    text = (PROJECT / "data" / "facts.toml").read_text()
    assert text.count(old) == 1
    with pytest.raises(PluginError, match=message):
        render(project(tmp_path, registry=text.replace(old, new)), "x")


def test_citations_and_the_registry_must_agree():
    registry = facts.factbook.parse((PROJECT / "data" / "facts.toml").read_text())
    uses = {name: {f"docs/{page}" for page in fact.pages if page.endswith(".md")}
            for name, fact in registry.facts.items()}
    facts.check_citations(registry, uses, "docs")  # as the real site: agrees
    extra = {**uses, "spend_limit": uses["spend_limit"] | {"docs/pod.md"}}
    with pytest.raises(PluginError, match=r"docs/pod\.md states the fact 'spend_limit', but "
                                          r"data/facts\.toml does not list the page"):
        facts.check_citations(registry, extra, "docs")
    missing = {**uses, "spend_limit": set()}
    with pytest.raises(PluginError, match=r"\[fact\.spend_limit\] lists docs/runpod\.md, "
                                          r"which never cites it"):
        facts.check_citations(registry, missing, "docs")


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
        ("[[fact:tonite_total]]",
         r"docs/tips/x\.md: unknown placeholder \[\[fact:tonite_total\]\]"),
        ("[[fact:Tonight]]", r"docs/tips/x\.md: malformed placeholder \[\[fact:Tonight\]\]"),
        ("[[price:tonight_total]]", None),  # not ours: left alone
        ("[[fact:volume_month]]", r"docs/tips/x\.md: .* takes a size"),
        ("[[fact:tonight_total 3]]", r"docs/tips/x\.md: .* takes no size"),
        ("[[date:nothing]]", r"unknown placeholder \[\[date:nothing\]\]"),
        ("[[cite:nothing]]", r"docs/tips/x\.md: unknown fact \[\[cite:nothing\]\]"),
        ("[[rate:eur_jpy]]", r"docs/tips/x\.md: unknown rate \[\[rate:eur_jpy\]\]"),
    ],
)
def test_placeholder_mistakes_name_the_page(tmp_path, markdown, message):
    root = project(tmp_path)
    if message is None:
        assert render(root, markdown, "docs/tips/x.md") == markdown
        return
    with pytest.raises(PluginError, match=message):
        render(root, markdown, "docs/tips/x.md")


def prices_without(field: str) -> str:
    """The real price file with one field of [gpu."NVIDIA RTX A6000"] removed."""
    lines = (PROJECT / "data" / "prices.toml").read_text().splitlines(keepends=True)
    start = lines.index('[gpu."NVIDIA RTX A6000"]\n')
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
    kept = [line for line in lines[start:end] if not line.startswith(f"{field} =")]
    return "".join(lines[:start] + kept + lines[end:])


@pytest.mark.parametrize("field", ["source", "checked"])
def test_a_price_without_source_or_date_fails_naming_the_entry(tmp_path, field):
    with pytest.raises(PluginError, match=rf"gpu「NVIDIA RTX A6000」に {field} がありません"):
        render(project(tmp_path, prices=prices_without(field)), "no placeholders")


def test_a_checked_value_that_is_not_a_date_fails(tmp_path):
    text = (PROJECT / "data" / "prices.toml").read_text().replace(
        'checked = "2026-08-20"', 'checked = "last summer"', 1)
    with pytest.raises(PluginError, match=r"の checked は 2026-11-27 の形の日付にしてください: "
                                          r"'last summer'"):
        render(project(tmp_path, prices=text), "x")


def test_pages_without_placeholders_build_without_a_price_file(tmp_path):
    root = project(tmp_path)
    (root / "data" / "prices.toml").unlink()
    assert render(root, "plain page") == "plain page"
    with pytest.raises(PluginError, match=r"docs/page\.md: .* needs data/prices\.toml is missing"):
        render(root, "[[fact:topup_min]]")


def test_citing_without_a_registry_fails_naming_the_page(tmp_path):
    root = project(tmp_path)
    (root / "data" / "facts.toml").unlink()
    assert render(root, "plain page") == "plain page"
    with pytest.raises(PluginError, match=r"docs/page\.md: \[\[cite:spend_limit\]\] needs "
                                          r"data/facts\.toml"):
        render(root, "[[cite:spend_limit]]")


# --- on the real site -----------------------------------------------------------------------


def test_the_built_site_has_no_placeholder_left_and_shows_tonight(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for left in ("[[fact:", "[[yen:", "[[date:", "[[cite:", "[[rate:", "](repo:"):
            assert left not in text, (page, left)
    want = expected_tonight()
    for source in ("index.md", "intro.md"):
        article = soup_of(built_site / built_path(source)).select_one("article").get_text()
        assert f"{want['total']:.2f}ドル" in article, source
        assert facts.yen(want["total"] * RATE) in article, source
        assert f"{PRICES['billing']['minimum_topup']['usd']}ドル" in article, source
        assert f"1ドル＝{RATE:g}円" in article and "2026年10月30日" in article, source


def test_the_project_registry_parses_and_every_page_it_names_exists():
    registry = facts.factbook.parse((PROJECT / "data" / "facts.toml").read_text())
    for fact in registry.facts.values():
        for page in fact.pages:
            assert (PROJECT / "docs" / page).is_file(), (fact.name, page)
    for name, entry in REGISTRY["fact"].items():
        for path in entry.get("files", []):
            assert (PROJECT / path).exists(), (name, path)
