"""Each kind of broken input fails the strict build with a message naming the file.

Every case copies a reduced project (the real mkdocs.yml with a two-page nav, the real
site_hooks/, snippets/ and theme files, and the tiny docs tree in tests/site/fixtures/),
breaks one thing and runs `mkdocs build --strict` on it. A control build of the unbroken copy
must pass, so a case cannot "fail" for an unrelated reason.

Each case is built once per worker that runs it, through mkdocs' own command line in this
process (`mkdocs build --strict -d DIR` from the copy's folder): importing mkdocs, Material
and mkdocs-jupyter costs ~1 s per process, which would make these builds 3x slower. What
every copy's build reads the same from the installed packages is worked out once per process
(theme_caches): Material's compiled templates, and its template folder's file list.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import jinja2
import pytest

from tests.site.pages import PROJECT

FIXTURES = Path(__file__).parent / "fixtures"
NAV = "nav:\n  - 試験用のホーム: index.md\n  - もう一つのページ: other.md\n"
COPIED = [
    "site_hooks",
    "snippets",
    "docs/overrides",
    "docs/stylesheets",
    "live/page_steps.yml",
    "live/report.schema.json",
]


def make_project(root: Path) -> Path:
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
    (root / "node_modules").symlink_to(PROJECT / "node_modules")  # the diagram renderer
    shutil.copytree(FIXTURES / "docs", root / "docs", dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "text", root / "tests/site/fixtures/text")
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    config, replaced = re.subn(r"(?m)^nav:\n(?:[ \t]+.*\n|\n)*", NAV + "\n", config)
    assert replaced == 1, "mkdocs.yml has no nav: block"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def unmap(root: Path, snippet: str) -> None:
    """Take a snippet's entry out of the copy's snippets/TESTED_BY.toml."""
    path = root / "snippets/TESTED_BY.toml"
    text, removed = re.subn(rf'(?ms)^\["{re.escape(snippet)}"\]\n.*?(?:\n\n|\Z)', "",
                            path.read_text(encoding="utf-8"))
    assert removed == 1, f"no entry for {snippet} in the map"
    path.write_text(text, encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def add_to_nav(root: Path, entry: str) -> None:
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(NAV, NAV + entry), "utf-8")


def write_page(root: Path, name: str, text: str) -> None:
    (root / "docs" / name).write_text(text, encoding="utf-8")


RAW_URL_LINE = "登録は https://runpod.io?ref=abc123 から。"

# name -> (how to break the copy, what the build output must say)
Case = tuple[Callable[[Path], None], Callable[[Path], list[str]]]
CASES: dict[str, Case] = {
    "missing snippet": (
        lambda r: append(r / "docs/index.md", '```bash\n--8<-- "snippets/no-such-file.sh"\n```'),
        lambda r: ["index.md", "snippets/no-such-file.sh"],
    ),
    "missing image": (
        lambda r: append(r / "docs/index.md", "![消えた画像](img/missing.png)"),
        lambda r: ["index.md", "img/missing.png"],
    ),
    "missing nav page": (
        lambda r: add_to_nav(r, "  - 消えたページ: gone.md\n"),
        lambda r: ["gone.md", "nav"],
    ),
    "broken internal link": (
        lambda r: append(r / "docs/index.md", "[リンク切れ](no-such-page.md)"),
        lambda r: ["index.md", "no-such-page.md"],
    ),
    "broken anchor": (
        lambda r: append(r / "docs/index.md", "[見出し](other.md#存在しない見出し)"),
        lambda r: ["index.md", "存在しない見出し"],
    ),
    "inline code fence": (
        lambda r: append(r / "docs/other.md", "```bash\necho hello\n```"),
        lambda r: [f"docs/other.md:{line_of(r / 'docs/other.md', 'echo hello')}:"],
    ),
    "referral link without PR label": (
        lambda r: append(r / "docs/other.md", "[登録する](referral:short)"),
        lambda r: ["docs/other.md", "<!-- referral-disclosure -->"],
    ),
    "PR label after the referral link": (
        lambda r: append(
            r / "docs/other.md", "[登録する](referral:)\n\n<!-- referral-disclosure -->"
        ),
        lambda r: ["docs/other.md", "before any disclosure"],
    ),
    "unknown referral link": (
        lambda r: append(
            r / "docs/other.md", "<!-- referral-disclosure -->\n\n[登録](referral:long)"
        ),
        lambda r: ["docs/other.md", "referral:long"],
    ),
    "raw referral URL in docs": (
        lambda r: append(r / "docs/other.md", RAW_URL_LINE),
        lambda r: [f"docs/other.md:{line_of(r / 'docs/other.md', RAW_URL_LINE)}:"],
    ),
    "page without description": (
        lambda r: (
            write_page(r, "bare.md", "# 説明のないページ\n\n本文です。\n"),
            add_to_nav(r, "  - 説明なし: bare.md\n"),
        ),
        lambda r: ["docs/bare.md", "meta description"],
    ),
    "missing snippets/setup.sh": (
        lambda r: ((r / "snippets/setup.sh").unlink(), unmap(r, "snippets/setup.sh")),
        lambda r: ["snippets/setup.sh is missing"],
    ),
    "snippet that no test is named for": (
        lambda r: (r / "snippets/new-thing.sh").write_text("echo hi\n", encoding="utf-8"),
        lambda r: ["snippets/new-thing.sh is run by no test named in snippets/TESTED_BY.toml",
                   '["snippets/new-thing.sh"]\ntests = ["tests/snippets/test_new_thing.py::'],
    ),
    "entry for a snippet that is gone": (
        lambda r: (r / "snippets/versions.py").unlink(),
        lambda r: ['snippets/TESTED_BY.toml: ["snippets/versions.py"] names a file that is not'],
    ),
    "diagram drawn without one of its arrows": (
        lambda r: append(
            r / "docs/other.md", "```mermaid\nflowchart LR\n    accTitle: 図\n    A-->B\n```"
        ),
        lambda r: ["docs/other.md", "diagram 1", "1 arrows in its source but 0"],
    ),
    "diagram that cannot be drawn": (
        lambda r: append(r / "docs/other.md", "```mermaid\naccTitle: 図\nnot a diagram\n```"),
        lambda r: ["docs/other.md", "cannot be drawn", "Invalid mermaid header"],
    ),
    "diagram without a name for screen readers": (
        lambda r: append(r / "docs/other.md", DIAGRAM.replace("    accTitle: 小さな図\n", "")),
        lambda r: ["docs/other.md", "accTitle"],
    ),
    "home page without the verification summary": (
        lambda r: replace(r / "docs/index.md", "<!-- verification-summary -->", ""),
        lambda r: ["docs/index.md", "<!-- verification-summary -->"],
    ),
    "site name the card font cannot draw": (
        lambda r: replace(r / "mkdocs.yml", "site_name: ", "site_name: 鬱"),
        lambda r: ["site_name", "鬱", "scripts.social_card_font"],
    ),
}

DIAGRAM = "```mermaid\nflowchart LR\n    accTitle: 小さな図\n    A[入口] --> B[出口]\n```"


def with_diagram(root: Path) -> None:
    append(root / "docs/other.md", DIAGRAM)


GOOD = {"unbroken copy": lambda r: None, "page with a diagram": with_diagram}


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.levelname} - {record.getMessage()}")


def mkdocs_build_strict(root: Path) -> tuple[int, str]:
    """`mkdocs build --strict -d ROOT/site` run from ROOT; returns (exit code, log)."""
    # Imported here: only these tests build in-process.
    from mkdocs.__main__ import cli
    from mkdocs.utils import DuplicateFilter

    # mkdocs drops a message it has logged before, also from an earlier build in this process.
    for dedupe in logging.getLogger("mkdocs.commands.build").filters:
        if isinstance(dedupe, DuplicateFilter):
            dedupe.msgs.clear()
    collect = _Collect()
    logging.getLogger("mkdocs").addHandler(collect)
    previous = os.getcwd()
    os.chdir(root)  # pymdownx.snippets' base_path "." is the working directory
    code = 0
    try:
        cli.main(
            ["build", "--strict", "-d", str(root / "site")],
            prog_name="mkdocs",
            standalone_mode=False,
        )
    except click.ClickException as error:  # mkdocs' Abort, BuildError, PluginError
        collect.lines.append(f"Error: {error.format_message()}")
        code = error.exit_code or 1
    except Exception as error:  # e.g. pymdownx.snippets.SnippetMissingError
        collect.lines.append(f"{type(error).__name__}: {error}")
        code = 1
    finally:
        os.chdir(previous)
        logging.getLogger("mkdocs").removeHandler(collect)
    return code, "\n".join(collect.lines)


class CompiledTemplates(jinja2.BytecodeCache):
    """jinja2's bytecode cache, in memory: a template's code is keyed by its name, its file
    and a checksum of its source, so a copy's own templates are compiled anew if they differ."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()
LISTED: dict[str, list[str]] = {}  # installed template folder -> its files


@contextmanager
def theme_caches() -> Iterator[None]:
    """Builds in this process share Material's compiled templates (about 0.2 s a build) and
    the list of an installed template folder's files (0.15 s: mkdocs lists them, icons
    included, to copy the theme's static files). A copy's own folders (docs/overrides) are
    listed on every build."""
    from mkdocs.theme import Theme

    get_env, list_templates = Theme.get_env, jinja2.FileSystemLoader.list_templates

    def cached_env(theme):
        env = get_env(theme)
        env.bytecode_cache = COMPILED
        return env

    def cached_list(loader):
        found: set[str] = set()
        for folder in loader.searchpath:
            one = jinja2.FileSystemLoader(folder, followlinks=loader.followlinks)
            if not folder.startswith(sys.prefix):
                found.update(list_templates(one))
                continue
            if folder not in LISTED:
                LISTED[folder] = list_templates(one)
            found.update(LISTED[folder])
        return sorted(found)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Theme, "get_env", cached_env)
        patch.setattr(jinja2.FileSystemLoader, "list_templates", cached_list)
        yield


class Builds:
    """The copy for each case, built on first use: under pytest-xdist the cases of this module
    spread over the workers, and each worker builds only the cases it runs (not all 21)."""

    def __init__(self, tmp_path_factory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.done: dict[str, tuple[Path, int, str]] = {}
        self.report = tmp_path_factory.mktemp("no-report") / "none.json"

    def __getitem__(self, name: str) -> tuple[Path, int, str]:
        if name not in self.done:
            breaker = {**{case: breaker for case, (breaker, _) in CASES.items()}, **GOOD}[name]
            with pytest.MonkeyPatch.context() as patch, theme_caches():
                patch.setenv("NO_MKDOCS_2_WARNING", "1")
                patch.setenv("LIVE_REPORT", str(self.report))
                root = make_project(self.tmp_path_factory.mktemp("bad-input"))
                breaker(root)
                self.done[name] = (root, *mkdocs_build_strict(root))
        return self.done[name]


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    return Builds(tmp_path_factory)


@pytest.mark.parametrize("name", GOOD)
def test_unbroken_copy_builds(builds, name):
    root, code, log = builds[name]
    assert code == 0, log
    assert "WARNING" not in log


def test_unbroken_copy_has_the_site_machinery(builds):
    root, _, _ = builds["unbroken copy"]
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert '<strong class="referral-disclosure__label">PR</strong>' in home
    assert 'href="https://runpod.io?ref=6x122dhk" rel="sponsored noopener"' in home
    assert 'href="go/runpod/" rel="sponsored noopener"' in home
    assert "referral:" not in home and "<!-- referral-disclosure -->" not in home
    assert (root / "site/go/runpod/index.html").is_file()
    assert (root / "site/downloads/setup.sh").read_bytes() == (
        root / "snippets/setup.sh"
    ).read_bytes()
    go_page = (root / "site/go/runpod/index.html").read_text(encoding="utf-8")
    assert '<strong class="referral-disclosure__label">PR</strong>' in go_page
    assert (root / "site/assets/images/social-card.png").is_file()
    assert "kgl-stamps-summary" in home and "<!-- verification-summary -->" not in home


def test_a_diagram_is_drawn_into_the_page(builds):
    root, _, _ = builds["page with a diagram"]
    other = (root / "site/other/index.html").read_text(encoding="utf-8")
    article = other[other.index("<article"):other.index("</article>")]
    assert 'class="mermaid"' not in other and "<script" not in article
    figure = other[other.index('<figure class="kgl-diagram">'):]
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in figure and 'role="img"' in figure
    assert ">入口</text>" in figure and ">出口</text>" in figure  # the words stay text
    assert "<figcaption" in figure and "小さな図" in figure
    assert "「入口」から「出口」へ。" in figure  # the description for screen readers
    assert "fonts.googleapis.com" not in other and "<style>" not in figure
    assert not list((root / "site").rglob("mermaid*.js"))


@pytest.mark.parametrize("name", CASES)
def test_broken_input_fails_the_build_naming_the_file(builds, name):
    root, code, log = builds[name]
    assert code != 0, f"{name}: the build passed:\n{log}"
    for expected in CASES[name][1](root):
        assert expected in log, f"{name}: {expected!r} not in the build output:\n{log}"
