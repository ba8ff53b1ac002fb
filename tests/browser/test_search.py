"""Japanese search finds the page a reader means, compound words included.

Real input methods fire key events while composing; Playwright's fill() does not, and
Material reads the search box on keyup, so each query ends with a key press (End).

Two fixes make this work (test_compound_words_are_found guards both): Material's search
cut 計算リソース into 計算 + リソース in the pages but looked the query up as one word and
found nothing; the `separator` in mkdocs.yml now splits both at script changes (kanji,
katakana, Latin). And Material dropped the last piece of a kanji query (環境変数 -> 環境);
site_hooks/search_ja.py fixes that in the built search worker.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# query -> pages (site-relative) of which at least one must be among the first TOP results:
# the page a reader typing this word is looking for.
EXPECTED = {
    "永続化": {"pod/", "tips/workspace/", "storage/"},
    "環境変数": {"tips/secrets/"},
    "計算リソース": {"intro/"},
    "ネットワークボリューム": {"storage/", "tips/storage-cost/"},
    "料金": {"runpod/", "notebooks/cost/", "tips/storage-cost/"},
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
    "計算リソース", "ネットワークボリューム", "環境変数", "飛行機雲", "セットアップスクリプト",
]


def search(page, query: str) -> list[str]:
    """Type a query like a reader with an IME; return the pages found, best first."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    # Material writes 「N件見つかりました」 or 「何も見つかりませんでした」 once it has answered.
    page.wait_for_function(
        "q => { const m = document.querySelector('.md-search-result__meta');"
        " const i = document.querySelector('input.md-search__input');"
        " return m && i && i.value === q && /見つかり/.test(m.textContent); }",
        arg=query,
    )
    # Material renders ten results at a time and more as the list scrolls: scroll to the end.
    links = page.locator(".md-search-result__item > a.md-search-result__link")
    shown = -1
    while links.count() != shown:
        shown = links.count()
        page.locator(".md-search__scrollwrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
        page.wait_for_timeout(150)
    hrefs = links.evaluate_all("els => els.map(e => e.href)")
    found: list[str] = []
    for href in hrefs:  # results carry ?h=... highlights and #section anchors
        path = urlsplit(href).path.lstrip("/")
        if path not in found:
            found.append(path)
    return found


def pages_containing(built_site: Path, word: str) -> set[str]:
    """Pages whose indexed title or text contains the word (what search should find)."""
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    word = word.lower()
    return {
        doc["location"].split("#")[0]
        for doc in index["docs"]
        if word in (doc.get("title", "") + " " + doc.get("text", "")).lower()
    }


@pytest.fixture
def search_page(new_page, site_url):
    page = new_page()
    page.goto(site_url)
    return page


@pytest.mark.parametrize("query", list(EXPECTED))
def test_query_finds_the_page_a_reader_means(search_page, built_site, query):
    found = search(search_page, query)
    assert EXPECTED[query] & set(found[:TOP]), (
        f"{query!r}: expected one of {sorted(EXPECTED[query])} in the first {TOP}, got {found[:6]}"
    )
    # Where the site uses the word itself, the best hit says it, not only a piece of it.
    if pages_containing(built_site, query):
        assert found[0] in pages_containing(built_site, query), (query, found[:3])


@pytest.mark.parametrize("word", COMPOUNDS)
def test_compound_words_are_found(search_page, built_site, word):
    expected = pages_containing(built_site, word)
    found = search(search_page, word)
    missing = expected - set(found)
    assert not missing, f"{word!r} is on {sorted(missing)} but search did not find it: {found}"


def test_nonsense_query_finds_nothing(search_page):
    assert search(search_page, "ぬぬぬぬ") == []
