"""The pages of a built site, and which kind each one is (landing, chapter, notebook...).

Used by `make bench` (every page) and the browser tests (the heaviest of each kind).
"""

from __future__ import annotations

from pathlib import Path

KINDS = ("landing", "chapter with code", "notebook", "page with a diagram")


def is_redirect(html: str) -> bool:
    """A forwarding page (/go/runpod/) is not content: it leaves the site at once."""
    return 'http-equiv="refresh"' in html.lower()


def content_pages(site_dir: Path) -> list[str]:
    """Every page of the built site as a path relative to the site root ('' = home).

    Walks the build output rather than the nav so pages outside the nav are found too.
    """
    found = []
    for index in sorted(Path(site_dir).rglob("index.html")):
        rel = index.parent.relative_to(site_dir)
        if rel.parts and rel.parts[0] in {"assets", "search"}:
            continue
        if is_redirect(index.read_text(encoding="utf-8", errors="replace")):
            continue
        found.append("" if rel == Path(".") else rel.as_posix() + "/")
    return found


def kind_of(page: str, html: str) -> str | None:
    if page == "":
        return "landing"
    if "jupyter-wrapper" in html:
        return "notebook"
    if 'class="kgl-diagram"' in html:
        return "page with a diagram"
    if "<pre" in html:
        return "chapter with code"
    return None


def heaviest_of_each_kind(site_dir: Path) -> dict[str, str]:
    """{kind: the page of that kind with the largest HTML}, for each kind the site has."""
    heaviest: dict[str, tuple[int, str]] = {}
    for page in content_pages(site_dir):
        path = Path(site_dir) / page / "index.html"
        kind = kind_of(page, path.read_text(encoding="utf-8"))
        size = path.stat().st_size
        if kind and size > heaviest.get(kind, (-1, ""))[0]:
            heaviest[kind] = (size, page)
    return {kind: heaviest[kind][1] for kind in KINDS if kind in heaviest}
