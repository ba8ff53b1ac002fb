"""Code on a page is included from a file, never pasted into a fence."""

import pytest

from site_hooks.code_fences import inline_code_lines
from tests.site.pages import PROJECT

DOCS = sorted((PROJECT / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", DOCS, ids=[str(p.relative_to(PROJECT)) for p in DOCS])
def test_no_code_is_pasted_into_a_page(page):
    assert list(inline_code_lines(page.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    ("markdown", "bad_lines"),
    [
        ('```bash\n--8<-- "snippets/a.sh"\n```\n', []),
        ("```python title=\"x\"\n\n--8<-- 'snippets/a.py'\n\n```\n", []),
        ("```\n--8<--\nsnippets/a.sh\nsnippets/b.sh\n--8<--\n```\n", []),
        ("```mermaid\ngraph LR\n  A --> B\n```\n", []),
        ("``` { .mermaid }\ngraph LR\n```\n", []),
        ("```bash\necho hi\n```\n", [2]),
        ("text\n\n~~~\npip install x\n~~~\n", [4]),
        ('=== "uv"\n\n    ```bash\n    uv sync\n    ```\n', [4]),
        ('````md\n```bash\n--8<-- "snippets/a.sh"\n```\n````\n', [2, 4]),
        ('```bash\n--8<-- "snippets/a.sh"\nrm -rf /\n```\n', [3]),
        ("Inline `code` is prose, not a fence.\n", []),
    ],
)
def test_fence_guard_finds_pasted_code(markdown, bad_lines):
    assert list(inline_code_lines(markdown)) == bad_lines
