"""The live replay, run end to end against the local fake Runpod (the offline rehearsal).

What `make live` promises: every step of the guide runs through the snippets on a pod,
the report says what each step checked, a rehearsal never claims a GPU check it could not
make, everything is destroyed (the API lists nothing with the run's name), no secret
reaches the output or the report, and the whole rehearsal stays under 60 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from live import naming, replay
from live.report import StepFailed
from tests.live.conftest import ROOT, assert_clean

REHEARSED = {"setup_first", "setup_again", "versions"}  # checks the fake cannot make for real


def test_rehearsal_passes_every_step_and_leaves_nothing(run_fake_replay, fake_runpod):
    seen = {}

    def look(step: str) -> None:
        if step == "pod1_ready":  # pod 1 exists now: what was it deployed with?
            pod = next(iter(fake_runpod.pods.values()))
            seen.update(image=pod.image_name, env=dict(pod.env), name=pod.name)

    started = time.monotonic()
    status, report, output, tokens = run_fake_replay(on_step=look)
    wall = time.monotonic() - started

    assert status == 0, output
    assert report["outcome"] == "passed" and report["failed_step"] is None
    assert [s["name"] for s in report["steps"]] == list(replay.CHECKS)
    assert {s["status"] for s in report["steps"]} == {"passed"}, report["steps"]
    assert all(s["checked"] == replay.CHECKS[s["name"]] for s in report["steps"])
    assert {s["name"] for s in report["steps"] if s.get("rehearsal")} >= {"versions"}
    assert {s["name"] for s in report["steps"] if s.get("rehearsal")} <= REHEARSED
    # What ran, where, for how much.
    assert report["target"] == "fake"
    assert naming.parse_name(naming.resource_name(report["run_id"]))[0] == report["run_id"]
    assert report["gpu_type"] and report["data_center"] == "EU-RO-1"
    assert 0 < report["price_per_hour"] <= report["budget"]["max_price_per_hour"]
    assert 0 < report["estimated_cost_usd"] <= report["budget"]["max_cost_usd"]
    assert report["leaked"] == []
    assert_clean(fake_runpod)
    # The dummy token was really created (and then kept out of the output and report).
    assert len(tokens) == 1

    # Pod 1: the recommended image, the run's name, the token only as a secret reference.
    from snippets.api import load_recommended

    assert seen["image"] == load_recommended()["image"]["name"] == report["image"]
    assert seen["name"] == naming.resource_name(report["run_id"], "pod1")
    assert seen["env"]["KAGGLE_API_TOKEN"].startswith("{{ RUNPOD_SECRET_kgl-live-")
    assert "PUBLIC_KEY" in seen["env"]

    # The versions check on the fake is a rehearsal, and says what the real run expects.
    versions = next(s for s in report["steps"] if s["name"] == "versions")
    assert versions["rehearsal"] is True and versions["detail"].startswith("rehearsal:")
    assert "python 3.12" in versions["detail"] and "cuda 12.8" in versions["detail"]

    # The rehearsal budget: under 60 s wall, measured here and in the report.
    assert report["wall_seconds"] <= wall + 1
    assert wall < 60, f"rehearsal took {wall:.1f} s"
    print(f"rehearsal wall time: {wall:.1f} s")


def test_real_checks_refuse_what_a_rehearsal_would_accept():
    """On target real, the same seen values (no torch, no GPU) are a failure."""
    assert replay.same_minor("3.12.3", "3.12")
    assert not replay.same_minor("3.120.1", "3.12")
    assert not replay.same_minor(None, "3.12")
    assert replay.version_prefix("Python 3.12.3") == "3.12.3"
    assert replay.version_prefix("2.8.0+cu128") == "2.8.0"
    assert replay.version_prefix("") is None


def test_budget_cap_stops_before_anything_is_rented(run_fake_replay, fake_runpod, monkeypatch):
    monkeypatch.setenv("LIVE_MAX_COST", "0.01")
    status, report, output, _ = run_fake_replay()
    assert status == 1
    assert report["failed_step"] == "preflight"
    assert "exceeds the cap" in output
    created = [r for r in fake_runpod.requests if r.method == "POST" and r.status < 400
               and "graphql" not in r.path]
    assert created == []  # no volume, no secret
    assert not any("podFindAndDeployOnDemand" in (r.fields or []) for r in fake_runpod.requests)
    assert report["leaked"] == []
    assert_clean(fake_runpod)


def test_make_live_without_a_key_skips_in_japanese_and_english(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "LIVE_REPORT": str(tmp_path / "r.json")}
    done = subprocess.run([sys.executable, "-m", "live.replay", "--target", "real"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "RUNPOD_API_KEY が設定されていない" in done.stdout
    assert "Skipped the live replay" in done.stdout
    assert not (tmp_path / "r.json").exists()


def test_target_real_refuses_any_other_api(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "RUNPOD_API_KEY": "rpa_not_a_real_key_0000",
           "RUNPOD_API_BASE_URL": "http://127.0.0.1:9", "LIVE_REPORT": str(tmp_path / "r.json")}
    done = subprocess.run([sys.executable, "-m", "live.replay", "--target", "real"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "https://api.runpod.io" in done.stderr
    assert "rpa_not_a_real_key_0000" not in done.stdout + done.stderr
    assert not (tmp_path / "r.json").exists()


def test_make_live_local_starts_its_own_fake(tmp_path):
    """`make live-local` = `python -m live.replay --target fake`: no server needed."""
    report = tmp_path / "live-report.json"
    env = {"PATH": "/usr/bin:/bin:" + str(ROOT / ".venv/bin"), "LIVE_REPORT": str(report),
           "HOME": str(tmp_path)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "live.replay", "--target", "fake"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    wall = time.monotonic() - started
    data = json.loads(report.read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["target"] == "fake" and data["outcome"] == "passed" and data["leaked"] == []
    assert "rpa_" not in done.stdout + done.stderr + report.read_text()
    assert wall < 60, f"make live-local took {wall:.1f} s"


def test_a_missing_marker_fails_pod2_marker(run_fake_replay, fake_runpod):
    def remove_marker(step: str) -> None:
        if step == "pod2_marker":
            volume = next(iter(fake_runpod.volumes))
            (fake_runpod.volume_dir(volume) / replay.MARKER).unlink()

    status, report, _, _ = run_fake_replay(on_step=remove_marker)
    assert status == 1 and report["failed_step"] == "pod2_marker"
    assert report["leaked"] == []


def test_a_reinstalled_env_is_caught_on_pod2(run_fake_replay, fake_runpod):
    def break_env(step: str) -> None:
        if step == "pod2_env":  # as if pod 2 had to install the probe again
            volume = next(iter(fake_runpod.volumes))
            venv = fake_runpod.volume_dir(volume) / replay.PROJECT / ".venv"
            init = next(venv.glob("lib/python*/site-packages/kgl_live_probe/__init__.py"))
            init.write_text(init.read_text())  # same content, new file time

    status, report, _, _ = run_fake_replay(on_step=break_env)
    assert status == 1 and report["failed_step"] == "pod2_env"
    detail = next(s for s in report["steps"] if s["name"] == "pod2_env")["detail"]
    assert "reinstalled" in detail


class _Canned:
    """Replay.sh stand-in: answers the version commands with what a pod printed."""

    def __init__(self, python: str, torch: str, smi: str, smi_code: int = 0):
        self.answers = {"python3 --version": (0, python), "import torch": (0 if torch else 1,
                                                                           torch),
                        "nvidia-smi": (smi_code, smi)}

    def __call__(self, pod, command, check=True):
        for key, (code, out) in self.answers.items():
            if key in command:
                return code, out, ""
        raise AssertionError(command)


def _versions_step(target: str, canned: _Canned, monkeypatch):
    from live.report import Redactor, Report, Step

    settings = replay.Settings.from_env(target)
    redactor = Redactor()
    report = Report.new("20261127t000000z-abcdef", target, "img", settings.budget(),
                        replay.CHECKS, redactor)
    player = replay.Replay(settings, report, redactor)
    monkeypatch.setattr(player, "sh", canned)
    step = Step("versions", "x")
    player.check_versions({"id": "p"}, step)
    return step


def test_real_versions_pass_only_on_the_recommended_image(monkeypatch):
    good = _Canned("Python 3.12.3", "2.8.0+cu128 12.8 True", "NVIDIA RTX A4000, 570.1")
    step = _versions_step("real", good, monkeypatch)
    assert not step.rehearsal and "python 3.12.3" in step.detail

    for bad in (_Canned("Python 3.11.7", "2.8.0+cu128 12.8 True", "NVIDIA RTX A4000, 570"),
                _Canned("Python 3.12.3", "2.8.0+cu126 12.6 True", "NVIDIA RTX A4000, 570"),
                _Canned("Python 3.12.3", "2.7.1+cu128 12.8 True", "NVIDIA RTX A4000, 570"),
                _Canned("Python 3.12.3", "2.8.0+cu128 12.8 False", "", smi_code=127),
                _Canned("Python 3.12.3", "", "", smi_code=127)):
        with pytest.raises(StepFailed):
            _versions_step("real", bad, monkeypatch)


def test_the_fake_pod_output_passes_only_as_a_rehearsal(monkeypatch):
    local = subprocess.run(["python3", "--version"], capture_output=True, text=True).stdout
    no_gpu = _Canned(local, "", "", smi_code=127)
    step = _versions_step("fake", no_gpu, monkeypatch)
    assert step.rehearsal is True
    with pytest.raises(StepFailed):  # the same output on target real is a failure
        _versions_step("real", no_gpu, monkeypatch)
