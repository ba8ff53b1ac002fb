"""Browser fixtures: Debian's chromium driven by Playwright, against the built site.

Without /usr/bin/chromium (or Playwright) these tests skip with a notice; in CI (CI=true,
which GitHub Actions and .ci/run set) or with REQUIRE_BROWSER=1 a missing browser fails them
instead, so CI can never go green by skipping. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.sitecheck.browser import CHROMIUM, CHROMIUM_ARGS, without_search
from scripts.sitecheck.site_pages import content_pages, heaviest_of_each_kind
from tests import ROOT
from tests.browser import site_pages


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (uv sync)"
    return None


def browser_required() -> bool:
    """CI (GitHub Actions and .ci/run set CI=true) and REQUIRE_BROWSER=1 never skip them."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_BROWSER") == "1"


def require_or_skip(problem: str) -> None:
    """Skip with a clear notice, or fail when the environment demands the browser."""
    if browser_required():
        pytest.fail(f"in CI the browser tests must run, but they cannot: {problem}")
    pytest.skip(f"browser tests skipped: {problem}")


def pytest_collection_modifyitems(config, items):
    # Every test in this folder drives a browser: mark them so `-m "not browser"` works.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    problem = browser_problem()
    if problem:
        require_or_skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url(site_server: str) -> str:
    """Base URL of the built site, always ending in '/'."""
    return site_server if site_server.endswith("/") else site_server + "/"


def offline_context(chromium, width=1280, height=900, color_scheme="light", search=True, **kwargs):
    """A fresh context (own storage) in the offline browser (browser.CHROMIUM_ARGS);
    search=False for a test that never opens the search (browser.without_search)."""
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        color_scheme=color_scheme,
        locale="ja-JP",
        **kwargs,
    )
    context.set_default_timeout(15_000)
    if not search:
        without_search(context)
    return context


@pytest.fixture
def new_page(chromium):
    """Factory for pages in fresh contexts (offline_context)."""
    contexts = []

    def make(**kwargs):
        context = offline_context(chromium, **kwargs)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def page_in_view(chromium):
    """Factory: one page per view (offline_context's options), shared by a module's tests
    that only look at pages (layout, axe, code blocks). A context of its own costs about as
    much CPU as a page load, and these tests store nothing. The page comes back blank; the
    test goes to its page. Tests that store something (the palette toggle), need permissions
    or the search take new_page instead. Closed with the module: headless chromium spends
    about 7 % of a core on every open page, even an idle blank one."""
    made: dict[tuple, object] = {}

    def get(**view):
        key = tuple(sorted(view.items()))
        if key not in made:
            made[key] = offline_context(chromium, search=False, **view).new_page()
        made[key].goto("about:blank")  # nothing (scroll, focus) carries over from the last test
        return made[key]

    yield get
    for page in made.values():
        page.context.close()


@pytest.fixture(scope="session")
def pages(built_site: Path) -> list[str]:
    """Site-relative paths of every content page in the built site ('' is the home page):
    every nav page and any page outside the nav."""
    found = content_pages(built_site)
    missing = [page for page in site_pages.nav_pages() if page not in found]
    assert not missing, f"nav pages missing from the build: {missing}"
    return found


@pytest.fixture(scope="session")
def heaviest(built_site: Path) -> dict[str, str]:
    """{kind: page}: the heaviest landing, chapter with code, notebook and diagram page.
    The browser tests check these; `make bench` checks every page."""
    kinds = heaviest_of_each_kind(built_site)
    assert len(kinds) == 4, f"the site lacks a kind of page: {kinds}"
    return kinds


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The npm tools (axe-core, lighthouse) from package-lock.json."""
    path = ROOT / "node_modules"
    needed = [path / "axe-core" / "axe.min.js", path / ".bin" / "lighthouse"]
    if not all(p.exists() for p in needed) or not shutil.which("node"):
        require_or_skip("node_modules is missing (run `make lint`, which runs npm ci)")
    return path
