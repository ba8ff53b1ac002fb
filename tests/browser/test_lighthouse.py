"""Lighthouse on the heaviest page of each kind (375 px phone): accessibility, best practices
and SEO 100, and no more JavaScript than the budget (scripts/lighthouse.py).

The performance score is a speed measurement: it moves with the machine's load (a busy CI
runner or other tests in parallel lower it), so it is held to its budget by `make bench`
(every page, phone and desktop, on a quiet machine), not by a test that could flake.
"""

from __future__ import annotations

import pytest

from scripts import lighthouse
from scripts.site_pages import KINDS

# The categories whose audits do not depend on how busy the machine is.
DETERMINISTIC = ("accessibility", "best-practices", "seo")


@pytest.mark.parametrize("kind", KINDS)  # one test per page: the workers share them out
def test_lighthouse_scores_meet_thresholds(kind, chromium, built_site, heaviest, node_modules):
    # `chromium` makes this skip (or fail under REQUIRE_BROWSER=1) like the other browser tests.
    results = lighthouse.run_lighthouse(built_site, [heaviest[kind]], ("mobile",),
                                        judged=DETERMINISTIC)
    assert {result.page for result in results} == {heaviest[kind]}
    problems = [line for result in results for line in result.problems(DETERMINISTIC)]
    details = {r.page or "/": r.below_full_marks for r in results if r.problems(DETERMINISTIC)}
    assert not problems, f"{problems}\naudits below full marks: {details}"
    assert all(set(result.scores) == set(DETERMINISTIC) for result in results)
    assert all(result.script_bytes > 0 for result in results)  # the network audit ran
