"""The home page's call to action: a visible PR label above it, then /go/runpod/ forwards
the reader to the referral URL from mkdocs.yml (intercepted: nothing leaves the machine)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.site_pages import referral_url


def normalized(url: str) -> tuple[str, str, str, str]:
    """Browsers add the "/" path to an origin-only URL; compare everything else exactly."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query


def test_call_to_action_goes_through_go_page_to_referral_url(new_page, site_url):
    expected = referral_url()
    expected_host = urlsplit(expected).netloc
    page = new_page(width=375, height=812, search=False)
    requested: list[str] = []

    # Stand in for runpod.io: record the navigation and answer locally.
    def fake_runpod_site(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>stand-in</title>")

    page.route(lambda url: urlsplit(url).netloc.endswith(expected_host), fake_runpod_site)
    page.goto(site_url)
    documents: list[str] = []
    page.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)

    cta = page.locator(".md-content a[href*='go/runpod']").first
    assert cta.is_visible(), "the home page has no visible link to /go/runpod/"
    label = page.locator(".md-content").get_by_text("PR", exact=True).first
    assert label.is_visible(), "no visible 「PR」 label on the home page"

    # The label must be read before the link: it sits above it on a phone screen.
    label_box, cta_box = label.bounding_box(), cta.bounding_box()
    assert label_box["y"] + label_box["height"] <= cta_box["y"], (label_box, cta_box)
    assert "sponsored" in (cta.get_attribute("rel") or "").split()

    cta.click()
    # The stand-in page loads once the go page has forwarded the browser to runpod.io.
    page.wait_for_url(lambda url: urlsplit(url).netloc.endswith(expected_host))
    assert requested, "the go page never forwarded to the referral site"
    assert normalized(requested[-1]) == normalized(expected)
    # The reader went through the site's own /go/runpod/ page, then on to runpod.io.
    go_page = site_url + "go/runpod/"
    assert go_page in documents, documents
    assert documents.index(go_page) < len(documents) - 1, documents
