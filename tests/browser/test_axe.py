"""axe-core (from node_modules) on the heaviest page of each kind, at 375 px (light) and at
desktop width (dark): no accessibility violations. The pages load without Material's search
worker (nothing searches there); the search dialog is checked open, with its worker. `make
bench` sweeps every page in every width and scheme."""

from __future__ import annotations

import pytest

from scripts.sitecheck import axe
from scripts.sitecheck.browser import WIDTHS


@pytest.mark.parametrize(
    "kind", ["landing", "chapter with code", "notebook", "page with a diagram"]
)
def test_axe_finds_no_violations(page_in_view, site_url, heaviest, node_modules, kind):
    axe_js = node_modules / "axe-core" / "axe.min.js"
    path, problems = heaviest[kind], []
    for label, scheme in axe.EACH_ONCE:
        width, height = WIDTHS[label]
        page = page_in_view(width=width, height=height, color_scheme=scheme)
        where = f"{path or '/'} ({label}, {scheme})"
        problems += axe.check_page(page, site_url + path, where, axe_js)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_search_dialog(new_page, site_url, node_modules, color_scheme):
    """The search dialog, open with results, is accessible too (Material's default is not)."""
    axe_js = node_modules / "axe-core" / "axe.min.js"
    page = new_page(color_scheme=color_scheme)
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("Pod")
    box.press("End")
    page.locator(".md-search-result__item").first.wait_for()
    violations = axe.violations(page, axe_js)
    assert not violations, "\n".join(axe.describe("search dialog", violations))
