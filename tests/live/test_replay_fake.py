"""The live replay, run end to end against the local fake Runpod (the offline rehearsal).

What `make live` promises: every step of the guide runs through the snippets on a pod, the
report says what each step checked and which prices it saw, a rehearsal never claims a GPU
check it could not make, every pod carries a terminateAfter backstop, everything is
destroyed (the API lists nothing with the run's names), no secret reaches the output or the
report, and the whole rehearsal stays under 60 s, also on the fake's realistic clock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from live import checks, guide, naming, probe
from live.settings import Settings
from live.targets import FakeTarget
from tests.live.conftest import ROOT, assert_clean, run_folders, step_of

# Checks the fake cannot make for real: installs go to shims, no GPU, the fake's own bill.
REHEARSED = {"setup_first", "setup_again", "versions", "gpu_check", "billing"}


@pytest.fixture
def deploys(monkeypatch):
    """Every snippets.pod.deploy_pod call the replay makes, with its arguments."""
    from snippets import pod

    calls, real = [], pod.deploy_pod

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pod, "deploy_pod", spy)
    return calls


def test_rehearsal_passes_every_step_and_leaves_nothing(run_fake_replay, fake_runpod, deploys):
    seen = {}
    # Someone else's volume whose name only looks like ours (an impossible date: it crashed
    # the old teardown, which then reported leaked: 0): never touched.
    odd = fake_runpod.state.create_volume(
        "kgl-live-20201399t999999z-abcdef-vol", 10, "EU-RO-1", None
    )

    def look(step: str) -> None:
        if step == "pod1_ready":  # pod 1 exists now: what was it deployed with?
            pod = next(iter(fake_runpod.pods.values()))
            seen.update(image=pod.image_name, env=dict(pod.env), name=pod.name)
        if step == "pod2_env":  # the same bytes written again (what made the old, time-based
            # check flaky) are the same env: not a reinstall
            for path in _venv(fake_runpod).glob("lib/python*/site-packages/kgl_live_probe*/*"):
                if path.is_file():
                    path.write_bytes(path.read_bytes())

    started = time.monotonic()
    status, report, output, tokens = run_fake_replay(on_step=look)
    wall = time.monotonic() - started
    assert list(fake_runpod.volumes) == [odd.id]
    fake_runpod.state.delete_volume(odd.id)

    assert status == 0, output
    assert report["outcome"] == "passed" and report["failed_step"] is None
    assert [s["name"] for s in report["steps"]] == list(guide.CHECKS)
    assert {s["status"] for s in report["steps"]} == {"passed"}, report["steps"]
    assert all(s["checked"] == guide.CHECKS[s["name"]] for s in report["steps"])
    assert {s["name"] for s in report["steps"] if s.get("rehearsal")} >= {
        "versions",
        "gpu_check",
        "billing",
    }
    assert {s["name"] for s in report["steps"] if s.get("rehearsal")} <= REHEARSED
    # What ran, where, for how much.
    assert report["target"] == "fake"
    assert naming.is_run_id(report["run_id"])
    assert report["gpu_type"] and report["data_center"] == "EU-RO-1"
    assert 0 < report["price_per_hour"] <= report["budget"]["max_price_per_hour"]
    assert report["estimate"]["usd"] > 0
    assert report["plan"]["worst_seconds"] == 38 * 60
    assert report["leaked"] == []
    assert_clean(fake_runpod)
    assert len(tokens) == 1  # the dummy token was really created, and kept out of sight

    # Pod 1: the recommended image, the run's name, the token only as a secret reference.
    from snippets.api import load_recommended

    assert seen["image"] == load_recommended()["image"]["name"] == report["image"]
    assert seen["name"] == naming.resource_name(report["run_id"], "pod1")
    assert seen["env"]["KAGGLE_API_TOKEN"].startswith("{{ RUNPOD_SECRET_kgl-live-")
    assert "PUBLIC_KEY" in seen["env"]

    versions = step_of(report, "versions")
    assert versions["rehearsal"] is True and versions["detail"].startswith("rehearsal:")
    assert "python 3.12" in versions["detail"] and "cuda 12.8" in versions["detail"]
    assert "offline uv sync installed nothing" in step_of(report, "pod2_env")["detail"]
    # Pod 2 ended itself with the reader's auto-stop.sh and its own key.
    assert "the pod ended itself with its own key" in step_of(report, "auto_stop")["detail"]
    assert report["gpu_check"]["rehearsal"] is True
    assert report["gpu_check"]["matmul_seconds"] is None  # no timing claimed without a GPU
    assert_watchdogs(report, deploys)
    assert_prices(report)
    assert_billed(report)
    assert wall < 60, f"rehearsal took {wall:.1f} s"


def assert_watchdogs(report: dict, deploys: list[dict]) -> None:
    """Every pod carries a watchdog: what was left of the run's budget when it was deployed
    (on the rehearsal's short budget, the snippets' shortest limit, a minute)."""
    wall = report["budget"]["max_wall_seconds"]
    assert len(deploys) == 2
    for call in deploys:
        assert 60 <= call["max_hours"] * 3600 <= max(wall, 60), call["max_hours"]
    assert "watchdog after" in step_of(report, "pod1_deploy")["detail"]


def assert_prices(report: dict) -> None:
    """The prices read that night: every offer of every data center, each with the time
    its catalog answer arrived; nothing copied from data/prices.toml."""
    prices = report["prices"]
    read_at = datetime.fromisoformat(prices["read_at"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - read_at).total_seconds()) < 120
    assert prices["source"].startswith("GET /v2/catalog/gpus?include=AVAILABILITY")
    assert {g["data_center"] for g in prices["gpus"]} == {
        "EU-RO-1",
        "US-KS-2",
        "EU-SE-1",
        "CA-MTL-1",
    }
    assert all(g["read_at"] >= prices["read_at"] for g in prices["gpus"])
    rented = next(
        g
        for g in prices["gpus"]
        if g["id"] == report["gpu_type"] and g["data_center"] == report["data_center"]
    )
    assert rented["price"] == report["price_per_hour"]
    assert "volume" not in prices


def assert_billed(report: dict) -> None:
    """What the fake billed for the run's two pods, read after the teardown, with the time
    and the hour buckets that cover the run."""
    billed = report["billed"]
    assert [pod["role"] for pod in billed["pods"]] == ["pod1", "pod2"]
    assert all(pod["usd"] > 0 and pod["records"] >= 1 for pod in billed["pods"])
    assert billed["usd"] == pytest.approx(sum(pod["usd"] for pod in billed["pods"]), abs=1e-6)
    assert billed["start"] <= report["started_at"] <= report["finished_at"] <= billed["end"]
    assert billed["read_at"] <= report["finished_at"]
    assert "own estimate" in step_of(report, "billing")["detail"]


def test_make_live_without_a_key_skips_in_japanese_and_english(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "LIVE_REPORT": str(tmp_path / "r.json"),
        "LIVE_SCRATCH_DIR": str(tmp_path / "s"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "live.replay", "--target", "real"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "RUNPOD_API_KEY が設定されていない" in done.stdout
    assert "Skipped the live replay" in done.stdout
    assert not (tmp_path / "r.json").exists()


def test_target_real_refuses_any_other_api(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "RUNPOD_API_KEY": "rpa_not_a_real_key_0000",
        "RUNPOD_API_BASE_URL": "http://127.0.0.1:9",
        "LIVE_REPORT": str(tmp_path / "r.json"),
        "LIVE_SCRATCH_DIR": str(tmp_path / "s"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "live.replay", "--target", "real"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "https://api.runpod.io" in done.stderr and done.stderr.startswith("エラー: ")
    assert "Traceback" not in done.stderr
    assert "rpa_not_a_real_key_0000" not in done.stdout + done.stderr
    assert not (tmp_path / "r.json").exists()
    assert run_folders(tmp_path / "s") == []  # its private folder is gone too


def test_make_live_local_runs_the_realistic_fake_within_a_minute(tmp_path):
    """`make live-local` = `python -m live.replay --target fake`: its own fake, realistic
    (ten-minute pulls, hosts with old CUDA drivers, Runpod's capacity and transient answers
    and a create that answers null) on a scaled clock, with the real night's settings, and
    retired: GraphQL and REST v1 answer 410, and not one request went to either."""
    report = tmp_path / "rehearsal-report.json"
    env = {
        "PATH": "/usr/bin:/bin:" + str(ROOT / ".venv/bin"),
        "REHEARSAL_REPORT": str(report),
        "HOME": str(tmp_path),
        "LIVE_SCRATCH_DIR": str(tmp_path / "s"),
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "live.replay", "--target", "fake"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    wall = time.monotonic() - started
    data = json.loads(report.read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["target"] == "fake" and data["outcome"] == "passed" and data["leaked"] == []
    assert "Traceback" not in done.stdout + done.stderr
    assert "fake: no request went to GraphQL or REST v1 (retired mode)" in done.stderr
    assert "rpa_" not in done.stdout + done.stderr + report.read_text()
    # The pods waited for their (scaled) ten-minute pulls, which start at the create.
    for pod in ("pod1", "pod2"):
        steps = (step_of(data, f"{pod}_deploy"), step_of(data, f"{pod}_ready"))
        assert sum(step["seconds"] for step in steps) >= 600 * 0.005
        assert steps[1]["seconds"] < 720 * 0.005 + 2  # within the per-pod wait
    assert "空きがありません" in step_of(data, "pod1_deploy")["detail"]  # fell back a GPU
    # The estimate's arithmetic, on the fake's clock, agrees with the fake's own meter.
    assert 0.5 < data["billed"]["usd"] / data["estimate"]["usd"] < 2, (
        data["billed"],
        data["estimate"],
    )
    assert wall < 60, f"make live-local took {wall:.1f} s"
    assert run_folders(tmp_path / "s") == []


def test_a_missing_marker_fails_pod2_marker(run_fake_replay, fake_runpod):
    def remove_marker(step: str) -> None:
        if step == "pod2_marker":
            volume = next(iter(fake_runpod.volumes))
            (fake_runpod.volume_dir(volume) / checks.MARKER).unlink()

    status, report, _, _ = run_fake_replay(on_step=remove_marker)
    assert status == 1 and report["failed_step"] == "pod2_marker"
    assert report["leaked"] == []


def _venv(fake):
    volume = next(iter(fake.volumes))
    return fake.volume_dir(volume) / probe.PROJECT / ".venv"


def test_a_changed_env_is_caught_on_pod2(run_fake_replay, fake_runpod):
    def change_env(step: str) -> None:
        if step == "pod2_env":  # a file of the installed probe is no longer what was installed
            init = next(
                _venv(fake_runpod).glob("lib/python*/site-packages/kgl_live_probe/__init__.py")
            )
            init.write_text(init.read_text() + "# changed\n")

    status, report, _, _ = run_fake_replay(on_step=change_env)
    assert status == 1 and report["failed_step"] == "pod2_env"
    detail = step_of(report, "pod2_env")["detail"]
    assert "reinstalled" in detail and "differs from its RECORD" in detail


def test_a_reinstalled_env_is_caught_on_pod2(run_fake_replay, fake_runpod):
    def lose_env(step: str) -> None:
        if step == "pod2_env":  # pod 2 has to build the env again (same bytes, from the cache)
            shutil.rmtree(_venv(fake_runpod))

    status, report, _, _ = run_fake_replay(on_step=lose_env)
    assert status == 1 and report["failed_step"] == "pod2_env"
    detail = step_of(report, "pod2_env")["detail"]
    assert "reinstalled on pod 2: uv says" in detail and "+ kgl-live-probe==1.0.0" in detail


def test_the_fakes_settings_are_the_real_nights(live_env):
    """The rehearsal runs the real night's settings; only Runpod's waits are scaled."""
    target = FakeTarget("http://127.0.0.1:9", 0.005)
    assert Settings.from_env() == Settings.from_env({})
    assert target.timeout(720) == pytest.approx(3.6 + 2)  # + the fake's own real time
    assert target.poll(5) == 0.05  # never a busy loop


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--target", "cloud"],
        ["--target", "fake", "--run-id", "20201399t999999z-abcdef"],
        ["--target", "fake", "--fake-time-scale", "nan"],
        ["--target", "fake", "--fake-time-scale", "2"],
    ],
)
def test_bad_arguments_get_one_japanese_line(args, capsys):
    from live import replay

    with pytest.raises(SystemExit) as stop:
        replay.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and len(err.strip().splitlines()) == 1
