"""What the browser tests need to know about the site: its pages and its config."""

from __future__ import annotations

from pathlib import PurePosixPath

from sitecheck.site_pages import content_pages, is_redirect  # noqa: F401 (re-exported)
from tests.site.pages import load_config
from tests.site.pages import nav_pages as nav_sources


def referral_url() -> str:
    return load_config()["extra"]["referral"]["url"]


def nav_pages() -> list[str]:
    """The nav of mkdocs.yml as site-relative paths, in reading order ('' = home)."""
    out = []
    for source in nav_sources(load_config()):
        if source.startswith("http"):
            continue
        stem = PurePosixPath(source).with_suffix("")
        out.append("" if stem.name == "index" and stem.parent == PurePosixPath(".")
                   else f"{stem.parent}/" if stem.name == "index" else f"{stem}/")  # fmt: skip
    return out
