"""Helpers for the site tests: the project's mkdocs.yml and the pages of a built site."""

from __future__ import annotations

import copy
import functools
import os
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup

from tests import ROOT as PROJECT


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Reads mkdocs.yml without importing what its !!python tags name (libyaml's loader
    when PyYAML has it: the test modules of every worker read this file)."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def load_config(project: Path = PROJECT) -> dict:
    """mkdocs.yml as a dict of the caller's own (a copy of the file's one parse)."""
    return copy.deepcopy(_parsed_config(project / "mkdocs.yml"))


@functools.cache
def _parsed_config(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)  # noqa: S506


def nav_pages(config: dict) -> dict[str, str]:
    """{source file: nav title} for every page in the nav, nested sections included."""
    pages: dict[str, str] = {}

    def walk(items):
        for item in items:
            if isinstance(item, str):
                pages[item] = item
                continue
            for title, value in item.items():
                if isinstance(value, list):
                    walk(value)
                else:
                    pages[value] = title

    walk(config["nav"])
    return pages


def built_path(source: str) -> str:
    """The built HTML file of a docs source (use_directory_urls): tips/a.md -> tips/a/index.html."""
    stem = PurePosixPath(source).with_suffix("")
    if stem.name == "index":
        return str(stem.parent / "index.html").removeprefix("./")
    return f"{stem}/index.html"


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET a URL from the local test server: (status, headers, raw body)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 (http://127.0.0.1 only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@functools.cache
def soup_of(path: Path) -> BeautifulSoup:
    """The parsed page, shared by every test of this process: read it, never change it."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_outside(tag, selector: str, strip: bool = False) -> str:
    """tag.get_text() without the text inside elements matching `selector` (the shared soup
    stays as it is, unlike decompose())."""
    inside = {id(s) for element in tag.select(selector) for s in element.strings}
    strings = (s for s in tag.strings if id(s) not in inside)
    return "".join(s.strip() for s in strings) if strip else "".join(strings)


def local_target(site: Path, page: Path, url: str, site_url: str) -> tuple[Path, str] | None:
    """The file a link on `page` points to inside the site, and its fragment.

    None for links that leave the site (other hosts, mailto:, ...). Links written with the
    site's own absolute URL (canonical, og:url) count as internal.
    """
    if url.startswith(site_url):
        url = urlsplit(site_url).path + url[len(site_url) :]
    base = page.parent
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return page, unquote(parts.fragment)
    if path.startswith("/"):  # absolute paths start with site_url's path (/guide/), like 404.html's
        site_path = urlsplit(site_url).path
        if not path.startswith(site_path):
            return site / "outside-the-site" / path.lstrip("/"), ""  # reported as missing
        target = site / path[len(site_path) :]
    else:
        target = base / path
    target = Path(os.path.normpath(target))
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)
