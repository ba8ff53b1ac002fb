"""Lighthouse on the home page, a chapter and a notebook page (mobile, simulated throttling):
Performance >= 95, Accessibility, Best Practices and SEO 100 (scripts/lighthouse.py)."""

from __future__ import annotations

from scripts import lighthouse


def test_lighthouse_scores_meet_thresholds(chromium, built_site, node_modules):
    # `chromium` makes this skip (or fail under REQUIRE_BROWSER=1) like the other browser tests.
    results = lighthouse.run_lighthouse(built_site)
    assert set(results) == {page or "/" for page in lighthouse.PAGES}
    problems = lighthouse.below_thresholds(results)
    details = {url: audits for url, audits in lighthouse.failing.items() if audits}
    assert not problems, f"{problems}\nscores: {results}\naudits below full marks: {details}"
