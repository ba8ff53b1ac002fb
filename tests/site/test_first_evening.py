"""「最初の夜」 (docs/first-evening.md): one checklist from account to "stop paying", in the order
that works, every step linking to its chapter, every command a tested snippet.

The walk reads the built page's checklist in order and follows each step's links: the page
and the section exist, the chapter explains the very command the step shows, and the steps
come in the order the evening needs (keys and Secrets before the pod, the guide on the
volume before anything runs from it, the model sent to Kaggle before the pod ends).
"""

from __future__ import annotations

import re
import shlex

import pytest

from tests.site.pages import PROJECT, local_target, soup_of
from tests.site.test_content import INCLUDE, NAV, is_run_by_a_test, source

PAGE = "first-evening.md"
SITE_URL = "https://runpod-kaggle.github.io/guide/"
# Sections the evening reaches, in the order that works (each must be reached by a step, and
# the first step to reach it must come after the first step to reach the one before).
ORDER = [
    ("runpod.md", "アカウントを作る"), ("ssh-key.md", ""),
    ("tips/secrets.md", "トークンをsecretsに登録する"), ("kaggle.md", "準備"),
    ("storage.md", "ボリュームのサイズを決める"), ("pod.md", "podをデプロイする"),
    ("connect.md", "sshで接続する"), ("connect.md", "接続したら最初にすること"),
    ("tips/setup-script.md", "新しいpodで実行する"),
    ("kaggle.md", "コンペのデータをボリュームに置く"),
    ("train.md", "自分のコードをpodに持ってくる"), ("auto-stop.md", "最初の夜は予行演習から"),
    ("auto-stop.md", "モデルをkaggleに送ってから終了する"),
    ("cleanup.md", "毎日の片付け-podを終了する"),
    ("kaggle.md", "kaggle-notebookで使って提出する"),
    ("cleanup.md", "コンペが終わったら-ネットワークボリュームを削除する"),
]


def steps(built_site) -> list[dict]:
    """Each checklist item of the built page, in order: its text, links and code."""
    soup = soup_of(built_site / "first-evening" / "index.html")
    found = []
    for item in soup.select("article li.task-list-item"):
        links = []
        for anchor in item.find_all("a", href=True):
            target = local_target(built_site, built_site / "first-evening" / "index.html",
                                  anchor["href"], SITE_URL)
            if target is not None:
                links.append(target)
        code = [pre.get_text() for pre in item.select("pre")]
        found.append({"text": item.get_text(" ", strip=True), "links": links, "code": code})
    return found


def chapter(built_site, path) -> str:
    """docs/ source of a built page path (tips/secrets/index.html -> tips/secrets.md)."""
    relative = path.relative_to(built_site).as_posix().removesuffix("index.html").rstrip("/")
    return f"{relative or 'index'}.md"


def test_the_page_is_in_the_nav_right_after_the_introduction():
    assert NAV.index(PAGE) == NAV.index("intro.md") + 1


def test_the_home_page_and_the_introduction_point_to_it():
    for page in ("index.md", "intro.md"):
        assert "](first-evening.md)" in source(page), page


def test_every_step_links_to_a_chapter_whose_section_exists(built_site):
    walked = steps(built_site)
    assert len(walked) >= 15, "the evening has fewer steps than it needs"
    for step in walked:
        assert step["links"], f"a step links to no chapter: {step['text'][:40]}"
        for path, fragment in step["links"]:
            assert path.is_file(), (step["text"][:40], path)
            if fragment:
                assert soup_of(path).find(id=fragment), (step["text"][:40], path, fragment)
            assert chapter(built_site, path) in NAV, path


def test_the_steps_come_in_the_order_that_works(built_site):
    first_step = {}
    for number, step in enumerate(steps(built_site)):
        for path, fragment in step["links"]:
            first_step.setdefault((chapter(built_site, path), fragment), number)
    missing = [milestone for milestone in ORDER if milestone not in first_step]
    assert not missing, f"no step reaches {missing}"
    reached = [first_step[milestone] for milestone in ORDER]
    assert reached == sorted(reached), list(zip(ORDER, reached, strict=True))


def test_every_command_is_a_tested_snippet_that_its_chapter_explains():
    text = source(PAGE)
    blocks = INCLUDE.findall(text)
    assert "snippets/clone-guide.sh" in blocks
    for snippet in blocks:
        assert (PROJECT / snippet).is_file(), snippet
        assert is_run_by_a_test(snippet), f"{snippet} is run by no test"
    # Each step that shows a command links to the chapter that shows the same command.
    for item in re.split(r"\n- \[ \] ", text)[1:]:
        shown = INCLUDE.findall(item)
        linked = [page.split("#")[0] for page in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", item)]
        for snippet in shown:
            if snippet == "snippets/tmux.sh":
                assert "train.md" in linked
                continue
            assert any(snippet in source(page) for page in linked), (snippet, linked)


def commands_in_order() -> list[str]:
    lines = []
    for snippet in INCLUDE.findall(source(PAGE)):
        lines += [line for line in (PROJECT / snippet).read_text("utf-8").splitlines()
                  if line and not line.startswith("#")]
    return lines


def test_the_guide_is_cloned_before_anything_runs_from_it():
    lines = commands_in_order()
    clone = next(i for i, line in enumerate(lines) if "git clone" in line)
    users = [i for i, line in enumerate(lines) if "/workspace/guide/snippets/" in line]
    assert users and min(users) > clone


def test_the_model_goes_to_kaggle_before_the_pod_ends():
    (tonight,) = [line for line in commands_in_order() if "train-and-upload.sh" in line]
    words = shlex.split(tonight.split("&&", 1)[1])
    # auto-stop.sh runs everything after it, then ends the pod: the upload is inside it.
    assert words[:2] == ["bash", "/workspace/guide/snippets/auto-stop.sh"]
    assert words[2:4] == ["bash", "/workspace/guide/snippets/train-and-upload.sh"]
    upload = (PROJECT / "snippets" / "train-and-upload.sh").read_text("utf-8")
    assert 'bash "$HERE/kaggle-upload-dataset.sh"' in upload
    # A rehearsal of auto-stop comes before the real thing.
    lines = commands_in_order()
    rehearsal = next(i for i, line in enumerate(lines) if line.startswith("GRACE_SECONDS="))
    assert rehearsal < lines.index(tonight)


@pytest.mark.parametrize(
    "promise", ["同じボリュームをつないだ新しいPod", "止めたPodを再開するのではありません"]
)
def test_tomorrow_starts_with_a_new_pod_on_the_same_volume(promise):
    assert promise in source(PAGE)
