"""Referral links: one URL in mkdocs.yml, a visible PR disclosure, rel="sponsored".

Authors write `[text](referral:)` (the referral URL from `extra.referral.url`) or
`[text](referral:short)` (this site's /go/runpod/ page, which forwards to it), and a line
`<!-- referral-disclosure -->` before the first such link. Japan's stealth-marketing rule
wants advertising recognisable as such, and Google wants rel="sponsored", so:
- the marker becomes the theme partial partials/referral-disclosure.html: a 「PR」 label plus
  the one sentence of `extra.referral.disclosure`;
- every referral link gets rel="sponsored noopener";
- the build fails, naming the file, if a referral link comes before any disclosure, or if
  a raw referral URL (runpod.io?ref=...) is written anywhere under docs/.
"""

from __future__ import annotations

import html
import os
import re

import _common
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

MARKER = "<!-- referral-disclosure -->"
RAW_REFERRAL = re.compile(r"runpod\.io/?\?ref=", re.IGNORECASE)
LINK = re.compile(r'<a\b(?P<attrs>[^>]*?)\s*href="referral:(?P<kind>[^"]*)"(?P<rest>[^>]*)>')
REL = re.compile(r'\s*\brel="[^"]*"')


def disclosure_html(config: MkDocsConfig) -> str:
    sentence = _common.referral_settings(config)["disclosure"]
    return _common.render_partial(
        config, "partials/referral-disclosure.html", disclosure=sentence
    ).strip()


def on_pre_build(*, config: MkDocsConfig) -> None:
    _common.referral_settings(config)
    # Scan every file under docs/ (overrides and the linked notebooks/ included): the URL
    # lives only in mkdocs.yml.
    for folder, _dirs, names in os.walk(config.docs_dir, followlinks=True):
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
            except (UnicodeDecodeError, OSError):
                continue  # images and other binaries
            for number, line in enumerate(lines, start=1):
                if RAW_REFERRAL.search(line):
                    raise PluginError(
                        f"{_common.source_path(path, config)}:{number}: raw referral URL; "
                        "write [text](referral:) or [text](referral:short) after a "
                        f"{MARKER} line instead"
                    )


def on_page_content(html_text: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    referral = _common.referral_settings(config)
    source = _common.source_path(page.file.abs_src_path, config)
    first_link = LINK.search(html_text)
    if first_link is None:
        if MARKER not in html_text:
            return html_text
        return html_text.replace(MARKER, disclosure_html(config))
    marker_at = html_text.find(MARKER)
    if marker_at == -1 or marker_at > first_link.start():
        raise PluginError(
            f"{source}: a referral link comes before any disclosure; put a line {MARKER} "
            "before the first referral link"
        )

    targets = {
        "": referral["url"],
        "short": get_relative_url(referral["short_path"], page.url),
    }

    def rewrite(match: re.Match) -> str:
        if match["kind"] not in targets:
            raise PluginError(
                f'{source}: unknown link "referral:{match["kind"]}" '
                "(use referral: or referral:short)"
            )
        attrs = REL.sub("", match["attrs"]) + REL.sub("", match["rest"])
        href = html.escape(targets[match["kind"]], quote=True)
        return f'<a href="{href}" rel="sponsored noopener"{attrs}>'

    html_text = html_text.replace(MARKER, disclosure_html(config))
    return LINK.sub(rewrite, html_text)
