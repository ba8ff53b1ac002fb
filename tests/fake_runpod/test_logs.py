"""GET /v2/pods/{id}/logs: Server-Sent Events with the backfill (`tail`, `since`,
`Last-Event-ID`), `source` filtering, then live lines; the stream ends when the pod goes."""

from __future__ import annotations

import json
import threading

import pytest

from fake_runpod import FakeRunpod
from tests.fake_runpod.helpers import IMAGE, Api, pod_body, wait_for


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def events(api: Api, pod_id: str, count: int, headers=None, **params) -> list[dict]:
    """The first `count` events of the stream (then the client hangs up, as clients do)."""
    found = []
    with api("GET", f"/pods/{pod_id}/logs", params=params, stream=True, headers=headers) as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/event-stream"
        assert answer.headers["Cache-Control"] == "no-cache"
        event = {}
        # line by line as they come (iter_lines would wait for 512 bytes of a quiet stream)
        for raw in iter(lambda: answer.raw.readline().decode().rstrip("\n"), None):
            if raw.startswith("id: "):
                event["id"] = raw[4:]
            elif raw.startswith("data: "):
                event.update(json.loads(raw[6:]))
            elif raw == "" and event:
                found.append(event)
                event = {}
                if len(found) == count:
                    break
    return found


def started(api: Api, fake, **changes) -> str:
    pod_id = api.create_pod(**changes)["id"]
    api.wait_status(pod_id, "RUNNING")
    done = "Start script(s) finished, Pod is ready to use."
    wait_for(lambda: any(line.line == done for line in fake.backend.logs[pod_id].lines))
    return pod_id


def test_the_backfill_shows_the_pull_then_the_containers_output(api, fake_runpod):
    pod_id = started(api, fake_runpod)
    backfill = events(api, pod_id, 5, source="system", tail=100)
    assert [e["line"] for e in backfill[:2]] == [
        f"create container {IMAGE}",
        f"{IMAGE.split(':')[1]} Pulling from runpod/pytorch",
    ]
    assert {e["source"] for e in backfill} == {"system"}
    first = backfill[0]
    assert first["id"] == f"{first['ts']}/000000000001"  # TS/SEQ, usable as Last-Event-ID
    output = events(api, pod_id, 1, source="container", tail=1)
    assert output[0]["line"] == "Start script(s) finished, Pod is ready to use."


def test_tail_keeps_the_last_lines(api, fake_runpod):
    pod_id = started(api, fake_runpod)
    every = fake_runpod.backend.logs[pod_id].lines
    last_two = events(api, pod_id, 2, tail=2)
    assert [e["line"] for e in last_two] == [line.line for line in every[-2:]]


def test_tail_zero_streams_only_new_lines_as_they_come(api, fake_runpod):
    args = "bash -c 'echo early; while [ ! -e /workspace/go ]; do sleep 0.05; done; echo late'"
    pod_id = api.create_pod(args=args)["id"]
    api.wait_status(pod_id, "RUNNING")
    wait_for(lambda: fake_runpod.backend.logs[pod_id].lines[-1].line == "early")
    live = []
    reader = threading.Thread(
        target=lambda: live.extend(events(api, pod_id, 1, tail=0, source="container"))
    )
    reader.start()
    wait_for(lambda: [r.status for r in fake_runpod.requests if r.path.endswith("/logs")])
    (fake_runpod.pods[pod_id].workspace / "go").touch()  # the pod prints its next line now
    reader.join(10)
    assert [event["line"] for event in live] == ["late"]


def test_last_event_id_resumes_after_that_event(api, fake_runpod):
    pod_id = started(api, fake_runpod)
    first = events(api, pod_id, 3, tail=5000)
    resumed = events(api, pod_id, 1, headers={"Last-Event-ID": first[1]["id"]}, tail=0)
    assert resumed[0]["id"] == first[2]["id"]
    since = events(api, pod_id, 1, since=first[0]["ts"], tail=0)
    assert since[0]["ts"] >= first[0]["ts"]


def test_the_stream_ends_when_the_pod_is_terminated(api, fake_runpod):
    pod_id = started(api, fake_runpod)
    with api("GET", f"/pods/{pod_id}/logs", params={"tail": 1}, stream=True) as answer:
        assert answer.raw.readline().startswith(b"id: ")
        api("DELETE", f"/pods/{pod_id}")
        rest = answer.raw.read()  # ends: the pod is gone
    assert rest.count(b"data: ") <= 1  # at most the line of its own end
    assert api("GET", f"/pods/{pod_id}/logs").status_code == 404


def test_bad_log_parameters_are_refused(api, fake_runpod):
    pod_id = api.create_pod()["id"]
    assert api("GET", f"/pods/{pod_id}/logs", params={"tail": 5001}).status_code == 422
    assert api("GET", f"/pods/{pod_id}/logs", params={"source": "kernel"}).status_code == 422
    for since in ("yesterday", "2026-12-06T10:00:00"):  # the second has no offset
        bad = api("GET", f"/pods/{pod_id}/logs", params={"since": since})
        assert bad.status_code == 422 and "RFC 3339" in bad.json()["detail"]
    resumed = api("GET", f"/pods/{pod_id}/logs", headers={"Last-Event-ID": "soon/x"})
    assert resumed.status_code == 422


def test_realistic_pull_lines_show_progress():
    with FakeRunpod(realistic=True, time_scale=0.001) as fake:
        api = Api(fake)
        fake.set_faults("create_pod:timeout=0")  # past the first realistic refusal
        body = pod_body(gpu={"id": "NVIDIA RTX A4000", "minCudaVersion": "12.8"})
        pod_id = api("POST", "/pods", json=body).json()["id"]
        api.wait_status(pod_id, "RUNNING")
        lines = [e["line"] for e in events(api, pod_id, 16, source="system")]
        assert sum(" Downloading [" in line for line in lines) == 4
        assert lines[-1] == f"Status: Downloaded newer image for {IMAGE}"
