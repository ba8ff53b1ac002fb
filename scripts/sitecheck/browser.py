"""Debian's chromium driven by Playwright, for `make bench` and the browser tests.

Playwright's own browser downloads are never used: CHROMIUM_PATH (default
/usr/bin/chromium) is launched headless with flags that work as root on these machines, and
with no way out to another host.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    # Offline but for this machine, where the site is served: no other host resolves, so
    # no page can fetch fonts, analytics or anything else from elsewhere. Cheaper than
    # intercepting every request through Playwright, and true for every context.
    # tests/browser/test_offline_load.py still records what a page asks for.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"375 px": (375, 812), "desktop": (1280, 900)}


def without_search(context) -> None:
    """Load this context's pages without Material's search worker, which fetches the search
    index and builds the whole index on every page load (about half of a page load's CPU
    here). Only for checks of what a page shows before anyone searches: the search, the
    search dialog's accessibility and the offline-load check keep the worker."""
    context.route("**/assets/javascripts/workers/search.*", lambda route: route.abort())


@contextmanager
def chromium() -> Iterator[object]:
    """A headless chromium (a Playwright Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
