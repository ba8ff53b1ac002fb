"""live/settings.py: the real-run defaults, and every setting that cannot work refused in
Japanese before anything runs (from the command line too: one line, exit 2, no traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from live.settings import Settings, SettingsError
from tests.live.conftest import ROOT


def test_defaults_are_the_real_nights_settings():
    s = Settings.from_env({})
    assert (s.max_minutes, s.max_cost, s.max_price) == (38, 0.40, 0.45)
    assert (s.pull_minutes, s.ready_timeout, s.volume_gb) == (10, 720, 10)
    assert s.data_centers == ("EU-RO-1", "US-KS-2", "EU-SE-1", "CA-MTL-1")
    assert s.gpu_types == () and s.registry_id is None
    assert s.budget() == {
        "max_cost_usd": 0.40,
        "max_price_per_hour": 0.45,
        "max_wall_seconds": 38 * 60,
    }


def test_lists_are_trimmed_and_deduplicated():
    s = Settings.from_env(
        {"LIVE_DATA_CENTERS": " US-KS-2, EU-RO-1,US-KS-2 ,", "LIVE_GPU_TYPES": "NVIDIA RTX A4000"}
    )
    assert s.data_centers == ("US-KS-2", "EU-RO-1")
    assert s.gpu_types == ("NVIDIA RTX A4000",)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("LIVE_MAX_COST", "abc", "0 より大きく"),
        ("LIVE_MAX_COST", "nan", "0 より大きく"),
        ("LIVE_MAX_COST", "inf", "0 より大きく"),
        ("LIVE_MAX_PRICE", "-0.5", "0 より大きく"),
        ("LIVE_MAX_MINUTES", "0", "0 より大きく"),
        ("LIVE_READY_TIMEOUT", "1e400", "0 より大きく"),
        ("LIVE_MAX_MINUTES", "1e300", "360 以下"),  # would overflow the wall-time alarm
        ("LIVE_POLL", "86400", "300 以下"),
        ("LIVE_MAX_COST", "400", "20 以下"),  # an extra zero or two
        ("LIVE_REGISTRY_ID", "id with spaces", "LIVE_REGISTRY_ID"),
        ("LIVE_REGISTRY_ID", "x" * 200, "LIVE_REGISTRY_ID"),
        ("LIVE_VOLUME_GB", "9", "10〜4096"),
        ("LIVE_VOLUME_GB", "10.5", "整数"),
        ("LIVE_GPU_TRIES", "2.5", "整数"),
        ("LIVE_DATA_CENTERS", ",", "空です"),
        ("LIVE_DATA_CENTERS", "EU-RO-1;rm -rf /", "読めない値"),
        ("LIVE_DATA_CENTERS", 'EU"RO', "読めない値"),
        ("LIVE_GPU_TYPES", "NVIDIA {{ x }}", "読めない値"),
    ],
)
def test_a_setting_that_cannot_work_is_refused_in_japanese(name, value, says):
    with pytest.raises(SettingsError, match=says) as refused:
        Settings.from_env({name: value})
    assert name in str(refused.value)


def test_an_optional_registry_credential_is_read():
    assert Settings.from_env({"LIVE_REGISTRY_ID": " cm1a2b3c4d "}).registry_id == "cm1a2b3c4d"
    assert Settings.from_env({"LIVE_REGISTRY_ID": ""}).registry_id is None


def test_the_command_refuses_bad_settings_in_one_japanese_line(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "LIVE_MAX_COST": "lots",
        "RUNPOD_API_KEY": "rpa_x" * 4,
        "LIVE_REPORT": str(tmp_path / "r.json"),
        "LIVE_SCRATCH_DIR": str(tmp_path / "s"),
    }
    for target in ("real", "fake"):
        done = subprocess.run(
            [sys.executable, "-m", "live.replay", "--target", target],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("エラー: LIVE_MAX_COST") and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "r.json").exists() and not (tmp_path / "s").exists()
