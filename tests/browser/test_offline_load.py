"""In a real browser, opening pages asks no other host for anything, and diagrams still draw.

The static checks (test_links.py) cannot see what Material's JavaScript fetches: Mermaid from
unpkg.com when no `mermaid` exists, repository facts from api.github.com. This test opens the
home page, then moves by Material's instant navigation to each page that draws a Mermaid
diagram, and records every request the browser makes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.site.pages import built_path, html_files, load_config, nav_pages


def test_pages_load_nothing_from_other_hosts_and_diagrams_draw(new_page, site_server, built_site):
    page = new_page()
    local = urlsplit(site_server).netloc
    elsewhere: list[str] = []
    mermaid_requests: list[str] = []

    def record(route):
        url = route.request.url
        if "mermaid" in url:
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
        if 'class="mermaid"' in (built_site / built_path(source)).read_text(encoding="utf-8")
    ]
    for source in diagram_pages:
        href = built_path(source).removesuffix("index.html")
        # Material rewrites links to absolute URLs once its instant navigation is set up.
        link = f'nav a.md-nav__link:is([href="{href}"], [href="{site_server}{href}"])'
        page.locator(link).first.click()  # instant navigation: no full page load
        page.wait_for_url(f"**/{href}")
        # Material replaces each fence with a <div class="mermaid"> holding the drawn SVG.
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.mermaid')]"
            ".every(d => d.getBoundingClientRect().height > 20)",
            timeout=30_000,
        )
    page.wait_for_load_state("networkidle")

    assert elsewhere == []
    if diagram_pages:
        assert mermaid_requests and all(urlsplit(u).netloc == local for u in mermaid_requests)
    assert len(html_files(built_site)) > 10
