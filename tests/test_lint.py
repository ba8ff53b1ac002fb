"""scripts/lint.py (`make lint`): prose inside Material blocks (tabs, admonitions) reaches the
linters, every shell script is checked, the workflow that holds the key gets zizmor's
strictest persona, and the formatter check finds every comment that switches it off.

The tests never run the linters themselves: `make lint` (and .ci/run, before `make test`)
does, once for the whole tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scripts import lint
from scripts.lint import flatten_material_blocks, shell_scripts
from tests import ROOT

PAGE = """# Title

=== "コンソール"

    1. コンソールを開きます。

    !!! warning "注意"

        ここは警告です。

=== "コマンド"

    ```bash
    --8<-- "snippets/commands/pod-down.sh"
    ```

After the tabs.

    not a block: an ordinary indented code block stays as it is
"""


def test_block_bodies_are_dedented_and_lines_kept():
    flat = flatten_material_blocks(PAGE)
    lines = flat.split("\n")
    # Same number of lines: findings point at the right line of the real page.
    assert len(lines) == len(PAGE.split("\n"))
    assert lines[2] == "<!-- block -->"  # the tab opener is hidden from the linters
    assert lines[4] == "1. コンソールを開きます。"  # a list again, not an indented code block
    assert lines[6] == "<!-- block -->"  # the nested admonition opener
    assert lines[8] == "ここは警告です。"  # nested body dedented twice
    assert lines[12] == "```bash"  # the fence inside a tab is a fence again
    assert lines[16] == "After the tabs."
    assert lines[18] == "    not a block: an ordinary indented code block stays as it is"


def test_every_shell_script_is_checked():
    checked = {p.relative_to(ROOT).as_posix() for p in shell_scripts()}
    assert {
        ".ci/run",
        ".ci/install",
        "live/fetch_latest_report.sh",
        "snippets/setup.sh",
        "snippets/commands/pod-up.sh",
        "tests/site/fixtures/text/hello.sh",
    } <= checked
    assert all(".venv" not in p.parts and "node_modules" not in p.parts for p in shell_scripts())


def test_the_workflow_that_holds_the_key_gets_the_auditor_persona():
    assert "live.yml" in lint.AUDITED_WORKFLOWS
    assert all((lint.WORKFLOWS / name).is_file() for name in lint.AUDITED_WORKFLOWS)


# The pragmas, spelled so that this file does not carry them itself.
SKIP, OFF, OFF_TIGHT = "# fmt" + ": skip", "# fmt" + ": off", "# fmt" + ":off"


def test_every_comment_that_switches_the_formatter_off_is_found(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(f"x = [1,\n  2]  {SKIP}\n{OFF_TIGHT}\ny = 1\n")
    (tmp_path / "pkg" / "b.py").write_text('"""Mentions fmt: skip in prose."""\n')
    for ignored in ("site", ".venv/lib"):  # the build and the dependencies are not ours
        (tmp_path / ignored).mkdir(parents=True)
        (tmp_path / ignored / "c.py").write_text(f"x = 1  {SKIP}\n")
    (tmp_path / "tests" / "site").mkdir(parents=True)  # a folder named site inside is ours
    (tmp_path / "tests" / "site" / "d.py").write_text(f"x = 1  {OFF}\n")
    assert lint.format_skips(tmp_path) == ["pkg/a.py:2", "pkg/a.py:3", "tests/site/d.py:1"]


def test_the_formatter_leaves_the_pages_include_lines_alone():
    """ruff formats Python in Markdown fences, which would turn a page's
    `--8<-- "snippets/x.py"` into `--8 < --"snippets/x.py"`: pages are excluded, also when
    an editor names the file."""
    ruff = lint.tool_path("ruff", lint.VENV_BIN)
    pages = sorted(str(p) for p in (ROOT / "docs").rglob("*.md"))
    done = subprocess.run(
        [ruff, "format", "--check", *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert any('```python\n--8<-- "snippets/' in Path(p).read_text("utf-8") for p in pages)
