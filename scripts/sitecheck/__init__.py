"""Checks of the built site, shared by the tests and the maintainer commands.

- site_server.py       serves a built site on 127.0.0.1 the way GitHub Pages does (gzip)
- site_pages.py        the pages of a build, and which kind each is (landing, notebook...)
- browser.py           Debian's chromium through Playwright (never a downloaded browser)
- axe.py               axe-core on pages, at two widths and in two colour schemes
- search_questions.py  asks the site's search the questions readers type
- lighthouse.py        Lighthouse scores and the JavaScript each page loads

The commands that use them live in scripts/ (`make bench`, `make lighthouse`); the tests
under tests/site and tests/browser import them directly.
"""
