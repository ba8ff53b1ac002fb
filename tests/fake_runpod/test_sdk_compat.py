"""The released `runpod` SDK (1.12.0, GraphQL for every pod call) against the fake: its pod
functions work while GraphQL is served, and fail with 410 once Runpod retires it. This is the
only test that speaks GraphQL on purpose: the guide itself uses REST v2 only."""

from __future__ import annotations

import importlib.metadata

import pytest

from fake_runpod import FakeRunpod
from tests.fake_runpod.sdk import runpod

IMAGE = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"
GPU = "NVIDIA RTX A4000"


def test_the_sdk_under_test_is_the_released_one():
    assert importlib.metadata.version("runpod") == "1.12.0"


def test_the_sdks_pod_functions_work_while_graphql_is_served(graphql_fake):
    gpus = runpod.get_gpus()
    assert {"id": GPU, "displayName": "RTX A4000", "memoryInGb": 16} in gpus
    made = runpod.create_pod("sdk-compat", IMAGE, GPU, ports="22/tcp", cloud_type="SECURE")
    assert runpod.get_pod(made["id"])["desiredStatus"] == "RUNNING"
    assert [pod["id"] for pod in runpod.get_pods()] == [made["id"]]
    assert runpod.stop_pod(made["id"])["desiredStatus"] == "EXITED"
    assert runpod.resume_pod(made["id"], 1)["desiredStatus"] == "RUNNING"
    runpod.terminate_pod(made["id"])
    assert runpod.get_pods() == [] and graphql_fake.pods == {}
    assert {request.path for request in graphql_fake.requests} == {"/graphql"}
    assert {request.status for request in graphql_fake.requests} == {200}


@pytest.fixture(scope="module")
def retired_fake():
    with FakeRunpod(retired=True) as fake:
        yield fake


SDK_CALLS = {
    "get_gpus": lambda: runpod.get_gpus(),
    "create_pod": lambda: runpod.create_pod("sdk-compat", IMAGE, GPU),
    "get_pods": lambda: runpod.get_pods(),
    "get_pod": lambda: runpod.get_pod("abc123"),
    "stop_pod": lambda: runpod.stop_pod("abc123"),
    "resume_pod": lambda: runpod.resume_pod("abc123", 1),
    "terminate_pod": lambda: runpod.terminate_pod("abc123"),
}


@pytest.mark.parametrize("name", sorted(SDK_CALLS))
def test_every_sdk_pod_function_fails_with_410_once_graphql_is_retired(
    retired_fake, monkeypatch, name
):
    retired_fake.reset()
    monkeypatch.setenv("RUNPOD_API_BASE_URL", retired_fake.url)
    monkeypatch.setattr(runpod, "api_key", retired_fake.api_key)
    # 1.12.0 reads the problem body as a GraphQL answer and fails on the missing "data"
    # (terminate_pod alone ignores the answer: it only ever hears a 410)
    if name == "terminate_pod":
        SDK_CALLS[name]()
    else:
        with pytest.raises(KeyError):
            SDK_CALLS[name]()
    assert [(r.path, r.status) for r in retired_fake.requests] == [("/graphql", 410)]
    assert retired_fake.pods == {}
