"""Japanese search finds the page a reader means: words, compounds and whole questions.

Three fixes make this work. Material's search cut 計算リソース into 計算 + リソース in the
pages but looked the query up as one word; the `separator` in mkdocs.yml now splits both at
script changes (kanji, katakana, Latin). Material dropped the last piece of a kanji query
(環境変数 -> 環境). And a question such as 「残高が尽きた」 found nothing: site_hooks/search_ja.py
cuts questions the way the index is cut, drops particles, adds synonyms and ranks pages
whose headings hold the reader's words first (site_hooks/search_questions.yml).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.sitecheck import search_questions
from scripts.sitecheck.search_questions import search

# query -> pages (site-relative) of which at least one must be among the first TOP results:
# the page a reader typing this word is looking for.
EXPECTED = {
    "永続化": {"pod/", "tips/workspace/", "storage/"},
    "環境変数": {"tips/secrets/"},
    "計算リソース": {"intro/"},
    "ネットワークボリューム": {"storage/", "tips/storage-cost/"},
    "料金": {"runpod/", "notebooks/cost/", "tips/storage-cost/", "pod/"},  # pod: GPU prices
    "費用": {"notebooks/cost/", "tips/storage-cost/", "cleanup/"},
    "Secrets": {"tips/secrets/"},
    "飛行機雲": {"stories/", "notebooks/cost/"},
    "Runpodの料金": {"runpod/"},
    "セットアップスクリプト": {"tips/setup-script/"},
    "仮想環境": {"tips/python-env/"},
}
TOP = 3
# Words that mix scripts or run kanji together: every page that contains one must be found.
COMPOUNDS = [
    "計算リソース",
    "ネットワークボリューム",
    "環境変数",
    "飛行機雲",
    "セットアップスクリプト",
]


def pages_containing(built_site: Path, word: str) -> set[str]:
    """Pages whose indexed title or text contains the word (what search should find)."""
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    word = word.lower()
    return {
        doc["location"].split("#")[0]
        for doc in index["docs"]
        if word in (doc.get("title", "") + " " + doc.get("text", "")).lower()
    }


@pytest.fixture(scope="module")
def question_page(chromium, site_server):
    """One page of the site for every question (a reader asking one after another)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(site_server)
    yield page
    context.close()


@pytest.mark.parametrize("query", list(EXPECTED))
def test_query_finds_the_page_a_reader_means(question_page, built_site, query):
    found = search(question_page, query, first=TOP)
    assert EXPECTED[query] & set(found[:TOP]), (
        f"{query!r}: expected one of {sorted(EXPECTED[query])} in the first {TOP}, got {found[:6]}"
    )
    # Where the site uses the word itself, the best hit says it, not only a piece of it.
    if pages_containing(built_site, query):
        assert found[0] in pages_containing(built_site, query), (query, found[:3])


@pytest.mark.parametrize("word", COMPOUNDS)
def test_compound_words_are_found(question_page, built_site, word):
    expected = pages_containing(built_site, word)
    found = search(question_page, word)
    missing = expected - set(found)
    assert not missing, f"{word!r} is on {sorted(missing)} but search did not find it: {found}"


def test_nonsense_query_finds_nothing(question_page):
    assert search(question_page, "ぬぬぬぬ") == []


HIT_RATE = 0.9  # the right page first for at least nine questions in ten (issue 21)
QUESTIONS = search_questions.load()


def test_at_most_one_question_in_ten_is_a_known_miss():
    known = [q.question for q in QUESTIONS if q.known_miss]
    assert len(QUESTIONS) >= 60
    assert len(QUESTIONS) - len(known) >= HIT_RATE * len(QUESTIONS), known


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(
            q,
            marks=[pytest.mark.xfail(reason=q.known_miss, strict=True)] if q.known_miss else [],
            id=q.question,
        )
        for q in QUESTIONS
    ],
)
def test_the_right_page_comes_first(question_page, question):
    """Each question of the set, as a reader types it: its page comes first. A known miss
    must still miss (strict xfail): answered right, its mark is to be taken off."""
    found = search(question_page, question.question, first=1)
    assert found[:1] == [question.url_path], f"expected {question.url_path or '/'}, got {found[:3]}"


def test_results_never_strike_through_words_the_reader_did_not_type(question_page):
    """Material lists a result's missing query words struck through; the search adds
    synonyms (料金 -> 費用, お金, 円...), which must never show up there."""
    typed = "料金を止めたい"
    search(question_page, typed)
    struck = question_page.locator(".md-search-result__terms del").all_text_contents()
    assert all(word in typed for word in struck), struck
