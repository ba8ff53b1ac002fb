"""Code that scrolls sideways on a touch device can be scrolled from the keyboard.

Material makes an overflowing block focusable only on devices with a mouse; on a tablet or
phone (no hover) it drops the tabindex, and keyboard users (a Bluetooth keyboard, switch
access) could not scroll it (axe: scrollable-region-focusable). docs/javascripts/a11y.js
keeps it. On a phone code wraps instead (tests/browser/test_layout.py); a tablet in portrait
is wide enough not to wrap, and narrow enough that a long command scrolls."""

from __future__ import annotations

import pytest

PHONE = {"width": 800, "height": 1280, "is_mobile": True, "has_touch": True}  # a tablet


@pytest.mark.parametrize("path", ["first-evening/", "train/"])
def test_every_scrolling_code_block_takes_focus_and_scrolls(page_in_view, site_url, path):
    page = page_in_view(**PHONE)
    page.goto(site_url + path)
    assert not page.evaluate("matchMedia('(hover)').matches"), "the phone should have no hover"
    scrolling = page.locator(".md-typeset pre > code").evaluate_all(
        "els => els.filter(e => e.offsetParent && e.scrollWidth > e.clientWidth).length"
    )
    assert scrolling > 0, f"{path}: no code block scrolls at 375 px; the test tests nothing"
    page.wait_for_function(
        "() => [...document.querySelectorAll('.md-typeset pre > code')]"
        ".filter(e => e.offsetParent && e.scrollWidth > e.clientWidth)"  # shown (not collapsed)
        ".every(e => e.getAttribute('tabindex') === '0')"
    )
    code = page.locator(".md-typeset pre > code[tabindex='0'] >> visible=true").first
    code.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=code.element_handle())
