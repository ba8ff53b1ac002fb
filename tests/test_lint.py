"""scripts/lint.py: prose inside Material blocks (tabs, admonitions) reaches the linters."""

from __future__ import annotations

from scripts.lint import flatten_material_blocks, shell_scripts

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


def test_shell_scripts_include_ci_run():
    names = {p.name for p in shell_scripts()}
    assert "run" in names
    assert all(".venv" not in p.parts and "node_modules" not in p.parts for p in shell_scripts())
