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
    assert plan.worst_usd == pytest.approx(0.362, abs=0.001)
    assert plan.worst_usd <= 0.40
    assert plan.typical_seconds == 18 * 60 and plan.typical_usd <= 0.15
    # Two pulls of the recommended image fit, each within one pod's wait.
    assert plan.settings.ready_timeout >= plan.settings.pull_minutes * 60 + cost.BOOT_SECONDS


def test_the_worst_bill_is_what_the_watchdog_and_the_frequent_sweep_bound():
    """REST v2 has no terminateAfter: when the run's teardown and its sweep job both fail, a
    pod ends by its own watchdog, set to the run's remaining budget and counted from after
    the image pull; the frequent sweep takes the volume (and the pod, if its watchdog
    fails too: shown beside the worst case, not under the cap)."""
    s, plan = Settings.from_env({}), plan_for()
    pod_seconds = s.max_wall_seconds + s.pull_minutes * 60
    assert plan.pod_bound_seconds == pod_seconds == 48 * 60
    sweep_seconds = pod_seconds + (cost.SWEEP_AGE_MINUTES + cost.SWEEP_EVERY_MINUTES) * 60
    assert plan.sweep_bound_seconds == sweep_seconds == 128 * 60
    volume = plan.volume.cost(10, sweep_seconds)
    assert plan.worst_usd == pytest.approx(s.max_price * pod_seconds / 3600 + volume)
    assert plan.unwatched_usd == pytest.approx(s.max_price * sweep_seconds / 3600 + volume)
    assert plan.unwatched_usd > s.max_cost  # why the watchdog matters, and is proven nightly


def test_a_run_must_end_before_the_frequent_sweep_may_take_it():
    """The frequent sweep deletes runs whose id is older than SWEEP_AGE_MINUTES: a run (its
    id up to naming.MAX_ID_AGE old) must be over by then."""
    problems = plan_for(LIVE_MAX_MINUTES="45").problems
    assert any("頻繁な掃除" in problem for problem in problems), problems
    assert not any("頻繁な掃除" in problem for problem in plan_for().problems)


def test_the_volume_price_comes_from_data_prices_toml(tmp_path):
    price = cost.volume_price()
    assert price.usd_per_gb_month == 0.07 and price.tier == "STANDARD"
    assert "docs.runpod.io/storage/network-volumes" in price.source and price.checked
    dearer = tmp_path / "prices.toml"
    dearer.write_text(
        "[storage.runpod_volume]\nusd_per_gb_month = 0.14\n"
        'source = "https://example.invalid"\nchecked = "2027-01-01"\n'
    )
    assert cost.volume_price(dearer).cost(10, 3600) == pytest.approx(2 * price.cost(10, 3600))
    assert price.cost(10, 730 * 3600) == pytest.approx(0.70)  # a month of 10 GB


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"LIVE_MAX_MINUTES": "20"}, "イメージの取得 2 回"),
        ({"LIVE_PULL_MINUTES": "20"}, "イメージの取得 2 回"),
        ({"LIVE_READY_TIMEOUT": "300"}, "Pod が間に合いません"),
        ({"LIVE_MAX_MINUTES": "36", "LIVE_READY_TIMEOUT": "900"}, "待ち時間の上限の合計"),
        ({"LIVE_MAX_COST": "0.30"}, "最悪の場合の費用"),
        ({"LIVE_MAX_PRICE": "0.5"}, "最悪の場合の費用"),  # 48 min at $0.50/h: $0.40 + volume
        ({"LIVE_VOLUME_GB": "500"}, "最悪の場合の費用"),
    ],
)
def test_settings_that_cannot_fit_say_why(env, says):
    problems = plan_for(**env).problems
    assert problems and any(says in problem for problem in problems), problems


def test_the_report_gets_the_numbers():
    assert plan_for().as_dict() == {
        "worst_seconds": 2280.0,
        "worst_usd": 0.362,
        "typical_seconds": 1080.0,
        "typical_usd": 0.1203,
        "pull_seconds": 600.0,
    }
