"""live/plan.py: `make live ARGS=--plan` tells the person who sets the key what a run would
do, where, on which GPUs at which prices, for how long and how much, and what would be
deleted; it creates, deletes and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from live import naming
from tests.live.conftest import ROOT
from tests.live.test_preflight import created


def plan(*args: str, env: dict | None = None, tmp_path=None) -> subprocess.CompletedProcess:
    full = {
        "PATH": os.environ["PATH"],
        "LIVE_REPORT": str(tmp_path / "r.json"),
        "LIVE_SCRATCH_DIR": str(tmp_path / "scratch"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "live.replay", *args, "--plan"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_key_it_says_what_it_would_ask(tmp_path):
    done = plan("--target", "real", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "何も作らず、何も消しません" in out
    assert "RUNPOD_API_KEY がないので問い合わせません" in out
    assert "EU-RO-1, US-KS-2, EU-SE-1, CA-MTL-1" in out and "GPU カタログ" in out
    assert "最悪: 38 分、$0.362（上限 $0.40）" in out
    # What bounds a run whose teardown fails, now that REST v2 has no terminateAfter.
    assert "各 Pod の見張り役" in out and "実行の開始から最長 48 分" in out
    assert "30 分ごとに、50 分より古く動きのない実行を削除" in out and "最長 128 分" in out
    assert "推測: Pod 自身の鍵" in out and "auto_stop" in out
    assert "GPU $0.45/時 × 48 分 = $0.360" in out and "10 GB × 128 分 = $0.002" in out
    assert "見張り役も失敗したとき" in out and "$0.962" in out
    assert "ふだん: 18 分、$0.120" in out
    assert "REST v2 だけ" in out and "GraphQL" not in out.replace("GraphQL にも", "")
    assert "POST /v2/pods               kgl-live-<run id>-pod1（見張り役つき" in out
    assert "$0.07/GB/月（data/prices.toml" in out
    assert "この設定で実行できます。" in out
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "scratch").exists()


def test_bad_settings_are_listed_and_fail(tmp_path):
    done = plan(
        "--target",
        "real",
        env={"LIVE_MAX_MINUTES": "20", "LIVE_MAX_COST": "0.1"},
        tmp_path=tmp_path,
    )
    assert done.returncode == 1
    assert "この設定では実行できません:" in done.stdout
    assert "推奨イメージの取得 2 回" in done.stdout and "最悪の場合の費用" in done.stdout


def test_with_a_key_it_shows_prices_and_what_would_be_deleted(fake_runpod, fast_snippets, tmp_path):
    from snippets import volume

    old = naming.new_run_id(datetime.now(UTC) - timedelta(hours=3))
    volume.create_volume(naming.resource_name(old, "vol"), 10, "EU-RO-1")
    fake_runpod.state.create_volume("kgl-live-20201399t999999z-abcdef-vol", 10, "EU-RO-1", None)
    before = len(fake_runpod.requests)
    done = plan(
        "--target",
        "fake",
        "--fake-url",
        fake_runpod.url,
        tmp_path=tmp_path,
        env={
            "RUNPOD_API_KEY": fake_runpod.api_key,
            "LIVE_DATA_CENTERS": "EU-RO-1,EU-SE-1",
            "LIVE_GPU_TRIES": "2",
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "GPU と価格（" in out and "UTC に見たもの" in out
    eu_ro = out[out.index("  EU-RO-1:") : out.index("  EU-SE-1:")]
    assert "試す $0.25  NVIDIA RTX A4000" in eu_ro and "試す $0.27  NVIDIA RTX A5000" in eu_ro
    assert "$0.46  NVIDIA GeForce RTX 3090" in eu_ro and "試す $0.46" not in eu_ro
    assert "30 分ごとの掃除（50 分より古く、動きのない実行）: 1 件" in out
    assert "毎晩の実行の後の掃除（2 時間より古く、動きのない実行）: 1 件" in out
    assert f"kgl-live-{old}-vol" in out
    assert "似ているが対象外（触りません）: 1 件" in out
    assert fake_runpod.api_key not in out + done.stderr
    asked = fake_runpod.requests[before:]
    assert asked and created(asked) == []
    assert not any(r.method == "DELETE" for r in asked)
    assert len(fake_runpod.volumes) == 2


def test_make_passes_args_to_live_and_live_local():
    for verb in ("live", "live-local"):
        done = subprocess.run(
            ["make", "-n", verb, "ARGS=--plan"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "-m live.replay" in done.stdout
        command = next(line for line in done.stdout.splitlines() if "-m live.replay" in line)
        assert command.rstrip().endswith("--plan"), command
