"""Referral links on the built site: sponsored, disclosed, one URL, and /go/runpod/ forwards."""

import os
import re
from pathlib import Path

from tests.site.pages import PROJECT, fetch, html_files, load_config, local_target, soup_of

CONFIG = load_config()
REFERRAL = CONFIG["extra"]["referral"]
SHORT_PAGE = REFERRAL["short_path"] + "index.html"
ANY_REFERRAL_URL = re.compile(r"https?://(?:www\.)?runpod\.io/?\?ref=[^\"'<>\s)]*", re.I)


def referral_links(site, page):
    soup = soup_of(page)
    for link in soup.find_all("a", href=True):
        if link["href"] == REFERRAL["url"]:
            yield link
            continue
        target = local_target(site, page, link["href"], CONFIG["site_url"])
        if target and target[0] == site / SHORT_PAGE:
            yield link


def test_every_referral_link_is_sponsored_and_follows_a_pr_label(built_site):
    pages_with_links = 0
    for page in html_files(built_site):
        links = list(referral_links(built_site, page))
        if not links:
            continue
        pages_with_links += 1
        name = page.relative_to(built_site)
        for link in links:
            assert {"sponsored", "noopener"} <= set(link.get("rel", [])), f"{name}: {link}"
        labels = links[0].find_all_previous(class_="referral-disclosure__label")
        assert any(label.get_text(strip=True) == "PR" for label in labels), (
            f"{name}: no PR label before the first referral link"
        )
        disclosure = labels[0].find_parent(class_="referral-disclosure")
        assert REFERRAL["disclosure"] in disclosure.get_text(), f"{name}: disclosure text"
    # At least the /go/runpod/ page links to the URL; a site without links tests nothing.
    assert pages_with_links >= 1


def test_referral_url_comes_only_from_mkdocs_yml(built_site):
    for path in built_site.rglob("*"):
        if path.suffix not in {".html", ".js", ".json", ".xml", ".txt", ".css"}:
            continue
        for url in ANY_REFERRAL_URL.findall(path.read_text(encoding="utf-8", errors="ignore")):
            assert url.replace("&amp;", "&") == REFERRAL["url"], f"{path}: {url}"


def test_docs_hold_no_raw_referral_url():
    checked = 0
    for folder, _, names in os.walk(PROJECT / "docs", followlinks=True):  # docs/notebooks too
        for path in (Path(folder) / name for name in names):
            if path.suffix in {".md", ".html", ".ipynb", ".css", ".js", ".yml"}:
                checked += 1
                text = path.read_text(encoding="utf-8")
                assert not re.search(r"runpod\.io/?\?ref=", text, re.I), (
                    f"{path} writes the referral URL; use [text](referral:)"
                )
    assert checked > 10


def test_go_page_forwards_to_the_referral_url(site_server):
    status, _, body = fetch(site_server + REFERRAL["short_path"])
    assert status == 200
    html = body.decode("utf-8")
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert refresh and refresh.group(1).replace("&amp;", "&") == REFERRAL["url"]
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'rel="sponsored noopener"' in html and ">PR<" in html
