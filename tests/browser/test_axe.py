"""axe-core (from node_modules) injected into every page: no accessibility violations."""

from __future__ import annotations

import pytest

AXE_OPTIONS = {"resultTypes": ["violations"]}


def axe_violations(page, axe_js) -> list[dict]:
    page.add_script_tag(path=str(axe_js))
    return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]


def describe(path: str, violations: list[dict]) -> list[str]:
    return [
        f"{path or '/'}: {v['id']} ({v['impact']}) x{len(v['nodes'])}: "
        f"{v['nodes'][0]['target']} {v['help']}"
        for v in violations
    ]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_no_violations(new_page, site_url, pages, node_modules, color_scheme):
    axe_js = node_modules / "axe-core" / "axe.min.js"
    page = new_page(color_scheme=color_scheme)
    found = []
    for path in pages:
        page.goto(site_url + path)
        found += describe(path, axe_violations(page, axe_js))
    assert not found, "\n".join(found)


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
    violations = axe_violations(page, axe_js)
    assert not violations, "\n".join(describe("search dialog", violations))
