"""The search question set (site_hooks/search_questions.yml) is well formed: enough realistic
questions, each naming a page that exists. The browser test asks them."""

from __future__ import annotations

import pytest

from scripts.sitecheck import search_questions


def test_every_question_names_an_existing_page():
    questions = search_questions.load()
    assert len(questions) >= 60
    assert len({q.question for q in questions}) == len(questions), "a question is listed twice"
    assert search_questions.QUESTIONS.parent.name == "site_hooks", "it lives beside the search"


WORRIES = ["止め忘れ", "消し忘れ", "GPUが見えない", "日本から遅い", "円", "為替"]


@pytest.mark.parametrize("worry", WORRIES)
def test_the_worried_questions_readers_asked_are_in_the_set(worry):
    assert any(worry in q.question for q in search_questions.load()), worry


def test_the_questions_are_written_the_way_readers_type():
    questions = [q.question for q in search_questions.load()]
    mixed = [q for q in questions if any(c.isascii() and c.isalpha() for c in q)
             and not q.isascii()]
    assert len(mixed) >= 5, "few questions mix ASCII words (SSH, kaggle.json) with Japanese"
    particles = [q for q in questions if any(p in q for p in ("が", "を", "で", "に"))]
    assert len(particles) >= 15, "few questions carry particles"


def test_a_question_whose_page_does_not_exist_fails_naming_it(tmp_path):
    path = tmp_path / "questions.yml"
    path.write_text("- {question: 残高が尽きた, page: cleanup.md}\n"
                    "- {question: 消えたページ, page: gone/away.md}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"'消えたページ' -> gone/away\.md"):
        search_questions.load(path)


@pytest.mark.parametrize(("page", "url"), [("cleanup.md", "cleanup/"),
                                           ("tips/secrets.md", "tips/secrets/"),
                                           ("index.md", "")])
def test_pages_map_to_their_urls(page, url):
    assert search_questions.Question("q", page).url_path == url
