"""The 「最終動作確認」 stamp and the home page's promise (site_hooks/verified.py) in every
state: no report, a rehearsal on the local stand-in, a passed or failed real run, a stale
one, a broken report; and a real build that stamps the pages live/page_steps.yml lists.

A rehearsal says what it proved and never looks like a real run. Reports are built to the
contract (live/report.schema.json); that live/page_steps.yml names real pages and real
steps of the replay is the live part's test (tests/live/)."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from live.report import validate
from site_hooks import verified
from tests import ROOT
from tests.site.pages import soup_of
from tests.site.test_bad_input import make_project, mkdocs_build_strict

STEPS = ["setup_first", "setup_again"]
FINISHED = "2026-11-26T18:41:07Z"  # 2026-11-27 03:41 in Japan
NOW = datetime.fromisoformat("2026-11-27T09:00:00+00:00")
LATER = datetime.fromisoformat("2026-12-05T09:00:00+00:00")


def report(target="real", failed=None, skipped=(), finished=FINISHED, **extra) -> dict:
    """A report as live/report.py writes it: valid against the schema."""
    steps = [
        {
            "name": name,
            "seconds": 1.0,
            "checked": "x",
            "status": "failed" if name == failed else "skipped" if name in skipped else "passed",
        }
        for name in STEPS
    ]
    written = {
        "schema_version": 1,
        "run_id": "20261126t182001z-0a1b2c",
        "target": target,
        "started_at": "2026-11-26T18:20:01Z",
        "finished_at": finished,
        "wall_seconds": 1266.0,
        "outcome": "failed" if failed else "passed",
        "failed_step": failed,
        "image": "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404",
        "gpu_type": "NVIDIA RTX A4000",
        "gpu_name": "RTX A4000",
        "data_center": "EU-RO-1",
        "price_per_hour": 0.25,
        "estimated_cost_usd": 0.09,
        "budget": {"max_cost_usd": 0.25, "max_price_per_hour": 0.5, "max_wall_seconds": 1200},
        "steps": steps,
        "leaked": [],
        **extra,
    }
    validate(written)  # live/report.schema.json, the schema the replay writes to
    return written


def text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


def test_a_fresh_pass_says_when_and_on_which_gpu():
    stamp = verified.stamp_for(STEPS, report(), NOW)
    assert stamp.state == "passed" and not stamp.stale
    assert text(stamp.html) == "✓ 最終動作確認: 2026-11-27 · 成功 · RTX A4000"
    assert f'datetime="{FINISHED}"' in stamp.html
    assert 'aria-hidden="true"' in stamp.html  # the icon only repeats the word


def test_a_failed_step_fails_its_pages_only():
    run = report(failed="setup_again")
    failed = verified.stamp_for(STEPS, run, NOW)
    assert failed.state == "failed"
    assert text(failed.html).startswith("✗ 最終動作確認: 2026-11-27 · 失敗 · RTX A4000")
    assert "setup_again" in text(failed.html)
    assert verified.stamp_for(["setup_first"], run, NOW).state == "passed"


def test_pages_a_failed_run_never_reached_are_not_verified():
    run = report(failed="setup_first", skipped=["setup_again"])
    stamp = verified.stamp_for(["setup_again"], run, NOW)
    assert stamp.state == "unverified"
    assert "未検証" in text(stamp.html) and "成功" not in text(stamp.html)


def test_stale_three_days_after_the_run_and_not_a_second_before():
    stale = verified.stamp_for(STEPS, report(), datetime.fromisoformat("2026-11-29T18:41:08Z"))
    assert stale.state == "passed" and stale.stale
    assert "古い" in text(stale.html) and "2026-11-27" in text(stale.html)
    fresh = verified.stamp_for(STEPS, report(), datetime.fromisoformat("2026-11-29T18:41:07Z"))
    assert not fresh.stale and "古い" not in text(fresh.html)


def test_without_any_report_the_page_says_nothing_is_proven_yet():
    stamp = verified.stamp_for(STEPS, None, NOW)
    assert stamp.state == "unverified"
    assert text(stamp.html).startswith("? 最終動作確認: 未検証")
    assert "代役" not in text(stamp.html) and "成功" not in text(stamp.html)


def test_a_rehearsal_says_what_it_proved_and_when_never_passed():
    rehearsal = report("fake", commit="0123456789abcdef")
    rehearsal["steps"][0]["rehearsal"] = True
    stamp = verified.stamp_for(STEPS, None, NOW, rehearsal=rehearsal)
    words = text(stamp.html)
    assert stamp.state == "unverified" and words.startswith("? 最終動作確認: 未検証")
    assert "本物のPodでの確認はまだ" in words and "本物ではない" in words
    assert "2026-11-27にCIでローカルのRunpodの代役" in words and "通りました" in words
    assert "コミット 0123456" in words and "0123456789" not in words
    assert "setup_first は代役では形だけの確認です" in words
    assert "成功" not in words and "✓" not in words and "最終動作確認: 2026-11-27" not in words
    assert 'data-verified="unverified"' in stamp.html


def test_a_fake_report_in_the_live_slot_counts_as_a_rehearsal():
    stamp = verified.stamp_for(STEPS, report("fake"), NOW)
    assert stamp.state == "unverified" and stamp.rehearsal is not None and stamp.real is None
    assert "成功" not in text(stamp.html)


def test_a_failed_rehearsal_says_so():
    stamp = verified.stamp_for(STEPS, None, NOW, rehearsal=report("fake", failed="setup_again"))
    assert "手順が失敗しました" in text(stamp.html) and "通りました" not in text(stamp.html)


def test_the_real_run_leads_and_the_rehearsal_follows():
    stamp = verified.stamp_for(STEPS, report(), NOW, rehearsal=report("fake"))
    words = text(stamp.html)
    assert stamp.state == "passed"
    assert words.startswith("✓ 最終動作確認: 2026-11-27 · 成功 · RTX A4000")
    assert words.index("成功") < words.index("代役")


@pytest.mark.parametrize(
    ("real", "rehearsal", "at", "says", "never"),
    [
        (None, None, NOW, "記録は、まだありません", "通りました"),
        (None, report("fake"), NOW, "代役（ローカルの模擬環境）で通りました", "成功"),
        (report(), None, NOW, "本物のPod（RTX A4000）ですべて通りました", "失敗"),
        (report(failed="setup_first"), None, NOW, "失敗した手順があり", "すべて通りました"),
        (report(), None, LATER, "「古い」という印", "すべて通りました"),
    ],
    ids=["no report", "rehearsal", "passed", "failed", "stale"],
)
def test_the_home_page_promises_what_the_pages_show(real, rehearsal, at, says, never):
    summary = text(verified.summary_for(real, rehearsal, at))
    assert says in summary and never not in summary
    stamp = verified.stamp_for(STEPS, real, at, rehearsal=rehearsal)
    if real is None:  # the pages say 未検証, and so does the home page's sentence
        assert "未検証" in text(stamp.html) and "未検証" in summary
    else:
        assert "2026-11-27" in summary
        assert stamp.stale == (at == LATER)


def test_now_comes_from_site_now_or_the_clock(monkeypatch):
    monkeypatch.setenv("SITE_NOW", "2026-12-01")
    assert verified.now().isoformat() == "2026-12-01T00:00:00+00:00"
    monkeypatch.delenv("SITE_NOW")
    assert abs((verified.now() - datetime.now(verified.UTC)).total_seconds()) < 5


def test_the_stamp_goes_under_the_title():
    html = '<h1 id="x">Podのデプロイ</h1>\n<p>本文</p>'
    stamp = verified.stamp_for(["pod1_ready"], None, NOW).html
    out = verified._insert(html, stamp)
    assert out.index("</h1>") < out.index("kgl-verified") < out.index("本文")
    assert verified._insert("<p>本文</p>", stamp).startswith(stamp)


def test_a_broken_report_fails_the_build_and_a_missing_one_is_none(tmp_path):
    bad = copy.deepcopy(report())
    del bad["leaked"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    schema = ROOT / "live/report.schema.json"
    with pytest.raises(verified.PluginError, match="not a valid live report"):
        verified.load_report(path, schema)
    assert verified.load_report(tmp_path / "none.json", schema) is None


def test_a_build_with_a_real_report_stamps_the_listed_pages_only(tmp_path, monkeypatch):
    """A strict build of a reduced copy of the project (tests/site/test_bad_input.py) whose
    live/page_steps.yml lists one of its two pages."""
    root = make_project(tmp_path / "project")
    (root / "live/page_steps.yml").write_text(yaml.safe_dump({"other.md": STEPS}), "utf-8")
    (tmp_path / "live-report.json").write_text(json.dumps(report()), encoding="utf-8")
    monkeypatch.setenv("LIVE_REPORT", str(tmp_path / "live-report.json"))
    monkeypatch.setenv("REHEARSAL_REPORT", str(tmp_path / "no-rehearsal.json"))
    monkeypatch.setenv("SITE_NOW", "2026-11-27T09:00:00Z")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    code, log = mkdocs_build_strict(root)
    assert code == 0, log
    other = BeautifulSoup((root / "site/other/index.html").read_text("utf-8"), "html.parser")
    badge = other.select_one("article .kgl-verified")
    assert badge is not None
    assert badge.get_text(" ", strip=True).startswith("✓ 最終動作確認:")
    assert "成功" in badge.get_text() and "2026-11-27" in badge.get_text()
    home = (root / "site/index.html").read_text(encoding="utf-8")
    article = BeautifulSoup(home, "html.parser").select_one("article")
    assert "kgl-verified" not in article.decode().replace("kgl-verified-summary", "")
    summary = article.select_one(".kgl-stamps-summary").get_text()  # the home page's promise
    assert "2026-11-27" in summary and "失敗" not in summary and "未検証" not in summary
    assert "stylesheets/verified.css" in home


# --- one message about trust: the footer and the home page ---------------------------------

TRUST_CASES = [
    (None, None, NOW, "none", "まだありません", ("通りました", "成功")),
    (None, report("fake"), NOW, "rehearsed", "代役（ローカルの模擬環境）で通りました",
     ("本物のPodで手順を最後", "すべて通りました。各")),
    (None, report("fake", failed="setup_first"), NOW, "rehearsal_failed",
     "失敗した手順がありました", ("通りました",)),
    (report(), None, NOW, "passed", "2026-11-27に本物のPod（RTX A4000）ですべて通りました",
     ("代役", "失敗")),
    (report(failed="setup_first"), None, NOW, "failed", "本物のPodで手順を試したところ、失敗",
     ("すべて通りました",)),
    (report(), None, LATER, "stale", "2026-11-27で（結果: 成功）、3日以上前です",
     ("すべて通りました",)),
]


@pytest.mark.parametrize(("real", "rehearsal", "at", "state", "says", "never"), TRUST_CASES,
                         ids=[case[3] for case in TRUST_CASES])
def test_the_footer_and_the_home_page_say_the_same_thing(real, rehearsal, at, state, says, never):
    footer = BeautifulSoup(verified.trust_for(real, rehearsal, at), "html.parser")
    summary = BeautifulSoup(verified.summary_for(real, rehearsal, at), "html.parser")
    assert footer.select_one("[data-trust]")["data-trust"] == state
    sentence = footer.get_text()
    assert says in sentence
    for word in never:
        assert word not in sentence, (state, word)
    # The home page opens with the footer's sentence, word for word.
    assert summary.select_one("[data-trust]").get_text() == sentence
    assert summary.get_text().startswith(sentence)


def test_every_footer_of_the_built_site_repeats_the_home_pages_sentence(built_site):
    home = soup_of(built_site / "index.html")
    sentence = home.select_one("article .kgl-stamps-summary [data-trust]").get_text()
    for page in sorted(built_site.rglob("index.html")):
        soup = soup_of(page)  # parsed once per worker, shared with the other site tests
        if soup.select_one(".md-footer") is None:
            continue  # redirect pages (/go/runpod/) have no footer
        footer = soup.select_one(".md-copyright [data-trust]")
        assert footer is not None and footer.get_text() == sentence, page
