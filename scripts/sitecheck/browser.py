"""Debian's chromium driven by Playwright, for `make bench` and the browser tests.

Playwright's own browser downloads are never used: CHROMIUM_PATH (default
/usr/bin/chromium) is launched headless with flags that work as root on these machines.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"375 px": (375, 812), "desktop": (1280, 900)}


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
