"""The guide's content: the sections a first evening needs, in the order it needs them, and
the facts a test can hold the pages to.

- every section the reader needs exists, and its commands are included from snippet files
  that a test runs (never pasted, never untested);
- the order: SSH key and Secrets before the first deploy, connecting right after it;
- facts: upper-case variable names in every Secret reference, the recommended image matches
  Kaggle's Python and CUDA, no Spot pods offered as current, no old console URLs, no typed
  repository URL or volume price, the title and the club as the author writes them, the
  referral disclosure says everything the author earns;
- code shown on a page speaks to the reader: its comments are Japanese.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib

import pytest

from site_hooks import tested_by
from tests.site.pages import PROJECT, built_path, load_config, nav_pages, soup_of, text_outside

DOCS = PROJECT / "docs"
CONFIG = load_config()
NAV = list(nav_pages(CONFIG))
TESTED_BY = tested_by.load(PROJECT)
INCLUDE = re.compile(r'--8<--\s+"([^"]+)"')
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SECRET_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=\{\{\s*RUNPOD_SECRET_([^\s}]+)\s*\}\}")
TITLE = "貸せ、RunpodはKaggleでこう使う"

# page -> heading -> the snippet files that section must include (may be empty)
SECTIONS: dict[str, dict[str, list[str]]] = {
    "index.md": {"今夜の費用の目安": []},
    "intro.md": {"最初の夜にかかるお金": [], "このガイドの進め方": []},
    "runpod.md": {"残高が少なくなったらメールで知らせてもらう": []},
    "ssh-key.md": {"なぜPodより先なのか": [], "Windowsの場合": []},
    "tips/secrets.md": {
        "トークンをSecretsに登録する": ["snippets/commands/secret-create.sh"],
        "Podの環境変数からSecretを参照する": ["snippets/commands/secret-env.sh"],
        "環境変数の名前は大文字で": [],
        "Pod内で確かめる": ["snippets/check-secrets.sh"],
    },
    "storage.md": {
        "データセンターの選び方": ["snippets/commands/pricing.sh"],
        "あとから変えるのは大変です": [],
        "ボリュームの種類: 標準を選びます": [],
    },
    "pod.md": {
        "使うイメージ": ["snippets/recommended_image.toml"],
        "推奨イメージを自分で確かめ直すには": ["snippets/versions.py"],
        "料金の種類: オンデマンドとSavings Plan": [],
    },
    "connect.md": {
        "SSHで接続する": ["snippets/commands/pod-ssh-config.sh"],
        "JupyterLabで接続する": ["snippets/jupyter-secret-create.sh", "snippets/jupyter-pod-up.sh"],
        "Windowsから接続する": [],
        "接続したら、最初にすること": ["snippets/clone-guide.sh"],
    },
    "tips/setup-script.md": {
        "新しいPodで実行する": ["snippets/on-pod/setup.sh", "snippets/commands/setup-download.sh"],
    },
    "train.md": {
        "非公開のGitHubリポジトリからクローンする": ["snippets/on-pod/clone-private.sh",
                                                  "snippets/clone-private.sh"],
        "手元のPCからコピーする（scp・rsync）": ["snippets/copy-code-scp.sh",
                                                "snippets/copy-code-rsync.sh"],
        "tmuxの使い方: 接続が切れても学習を続ける": ["snippets/tmux.sh"],
        "TensorBoardで学習を見る": ["snippets/tensorboard.sh"],
    },
    "kaggle.md": {
        "コンペのデータをボリュームに置く": ["snippets/kaggle-download.sh"],
        "Datasetとしてアップロードする": ["snippets/kaggle-upload-dataset.sh"],
        "Modelとしてアップロードする": ["snippets/kaggle-upload-model.sh"],
        "Kaggle Notebookで使って提出する": [],
    },
    "auto-stop.md": {
        "最初の夜は予行演習から": ["snippets/on-pod/auto-stop-rehearsal.sh"],
        "仕組み": ["snippets/on-pod/auto-stop.sh", "snippets/auto-stop.sh"],
        "モデルをKaggleに送ってから終了する": ["snippets/on-pod/train-tonight.sh",
                                              "snippets/train-and-upload.sh"],
        "ファイルはどうなるか": [],
        "終了したあとも課金が続くもの": [],
    },
    "doctor.md": {"Podの健康診断": ["snippets/doctor.sh"]},
    "troubleshooting.md": {"Connection refused（接続を拒否された）": []},
    "tips/storage-cost.md": {"GCSへアップロードする・取り戻す": ["snippets/gcs-offload.sh"]},
}


def source(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def section(page: str, heading: str) -> str:
    """The Markdown of one section: from its heading to the next heading of its level or above."""
    lines = source(page).splitlines()
    for start, line in enumerate(lines):
        match = HEADING.match(line)
        if match and match[2] == heading:
            level = len(match[1])
            end = next(
                (i for i in range(start + 1, len(lines))
                 if (m := HEADING.match(lines[i])) and len(m[1]) <= level),
                len(lines),
            )
            return "\n".join(lines[start:end])
    raise AssertionError(f"{page}: no section «{heading}»")


def is_run_by_a_test(snippet: str) -> bool:
    """The snippet names the tests that run it in snippets/TESTED_BY.toml (that those tests
    exist is tests/test_tested_by.py's check; a snippet without an entry fails the build)."""
    return snippet in TESTED_BY


CASES = [(page, heading) for page, headings in SECTIONS.items() for heading in headings]


@pytest.mark.parametrize(("page", "heading"), CASES, ids=[f"{p}#{h}" for p, h in CASES])
def test_the_section_exists_with_its_tested_snippets(page, heading):
    assert page in NAV, f"{page} is not in the nav"
    text = section(page, heading)
    included = INCLUDE.findall(text)
    for snippet in SECTIONS[page][heading]:
        assert snippet in included, f"{page}#{heading} does not include {snippet}"
    for snippet in included:
        assert (PROJECT / snippet).is_file(), snippet
        assert is_run_by_a_test(snippet), f"{snippet} (shown in {page}) is run by no test"


def test_key_and_secrets_come_before_the_first_deploy_and_connecting_right_after():
    position = {page: NAV.index(page) for page in NAV}
    assert position["ssh-key.md"] < position["pod.md"]
    assert position["tips/secrets.md"] < position["pod.md"]
    assert position["connect.md"] == position["pod.md"] + 1
    assert position["tips/setup-script.md"] < position["kaggle.md"] < position["auto-stop.md"]
    assert position["doctor.md"] == position["troubleshooting.md"] + 1


# --- facts ------------------------------------------------------------------------------


def shown_snippets() -> set[str]:
    return {s for page in DOCS.rglob("*.md") for s in INCLUDE.findall(page.read_text("utf-8"))}


def test_every_secret_reference_uses_an_upper_case_variable_name():
    """/etc/rp_environment, which SSH and VS Code shells read, keeps only ^[A-Z_][A-Z0-9_]*$."""
    found = []
    for snippet in sorted(shown_snippets()):
        found += SECRET_REF.findall((PROJECT / snippet).read_text(encoding="utf-8"))
    for page in DOCS.rglob("*.md"):
        found += SECRET_REF.findall(page.read_text(encoding="utf-8").replace("` | `", "="))
    assert ("KAGGLE_API_TOKEN", "kaggle_api_token") in found
    assert ("JUPYTER_PASSWORD", "jupyter_password") in found
    for variable, secret_name in found:
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", variable), variable
        # Runpod's rules for a secret's name (REST v2, create a secret).
        assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_.\-/]*", secret_name), secret_name
        assert not secret_name.upper().startswith("RUNPOD"), secret_name


def test_the_secrets_page_table_tells_the_upper_case_name():
    table = section("tips/secrets.md", "Podの環境変数からSecretを参照する")
    assert "| `KAGGLE_API_TOKEN` | `{{ RUNPOD_SECRET_kaggle_api_token }}` |" in table


def test_the_recommended_image_matches_kaggle():
    image = tomllib.loads((PROJECT / "snippets" / "recommended_image.toml").read_text("utf-8"))
    name, kaggle = image["image"]["name"], image["kaggle"]
    match = re.fullmatch(
        r"runpod/pytorch:(\d+\.\d+\.\d+)-cu(\d\d)(\d)\d?-torch(\d)(\d+?)(\d)-ubuntu2404", name
    )
    assert match, name
    _, cuda_major, cuda_minor, torch_major, torch_minor, _ = match.groups()
    assert f"{cuda_major}.{cuda_minor}" == image["image"]["cuda"] == kaggle["cuda"]
    assert image["image"]["python"] == kaggle["python"] == "3.12"  # ubuntu2404's python3
    assert f"{torch_major}.{torch_minor}" == image["image"]["torch"]
    want = tuple(map(int, kaggle["torch"].split(".")))
    have = (int(torch_major), int(torch_minor))
    assert have <= want and have[0] == want[0], (have, want)  # closest, never newer
    assert name.split(":")[1] in source("pod.md")  # the page names the tag it explains


def test_spot_pods_are_history_not_an_option():
    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if "スポット" in line or "Spot" in line:
                history = section("pod.md", "料金の種類: オンデマンドとSavings Plan")
                allowed = page.name == "changes-2024.md" and "初稿" in line
                assert allowed or (page.name == "pod.md" and line in history), (
                    f"{page.name}:{number}: {line}"
                )
    assert '!!! note "2024年の初稿では: スポット"' in source("pod.md")


def test_no_old_console_urls_and_no_typed_repository_url_or_volume_price():
    repo = CONFIG["repo_url"].rstrip("/")
    for page in DOCS.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        for line in text.splitlines():
            explains_the_move = "いまは `console.runpod.io/...`" in line
            assert "runpod.io/console" not in line or explains_the_move, page.name
        assert repo not in text, f"{page.name}: write [text](repo:) instead of the URL"
        assert not re.search(r"0\.07ドル|0\.20ドル|月0\.0\d", text), f"{page.name}: typed price"


def test_title_and_club_as_the_author_writes_them(built_site):
    assert CONFIG["site_name"] == TITLE
    h1 = soup_of(built_site / "index.html").select_one("article h1")
    assert text_outside(h1, "a.headerlink", strip=True) == TITLE  # without the ¶ permalink
    assert (PROJECT / "README.md").read_text(encoding="utf-8").splitlines()[0] == f"# {TITLE}"
    assert "Kaggle RunPod 部" in source("stories.md")


def test_a_win_is_never_headlined_only_joked_about(built_site):
    for page in NAV:
        if not page.endswith(".md"):
            continue
        # the draft's struck-through joke may stay
        text = text_outside(soup_of(built_site / built_path(page)), "del, s")
        assert "優勝" not in text, page
    assert "<del>優勝賞金で回収できたわけですし。</del>" in source("stories.md")
    assert "金メダル" in source("stories.md")


def test_the_referral_disclosure_says_everything_the_author_earns():
    disclosure = CONFIG["extra"]["referral"]["disclosure"]
    for term in ("Pod", "3%", "Serverless", "5%", "6か月", "ボーナス", "多くの場合は5ドル"):
        assert term in disclosure, term


# --- code shown on pages speaks to readers ---------------------------------------------------


COMMENT = re.compile(r"(?:^|\s)#\s+(.*)$")  # a full-line or trailing comment, not ${x#y}


LINT_DIRECTIVE = re.compile(r"^(?:noqa|fmt|type|pragma)\b")  # for tools, not readers


def comment_texts(code: str, python: bool) -> list[str]:
    """The comment text of shown code (shell, TOML, Python): what a reader reads."""
    found = []
    for line in code.splitlines():
        if line.startswith("#!") or line.lstrip().startswith("# shellcheck"):
            continue
        match = COMMENT.search(line)
        if match and re.search(r"\w", match[1]) and not LINT_DIRECTIVE.match(match[1]):
            found.append(match[1].strip())  # rules like "# ----" say nothing
    if python:
        found += re.findall(r'"""(.*?)"""', code, re.DOTALL)
    return found


def comments(path) -> list[str]:
    return comment_texts(path.read_text(encoding="utf-8"), path.suffix == ".py")


@pytest.mark.parametrize("snippet", sorted(shown_snippets()))
def test_comments_in_shown_code_are_japanese(snippet):
    path = PROJECT / snippet
    for text in comments(path):
        assert JAPANESE.search(text), f"{snippet}: comment for readers is not Japanese: {text!r}"


@pytest.mark.parametrize("notebook", ["quickstart.ipynb", "cost.ipynb"])
def test_comments_in_notebook_code_are_japanese(notebook):
    """Notebooks show their code cells on the site: their comments speak to readers too."""
    cells = json.loads((PROJECT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    found = [text for source in code for text in comment_texts(source, python=True)]
    assert len(found) >= 5, found  # the notebooks explain what their code does
    for text in found:
        assert JAPANESE.search(text), f"{notebook}: comment for readers is not Japanese: {text!r}"


def test_the_storage_page_says_standard_and_its_command_makes_a_standard_volume(fake_runpod):
    """The page tells readers to pick the standard tier; the command it shows does exactly that."""
    tiers = section("storage.md", "ボリュームの種類: 標準を選びます")
    assert "**Kaggleでは標準を選んでください**" in tiers and "`STANDARD`" in tiers
    assert "snippets/commands/volume-create.sh" in INCLUDE.findall(source("storage.md"))
    env = dict(os.environ)
    env["PATH"] = f"{os.path.dirname(sys.executable)}{os.pathsep}{env['PATH']}"
    script = (PROJECT / "snippets" / "commands" / "volume-create.sh").read_text()
    done = subprocess.run(["bash", "-c", script], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (made,) = fake_runpod.volumes.values()
    assert made.type == "STANDARD"
