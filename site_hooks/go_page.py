"""Write the short referral page (extra.referral.short_path, e.g. go/runpod/).

A plain HTML page, outside the nav and the sitemap, that forwards to the referral URL with
a meta refresh (no JavaScript) and shows the same PR disclosure and a sponsored link for
browsers that do not follow the refresh. `noindex` keeps it out of search engines.
"""

import html
import os

from mkdocs.exceptions import PluginError

PAGE = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="description" content="{site_name}からRunpodの登録ページへ移動します。">
<meta http-equiv="refresh" content="0; url={url}">
<title>Runpodへ移動します - {site_name}</title>
</head>
<body>
<p class="referral-disclosure">
<strong class="referral-disclosure__label">PR</strong> {disclosure}
</p>
<p>Runpodの登録ページへ移動します。自動で移動しない場合は、
<a href="{url}" rel="sponsored noopener">Runpodの登録ページ</a>を開いてください。</p>
</body>
</html>
"""


def on_post_build(config):
    referral = config.extra.get("referral") or {}
    if not referral.get("url") or not referral.get("short_path"):
        raise PluginError("mkdocs.yml: extra.referral needs url and short_path")
    target = os.path.join(config.site_dir, referral["short_path"], "index.html")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as page:
        page.write(
            PAGE.format(
                url=html.escape(referral["url"], quote=True),
                site_name=html.escape(config.site_name),
                disclosure=html.escape(referral.get("disclosure", "")),
            )
        )
