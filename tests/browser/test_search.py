"""Japanese search finds the page a reader means, compound words included.

Real input methods fire key events while composing; Playwright's fill() does not, and
Material reads the search box on keyup, so each query ends with a key press (End).
"""

from __future__ import annotations

import pytest

# query -> the page (site-relative) that must be among the first results
EXPECTED = {
    "永続化": "pod/",
    "環境変数": "tips/secrets/",
    "計算リソース": "intro/",
    "ネットワークボリューム": "storage/",
    "料金": "runpod/",
    "費用": "tips/storage-cost/",
    "Secrets": "tips/secrets/",
    "飛行機雲": "stories/",
    "セットアップスクリプト": "tips/setup-script/",
    "仮想環境": "tips/python-env/",
}
TOP = 3  # the page must be one of the first TOP articles listed


def search(page, query: str) -> list[str]:
    """Type a query like a reader with an IME and return the article URLs found, in order."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    meta = page.locator(".md-search-result__meta")
    # Material writes the result count into the meta line once the worker answered.
    page.wait_for_function(
        "q => { const m = document.querySelector('.md-search-result__meta');"
        " const i = document.querySelector('input.md-search__input');"
        " return m && i && i.value === q && /見つかり/.test(m.textContent); }",
        arg=query,
    )
    assert meta.is_visible()
    return page.eval_on_selector_all(
        ".md-search-result__list > .md-search-result__item > a.md-search-result__link",
        "els => els.map(e => e.href)",
    )


@pytest.fixture
def search_page(new_page, site_url):
    page = new_page()
    page.goto(site_url)
    return page


@pytest.mark.parametrize("query", list(EXPECTED))
def test_japanese_query_finds_page(search_page, site_url, query):
    found = search(search_page, query)
    want = site_url + EXPECTED[query]
    top = [u.split("#")[0] for u in found[:TOP]]
    assert want in top, f"{query!r}: expected {want} in the first {TOP}, got {found[:5]}"


def test_compound_word_is_not_split_into_noise(search_page, site_url):
    """計算リソース must rank the intro first, not every page that says 計算 or リソース."""
    found = search(search_page, "計算リソース")
    assert found and found[0].split("#")[0] == site_url + EXPECTED["計算リソース"], found[:5]


def test_nonsense_query_finds_nothing(search_page):
    assert search(search_page, "ぬぬぬぬ") == []
