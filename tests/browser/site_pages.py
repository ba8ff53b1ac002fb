"""What the browser tests need to know about the site's config: its nav and referral link."""

from __future__ import annotations

from pathlib import PurePosixPath

from tests.site.pages import load_config
from tests.site.pages import nav_pages as nav_sources


def referral_url() -> str:
    return load_config()["extra"]["referral"]["url"]


def url_path(source: str) -> str:
    """The site-relative URL of a docs source (use_directory_urls): '' for the home page,
    tips/index.md -> tips/, tips/a.md -> tips/a/."""
    stem = PurePosixPath(source).with_suffix("")
    if stem.name != "index":
        return f"{stem}/"
    return "" if stem.parent == PurePosixPath(".") else f"{stem.parent}/"


def nav_pages() -> list[str]:
    """The nav of mkdocs.yml as site-relative paths, in reading order ('' = home)."""
    return [
        url_path(source) for source in nav_sources(load_config()) if not source.startswith("http")
    ]
