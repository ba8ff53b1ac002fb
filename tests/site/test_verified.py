"""The stamps and the home page's promise (site_hooks/verified.py) at every state: no report,
a rehearsal on the local stand-in, a passed or failed real run, a stale one. A rehearsal
says what it proved and never looks like a real run."""

from __future__ import annotations

from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from site_hooks import verified

STEPS = ["setup_first", "setup_again"]
NOW = datetime.fromisoformat("2026-11-27T09:00:00+00:00")
LATER = datetime.fromisoformat("2026-12-05T09:00:00+00:00")


def report(target="real", failed=None, finished="2026-11-26T18:41:07Z", **extra) -> dict:
    steps = [{"name": name, "status": "failed" if name == failed else "passed",
              "seconds": 1.0, "checked": "x"} for name in STEPS]
    return {"target": target, "finished_at": finished, "gpu_name": "RTX A4000",
            "gpu_type": "NVIDIA RTX A4000", "steps": steps, **extra}


def text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


def test_without_any_report_the_page_says_nothing_is_proven_yet():
    stamp = verified.stamp_for(STEPS, None, NOW)
    assert stamp.state == "unverified" and "未検証" in text(stamp.html)
    assert "代役" not in text(stamp.html) and "成功" not in text(stamp.html)


def test_a_rehearsal_says_what_it_proved_and_when_never_passed():
    rehearsal = report("fake", commit="0123456789abcdef")
    rehearsal["steps"][0]["rehearsal"] = True
    stamp = verified.stamp_for(STEPS, None, NOW, rehearsal=rehearsal)
    words = text(stamp.html)
    assert stamp.state == "unverified" and words.startswith("? 最終動作確認: 未検証")
    assert "本物のPodでの確認はまだ" in words
    assert "2026-11-27にCIでローカルのRunpodの代役" in words and "通りました" in words
    assert "コミット 0123456" in words and "0123456789" not in words
    assert "setup_first は代役では形だけの確認です" in words
    assert "成功" not in words and "✓" not in words
    assert 'data-verified="unverified"' in stamp.html


def test_a_fake_report_in_the_live_slot_counts_as_a_rehearsal():
    stamp = verified.stamp_for(STEPS, report("fake"), NOW)
    assert stamp.state == "unverified" and stamp.rehearsal is not None and stamp.real is None


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
        (None, None, NOW, "まだ一度も記録されていません", "代役"),
        (None, report("fake"), NOW, "ローカルのRunpodの代役に対して通った日", "成功"),
        (report(), None, NOW, "すべての手順が通りました", "失敗"),
        (report(failed="setup_first"), None, NOW, "失敗した手順があり", "すべての手順が通り"),
        (report(), None, LATER, "日以上前の結果のため「古い」", "すべての手順が通り"),
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
        assert real["finished_at"][:10] in summary or "2026-11-27" in summary
        assert stamp.stale == (at == LATER)
