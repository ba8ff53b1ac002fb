"""In a real browser, opening pages asks no other host for anything, and diagrams show.

The static checks (test_links.py) cannot see what Material's JavaScript fetches: Mermaid from
unpkg.com when a `.mermaid` element is left, repository facts from api.github.com. This test
opens the home page, then moves by Material's instant navigation to each page with a diagram
(drawn at build time: no diagram library is loaded), and records every request the browser
makes.

The other tests here check the browser the tests use: it resolves no host name but serves
the site (so no test can reach the network), and a context without the search worker loses
that one request and nothing else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.site.pages import built_path, html_files, load_config, nav_pages


def test_pages_load_nothing_from_other_hosts_and_diagrams_draw(new_page, site_server, built_site):
    page = new_page()
    local = urlsplit(site_server).netloc
    elsewhere: list[str] = []
    mermaid_requests: list[str] = []

    def record(route):
        url = route.request.url
        if "mermaid" in url.lower():
            mermaid_requests.append(url)
        if urlsplit(url).netloc == local or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", record)
    page.goto(site_server)
    page.wait_for_load_state("networkidle")

    nav = nav_pages(load_config())
    diagram_pages = [
        source
        for source in sorted(nav)
        if 'class="kgl-diagram"' in (built_site / built_path(source)).read_text(encoding="utf-8")
    ]
    for source in diagram_pages:
        href = built_path(source).removesuffix("index.html")
        # Material rewrites links to absolute URLs once its instant navigation is set up.
        link = f'nav a.md-nav__link:is([href="{href}"], [href="{site_server}{href}"])'
        page.locator(link).first.click()  # instant navigation: no full page load
        page.wait_for_url(f"**/{href}")
        # The drawing is in the page itself: it shows at once, with its words as text.
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('.kgl-diagram svg')]"
            ".map(s => [s.getBoundingClientRect().height, s.querySelectorAll('text').length])"
        )
        assert drawn and all(height > 20 and words > 0 for height, words in drawn), drawn
    page.wait_for_load_state("networkidle")

    assert elsewhere == []
    assert diagram_pages, "no page draws a diagram; the test tests nothing"
    assert mermaid_requests == [], "a page loaded a diagram library"
    assert len(html_files(built_site)) > 10


def test_a_context_without_search_misses_only_the_search_worker(new_page, site_url):
    """Tests that never search load pages without Material's search worker
    (browser.without_search); that must drop the worker and nothing else."""
    with_search, without = new_page(), new_page(search=False)
    failed: dict[str, list[str]] = {"with": [], "without": []}
    with_search.on("requestfailed", lambda request: failed["with"].append(request.url))
    without.on("requestfailed", lambda request: failed["without"].append(request.url))
    for page in (with_search, without):
        page.goto(site_url)
        page.wait_for_load_state("networkidle")
        assert page.locator("article h1").is_visible()
    assert failed["with"] == []
    assert (
        len(failed["without"]) == 1
        and "/assets/javascripts/workers/search." in failed["without"][0]
    ), failed


def test_the_browser_itself_resolves_no_host_name(new_page, site_url):
    """The tests' browser resolves no host name (browser.CHROMIUM_ARGS), so a page that asks
    another host for something fails at once, in CI too, where the machine is online. Even
    `localhost`, which every machine resolves without a network, is refused: the site at
    127.0.0.1 is the only way out."""
    page = new_page()
    page.goto(site_url)
    by_name = site_url.replace("//127.0.0.1:", "//localhost:")
    assert by_name != site_url
    with pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"):
        page.goto(by_name)
