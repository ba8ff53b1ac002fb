"""live/preflight.py, through the replay against the fake: a setting that cannot work is
refused before a secret, a volume or a pod exists, with the reason in Japanese; the prices
seen on the way are recorded."""

from __future__ import annotations

import pytest

from tests.live.conftest import assert_clean, step_of


def created(requests: list) -> list:
    """Requests that made (or might have made) something: REST v2 POSTs not refused."""
    return [
        r
        for r in list(requests)
        if r.method == "POST" and r.path.startswith("/v2/") and not 400 <= r.status < 500
    ]


REFUSED = [
    ({"LIVE_MAX_MINUTES": "20"}, "推奨イメージの取得 2 回"),
    ({"LIVE_READY_TIMEOUT": "300"}, "Pod が間に合いません"),
    ({"LIVE_MAX_COST": "0.01"}, "最悪の場合の費用"),
    ({"LIVE_DATA_CENTERS": "EU-RO-1,XX-NOPE-9"}, "XX-NOPE-9"),
    (
        {"LIVE_GPU_TYPES": "NVIDIA A100 80GB PCIe", "LIVE_DATA_CENTERS": "EU-SE-1"},
        "どこにも在庫がありません",
    ),
    ({"LIVE_GPU_TYPES": "NVIDIA RTX 9999"}, "NVIDIA RTX 9999"),
    ({"LIVE_MAX_PRICE": "0.01"}, "以下で空きのある GPU がありません"),
]


@pytest.mark.parametrize(("env", "says"), REFUSED, ids=[says for _, says in REFUSED])
def test_what_cannot_work_is_refused_before_anything_exists(
    run_fake_replay, fake_runpod, monkeypatch, env, says
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    status, report, output, tokens = run_fake_replay()
    assert status == 1
    assert report["failed_step"] == "preflight"
    assert says in step_of(report, "preflight")["detail"]
    refusal = next(line for line in output.splitlines() if line.startswith("実行前の確認で"))
    assert refusal.startswith("実行前の確認で止めました（何も作っていません）: ")
    assert says in refusal
    assert created(fake_runpod.requests) == []
    assert tokens == []  # not even the secret was made
    assert report["leaked"] == [] and report["gpu_type"] is None
    names = [s["name"] for s in report["steps"]]
    guide_steps = report["steps"][1 : names.index("pods_cleanup")]
    assert guide_steps and all(s["status"] == "skipped" for s in guide_steps)
    assert_clean(fake_runpod)


def test_the_prices_seen_are_in_the_report_even_when_refused(
    run_fake_replay, fake_runpod, monkeypatch
):
    monkeypatch.setenv("LIVE_MAX_PRICE", "0.01")
    monkeypatch.setenv("LIVE_DATA_CENTERS", "EU-SE-1")
    _, report, output, _ = run_fake_replay()
    prices = report["prices"]
    assert {g["data_center"] for g in prices["gpus"]} == {"EU-SE-1"}
    a4000 = next(g for g in prices["gpus"] if g["id"] == "NVIDIA RTX A4000")
    assert a4000 == {
        "id": "NVIDIA RTX A4000",
        "name": "RTX A4000",
        "data_center": "EU-SE-1",
        "price": 0.25,
        "read_at": prices["read_at"],
    }
    assert "最安は EU-SE-1 の NVIDIA RTX A4000（$0.25/時）" in output
