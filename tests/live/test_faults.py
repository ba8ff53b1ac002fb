"""The replay under failure, offline: a fault in every kind of step, and the process killed.

Whatever breaks, the report names the step that failed, says what the API still lists
(`leaked`), and that list is empty after the teardown, or after `make sweep --yes` when the
process was killed too hard to tear down. No secret value reaches any output.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import pytest

from live import sweep
from tests.live.conftest import ROOT, assert_clean, replay_subprocess

# What a refused SSH connection looks like: ssh's own exit status 255, or scp's 1, with
# "Connection reset" when ssh gets to say it.
SSH_DOWN = r"Connection reset|exited 255|終了コード (1|255)"

# (step during which the fault is set, fault spec, step that must fail, what it says).
# Counts outlast the snippets' retries (6 tries), so the step really fails; pod faults
# apply to the next pod created, so they are set as the deploy step starts.
FAULTS = [
    ("secret_create", "rest:500x6", "secret_create", "HTTP 500"),
    ("secret_create", "rest:429x6", "secret_create", "HTTP 429"),
    ("volume_create", "rest:htmlx6", "volume_create", "JSON"),
    ("pod1_deploy", "graphql:500x6", "pod1_deploy", "HTTP 500"),
    ("pod1_deploy", "graphql:htmlx6", "pod1_deploy", "JSON"),
    ("pod1_deploy", "create_pod:no_capacityx*", "pod1_deploy", "no capacity anywhere"),
    ("pod1_deploy", "pod:never_ready", "pod1_ready", "SSH"),
    ("pod1_ready", "ssh:refusex*", "pod1_ready", SSH_DOWN),
    ("setup_first", "ssh:refusex*", "setup_first", SSH_DOWN),
    ("kaggle_auth", "ssh:refusex*", "kaggle_auth", SSH_DOWN),
    ("pod1_terminate", "graphql:500x6", "pod1_terminate", "HTTP 500"),
    ("pod2_deploy", "create_pod:no_capacityx*", "pod2_deploy", "no capacity anywhere"),
    ("pod2_deploy", "pod:never_ready", "pod2_ready", "SSH"),
    ("pod2_marker", "ssh:refusex*", "pod2_marker", SSH_DOWN),
]


@pytest.mark.parametrize(("at", "fault", "step", "says"), FAULTS,
                         ids=[f"{a}-{f}" for a, f, _, _ in FAULTS])
def test_a_fault_fails_its_step_and_teardown_leaves_nothing(run_fake_replay, fake_runpod, at,
                                                            fault, step, says):
    def inject(name: str) -> None:
        if name == at:
            fake_runpod.set_faults(fault)

    status, report, output, _ = run_fake_replay(on_step=inject)
    assert status == 1, output
    assert report["outcome"] == "failed"
    assert report["failed_step"] == step, report["steps"]
    failed = next(s for s in report["steps"] if s["name"] == step)
    assert failed["status"] == "failed" and re.search(says, failed["detail"]), failed
    # Later steps of the guide did not run; the teardown steps all did, and passed.
    names = [s["name"] for s in report["steps"]]
    later = names[names.index(step) + 1: names.index("pods_cleanup")]
    assert all(s["status"] == "skipped" for s in report["steps"] if s["name"] in later)
    teardown = {s["name"]: s["status"] for s in report["steps"][names.index("pods_cleanup"):]}
    assert teardown == dict.fromkeys(teardown, "passed"), teardown
    assert report["leaked"] == []
    assert_clean(fake_runpod)


def test_teardown_faults_show_up_as_leaked_and_sweep_cleans_them(run_fake_replay, fake_runpod,
                                                                  tmp_path):
    def inject(name: str) -> None:
        if name == "pod2_terminate":
            fake_runpod.set_faults("rest:500x24")  # volume delete (3 x 6 tries), secret list (6)

    # Teardown steps get no on_step call: set the fault at the last step of the guide.
    status, report, output, _ = run_fake_replay(on_step=inject)
    assert status == 1
    assert report["failed_step"] in ("volume_delete", "secret_delete")
    kinds = sorted(item["kind"] for item in report["leaked"])
    assert kinds and set(kinds) <= {"volume", "secret"}, report["leaked"]
    assert all(item["name"].startswith("kgl-live-" + report["run_id"])
               for item in report["leaked"])

    fake_runpod.set_faults(None)
    assert sweep.main(["--yes", "--run-id", report["run_id"], "--poll", "0.05"]) == 0
    assert_clean(fake_runpod)


def test_no_capacity_falls_back_over_gpus_then_data_centers(run_fake_replay, fake_runpod):
    # Three GPU types fail in the first data center; the volume follows to the next one.
    def inject(name: str) -> None:
        if name == "pod1_deploy":
            fake_runpod.set_faults("create_pod:no_capacityx3")

    status, report, output, _ = run_fake_replay(on_step=inject)
    assert status == 0, output
    deploy = next(s for s in report["steps"] if s["name"] == "pod1_deploy")
    assert deploy["detail"].count("EU-RO-1/") == 3
    assert "volume moved to US-KS-2" in deploy["detail"]
    assert report["data_center"] == "US-KS-2"
    assert report["leaked"] == []
    assert_clean(fake_runpod)


def test_transient_api_errors_are_retried_and_the_run_passes(run_fake_replay, fake_runpod):
    fake_runpod.set_faults("graphql:500x2,rest:429x2,rest:500x1,ssh:refusex2")
    status, report, output, _ = run_fake_replay()
    assert status == 0, output
    assert report["outcome"] == "passed" and report["leaked"] == []


def _read_until(child: subprocess.Popen, text: str, timeout: float = 30.0) -> str:
    """Read the child's output up to the line containing text (the step it is in)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        assert line, "the replay ended early:\n" + "".join(seen)
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"no {text!r} in time:\n" + "".join(seen))


def _sweep(fake, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "RUNPOD_API_BASE_URL": fake.url,
           "RUNPOD_API_KEY": fake.api_key}
    return subprocess.run([sys.executable, "-m", "live.sweep", "--poll", "0.1", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_pod1_exists_tears_everything_down(fake_runpod, tmp_path, signum,
                                                          status):
    report = tmp_path / "live-report.json"
    fake_runpod.set_faults("pod:slow_start=30")  # pod 1 exists but is not ready for 30 s
    child = replay_subprocess(fake_runpod, report)
    before = _read_until(child, "step pod1_ready ...")  # pod 1 exists, not ready for 30 s
    assert len(fake_runpod.pods) == 1
    tokens = [secret.value for secret in fake_runpod.secrets.values()]
    child.send_signal(signum)
    output, _ = child.communicate(timeout=60)
    output = before + output

    assert child.returncode == status, output
    data = json.loads(report.read_text())
    assert data["failed_step"] == "pod1_ready"
    failed = next(s for s in data["steps"] if s["name"] == "pod1_ready")
    assert signal.Signals(signum).name in failed["detail"]
    assert data["leaked"] == []
    assert_clean(fake_runpod)
    for secret in [*tokens, fake_runpod.api_key]:
        assert secret not in output + report.read_text()


def test_wall_time_budget_stops_the_run_and_tears_down(fake_runpod, tmp_path):
    report = tmp_path / "live-report.json"
    fake_runpod.set_faults("pod:slow_start=60")
    # A 0.5 min budget with a 20 s teardown margin: the alarm fires 10 s in, while pod 1
    # is still starting (it takes 60 s).
    child = replay_subprocess(fake_runpod, report, env={
        "LIVE_MAX_MINUTES": "0.5", "LIVE_TEARDOWN_MARGIN": "20", "LIVE_READY_TIMEOUT": "60"})
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 1, output
    data = json.loads(report.read_text())
    assert data["failed_step"] == "pod1_ready"
    assert "wall-time budget" in next(s for s in data["steps"]
                                      if s["name"] == "pod1_ready")["detail"]
    assert data["wall_seconds"] < data["budget"]["max_wall_seconds"]
    assert data["leaked"] == []
    assert_clean(fake_runpod)


def test_sigkill_mid_run_is_cleaned_by_the_sweep(fake_runpod, tmp_path, capsys):
    report = tmp_path / "live-report.json"
    fake_runpod.set_faults("pod:slow_start=30")
    child = replay_subprocess(fake_runpod, report)
    _read_until(child, "step pod1_ready ...")
    child.kill()
    child.communicate(timeout=30)
    assert not report.exists()  # no chance to write anything
    assert len(fake_runpod.pods) == len(fake_runpod.volumes) == len(fake_runpod.secrets) == 1

    # A fresh run is younger than the default 2 h: left alone by a plain sweep.
    assert sweep.main(["--yes"]) == 0
    assert "nothing named kgl-live-*" in capsys.readouterr().out
    assert len(fake_runpod.pods) == 1

    assert sweep.main(["--older-than", "0"]) == 1  # a dry run: something is left
    assert capsys.readouterr().out.count("would delete") == 3
    assert len(fake_runpod.pods) == 1  # ...and nothing was deleted

    # `make sweep ARGS="--yes --older-than 0"`, as a command.
    swept = _sweep(fake_runpod, "--older-than", "0", "--yes")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert "left 0" in swept.stdout
    assert_clean(fake_runpod)
    assert fake_runpod.api_key not in swept.stdout + swept.stderr


def test_nothing_under_the_max_price_fails_the_deploy_after_every_data_center(
        run_fake_replay, fake_runpod, monkeypatch):
    monkeypatch.setenv("LIVE_MAX_PRICE", "0.01")
    status, report, _, _ = run_fake_replay()
    assert status == 1 and report["failed_step"] == "pod1_deploy"
    detail = next(s for s in report["steps"] if s["name"] == "pod1_deploy")["detail"]
    for data_center in ("EU-RO-1", "US-KS-2", "EU-SE-1", "CA-MTL-1"):
        assert f"{data_center}: no GPU in stock under $0.01/h" in detail
    assert report["leaked"] == []
    assert_clean(fake_runpod)
