"""Fault injection: every fault kind, the grammar, counting and ordering."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests
import runpod
from runpod import error as runpod_error

from fake_runpod import FakeRunpod
from fake_runpod.catalog import NO_CAPACITY
from fake_runpod.faults import parse
from tests.fake_runpod.helpers import ssh_argv, ssh_port, wait_for_runtime

GPU = "NVIDIA RTX A4000"


@pytest.fixture
def sdk(graphql_fake):
    runpod.api_key = graphql_fake.api_key
    return graphql_fake


def volumes(fake) -> requests.Response:
    return requests.get(
        f"{fake.url}/v2/network-volumes",
        headers={"Authorization": f"Bearer {fake.api_key}"},
        timeout=5,
    )


def test_graphql_500_three_times_then_fine(sdk):
    sdk.set_faults("graphql:500x3")
    for _ in range(3):
        with pytest.raises(runpod_error.QueryError, match="Internal Server Error"):
            runpod.get_gpus()
    assert runpod.get_gpus()
    assert [r.status for r in sdk.requests] == [500, 500, 500, 200]


def test_rest_429_twice_with_retry_after(sdk):
    sdk.set_faults("rest:429x2")
    first, second, third = volumes(sdk), volumes(sdk), volumes(sdk)
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["Retry-After"] == "1"
    assert first.headers["Content-Type"] == "application/problem+json"
    assert first.json()["status"] == 429


def test_rest_500_once(sdk):
    sdk.set_faults("rest:500x1")
    assert volumes(sdk).status_code == 500
    assert volumes(sdk).status_code == 200


@pytest.mark.parametrize("surface", ["graphql", "rest"])
def test_html_502_page(sdk, surface):
    sdk.set_faults(f"{surface}:html")
    if surface == "graphql":
        with pytest.raises(requests.exceptions.JSONDecodeError):
            runpod.get_gpus()  # the SDK calls .json() on the HTML page
        assert runpod.get_gpus()
    else:
        page = volumes(sdk)
        assert page.status_code == 502
        assert page.headers["Content-Type"].startswith("text/html")
        assert "<h1>502 Bad Gateway</h1>" in page.text
        assert volumes(sdk).status_code == 200


def test_faults_for_one_target_are_consumed_in_order(sdk):
    sdk.set_faults("rest:503,rest:html,graphql:429")
    assert [volumes(sdk).status_code for _ in range(3)] == [503, 502, 200]
    assert sdk.faults.pending() == ["graphql:429x1"]


def test_star_count_never_runs_out(sdk):
    sdk.set_faults("rest:500x*")
    assert {volumes(sdk).status_code for _ in range(5)} == {500}
    assert sdk.faults.pending() == ["rest:500x*"]


def test_timeout_sleeps_past_the_client_timeout(sdk):
    sdk.set_faults("timeout:graphql=3sx1,timeout:restx1")
    sdk.timeout_sleep = 3.0
    query = {"query": "{ gpuTypes { id } }"}
    headers = {"Authorization": f"Bearer {sdk.api_key}"}
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{sdk.url}/graphql", json=query, headers=headers, timeout=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{sdk.url}/v2/network-volumes", headers=headers, timeout=0.5)
    started = time.monotonic()
    assert requests.post(f"{sdk.url}/graphql", json=query, headers=headers, timeout=5).ok
    assert time.monotonic() - started < 2.0  # the faults are used up: no 3 s sleep


@pytest.mark.parametrize("fault", ["lost:rest_create", "timeout:rest_create=2"])
def test_a_create_fault_spares_the_reads_and_loses_the_create_answer(sdk, fault):
    sdk.set_faults(fault)
    headers = {"Authorization": f"Bearer {sdk.api_key}"}
    assert volumes(sdk).status_code == 200  # reads before it are answered
    body = {"name": "v", "size": 10, "dataCenter": "EU-SE-1"}
    url = f"{sdk.url}/v2/network-volumes"
    if fault.startswith("lost"):
        answer = requests.post(url, json=body, headers=headers, timeout=5)
        assert answer.status_code == 502 and "Bad Gateway" in answer.text
    else:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.post(url, json=body, headers=headers, timeout=0.5)
    (made,) = sdk.volumes.values()  # carried out all the same
    assert made.name == "v"
    assert volumes(sdk).json()["networkVolumes"][0]["id"] == made.id
    assert sdk.faults.pending() == []


def test_no_capacity_fault(sdk):
    sdk.set_faults("create_pod:no_capacity")
    with pytest.raises(runpod_error.QueryError) as raised:
        runpod.create_pod("p", "img", GPU)
    assert str(raised.value) == NO_CAPACITY
    assert runpod.create_pod("p", "img", GPU)["id"] in sdk.pods


def test_ssh_refuses_the_next_two_connections(sdk, ssh_keypair):
    key, public = ssh_keypair
    pod = wait_for_runtime(
        runpod.create_pod("p", "img", GPU, ports="22/tcp", env={"PUBLIC_KEY": public})["id"]
    )
    sdk.set_faults("ssh:refusex2")
    results = [
        subprocess.run(
            ssh_argv(key, ssh_port(pod), "echo ok"), capture_output=True, text=True, timeout=20
        )
        for _ in range(3)
    ]
    outcome = [(r.returncode, r.stdout, r.stderr) for r in results]
    assert [r.returncode for r in results] == [255, 255, 0], outcome
    # OpenSSH says "Connection reset by peer", or (at LogLevel=ERROR) nothing at all
    assert all(r.stdout == "" for r in results[:2]), outcome
    assert results[2].stdout == "ok\n", outcome
    assert sdk.faults.pending() == []


def test_slow_start_then_normal(sdk):
    sdk.set_faults("pod:slow_start=2.5s")
    created = time.monotonic()
    slow = runpod.create_pod("slow", "img", GPU)["id"]
    normal = runpod.create_pod("normal", "img", GPU)["id"]
    wait_for_runtime(normal, timeout=2.0)
    assert runpod.get_pod(slow)["runtime"] is None
    wait_for_runtime(slow, timeout=5)
    assert time.monotonic() - created >= 2.5


def test_never_ready(sdk):
    sdk.set_faults("pod:never_ready")
    pod_id = runpod.create_pod("stuck", "img", GPU)["id"]
    with pytest.raises(TimeoutError):
        wait_for_runtime(pod_id, timeout=1.0)
    pod = runpod.get_pod(pod_id)
    assert (pod["desiredStatus"], pod["runtime"]) == ("RUNNING", None)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("graphql:404", "unknown fault 'graphql:404'; valid faults: graphql:429, graphql:500"),
        ("rest:htm", "unknown fault 'rest:htm'"),
        ("timeout:ssh", "unknown fault 'timeout:ssh'"),
        ("nope", "unknown fault 'nope'"),
        ("ssh:refuse=2s", "takes no value"),
        ("pod:slow_start", "needs a duration"),
        ("pod:never_readyx0", "at least 1"),
    ],
)
def test_bad_fault_specs_raise(fake_runpod, spec, message):
    fake_runpod.set_faults("rest:500")
    with pytest.raises(ValueError, match=message):
        fake_runpod.set_faults(spec)
    assert fake_runpod.faults.pending() == ["rest:500x1"]  # a bad spec changes nothing
    with pytest.raises(ValueError, match=message):
        FakeRunpod(faults=spec)


def test_grammar_examples_parse():
    parsed = parse(
        "graphql:500x3, rest:429x2,rest:500x1,graphql:html,rest:html,"
        "create_pod:no_capacity,ssh:refusex2,pod:slow_start=20s,pod:never_ready,"
        "timeout:graphqlx1,timeout:rest_create=65s,lost:rest_createx2"
    )
    assert [str(f) for f in parsed] == [
        "graphql:500x3",
        "rest:429x2",
        "rest:500x1",
        "graphql:htmlx1",
        "rest:htmlx1",
        "create_pod:no_capacityx1",
        "ssh:refusex2",
        "pod:slow_start=20sx1",
        "pod:never_readyx1",
        "timeout:graphqlx1",
        "timeout:rest_create=65sx1",
        "lost:rest_createx2",
    ]


def test_cli_rejects_unknown_faults_and_runs_with_good_ones():
    env = {**os.environ, "FAKE_RUNPOD_FAULTS": "graphql:teapot"}
    bad = subprocess.run(
        [sys.executable, "-m", "fake_runpod"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode != 0
    assert "unknown fault 'graphql:teapot'" in bad.stderr and "pod:never_ready" in bad.stderr

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env["FAKE_RUNPOD_FAULTS"] = "rest:500x1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fake_runpod", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline().strip() for _ in range(3)]
        assert lines[0] == f"RUNPOD_API_BASE_URL=http://127.0.0.1:{port}"
        key = lines[1].removeprefix("RUNPOD_API_KEY=")
        assert lines[2] == "faults: rest:500x1"
        url = f"http://127.0.0.1:{port}/v2/network-volumes"
        headers = {"Authorization": f"Bearer {key}"}
        assert requests.get(url, headers=headers, timeout=5).status_code == 500
        assert requests.get(url, headers=headers, timeout=5).status_code == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize("surface", ["graphql", "rest"])
@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_every_status_fault(sdk, surface, status):
    sdk.set_faults(f"{surface}:{status}")
    headers = {"Authorization": f"Bearer {sdk.api_key}"}
    if surface == "graphql":
        first = requests.post(
            f"{sdk.url}/graphql", json={"query": "{ myself { id } }"}, headers=headers, timeout=5
        )
        assert first.json()["errors"][0]["message"]
    else:
        first = volumes(sdk)
        assert first.json()["status"] == status
    assert first.status_code == status
    assert ("Retry-After" in first.headers) == (status == 429)
    assert sdk.faults.pending() == []
