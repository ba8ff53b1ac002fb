"""Phone-sized screens and dark mode, on the built site."""

from __future__ import annotations

import pytest

PHONE = {"width": 375, "height": 812}


# What each page looks like on a phone, measured in one visit per page (a page load is the
# costly part): its width against the screen's, the widest element when it is too wide, and
# the first line of every code block that scrolls sideways.
SURVEY = """() => {
  const w = document.documentElement.clientWidth;
  let widest = null;
  if (document.documentElement.scrollWidth > w) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && (!widest || r.right > widest.r)) widest = {r: r.right,
        el: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')};
    }
  }
  return {
    widths: [document.documentElement.scrollWidth, w],
    widest: widest && widest.el,
    scrolling_code: [...document.querySelectorAll('article pre > code')]
      .filter(c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1)
      .map(c => c.textContent.split('\\n')[0].slice(0, 60)),
  };
}"""


@pytest.fixture(scope="module")
def at_375px(page_in_view, site_url, pages) -> dict[str, dict]:
    """{page: what SURVEY measured}, every content page at 375 px."""
    assert pages, "the built site has no pages"
    page = page_in_view(**PHONE)
    seen = {}
    for path in pages:
        page.goto(site_url + path)
        seen[path or "/"] = page.evaluate(SURVEY)
    return seen


def test_no_horizontal_scroll_at_375px(at_375px):
    too_wide = {
        path: (found["widths"], found["widest"])  # the widest element says what to fix
        for path, found in at_375px.items()
        if found["widths"][0] > found["widths"][1]
    }
    assert not too_wide, f"pages wider than 375 px: {too_wide}"


def scheme(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


@pytest.mark.parametrize("start", ["light", "dark"])
def test_dark_mode_toggle_switches_and_persists(new_page, site_url, pages, start):
    page = new_page(color_scheme=start, search=False)
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


def test_at_375px_no_command_hides_its_end(at_375px):
    """Code blocks wrap on a phone: nothing a reader copies runs off the right edge."""
    hidden = {
        path: found["scrolling_code"] for path, found in at_375px.items() if found["scrolling_code"]
    }
    assert not hidden, f"code that scrolls sideways at 375 px: {hidden}"


@pytest.mark.parametrize(
    ("path", "line"),
    [("pod/", "runpod/pytorch:"), ("first-evening/", "train-and-upload.sh output/exp001")],
)
def test_at_375px_the_critical_lines_are_on_screen(page_in_view, site_url, path, line):
    page = page_in_view(**PHONE)
    page.goto(site_url + path)
    box = page.evaluate(
        """line => { const c = [...document.querySelectorAll('article pre > code')]
             .find(c => c.textContent.includes(line));
           if (!c) return null;
           const range = document.createRange(); range.selectNodeContents(c);
           const rects = [...range.getClientRects()];  // the text itself, not its scroll box
           return [Math.min(...rects.map(r => r.left)), Math.max(...rects.map(r => r.right))]; }""",
        line,
    )
    assert box is not None, f"{path}: no block holds {line!r}"
    assert 0 <= box[0] and box[1] <= PHONE["width"], f"{path}: {line!r} runs off screen: {box}"


def test_at_375px_a_wide_diagram_says_it_scrolls_and_shows_everything_when_scrolled(
    page_in_view, site_url
):
    page = page_in_view(**PHONE)
    page.goto(site_url + "pod/")
    figure = page.locator("figure.kgl-diagram").first
    assert figure.locator(".kgl-diagram__hint").is_visible(), "no visible hint that it scrolls"
    drawing = figure.locator(".kgl-diagram__drawing")
    drawing.evaluate("el => el.scrollTo(el.scrollWidth, 0)")
    seen = drawing.evaluate(
        """el => { const box = el.getBoundingClientRect();
             return [...el.querySelectorAll('text')].filter(t => {
               const r = t.getBoundingClientRect();
               return r.left >= box.left - 1 && r.right <= box.right + 1; })
             .map(t => t.textContent).join(' '); }"""
    )
    assert "ネットワークボリューム" in seen, seen
    desktop = page_in_view()
    desktop.goto(site_url + "pod/")
    assert not desktop.locator(".kgl-diagram__hint").first.is_visible()
