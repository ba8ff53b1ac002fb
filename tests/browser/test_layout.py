"""Phone-sized screens and dark mode, on the built site."""

from __future__ import annotations

import pytest

PHONE = {"width": 375, "height": 812}


def test_no_horizontal_scroll_at_375px(new_page, site_url, pages):
    assert pages, "the built site has no pages"
    page = new_page(**PHONE)
    too_wide = {}
    for path in pages:
        page.goto(site_url + path)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            # Name the widest element so the failure says what to fix.
            culprit = page.evaluate(
                """() => {
                  const w = document.documentElement.clientWidth;
                  let worst = null;
                  for (const el of document.querySelectorAll('body *')) {
                    const r = el.getBoundingClientRect();
                    if (r.right > w + 1 && (!worst || r.right > worst.r)) worst = {r: r.right,
                      el: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')};
                  }
                  return worst && worst.el;
                }"""
            )
            too_wide[path or "/"] = (widths, culprit)
    assert not too_wide, f"pages wider than 375 px: {too_wide}"


def scheme(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


@pytest.mark.parametrize("start", ["light", "dark"])
def test_dark_mode_toggle_switches_and_persists(new_page, site_url, pages, start):
    page = new_page(color_scheme=start)
    page.goto(site_url)
    first = "default" if start == "light" else "slate"
    other = "slate" if start == "light" else "default"
    # Material follows the reader's system preference first.
    assert scheme(page) == first
    before = background(page)

    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{other}'")
    assert background(page) != before, "the colour scheme attribute changed but not the colours"

    # The choice is kept on the next page (Material stores it in localStorage).
    other_page = next(p for p in pages if p)
    page.goto(site_url + other_page)
    assert scheme(page) == other
