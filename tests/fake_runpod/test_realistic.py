"""Realistic mode: Runpod's timings on a scaled clock, old and new CUDA drivers, Runpod's
refusals in a fixed order, pull lines in the system log, Docker Hub's anonymous pull limit."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests

from fake_runpod import FakeRunpod, timing
from fake_runpod.backend import REALISTIC_CREATES
from fake_runpod.errors import NO_RESOURCES, TRANSIENT
from fake_runpod.podlogs import PULL_THROTTLED
from tests.fake_runpod.helpers import GPU, IMAGE, Api, pod_body, wait_for

CUDA_OK = ["12.8", "12.9", "13.0"]


@pytest.fixture
def realistic():
    with FakeRunpod(realistic=True, time_scale=0.002) as fake:
        yield fake
        assert fake.internal_errors == []


def made_past_the_refusals(api: Api, **changes) -> str:
    """Create as a careful client does: through the refusals, finding a null create's pod."""
    for _ in range(len(REALISTIC_CREATES)):
        answer = api("POST", "/pods", json=pod_body(**changes))
        if answer.status_code == 201 and answer.json() is not None:
            return answer.json()["id"]
        if answer.status_code == 201:
            return api("GET", "/pods").json()["pods"][-1]["id"]
    raise AssertionError("no create went through")


def test_creates_meet_runpods_refusals_in_a_fixed_order(realistic):
    api = Api(realistic)
    seen = []
    for _ in REALISTIC_CREATES * 2:
        answer = api(
            "POST", "/pods", json=pod_body(gpu={"id": GPU, "allowedCudaVersions": CUDA_OK})
        )
        body = answer.json()
        seen.append(body["detail"] if answer.status_code != 201 else "made" if body else "null")
    expected = {"no_resources": NO_RESOURCES, "transient": TRANSIENT, "ok": "made", "null": "null"}
    assert seen == [expected[outcome] for outcome in REALISTIC_CREATES * 2]
    assert len(realistic.pods) == 8  # every create that was not refused made a pod


def test_the_recommended_image_pulls_for_ten_minutes_on_the_scaled_clock(realistic):
    api = Api(realistic)
    pod_id = made_past_the_refusals(api, gpu={"id": GPU, "allowedCudaVersions": CUDA_OK})
    plan = realistic.pods[pod_id].plan
    assert plan.pull_delay == pytest.approx(timing.PULL_SECONDS["runpod/pytorch"] * 0.002)
    assert plan.sshd_delay == pytest.approx(timing.SSHD_START_SECONDS * 0.002)
    assert api.wait_status(pod_id, "STARTING")["runtime"] is None  # pulling
    api.wait_status(pod_id, "RUNNING")
    lines = [line.line for line in realistic.backend.logs[pod_id].lines if line.source == "system"]
    assert lines[:2] == [
        f"create container {IMAGE}",
        f"{IMAGE.split(':')[1]} Pulling from runpod/pytorch",
    ]
    progress = [line for line in lines if " Downloading [" in line]
    assert len(progress) == 4 and progress[0].endswith("GB/4.8GB")
    assert lines[-1] == f"Status: Downloaded newer image for {IMAGE}"


def test_a_new_image_on_an_old_driver_goes_error(realistic):
    api = Api(realistic)
    pod_id = made_past_the_refusals(api)  # no CUDA constraint: the first machine, 12.4
    failed = api.wait_status(pod_id, "ERROR")
    assert failed["cudaVersion"] == "12.4"
    last = realistic.backend.logs[pod_id].lines[-1].line
    assert "nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.8" in last
    assert realistic.pods[pod_id].runtime is None  # nothing runs, nobody can log in


def test_an_image_without_a_cuda_tag_starts_anywhere(realistic):
    api = Api(realistic)
    pod_id = made_past_the_refusals(api, image="runpod/base:0.6.2")
    plan = realistic.pods[pod_id].plan
    assert plan.host_cuda == "12.4"
    assert plan.pull_delay == pytest.approx(timing.OTHER_IMAGE_PULL_SECONDS * 0.002)
    api.wait_status(pod_id, "RUNNING")


def test_docker_hub_throttles_anonymous_pulls_past_its_limit():
    with FakeRunpod(anonymous_pulls=1) as fake:
        api = Api(fake)
        first = api.create_pod()["id"]
        throttled = api.create_pod()["id"]
        api.wait_status(first, "RUNNING")
        assert api.wait_status(throttled, "ERROR")["runtime"] is None
        assert fake.backend.logs[throttled].lines[-1].line == PULL_THROTTLED
        registry = api(
            "POST", "/registries", json={"name": "hub", "username": "u", "password": "p"}
        )
        credential = registry.json()["id"]
        authenticated = api.create_pod(registry=credential)["id"]  # not counted, not throttled
        assert api.wait_status(authenticated, "RUNNING")["registry"] == credential
        ghcr = api.create_pod(image="ghcr.io/someone/image:1")["id"]  # not Docker Hub
        api.wait_status(ghcr, "RUNNING")


def test_graphql_terminate_after_ends_the_pod_when_the_scaled_time_comes(graphql_fake):
    """runpodctl's --terminate-after (GraphQL only: REST v2 has none)."""
    from tests.fake_runpod.sdk import runpod

    graphql_fake.time_scale = 0.001  # 30 minutes -> 1.8 s

    def create(at: str) -> str | None:
        query = (
            'mutation { podFindAndDeployOnDemand(input: {name: "b", imageName: "img", '
            f'gpuTypeId: "{GPU}", terminateAfter: "{at}"}}) {{ id }} }}'
        )
        return runpod.api.graphql.run_graphql_query(query)["data"]["podFindAndDeployOnDemand"]

    soon = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = create(soon)["id"]
    assert graphql_fake.pods[later].terminate_after == datetime.fromisoformat(soon)
    late = create("2020-01-01T00:00:00Z")["id"]
    wait_for(lambda: late not in graphql_fake.pods, timeout=5)  # a past time: at once
    wait_for(lambda: later not in graphql_fake.pods, timeout=10)
    with pytest.raises(runpod.error.QueryError, match="Invalid terminateAfter"):
        create("tomorrow")


def test_reset_restores_the_time_scale(fake_runpod_server):
    fake_runpod_server.time_scale = 0.5
    fake_runpod_server.reset()
    assert fake_runpod_server.time_scale == 1.0


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), 1e-300])
def test_a_time_scale_that_is_no_factor_is_refused(bad):
    with pytest.raises(ValueError, match="time_scale must be"):
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
        answer = requests.get(
            f"{url}/v2/pods", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert answer.status_code == 200
    finally:
        fake.send_signal(signal.SIGTERM)
        assert fake.wait(timeout=10) == 0
        fake.stdout.close()
