"""The weight of each built page: raw HTML, a first visit with gzip, and its JavaScript.

A first visit transfers the page plus the CSS, JS and images it loads; the JavaScript a page
can load is its scripts, its inline scripts, and the search worker with what it imports.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from scripts.sitecheck.lighthouse import JS_BUDGET_BYTES

PAGE_BYTES = 150_000  # one built HTML page, raw
FIRST_VISIT_GZIP_BYTES = 500_000  # a page and what it loads, gzip

# What a page loads as it opens: stylesheets, scripts, images (links and anchors excluded).
LOADED = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\brel=\"?(?:stylesheet|icon)[^>]*\bhref|img[^>]*\bsrc)"
    r"=\"?([^\"\s>]+)"
)
SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
# Material's search worker loads these itself (language "ja").
WORKER_IMPORTS = (
    "assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
    "assets/javascripts/lunr/tinyseg.js",
    "assets/javascripts/lunr/min/lunr.ja.min.js",
)


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def loaded_files(page: Path, html: str) -> set[Path]:
    """The local files a page loads as it opens."""
    loaded = set()
    for url in LOADED.findall(html):
        if url.startswith(("http:", "https:", "//", "data:")):
            continue
        target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
        if target.is_file():
            loaded.add(target)
    return loaded


def script_gzip_bytes(site: Path, html: str, loaded: set[Path]) -> int:
    """The JavaScript a page can load, gzip: its scripts, inline ones, and the search worker."""
    scripts = [path for path in loaded if path.suffix == ".js"]
    if 'data-md-component="search"' in html:
        scripts += sorted((site / "assets/javascripts/workers").glob("search.*.min.js"))
        scripts += [site / name for name in WORKER_IMPORTS if (site / name).is_file()]
    inline = "".join(SCRIPT.findall(html)).encode("utf-8")
    inline_gzip = len(gzip.compress(inline, compresslevel=6, mtime=0)) if inline else 0
    return inline_gzip + sum(gzip_size(path) for path in set(scripts))


def measure_pages(site: Path) -> list[dict]:
    pages = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        loaded = loaded_files(page, html)
        pages.append(
            {
                "page": str(page.relative_to(site)),
                "bytes": page.stat().st_size,
                "gzip_bytes": gzip_size(page),
                "first_visit_gzip_bytes": gzip_size(page) + sum(map(gzip_size, loaded)),
                "script_gzip_bytes": script_gzip_bytes(site, html, loaded),
            }
        )
    return pages


def kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def page_rows(pages: list[dict]) -> list[tuple[str, str, str, bool]]:
    largest = max(pages, key=lambda p: p["bytes"])
    heaviest = max(pages, key=lambda p: p["first_visit_gzip_bytes"])
    most_js = max(pages, key=lambda p: p["script_gzip_bytes"])
    return [
        (
            f"largest page ({largest['page']})",
            kb(largest["bytes"]),
            f"<= {kb(PAGE_BYTES)}",
            all(p["bytes"] <= PAGE_BYTES for p in pages),
        ),
        (
            f"first visit, gzip ({heaviest['page']})",
            kb(heaviest["first_visit_gzip_bytes"]),
            f"<= {kb(FIRST_VISIT_GZIP_BYTES)}",
            all(p["first_visit_gzip_bytes"] <= FIRST_VISIT_GZIP_BYTES for p in pages),
        ),
        (
            f"JavaScript, gzip ({most_js['page']})",
            kb(most_js["script_gzip_bytes"]),
            f"<= {kb(JS_BUDGET_BYTES)}",
            all(p["script_gzip_bytes"] <= JS_BUDGET_BYTES for p in pages),
        ),
    ]


def over_budget_pages(pages: list[dict]) -> list[str]:
    out = []
    for p in pages:
        if p["bytes"] > PAGE_BYTES:
            out.append(f"{p['page']}: {kb(p['bytes'])} > {kb(PAGE_BYTES)} raw HTML")
        if p["first_visit_gzip_bytes"] > FIRST_VISIT_GZIP_BYTES:
            out.append(f"{p['page']}: first visit {kb(p['first_visit_gzip_bytes'])} gzip")
        if p["script_gzip_bytes"] > JS_BUDGET_BYTES:
            out.append(f"{p['page']}: JavaScript {kb(p['script_gzip_bytes'])} gzip")
    return out
