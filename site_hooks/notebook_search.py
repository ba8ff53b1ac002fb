"""Make the notebook pages that mkdocs-jupyter renders small, searchable and accessible.

mkdocs-jupyter (execute: false) turns each .ipynb into HTML with nbconvert's lab template.
That HTML inlines ~600 KB of JupyterLab CSS and a clipboard widget per cell (hidden
"Copied!" text plus a second copy of the code, both of which end up in the search index),
gives headings ASCII-only ids (Japanese headings lose their anchors), and renders images
without alt text. This hook rewrites the page content once, before the search plugin and
the theme see it:

- drops the inlined <style>/<script> blocks (site.css keeps the few rules that matter) and
  the clipboard widgets, and turns code cells
  into Material's own `div.highlight > pre > code` so Material styles them and adds its
  copy button; text outputs become keyboard-focusable, since wide ones scroll sideways;
- gives headings the same slugs as Markdown pages (the toc `slugify` in mkdocs.yml) and
  rebuilds the page's table of contents from them;
- copies each image's alt text from the notebook (output metadata `image/png.alt`, or the
  cell's `alt` metadata) onto the <img>; an image without one is a build warning, which
  fails the strict build.
"""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path

from markdown.extensions.toc import nest_toc_tokens, strip_tags, unique
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

log = logging.getLogger("mkdocs.hooks.notebook_search")

STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b[^>]*>.*?</\1>", re.S | re.I)
CLIPBOARD_WIDGET = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>', re.S
)
# (attribute order varies: the HTML is re-serialised on the way, so match either order)
CLIPBOARD_TEXT = re.compile(r'<div\b[^>]*\bclass="clipboard-copy-txt"[^>]*>.*?</div>', re.S)
CODE_BLOCK = re.compile(r'<div class="highlight-ipynb[^"]*"><pre>(.*?)</pre></div>', re.S)
# Text outputs (wide tables) scroll sideways: keyboard users must be able to focus them.
OUTPUT_PRE = re.compile(r"(<div\b[^>]*\bjp-OutputArea-output\b[^>]*>\s*)<pre>")
HEADING = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1>", re.S)
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
PNG_IMG = re.compile(r'<img\b[^>]*?\bsrc="data:image/png;base64,')
ALT_ATTR = re.compile(r'\s+alt="[^"]*"')


def is_notebook(page: Page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def on_page_content(html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not is_notebook(page):
        return html_text
    html_text = strip_jupyter_chrome(html_text)
    html_text = add_alt_texts(html_text, Path(page.file.abs_src_path), page.file.src_uri)
    html_text, tokens = slug_headings(html_text, config)
    page.toc = get_toc(tokens)
    return html_text


def strip_jupyter_chrome(html_text: str) -> str:
    html_text = STYLE_OR_SCRIPT.sub("", html_text)
    html_text = CLIPBOARD_WIDGET.sub("", html_text)
    html_text = CLIPBOARD_TEXT.sub("", html_text)
    html_text = OUTPUT_PRE.sub(r'\1<pre tabindex="0">', html_text)
    return CODE_BLOCK.sub(r'<div class="highlight"><pre><code>\1</code></pre></div>', html_text)


def image_alts(notebook_path: Path) -> list[str | None]:
    """Alt text of every PNG output, in the order nbconvert renders them."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    alts = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                meta = output.get("metadata", {}).get("image/png", {})
                alts.append(meta.get("alt") or cell.get("metadata", {}).get("alt"))
    return alts


def add_alt_texts(html_text: str, notebook_path: Path, name: str) -> str:
    alts = iter(image_alts(notebook_path))
    position = 0

    def with_alt(match: re.Match) -> str:
        nonlocal position
        position += 1
        alt = next(alts, None)
        if not alt:
            log.warning(
                "%s: image %d has no alt text (set it in the output metadata)", name, position
            )
            return match.group(0)
        # nbconvert writes a placeholder alt ("No description has been provided ..."): replace it.
        tag = ALT_ATTR.sub("", match.group(0))
        return tag.replace("<img", f'<img alt="{html.escape(alt, quote=True)}"', 1)

    return PNG_IMG.sub(with_alt, html_text)


def slug_headings(html_text: str, config: MkDocsConfig) -> tuple[str, list[dict]]:
    """Give headings the site's slugs and return matching toc tokens."""
    toc_config = config["mdx_configs"].get("toc", {})
    slugify = toc_config.get("slugify")
    separator = toc_config.get("separator", "-")
    title = html.escape(toc_config.get("permalink_title", ""), quote=True)
    used: set[str] = set()
    flat: list[dict] = []

    def rewrite(match: re.Match) -> str:
        level, attrs, inner = int(match.group(1)), match.group(2), match.group(3)
        inner = ANCHOR_LINK.sub("", inner)
        name = html.unescape(strip_tags(inner)).strip()
        slug = slugify(name, separator) if slugify else re.sub(r"\s+", separator, name.lower())
        slug = unique(slug, used)
        attrs = re.sub(r'\s*id="[^"]*"', "", attrs)
        flat.append(
            {
                "level": level,
                "id": slug,
                "name": html.escape(name),
                "html": inner,
                "data-toc-label": "",
                "children": [],
            }
        )
        permalink = f'<a class="headerlink" href="#{slug}" title="{title}">&para;</a>'
        return f'<h{level} id="{slug}"{attrs}>{inner}{permalink}</h{level}>'

    html_text = HEADING.sub(rewrite, html_text)
    return html_text, nest_toc_tokens(flat)
