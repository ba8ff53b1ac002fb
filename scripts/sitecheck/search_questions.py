"""Ask the site's search the questions readers type, in a real browser.

The questions and the page that must come first live in site_hooks/search_questions.yml;
tests/browser/test_search.py asserts each one, and `make bench` reports the hit rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "site_hooks" / "search_questions.yml"


@dataclass(frozen=True)
class Question:
    question: str
    page: str  # the page's source under docs/, e.g. cleanup.md
    known_miss: str = ""  # why another page comes first today (a miss the set admits to)

    @property
    def url_path(self) -> str:
        """The site-relative URL of the page (use_directory_urls): tips/a.md -> tips/a/."""
        stem = PurePosixPath(self.page).with_suffix("")
        if stem.name == "index":
            return "" if stem.parent == PurePosixPath(".") else f"{stem.parent}/"
        return f"{stem}/"


def load(path: Path = QUESTIONS, docs: Path = ROOT / "docs") -> list[Question]:
    """The question set; a ValueError names every entry whose page does not exist."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    questions = [
        Question(str(entry["question"]), str(entry["page"]), str(entry.get("known_miss") or ""))
        for entry in entries
    ]
    missing = [f"{q.question!r} -> {q.page}" for q in questions if not (docs / q.page).is_file()]
    if missing:
        raise ValueError(f"{path.name}: no such page under docs/: {'; '.join(missing)}")
    return questions


def search(page, query: str, first: int | None = None) -> list[str]:
    """Type a query like a reader with an IME; return the pages found, best first: all of
    them, or at least the first `first` when that is all the caller judges (the list then
    is not scrolled for the rest, which Material renders four at a time).

    Real input methods fire key events while composing; Playwright's fill() does not, and
    Material reads the search box on keyup, so the query ends with a key press (End).
    """
    box = page.locator("input.md-search__input")
    box.click()
    # Empty the box first and wait until the last answer is gone: its count must not be
    # taken for this query's.
    box.fill("")
    box.press("End")
    page.wait_for_function(
        "() => !/見つかり/.test(document.querySelector('.md-search-result__meta').textContent)",
        polling=20,
    )
    box.fill(query)
    box.press("End")
    # Material writes 「N件見つかりました」 or 「何も見つかりませんでした」 once it has answered.
    page.wait_for_function(
        "q => { const m = document.querySelector('.md-search-result__meta');"
        " const i = document.querySelector('input.md-search__input');"
        " return m && i && i.value === q && /見つかり/.test(m.textContent); }",
        arg=query,
        polling=20,
    )
    # Material says how many pages it found (「N件見つかりました」) and renders ten, then four
    # more each time the list is scrolled to its end: scroll until all of them are listed.
    meta = page.locator(".md-search-result__meta").text_content() or ""
    total = int(re.search(r"(\d+)件", meta).group(1)) if re.search(r"(\d+)件", meta) else 0
    items = page.locator(".md-search-result__list > .md-search-result__item")
    while items.count() < total and (first is None or len(_pages_listed(page)) < first):
        shown = items.count()
        # Material loads the next four when the list's end comes into view: leave the end
        # (one frame, so the scroll is seen), then go back to it.
        page.locator(".md-search__scrollwrap").evaluate(
            "async el => { el.scrollTo(0, 0);"
            " await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));"
            " el.scrollTo(0, el.scrollHeight); }"
        )
        page.wait_for_function(
            "n => document.querySelectorAll("
            "'.md-search-result__list > .md-search-result__item').length > n",
            arg=shown,
            polling=20,
        )
    return _pages_listed(page)


def _pages_listed(page) -> list[str]:
    """The pages of the results listed so far, in their order."""
    links = page.locator(".md-search-result__item > a.md-search-result__link")
    found: list[str] = []
    for href in links.evaluate_all("els => els.map(e => e.href)"):
        path = urlsplit(href).path.lstrip("/")  # results carry ?h=... and #section anchors
        if path not in found:
            found.append(path)
    return found


def ask_all(browser, base_url: str, questions: list[Question]) -> list[tuple[Question, list]]:
    """(question, pages found) for each question, asked in one page of the site."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(base_url)
    answers = [(question, search(page, question.question, first=3)) for question in questions]
    context.close()
    return answers
