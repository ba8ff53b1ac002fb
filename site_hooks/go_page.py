"""Write the short referral page (extra.referral.short_path, e.g. go/runpod/).

The page is the theme template docs/overrides/go.html: a meta refresh to the referral URL,
the PR disclosure (partials/referral-disclosure.html, shared with the other pages) and a
sponsored link. It stays outside the nav and the sitemap.
"""

from __future__ import annotations

import os

import _common
from mkdocs.config.defaults import MkDocsConfig


def on_post_build(*, config: MkDocsConfig) -> None:
    referral = _common.referral_settings(config)
    target = os.path.join(config.site_dir, referral["short_path"], "index.html")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    page = _common.render_partial(
        config, "go.html", url=referral["url"], disclosure=referral["disclosure"]
    )
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(page)
