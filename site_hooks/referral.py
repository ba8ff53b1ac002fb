"""Referral links: one URL in mkdocs.yml, a visible PR disclosure, rel="sponsored".

Authors write `[text](referral:)` (the referral URL from `extra.referral.url`) or
`[text](referral:short)` (this site's /go/runpod/ page, which forwards to it), and a line
`<!-- referral-disclosure -->` before the first such link. Japan's stealth-marketing rule
wants advertising recognisable as such, and Google wants rel="sponsored", so:
- the marker becomes a 「PR」 label plus the one sentence of `extra.referral.disclosure`;
- every referral link gets rel="sponsored noopener";
- the build fails, naming the file, if a referral link comes before any disclosure, or if
  a raw referral URL (runpod.io?ref=...) is written anywhere under docs/.
"""

import html
import os
import re

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

MARKER = "<!-- referral-disclosure -->"
RAW_REFERRAL = re.compile(r"runpod\.io/?\?ref=", re.IGNORECASE)
LINK = re.compile(r'<a\b(?P<attrs>[^>]*?)\s*href="referral:(?P<kind>[^"]*)"(?P<rest>[^>]*)>')
REL = re.compile(r'\s*\brel="[^"]*"')


def _source(path, config):
    return os.path.relpath(path, os.path.dirname(config.config_file_path))


def _settings(config):
    referral = config.extra.get("referral") or {}
    missing = [key for key in ("url", "short_path", "disclosure") if not referral.get(key)]
    if missing:
        raise PluginError(f"mkdocs.yml: extra.referral needs {', '.join(missing)}")
    return referral


def disclosure_html(sentence):
    # The label is real text at body size (site.css), not an icon or a tooltip.
    return (
        '<p class="referral-disclosure"><strong class="referral-disclosure__label">PR</strong> '
        f"{html.escape(sentence)}</p>"
    )


def on_pre_build(config):
    _settings(config)
    # Scan every file under docs/ (overrides included): the URL lives only in mkdocs.yml.
    for folder, _dirs, names in os.walk(config.docs_dir):
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
                        f"{_source(path, config)}:{number}: raw referral URL; write "
                        "[text](referral:) or [text](referral:short) after a "
                        f"{MARKER} line instead"
                    )


def on_page_content(content, page, config, files):
    referral = _settings(config)
    first_link = LINK.search(content)
    if first_link is None:
        return content.replace(MARKER, disclosure_html(referral["disclosure"]))
    marker_at = content.find(MARKER)
    if marker_at == -1 or marker_at > first_link.start():
        raise PluginError(
            f"{_source(page.file.abs_src_path, config)}: a referral link comes before any "
            f"disclosure; put a line {MARKER} before the first referral link"
        )

    targets = {
        "": referral["url"],
        "short": get_relative_url(referral["short_path"], page.url),
    }

    def rewrite(match):
        if match["kind"] not in targets:
            raise PluginError(
                f"{_source(page.file.abs_src_path, config)}: unknown link "
                f'"referral:{match["kind"]}" (use referral: or referral:short)'
            )
        attrs = REL.sub("", match["attrs"]) + REL.sub("", match["rest"])
        href = html.escape(targets[match["kind"]], quote=True)
        return f'<a href="{href}" rel="sponsored noopener"{attrs}>'

    content = content.replace(MARKER, disclosure_html(referral["disclosure"]))
    return LINK.sub(rewrite, content)
