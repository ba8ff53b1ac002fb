"""The 「最終動作確認」 stamp (site_hooks/verified.py) in every case, plus the page -> step
map it reads (live/page_steps.yml) kept in sync with the site and the replay."""

from __future__ import annotations

import copy
import json
import os
import subprocess

import pytest
import yaml
from bs4 import BeautifulSoup

from live import guide
from live.report import validate
from site_hooks import verified
from tests.live.conftest import ROOT
from tests.site.pages import load_config, nav_pages

PAGES = yaml.safe_load((ROOT / "live/page_steps.yml").read_text(encoding="utf-8"))
FINISHED = "2026-11-26T18:41:07Z"  # 2026-11-27 03:41 in Japan


def a_report(target: str = "real", failed: str | None = None, skipped_from: str | None = None
             ) -> dict:
    names = list(guide.CHECKS)
    steps = []
    for name in names:
        status = "passed"
        if failed and name == failed:
            status = "failed"
        elif skipped_from and names.index(name) >= names.index(skipped_from) and \
                name not in ("pods_cleanup", "volume_delete", "secret_delete", "leak_check"):
            status = "skipped"
        steps.append({"name": name, "status": status, "seconds": 1.0, "checked": "x"})
    report = {
        "schema_version": 1, "run_id": "20261126t182001z-0a1b2c", "target": target,
        "started_at": "2026-11-26T18:20:01Z", "finished_at": FINISHED, "wall_seconds": 1266.0,
        "outcome": "failed" if failed else "passed", "failed_step": failed,
        "image": "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404",
        "gpu_type": "NVIDIA RTX A4000", "gpu_name": "RTX A4000", "data_center": "EU-RO-1",
        "price_per_hour": 0.25, "estimated_cost_usd": 0.09,
        "budget": {"max_cost_usd": 0.25, "max_price_per_hour": 0.5, "max_wall_seconds": 1200},
        "steps": steps, "leaked": [],
    }
    validate(report)
    return report


def at(text: str):
    return verified.datetime.fromisoformat(text)


def text_of(stamp) -> str:
    return BeautifulSoup(stamp.html, "html.parser").get_text()


def test_fresh_pass():
    now = at("2026-11-27T09:00:00+00:00")
    stamp = verified.stamp_for(PAGES["tips/secrets.md"], a_report(), now)
    assert stamp.state == "passed" and not stamp.stale
    assert text_of(stamp) == "✓ 最終動作確認: 2026-11-27 · 成功 · RTX A4000"
    assert 'datetime="2026-11-26T18:41:07Z"' in stamp.html
    assert 'aria-hidden="true"' in stamp.html  # the icon only repeats the word


def test_a_failed_step_fails_its_pages_only():
    report = a_report(failed="kaggle_auth")
    now = at("2026-11-27T09:00:00+00:00")
    secrets = verified.stamp_for(PAGES["tips/secrets.md"], report, now)
    assert secrets.state == "failed"
    assert text_of(secrets).startswith("✗ 最終動作確認: 2026-11-27 · 失敗 · RTX A4000")
    assert "kaggle_auth" in text_of(secrets)
    assert verified.stamp_for(PAGES["storage.md"], report, now).state == "passed"


def test_pages_a_failed_run_never_reached_are_not_verified():
    report = a_report(failed="pod1_ready", skipped_from="setup_first")
    stamp = verified.stamp_for(PAGES["tips/python-env.md"], report, at("2026-11-27T09:00:00Z"))
    assert stamp.state == "unverified"
    assert "未検証" in text_of(stamp) and "成功" not in text_of(stamp)


def test_stale_after_three_days():
    stamp = verified.stamp_for(PAGES["pod.md"], a_report(), at("2026-11-30T18:41:08+00:00"))
    assert stamp.state == "passed" and stamp.stale
    assert "古い" in text_of(stamp) and "2026-11-27" in text_of(stamp)
    fresh = verified.stamp_for(PAGES["pod.md"], a_report(), at("2026-11-29T18:41:07+00:00"))
    assert not fresh.stale and "古い" not in text_of(fresh)


def test_no_report_is_not_verified():
    stamp = verified.stamp_for(PAGES["pod.md"], None, at("2026-11-27T09:00:00Z"))
    assert stamp.state == "unverified"
    assert text_of(stamp).startswith("? 最終動作確認: 未検証")
    assert "成功" not in text_of(stamp)


def test_a_rehearsal_never_stamps_a_page_verified():
    stamp = verified.stamp_for(PAGES["pod.md"], a_report(target="fake"), at("2026-11-27T09:00:00Z"))
    assert stamp.state == "unverified"
    # The stamp may say when the rehearsal ran, but only as what it is: never a real run.
    assert text_of(stamp).startswith("? 最終動作確認: 未検証")
    assert "本物ではない" in text_of(stamp)
    assert "成功" not in text_of(stamp) and "最終動作確認: 2026-11-27" not in text_of(stamp)


def test_now_comes_from_site_now_or_the_clock(monkeypatch):
    monkeypatch.setenv("SITE_NOW", "2026-12-01")
    assert verified.now().isoformat() == "2026-12-01T00:00:00+00:00"
    monkeypatch.delenv("SITE_NOW")
    assert abs((verified.now() - verified.datetime.now(verified.UTC)).total_seconds()) < 5


def test_stamp_goes_under_the_title():
    html = '<h1 id="x">Podのデプロイ</h1>\n<p>本文</p>'
    stamp = verified.stamp_for(["pod1_ready"], None, at("2026-11-27T09:00:00Z")).html
    out = verified._insert(html, stamp)
    assert out.index("</h1>") < out.index("kgl-verified") < out.index("本文")
    assert verified._insert("<p>本文</p>", stamp).startswith(stamp)


def test_a_broken_report_fails_the_build(tmp_path):
    bad = copy.deepcopy(a_report())
    del bad["leaked"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(verified.PluginError, match="not a valid live report"):
        verified.load_report(path, ROOT / "live/report.schema.json")
    assert verified.load_report(tmp_path / "none.json", ROOT / "live/report.schema.json") \
        is None


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


@pytest.mark.parametrize("case", ["passed", "fake"])
def test_built_site_shows_the_stamp(tmp_path, case):
    """A real mkdocs build with a report: mapped pages get the stamp, others do not."""
    report = tmp_path / "live-report.json"
    report.write_text(json.dumps(a_report(target="real" if case == "passed" else "fake")))
    env = {**os.environ, "LIVE_REPORT": str(report), "SITE_NOW": "2026-11-27T09:00:00Z",
           "NO_MKDOCS_2_WARNING": "1"}
    out = tmp_path / "site"
    done = subprocess.run([str(ROOT / ".venv/bin/mkdocs"), "build", "--strict", "--quiet",
                           "--site-dir", str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    storage = BeautifulSoup((out / "storage/index.html").read_text(encoding="utf-8"),
                            "html.parser")
    badge = storage.select_one("article .kgl-verified")
    assert badge is not None
    if case == "passed":
        assert badge.get_text(" ", strip=True).startswith("✓ 最終動作確認:")
        assert "成功" in badge.get_text() and "2026-11-27" in badge.get_text()
    else:
        assert "未検証" in badge.get_text() and "成功" not in badge.get_text()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "kgl-verified" not in BeautifulSoup(index, "html.parser").select_one("article").decode()
    assert "stylesheets/verified.css" in index
