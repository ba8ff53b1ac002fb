"""live/cost.py: the worst case and the typical case worked out from the settings, the
budgets the real night must meet, and the reasons (in Japanese) when settings cannot fit."""

from __future__ import annotations

import pytest

from live import cost
from live.settings import Settings


def plan_for(**env: str) -> cost.Plan:
    return cost.make_plan(Settings.from_env(env), cost.volume_price())


def test_the_real_nights_settings_fit_the_budgets():
    """Worst case <= 40 min and <= $0.40; typical <= 20 min and <= $0.15."""
    plan = plan_for()
    assert plan.problems == ()
    assert plan.worst_seconds == 38 * 60 and plan.needed_seconds <= plan.worst_seconds
    assert plan.worst_usd == pytest.approx(0.382, abs=0.001)
    assert plan.worst_usd <= 0.40
    assert plan.typical_seconds == 18 * 60 and plan.typical_usd <= 0.15
    # Two pulls of the recommended image fit, each within one pod's wait.
    assert plan.settings.ready_timeout >= plan.settings.pull_minutes * 60 + cost.BOOT_SECONDS


def test_the_worst_bill_covers_the_backstop_and_a_leaked_volume():
    s, plan = Settings.from_env({}), plan_for()
    pods = s.max_price * (s.max_wall_seconds + cost.BACKSTOP_SLACK_SECONDS) / 3600
    volume = plan.volume.cost(10, s.max_wall_seconds + cost.BACKSTOP_SLACK_SECONDS
                              + cost.LEAKED_VOLUME_HOURS * 3600)
    assert plan.worst_usd == pytest.approx(pods + volume)


def test_the_volume_price_comes_from_data_prices_toml(tmp_path):
    price = cost.volume_price()
    assert price.usd_per_gb_month == 0.07 and price.tier == "STANDARD"
    assert "docs.runpod.io/storage/network-volumes" in price.source and price.checked
    dearer = tmp_path / "prices.toml"
    dearer.write_text('[storage.runpod_volume]\nusd_per_gb_month = 0.14\n'
                      'source = "https://example.invalid"\nchecked = "2027-01-01"\n')
    assert cost.volume_price(dearer).cost(10, 3600) == pytest.approx(2 * price.cost(10, 3600))
    assert price.cost(10, 730 * 3600) == pytest.approx(0.70)  # a month of 10 GB


@pytest.mark.parametrize(("env", "says"), [
    ({"LIVE_MAX_MINUTES": "20"}, "イメージの取得 2 回"),
    ({"LIVE_PULL_MINUTES": "20"}, "イメージの取得 2 回"),
    ({"LIVE_READY_TIMEOUT": "300"}, "Pod が間に合いません"),
    ({"LIVE_MAX_MINUTES": "36", "LIVE_READY_TIMEOUT": "900"}, "待ち時間の上限の合計"),
    ({"LIVE_MAX_COST": "0.30"}, "最悪の場合の費用"),
    ({"LIVE_MAX_PRICE": "1.5"}, "最悪の場合の費用"),
    ({"LIVE_VOLUME_GB": "500"}, "最悪の場合の費用"),
])
def test_settings_that_cannot_fit_say_why(env, says):
    problems = plan_for(**env).problems
    assert problems and any(says in problem for problem in problems), problems


def test_the_report_gets_the_numbers():
    assert plan_for().as_dict() == {"worst_seconds": 2280.0, "worst_usd": 0.382,
                                    "typical_seconds": 1080.0, "typical_usd": 0.1336,
                                    "pull_seconds": 600.0}
