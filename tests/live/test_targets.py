"""live/targets.py: what the real and the fake targets can prove, and their clocks. The same
seen values that pass as a rehearsal on the fake fail on the real target."""

from __future__ import annotations

import subprocess

import pytest

from live.cost import make_plan, volume_price
from live.report import StepFailed
from live.settings import Settings
from live.targets import (
    FakeTarget,
    RealTarget,
    TargetError,
    same_minor,
    version_prefix,
)

WANT = {"python": "3.12", "cuda": "12.8", "torch": "2.8"}


def seen(python: str, torch: str, smi: str, smi_code: int = 0) -> dict:
    return {
        "python": python,
        "torch": torch,
        "torch_code": 0 if torch else 1,
        "smi": smi,
        "smi_code": smi_code,
    }


def test_versions_are_read_by_their_minor():
    assert same_minor("3.12.3", "3.12")
    assert not same_minor("3.120.1", "3.12")
    assert not same_minor(None, "3.12")
    assert version_prefix("Python 3.12.3") == "3.12.3"
    assert version_prefix("2.8.0+cu128") == "2.8.0"
    assert version_prefix("") is None and version_prefix(None) is None


def test_real_versions_pass_only_on_the_recommended_image():
    detail, rehearsal = RealTarget().judge_versions(
        seen("Python 3.12.3", "2.8.0+cu128 12.8 True", "NVIDIA RTX A4000, 570.1"), WANT
    )
    assert not rehearsal and "python 3.12.3" in detail
    for bad in (
        seen("Python 3.11.7", "2.8.0+cu128 12.8 True", "NVIDIA RTX A4000, 570"),
        seen("Python 3.12.3", "2.8.0+cu126 12.6 True", "NVIDIA RTX A4000, 570"),
        seen("Python 3.12.3", "2.7.1+cu128 12.8 True", "NVIDIA RTX A4000, 570"),
        seen("Python 3.12.3", "2.8.0+cu128 12.8 False", "", smi_code=127),
        seen("Python 3.12.3", "", "", smi_code=127),
    ):
        with pytest.raises(StepFailed):
            RealTarget().judge_versions(bad, WANT)


def test_the_fake_pod_output_passes_only_as_a_rehearsal():
    local = subprocess.run(["python3", "--version"], capture_output=True, text=True).stdout
    no_gpu = seen(local, "", "", smi_code=127)
    detail, rehearsal = FakeTarget("http://x").judge_versions(no_gpu, WANT)
    assert rehearsal is True and detail.startswith("rehearsal:")
    with pytest.raises(StepFailed):  # the same output on target real is a failure
        RealTarget().judge_versions(no_gpu, WANT)
    with pytest.raises(StepFailed, match="no python3 version"):
        FakeTarget("http://x").judge_versions(seen("bash: python3: not found", "", ""), WANT)


def test_the_real_clock_is_runpods_and_the_fakes_is_scaled():
    plan = make_plan(Settings.from_env({}), volume_price())
    real, fake = RealTarget(), FakeTarget("http://x", 0.005)
    assert real.timeout(720) == 720 and real.poll(5) == 5
    assert real.wall(plan) == (38 * 60, 180)
    # A pod's watchdog is what is left of the run, never 0 ("no limit"), on both targets:
    # it sleeps in the pod in real time.
    assert real.watchdog_hours(1800) == 0.5 and real.watchdog_hours(-5) == 60 / 3600
    assert fake.watchdog_hours(1800) == 0.5
    wall, margin = fake.wall(plan)
    assert wall == pytest.approx(1620 * 0.005 + 4 * 2 + 40) and margin == 15
    assert fake.timeout(720) == pytest.approx(720 * 0.005 + 2) and fake.poll(0.001) == 0.05
    assert FakeTarget().time_scale == 0.005 and FakeTarget("http://x").time_scale == 1.0


def test_the_real_target_talks_to_api_runpod_io_only(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(TargetError, match="https://api.runpod.io"):
        RealTarget().connect(None)
    monkeypatch.setenv("RUNPOD_API_BASE_URL", "https://api.runpod.io/")
    RealTarget().connect(None)
    monkeypatch.delenv("RUNPOD_API_BASE_URL")
    RealTarget().connect(None)
    import os

    assert os.environ["RUNPOD_API_BASE_URL"] == "https://api.runpod.io"


def test_bad_fake_faults_are_refused_in_japanese():
    with pytest.raises(TargetError, match="FAKE_RUNPOD_FAULTS"):
        FakeTarget(faults="pod:explode").connect(None)


def test_the_rehearsal_tells_a_second_install_from_the_first(tmp_path):
    """setup.sh's promise on the fake, read from the shims' log: apt (and pip, unless this
    machine's python3 already has the tools) on the first run, nothing more on the second."""
    log = tmp_path / "pods" / "p1" / "state" / "calls.log"
    log.parent.mkdir(parents=True)
    fake, pod = FakeTarget("http://x"), {"id": "p1"}
    apt = "apt-get install -y -qq --no-install-recommends fish tmux htop\n"
    pip = "python3 -m pip install --quiet poetry uv kaggle>=2\n"
    log.write_text("apt-get update\n" + apt + pip)
    assert fake.check_tools(None, pod, tmp_path, True) == (
        "rehearsal: apt/pip shims saw 2 install call(s)",
        True,
    )
    log.write_text("apt-get update\n" + apt + pip + "dpkg-query -W fish\n")
    assert fake.check_tools(None, pod, tmp_path, False)[1] is True
    log.write_text(apt + pip + pip)
    with pytest.raises(StepFailed, match="installed again"):
        fake.check_tools(None, pod, tmp_path, False)
    log.write_text(pip)
    with pytest.raises(StepFailed, match="one apt-get"):
        fake.check_tools(None, pod, tmp_path, True)


GPU_SEEN = {
    "size": 2048,
    "import_seconds": 2.3141,
    "torch": "2.9.1+cu128",
    "torchvision": "0.24.1+cu128",
    "cuda": "12.8",
    "available": True,
    "matmul_seconds": 0.00421,
    "device": "NVIDIA RTX A4000",
    "matmul_close": True,
    "nms_kept": [0, 2],
}


def test_the_gpu_check_passes_only_with_torchvision_and_a_correct_matmul_on_cuda():
    record, detail, rehearsal = RealTarget().judge_gpu(GPU_SEEN)
    assert rehearsal is False and record == {
        "rehearsal": False,
        "torch": "2.9.1+cu128",
        "torchvision": "0.24.1+cu128",
        "cuda": "12.8",
        "device": "NVIDIA RTX A4000",
        "import_seconds": 2.3141,
        "matmul_seconds": 0.0042,
        "matmul_size": 2048,
    }
    assert "torchvision 0.24.1+cu128" in detail and "4.2 ms" in detail
    for broken, says in (
        ({"error": "ModuleNotFoundError: No module named 'torchvision'"}, "torchvision"),
        ({"available": False}, "is_available"),
        ({"matmul_close": False}, "does not equal"),
        ({"nms_kept": None}, "nms"),
        ({"torchvision": "0.23.0+cu128"}, "recommended_image.toml pins 0.24.1"),
        ({"torch": "2.10.0"}, "torch 2.10.0 on the pod"),
    ):
        with pytest.raises(StepFailed, match=says):
            RealTarget().judge_gpu({**GPU_SEEN, **broken})


def test_the_fake_gpu_check_is_a_rehearsal_that_claims_no_timing():
    seen = {"size": 2048, "error": "ModuleNotFoundError: No module named 'torch'"}
    record, detail, rehearsal = FakeTarget("http://x").judge_gpu(seen)
    assert rehearsal is True and detail.startswith("rehearsal:")
    assert record["rehearsal"] is True and record["matmul_seconds"] is None
    assert record["import_seconds"] is None and record["torch"] is None
    with pytest.raises(StepFailed):  # the same answer on target real is a failure
        RealTarget().judge_gpu(seen)


def test_a_pods_watchdog_is_what_is_left_of_the_runs_budget():
    """Pod 2, deployed later, gets less than pod 1: neither outlives the run's budget."""
    import time
    from types import SimpleNamespace

    from live import pods

    start = time.monotonic()
    run = SimpleNamespace(target=RealTarget(), deadline=start + 38 * 60)
    first = pods.watchdog_hours(run)
    run.deadline -= 20 * 60  # as if 20 minutes had passed
    second = pods.watchdog_hours(run)
    assert 37.9 / 60 < first <= 38 / 60 and 17.9 / 60 < second <= 18 / 60
