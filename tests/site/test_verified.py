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
        assert real["finished_at"][:10] in summary or "2026-11-27" in summary
        assert stamp.stale == (at == LATER)


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
    home = BeautifulSoup((built_site / "index.html").read_text("utf-8"), "html.parser")
    sentence = home.select_one("article .kgl-stamps-summary [data-trust]").get_text()
    for page in sorted(built_site.rglob("index.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        if soup.select_one(".md-footer") is None:
            continue  # redirect pages (/go/runpod/) have no footer
        footer = soup.select_one(".md-copyright [data-trust]")
        assert footer is not None and footer.get_text() == sentence, page
