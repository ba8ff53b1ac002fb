"""axe-core (from node_modules) on pages of the built site, in Debian's chromium.

`violations(page, axe_js)` runs axe on an open Playwright page; `check_page(...)` opens a
page first and names it in each line; `sweep(...)` opens every given page at 375 px and at
desktop width, in light and dark colour schemes (or a chosen few of those views), and returns
one line per violation, naming the page and the view. `make bench` (scripts/bench/) sweeps
every page; the browser tests check the heaviest page of each kind, each view once.
"""

from __future__ import annotations

from pathlib import Path

from scripts.sitecheck.browser import WIDTHS

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {"resultTypes": ["violations"]}


def violations(page, axe_js: Path = AXE_JS) -> list[dict]:
    page.add_script_tag(path=str(axe_js))
    return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]


def describe(where: str, found: list[dict]) -> list[str]:
    return [
        f"{where}: {v['id']} ({v['impact']}) x{len(v['nodes'])}: "
        f"{v['nodes'][0]['target']} {v['help']}"
        for v in found
    ]


# Every width with every colour scheme (make bench), or each width once and each scheme
# once (the browser tests, which must stay fast).
EVERY_VIEW = tuple((width, scheme) for width in WIDTHS for scheme in ("light", "dark"))
EACH_ONCE = (("375 px", "light"), ("desktop", "dark"))


def check_page(page, url: str, where: str, axe_js: Path = AXE_JS) -> list[str]:
    """Open url in this page and run axe: one line per violation, naming `where`."""
    page.goto(url)
    return describe(where, violations(page, axe_js))


def sweep(
    browser, base_url: str, pages: list[str], views=EVERY_VIEW, axe_js: Path = AXE_JS
) -> list[str]:
    """Every violation on `pages` (site-relative) in each (width, colour scheme) view."""
    problems: list[str] = []
    for label, scheme in views:
        width, height = WIDTHS[label]
        context = browser.new_context(
            viewport={"width": width, "height": height}, color_scheme=scheme, locale="ja-JP"
        )
        page = context.new_page()
        for path in pages:
            where = f"{path or '/'} ({label}, {scheme})"
            problems += check_page(page, base_url + path, where, axe_js)
        context.close()
    return problems
