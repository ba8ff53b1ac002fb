"""Small MkDocs hooks for this site, one module per job (listed under `hooks:` in mkdocs.yml).

- description.py    every page must have a meta description (front matter or notebook metadata)
- code_fences.py    code on a page is only ever included from a file (`--8<--`), never pasted
- referral.py       `referral:` links, the PR disclosure, and the ban on raw referral URLs
- go_page.py        writes the /go/runpod/ forwarding page
- downloads.py      publishes snippets/setup.sh byte for byte at downloads/setup.sh
- mermaid.py        serves the Mermaid library from this site instead of a CDN
- notebook_search.py (notebooks) slims mkdocs-jupyter's pages: no inlined CSS or CDN scripts
- search_ja.py      (gates) lets Material's search find kanji compounds
- verified.py       (live) stamps each page with when the live replay last proved it

MkDocs loads each module by path, so a hook cannot import a sibling module: each file stands
alone. Errors are raised as `PluginError` and always name the source file.
"""
