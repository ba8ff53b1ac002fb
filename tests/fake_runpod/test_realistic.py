"""Realistic mode and the scaled clock: slow pulls, old CUDA drivers, Runpod's refusals,
terminateAfter."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import runpod
from runpod import error as runpod_error

from fake_runpod import FakeRunpod, scheduler, timing
from fake_runpod.catalog import NO_CAPACITY

IMAGE = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"
A4000 = "NVIDIA RTX A4000"
CUDA_OK = '["12.8", "12.9", "13.0"]'


@pytest.fixture
def realistic(monkeypatch):
    with FakeRunpod(realistic=True, time_scale=0.002) as fake:
        monkeypatch.setenv("RUNPOD_API_BASE_URL", fake.url)
        monkeypatch.setattr(runpod, "api_key", fake.api_key)
        yield fake
        assert fake.internal_errors == []


def create(name: str, image: str = IMAGE, extra: str = "") -> dict | None:
    """podFindAndDeployOnDemand with extra input fields (allowedCudaVersions, ...)."""
    answer = runpod.api.graphql.run_graphql_query(
        f'mutation {{ podFindAndDeployOnDemand(input: {{ name: "{name}", imageName: "{image}", '
        f'gpuTypeId: "{A4000}", cloudType: SECURE, ports: "22/tcp" {extra} }}) {{ id }} }}'
    )
    return answer["data"]["podFindAndDeployOnDemand"]


def create_until_made(name: str, extra: str = "") -> str:
    """Create as a careful client does: through the refusals, finding a null create's pod."""
    for _ in range(len(scheduler.REALISTIC_CREATES)):
        try:
            made = create(name, extra=extra)
        except runpod_error.QueryError:
            continue
        if made:
            return made["id"]
        return next(p["id"] for p in runpod.get_pods() if p["name"] == name)
    raise AssertionError("no create went through")


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


def test_creates_meet_runpods_refusals_in_a_fixed_order(realistic):
    seen = []
    for index, outcome in enumerate(scheduler.REALISTIC_CREATES * 2):
        try:
            made = create(f"p{index}", extra=f"allowedCudaVersions: {CUDA_OK}")
        except runpod_error.QueryError as refused:
            seen.append(str(refused))
            continue
        seen.append("made" if made else "null")
        assert (made is None) == (outcome == "null")
    expected = {
        "no_resources": scheduler.NO_RESOURCES,
        "transient": scheduler.TRANSIENT,
        "ok": "made",
        "null": "null",
    }
    assert seen == [expected[outcome] for outcome in scheduler.REALISTIC_CREATES * 2]
    assert len(realistic.pods) == 8  # every create that was not refused made a pod


def test_the_recommended_image_takes_ten_minutes_on_the_scaled_clock(realistic):
    started = time.monotonic()
    pod_id = create_until_made("slow", f"allowedCudaVersions: {CUDA_OK}")
    pull = timing.PULL_SECONDS["runpod/pytorch"] * realistic.time_scale
    assert realistic.pods[pod_id].start_delay == pytest.approx(pull)
    assert runpod.get_pod(pod_id)["runtime"] is None  # pulling; desiredStatus says RUNNING
    assert runpod.get_pod(pod_id)["desiredStatus"] == "RUNNING"
    wait_for(lambda: runpod.get_pod(pod_id)["runtime"])
    assert time.monotonic() - started >= pull
    assert realistic.pods[pod_id].sshd_delay == pytest.approx(5.0 * realistic.time_scale)


def test_a_new_image_on_an_old_driver_never_starts(realistic):
    pod_id = create_until_made("old-driver")  # no allowedCudaVersions: the first machine
    stored = realistic.pods[pod_id]
    assert stored.host_cuda == "12.4"
    wait_for(lambda: "cuda>=12.8" in runpod.get_pod(pod_id)["lastStatusChange"])
    pod = runpod.get_pod(pod_id)
    assert (
        "nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.8"
        in (pod["lastStatusChange"])
    )
    assert (pod["desiredStatus"], pod["runtime"]) == ("RUNNING", None)
    assert stored.container is None  # nothing runs, nobody can log in


def test_allowed_cuda_versions_keep_to_machines_that_report_them(realistic):
    pod_id = create_until_made("new-driver", f"allowedCudaVersions: {CUDA_OK}")
    assert realistic.pods[pod_id].host_cuda == "12.8"
    assert wait_for(lambda: runpod.get_pod(pod_id)["runtime"])
    realistic.state.create_count = 2  # the next create is an "ok" one
    with pytest.raises(runpod_error.QueryError, match=NO_CAPACITY):
        create("nobody-has-it", extra='allowedCudaVersions: ["11.8"]')


def test_an_image_without_a_cuda_tag_starts_anywhere(realistic):
    realistic.state.create_count = 2
    made = create("base", image="runpod/base:0.6.2")
    assert realistic.pods[made["id"]].host_cuda == "12.4"
    assert realistic.pods[made["id"]].start_delay == pytest.approx(
        timing.OTHER_IMAGE_PULL_SECONDS * realistic.time_scale
    )
    assert wait_for(lambda: runpod.get_pod(made["id"])["runtime"])


def test_terminate_after_ends_the_pod_when_the_scaled_time_comes(graphql_fake):
    graphql_fake.time_scale = 0.001  # 30 minutes -> 1.8 s
    stop_at = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = create("backstop", extra=f'terminateAfter: "{stop_at}"')
    assert graphql_fake.pods[made["id"]].terminate_after == datetime.fromisoformat(stop_at)
    started = time.monotonic()
    wait_for(lambda: runpod.get_pod(made["id"]) is None)
    assert time.monotonic() - started >= 1.0  # not at once: when the time came
    assert runpod.get_pods() == []


def test_a_terminate_after_in_the_past_ends_the_pod_at_once(graphql_fake):
    made = create("late", extra='terminateAfter: "2020-01-01T00:00:00Z"')
    wait_for(lambda: runpod.get_pod(made["id"]) is None, timeout=5)


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", "2026-04-15 00:00:00"])
def test_a_terminate_after_that_is_no_time_is_refused(graphql_fake, value):
    with pytest.raises(runpod_error.QueryError, match="Invalid terminateAfter"):
        create("bad", extra=f'terminateAfter: "{value}"')
    assert graphql_fake.pods == {}


def test_reset_restores_the_time_scale(fake_runpod_server):
    fake_runpod_server.time_scale = 0.5
    fake_runpod_server.reset()
    assert fake_runpod_server.time_scale == 1.0


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_a_time_scale_that_is_no_factor_is_refused(bad):
    with pytest.raises(ValueError, match="time_scale must be a positive number"):
        FakeRunpod(time_scale=bad)


def test_the_cli_runs_a_realistic_fake_on_a_scaled_clock():
    fake = subprocess.Popen(
        [sys.executable, "-m", "fake_runpod", "--realistic", "--time-scale", "0.01"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = fake.stdout.readline().strip().split("=", 1)[1]
        key = fake.stdout.readline().strip().split("=", 1)[1]
        assert fake.stdout.readline() == "mode: realistic, time scale 0.01\n"
        answer = requests.post(
            f"{url}/graphql",
            json={"query": "{ myself { id } }"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=5,
        )
        assert answer.status_code == 200
    finally:
        fake.send_signal(signal.SIGTERM)
        assert fake.wait(timeout=10) == 0
        fake.stdout.close()
