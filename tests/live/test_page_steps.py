"""The page -> step map (live/page_steps.yml) that the site's stamps read: every page it
names is on the site, every step it names is a step of the replay, every step proves a page.
(How the stamps read a report is tests/site/test_verified.py.)"""

from __future__ import annotations

import yaml

from live import guide
from tests.live.conftest import ROOT
from tests.site.pages import load_config, nav_pages

PAGES = yaml.safe_load((ROOT / "live/page_steps.yml").read_text(encoding="utf-8"))


def test_page_steps_name_real_pages_and_real_steps():
    nav = set(nav_pages(load_config()))
    for page, steps in PAGES.items():
        assert (ROOT / "docs" / page).is_file(), page
        assert page in nav, page
        assert steps and set(steps) <= set(guide.CHECKS), (page, steps)
    # Every step of the guide proves at least one page.
    proven = {step for steps in PAGES.values() for step in steps}
    assert set(guide.CHECKS) - proven == {"preflight", "pod2_ready", "billing"}
    # The auto-stop page is stamped by the step that runs the reader's script on a pod.
    assert PAGES["auto-stop.md"] == ["auto_stop"]
