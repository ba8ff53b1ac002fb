"""Fault injection, in front of the API: the grammar, and what the network and the proxy do
to a request (`rest:`, `rest_create:`, `timeout:`, `lost:`; `graphql:` in normal mode)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from email.utils import parsedate_to_datetime

import pytest
import requests

from fake_runpod.faults import STATUSES, parse
from tests.fake_runpod.helpers import Api

VOLUME = {"name": "v", "size": 10, "dataCenter": "EU-SE-1"}


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


@pytest.mark.parametrize("status", STATUSES)
def test_a_status_fault_answers_instead_of_the_api(api, fake_runpod, status):
    fake_runpod.set_faults(f"rest:{status}")
    answer = api("POST", "/network-volumes", json=VOLUME)
    assert answer.status_code == int(status)
    if status.startswith("52"):  # Cloudflare's own errors: an HTML page
        assert answer.headers["Content-Type"].startswith("text/html")
        assert f"Error code {status}" in answer.text
    else:
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["status"] == int(status)
    assert ("Retry-After" in answer.headers) == (status == "429")
    assert fake_runpod.volumes == {}  # NOT carried out
    assert api("POST", "/network-volumes", json=VOLUME).status_code == 201  # used up


def test_pages_and_broken_json_instead_of_the_api(api, fake_runpod):
    fake_runpod.set_faults("rest:html,rest:html200,rest:truncated")
    page = api("GET", "/pods")
    assert (page.status_code, page.headers["Content-Type"]) == (502, "text/html; charset=UTF-8")
    assert "Bad Gateway" in page.text
    challenge = api("GET", "/pods")
    assert challenge.status_code == 200 and "Just a moment" in challenge.text
    cut = api("POST", "/network-volumes", json=VOLUME)
    assert (cut.status_code, cut.headers["Content-Type"]) == (200, "application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.text)
    assert fake_runpod.volumes == {}


@pytest.mark.parametrize(
    ("fault", "header"),
    [
        ("rest:429", "1"),
        ("rest:429=120", "120"),
        ("rest:429=86400", "86400"),
        ("rest:429_malformed", "soon"),
        ("rest:429_negative", "-5"),
        ("rest:429_missing", None),
    ],
)
def test_retry_after_as_asked(api, fake_runpod, fault, header):
    fake_runpod.set_faults(fault)
    answer = api("GET", "/pods")
    assert answer.status_code == 429
    assert answer.headers.get("Retry-After") == header


def test_retry_after_as_an_http_date(api, fake_runpod):
    fake_runpod.set_faults("rest:429_date")
    when = api("GET", "/pods").headers["Retry-After"]
    assert parsedate_to_datetime(when).tzinfo is not None  # an IMF-fixdate, e.g. "Sun, 06 ..."


@pytest.mark.parametrize(
    ("kind", "status", "content_type"),
    [
        ("500", 500, "application/problem+json"),
        ("504", 504, "application/problem+json"),
        ("408", 408, "application/problem+json"),
        ("524", 524, "text/html; charset=UTF-8"),
        ("html", 502, "text/html; charset=UTF-8"),
        ("html200", 200, "text/html; charset=UTF-8"),
        ("truncated", 201, "application/json"),
        ("empty", 201, "application/json"),
    ],
)
def test_a_create_fault_carries_the_create_out_and_garbles_its_answer(
    api, fake_runpod, kind, status, content_type
):
    fake_runpod.set_faults(f"rest_create:{kind}")
    assert api("GET", "/network-volumes").json() == {"networkVolumes": []}  # reads spared
    answer = api("POST", "/network-volumes", json=VOLUME)
    assert (answer.status_code, answer.headers["Content-Type"]) == (status, content_type)
    if kind in ("truncated", "empty"):
        with pytest.raises(json.JSONDecodeError):
            json.loads(answer.text)
    (made,) = fake_runpod.volumes.values()  # carried out all the same
    assert api("GET", "/network-volumes").json()["networkVolumes"][0]["id"] == made.id


def test_a_dropped_create_is_made_and_never_answered(api, fake_runpod):
    fake_runpod.set_faults("rest_create:drop")
    with pytest.raises(requests.ConnectionError):
        api("POST", "/pods", json={"name": "p", "image": "img", "gpu": {"id": "NVIDIA L4"}})
    assert len(fake_runpod.pods) == 1
    assert [(r.method, r.status) for r in fake_runpod.requests] == [("POST", 0)]


def test_a_create_fault_waits_for_a_create(api, fake_runpod):
    """Not a read, not an action on a pod: the next POST that creates something."""
    pod_id = api.create_pod()["id"]
    fake_runpod.set_faults("rest_create:503")
    assert api("GET", f"/pods/{pod_id}").status_code == 200
    assert api("POST", f"/pods/{pod_id}/action", json={"action": "stop"}).status_code == 200
    assert api("POST", "/account/secrets", json={"name": "s", "value": "v"}).status_code == 503
    assert len(fake_runpod.secrets) == 1 and fake_runpod.faults.pending() == []


@pytest.mark.parametrize("fault", ["lost:rest_create", "timeout:rest_create=2"])
def test_a_lost_create_answer_spares_the_reads(api, fake_runpod, fault):
    fake_runpod.set_faults(fault)
    assert api("GET", "/network-volumes").status_code == 200
    if fault.startswith("lost"):
        answer = api("POST", "/network-volumes", json=VOLUME)
        assert answer.status_code == 502 and "Bad Gateway" in answer.text
    else:
        with pytest.raises(requests.exceptions.ReadTimeout):
            api("POST", "/network-volumes", json=VOLUME, timeout=0.5)
    (made,) = fake_runpod.volumes.values()
    assert made.name == "v" and fake_runpod.faults.pending() == []


def test_timeout_holds_any_answer_back(api, fake_runpod):
    fake_runpod.set_faults("timeout:rest=3")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api("GET", "/pods", timeout=0.5)
    assert api("GET", "/pods", timeout=5).ok  # used up


def test_graphql_faults_in_normal_mode(graphql_fake):
    graphql_fake.set_faults("graphql:500,graphql:429,graphql:html")
    url, headers = (
        f"{graphql_fake.url}/graphql",
        {"Authorization": f"Bearer {graphql_fake.api_key}"},
    )
    query = {"query": "{ myself { id } }"}
    first = requests.post(url, json=query, headers=headers, timeout=5)
    assert first.status_code == 500 and first.json()["errors"][0]["message"]
    second = requests.post(url, json=query, headers=headers, timeout=5)
    assert (second.status_code, second.headers["Retry-After"]) == (429, "1")
    assert requests.post(url, json=query, headers=headers, timeout=5).status_code == 502
    assert requests.post(url, json=query, headers=headers, timeout=5).status_code == 200


def test_faults_for_one_target_are_consumed_in_order(api, fake_runpod):
    fake_runpod.set_faults("rest:503,rest:html,pod:exits")
    assert [api("GET", "/pods").status_code for _ in range(3)] == [503, 502, 200]
    assert fake_runpod.faults.pending() == ["pod:exitsx1"]


def test_star_count_never_runs_out(api, fake_runpod):
    fake_runpod.set_faults("rest:503x*")
    assert [api("GET", "/pods").status_code for _ in range(4)] == [503] * 4
    assert fake_runpod.faults.pending() == ["rest:503x*"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("graphql:404", "unknown fault 'graphql:404'; valid faults: graphql:429, graphql:500"),
        ("rest:htm", "unknown fault 'rest:htm'"),
        ("rest:418", "unknown fault 'rest:418'"),
        ("rest_create:429_date", "unknown fault 'rest_create:429_date'"),
        ("timeout:ssh", "unknown fault 'timeout:ssh'"),
        ("pod:slow_start", "needs a duration"),
        ("pod:no_port", "needs a duration"),
        ("pod:private_port", "needs a duration"),
        ("rest:500=3", "takes no value"),
        ("pod:exits=3", "takes no value"),
        ("rest:500x0", "at least 1"),
        ("nonsense", "unknown fault 'nonsense'"),
    ],
)
def test_bad_fault_specs_raise(fake_runpod, spec, message):
    fake_runpod.set_faults("rest:500")
    with pytest.raises(ValueError, match=message):
        fake_runpod.set_faults(spec)
    assert fake_runpod.faults.pending() == ["rest:500x1"]  # a bad spec changes nothing
    fake_runpod.set_faults(None)


def test_every_new_fault_parses():
    spec = (
        "rest:401,rest:520x2,rest:html200,rest:truncated,rest:429=30,rest:429_datex*,"
        "rest_create:drop,rest_create:empty,rest_create:522,create_pod:insufficient_balance,"
        "pod:error,pod:exits,pod:no_port=5s,pod:private_port=2.5,timeout:rest_create=65s"
    )
    assert [str(fault) for fault in parse(spec)] == [
        "rest:401x1",
        "rest:520x2",
        "rest:html200x1",
        "rest:truncatedx1",
        "rest:429=30sx1",
        "rest:429_datex*",
        "rest_create:dropx1",
        "rest_create:emptyx1",
        "rest_create:522x1",
        "create_pod:insufficient_balancex1",
        "pod:errorx1",
        "pod:exitsx1",
        "pod:no_port=5sx1",
        "pod:private_port=2.5sx1",
        "timeout:rest_create=65sx1",
    ]


def test_cli_rejects_unknown_faults_and_runs_with_good_ones():
    env = {**os.environ, "FAKE_RUNPOD_FAULTS": "rest:teapot"}
    bad = subprocess.run(
        [sys.executable, "-m", "fake_runpod"], env=env, capture_output=True, text=True, timeout=30
    )
    assert bad.returncode == 2
    assert "unknown fault 'rest:teapot'" in bad.stderr and "pod:never_ready" in bad.stderr
    assert "Traceback" not in bad.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env["FAKE_RUNPOD_FAULTS"] = "rest:500x1"
    argv = [sys.executable, "-m", "fake_runpod", "--port", str(port), "--retired"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().strip() for _ in range(4)]
        assert lines[0] == f"RUNPOD_API_BASE_URL=http://127.0.0.1:{port}"
        key = lines[1].removeprefix("RUNPOD_API_KEY=")
        assert lines[2:] == ["retired: GraphQL and REST v1 answer 410 Gone", "faults: rest:500x1"]
        url = f"http://127.0.0.1:{port}/v2/network-volumes"
        headers = {"Authorization": f"Bearer {key}"}
        assert requests.get(url, headers=headers, timeout=5).status_code == 500
        assert requests.get(url, headers=headers, timeout=5).status_code == 200
        graphql = requests.post(f"http://127.0.0.1:{port}/graphql", json={}, timeout=5)
        assert graphql.status_code == 410
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
