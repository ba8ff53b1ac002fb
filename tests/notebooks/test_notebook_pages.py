"""The notebook pages of the built site: small, with Japanese anchors, alt text, clean search.

site_hooks/notebook_search.py does the trimming; these tests check the built result.
"""

import json
import re
from html import unescape

import pytest
from bs4 import BeautifulSoup
from pymdownx.slugs import slugify

from scripts.notebook_config import NOTEBOOKS
from tests.lazy import lazy_module

nbformat = lazy_module("nbformat")

PAGES = ["quickstart", "cost"]
MAX_PAGE_BYTES = 150 * 1024
SLUGIFY = slugify(case="lower")  # the toc slugify in mkdocs.yml


def page(built_site, name: str) -> str:
    return (built_site / "notebooks" / name / "index.html").read_text(encoding="utf-8")


def notebook_headings(name: str) -> list[str]:
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return [
        re.sub(r"^#+\s*", "", line).strip()
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if re.match(r"#{1,6}\s", line)
    ]


@pytest.mark.parametrize("name", PAGES)
def test_page_is_small(built_site, name):
    size = (built_site / "notebooks" / name / "index.html").stat().st_size
    assert size <= MAX_PAGE_BYTES, f"notebooks/{name}/index.html is {size} bytes"
    # mkdocs-jupyter's inlined JupyterLab CSS (~600 KB) is gone.
    assert ".jp-Notebook{" not in page(built_site, name).replace(" ", "")


@pytest.mark.parametrize("name", PAGES)
def test_headings_keep_japanese_ids_like_markdown_pages(built_site, name):
    html = page(built_site, name)
    ids = re.findall(r'<h[1-6] id="([^"]+)"', html)
    expected = [SLUGIFY(heading, "-") for heading in notebook_headings(name)]
    assert ids == expected
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", i) for i in ids)
    for anchor in ids:  # the table of contents links to every heading
        assert f'href="#{anchor}"' in html


def test_charts_are_inline_svg_with_their_accessible_names(built_site):
    """The cost notebook's charts reach the page as inline SVG (so they take the page's text
    colour in dark mode), each named for screen readers as the notebook names it."""
    html = page(built_site, "cost")
    soup = BeautifulSoup(html, "html.parser")
    shown = [svg.get("aria-label") for svg in soup.select('svg[role="img"]')]
    notebook = nbformat.read(NOTEBOOKS / "cost.ipynb", as_version=4)
    stored = [
        unescape(re.search(r'aria-label="([^"]*)"', output["data"]["text/html"])[1])
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "<svg" in output.get("data", {}).get("text/html", "")
    ]
    assert len(stored) == 2 and shown == stored
    assert "data:image/png" not in html  # no picture that stays white in dark mode
    assert "No description has been provided" not in html


def test_code_cells_are_material_code_blocks(built_site):
    html = page(built_site, "quickstart")
    assert '<div class="highlight"><pre><code>' in html  # Material adds its copy button
    assert "clipboard-copy" not in html


def test_search_index_has_no_notebook_chrome(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if d["location"].startswith("notebooks/")]
    assert {d["location"] for d in docs} >= {"notebooks/quickstart/", "notebooks/cost/"}
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    for noise in ("In [", "In&nbsp;[", "Out[", "Copied!", "¶"):
        assert noise not in text, noise
    assert "hello from the first pod" in text  # outputs themselves stay searchable
