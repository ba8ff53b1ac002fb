"""Every internal link and anchor on the built site resolves; no page loads from other hosts."""

import functools
import re
from urllib.parse import urlsplit

from tests.site.pages import html_files, load_config, local_target, soup_of

CONFIG = load_config()
# Elements whose URL the browser fetches while loading the page.
FETCHED = [
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("track", "src"),
]
FETCHED_LINK_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "icon",
    "apple-touch-icon",
    "manifest",
}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""")


@functools.cache
def ids_of(page):
    soup = soup_of(page)
    return {tag["id"] for tag in soup.find_all(id=True)} | {
        tag["name"] for tag in soup.find_all("a", attrs={"name": True})
    }


def test_internal_links_and_anchors_resolve(built_site):
    broken = []
    checked = 0
    for page in html_files(built_site):
        soup = soup_of(page)
        for tag in soup.find_all(["a", "link", "img", "script"]):
            url = tag.get("href") or tag.get("src")
            if not url or url.startswith(("javascript:", "data:")):
                continue
            target = local_target(built_site, page, url, CONFIG["site_url"])
            if target is None:
                continue
            path, fragment = target
            checked += 1
            name = page.relative_to(built_site)
            if not path.is_file():
                broken.append(f"{name}: {url} -> missing {path.relative_to(built_site)}")
            elif fragment and path.suffix == ".html" and fragment not in ids_of(path):
                broken.append(f"{name}: {url} -> no id #{fragment}")
    assert checked > 100  # the nav alone links every page from every page
    assert broken == []


def _external(url):
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme in {"http", "https"}


def test_no_page_loads_anything_from_another_host(built_site):
    offending = []
    for page in html_files(built_site):
        soup = soup_of(page)
        name = page.relative_to(built_site)
        for element, attribute in FETCHED:
            for tag in soup.find_all(element, attrs={attribute: True}):
                if _external(tag[attribute]):
                    offending.append(f"{name}: <{element} {attribute}={tag[attribute]}>")
        for tag in soup.find_all(["img", "source"], srcset=True):
            if any(_external(part.split()[0]) for part in tag["srcset"].split(",") if part):
                offending.append(f"{name}: srcset {tag['srcset']}")
        for tag in soup.find_all("link", href=True):
            if FETCHED_LINK_RELS & set(tag.get("rel", [])) and _external(tag["href"]):
                offending.append(f"{name}: <link rel={tag.get('rel')} href={tag['href']}>")
        for style in soup.find_all("style"):
            offending += [f"{name}: <style> {url}" for url in CSS_URL.findall(style.get_text())]
        for tag in soup.find_all(style=True):
            offending += [f"{name}: style= {url}" for url in CSS_URL.findall(tag["style"])]
    for stylesheet in built_site.rglob("*.css"):
        for url in CSS_URL.findall(stylesheet.read_text(encoding="utf-8")):
            offending.append(f"{stylesheet.relative_to(built_site)}: {url}")
    assert offending == []


def test_theme_scripts_never_reach_for_another_host(built_site):
    """Material's JavaScript would call unpkg.com for Mermaid (any `.mermaid` element left on
    a page) and api.github.com for repository facts (data-md-component="source")."""
    pages_with_bundle = 0
    for page in html_files(built_site):
        html = page.read_text(encoding="utf-8")
        if "assets/javascripts/bundle." in html:
            pages_with_bundle += 1
        soup = soup_of(page)
        assert not soup.select(".mermaid"), f"{page}: a Mermaid diagram was left undrawn"
        assert 'data-md-component="source"' not in html, f"{page}: repo facts fetch"
        assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
    assert pages_with_bundle > 10
    assert not list(built_site.rglob("mermaid*.js")), "the site ships a diagram library"
