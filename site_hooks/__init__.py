"""Small MkDocs hooks for this site, one module per job (listed under `hooks:` in mkdocs.yml).

- description.py     every page must have a meta description (front matter or notebook metadata)
- code_fences.py     code on a page is only ever included from a file (`--8<--`), never pasted
- facts.py           numbers, dates and sources on pages come from data (prices, facts, yen)
- recommended.py     console steps show snippets/recommended_image.toml's image and pod defaults
- diagrams.py        draws ```mermaid fences as inline SVG at build time (no script for readers)
- referral.py        `referral:` links, the PR disclosure, and the ban on raw referral URLs
- go_page.py         writes the /go/runpod/ forwarding page
- downloads.py       publishes snippets/setup.sh byte for byte at downloads/setup.sh
- social_card.py     the picture that link previews show (og:image), drawn at build time
- notebook_search.py slims mkdocs-jupyter's pages: no inlined CSS or CDN scripts
- search_ja.py       lets Material's search understand Japanese questions
- verified.py        stamps each page with what proved its steps, and when
- tested_by.py       every file under snippets/ names the tests that run it (TESTED_BY.toml)

Two plain modules hold data the hooks share with other readers (no MkDocs imports):
pricebook.py (the prices, the live report paths, HOURS_PER_MONTH; the cost notebook loads it)
and factbook.py (data/facts.toml, the drift report; the drift job uses it).

Markup lives in theme templates (docs/overrides/partials/), rendered through _common.py, the
helpers the hooks share. MkDocs loads each hook by path with this folder on sys.path, so a
hook imports a sibling by its bare name (`import _common`). Errors are raised as
`PluginError` and name the source file.
"""

import sys

from site_hooks import factbook, pricebook  # plain modules: the replay imports pricebook too

_siblings = [factbook, pricebook]
try:
    from site_hooks import _common
except ModuleNotFoundError:  # only the replay's packages (make live-env): no hook runs there
    pass
else:
    _siblings.append(_common)

# Tests import the hooks as `site_hooks.<name>`: give them the same sibling modules that
# `import _common` (etc.) finds when MkDocs loads the hooks by path.
for _module in _siblings:
    sys.modules.setdefault(_module.__name__.rsplit(".", 1)[-1], _module)
