"""Fail the build when a Markdown page pastes code into a fence instead of including it.

Every command and script on the site must be a file under snippets/ that a test runs, so a
fenced block may only hold `--8<--` includes (pymdownx.snippets). Mermaid diagrams are the
one exception: they are pictures, not code a reader runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

FENCE_OPEN = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
MERMAID = re.compile(r"^\s*\{?\s*\.?mermaid\b")
INCLUDE = re.compile(r"^\s*;?--8<--(\s+(['\"]).+\2)?\s*$")


def inline_code_lines(text: str) -> Iterator[int]:
    """Yield the line numbers (1-based) of fence bodies that hold something other than includes."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE_OPEN.match(lines[index])
        index += 1
        if not opening:
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        exempt = bool(MERMAID.match(opening["info"]))
        in_block_include = False  # between a bare `--8<--` and the next one: file names
        while index < len(lines) and not closing.match(lines[index]):
            body = lines[index].strip()
            if body == "--8<--":
                in_block_include = not in_block_include
            elif body and not in_block_include and not exempt and not INCLUDE.match(body):
                yield index + 1
            index += 1
        index += 1  # skip the closing fence


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.endswith(".md") or not page.file.abs_src_path:
        return markdown
    with open(page.file.abs_src_path, encoding="utf-8") as source:
        bad = next(inline_code_lines(source.read()), None)
    if bad is not None:
        where = _common.source_path(page.file.abs_src_path, config)
        raise PluginError(
            f"{where}:{bad}: code is written inside a fence; put it in a file under snippets/ "
            'and include it with --8<-- "snippets/NAME" (only mermaid fences may hold text)'
        )
    return markdown
