"""REST v2 pods on the fake: /v2/pods, /v2/pods/{id}, /v2/pods/{id}/action, validated against
the OpenAPI document both ways (the fixture fails a test whose answer broke the contract)."""

from __future__ import annotations

import subprocess
import time

import pytest
import requests

from fake_runpod import FakeRunpod
from fake_runpod.catalog import NO_CAPACITY
from tests.fake_runpod.helpers import ssh_argv

IMAGE = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"


def call(fake, method: str, path: str, body=None) -> requests.Response:
    return requests.request(
        method,
        f"{fake.url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {fake.api_key}"},
        timeout=10,
    )


def volume(fake, dc: str = "EU-RO-1") -> str:
    made = call(fake, "POST", "/v2/network-volumes", {"name": "v", "size": 20, "dataCenter": dc})
    return made.json()["id"]


def pod_body(**changes) -> dict:
    return {
        "name": "rest-pod",
        "image": IMAGE,
        "gpu": {"id": "NVIDIA RTX A4000", "count": 1},
        "ports": ["22/tcp", "6006/http"],
        **changes,
    }


def wait_status(fake, pod_id: str, status: str) -> dict:
    deadline = time.monotonic() + 30
    while (pod := call(fake, "GET", f"/v2/pods/{pod_id}").json())["status"] != status:
        assert time.monotonic() < deadline, pod
        time.sleep(0.05)
    return pod


def test_create_get_list_and_delete(fake_runpod, ssh_keypair):
    key, public = ssh_keypair
    volume_id = volume(fake_runpod)
    body = pod_body(
        mounts={"network": [{"volumeId": volume_id, "path": "/workspace"}]},
        env={"PUBLIC_KEY": public, "FOO": "bar"},
        gpu={"id": "NVIDIA RTX A4000", "count": 1, "allowedCudaVersions": ["12.8", "12.9"]},
    )
    made = call(fake_runpod, "POST", "/v2/pods", body)
    assert made.status_code == 201, made.text
    pod = made.json()
    assert (pod["status"], pod["runtime"], pod["actions"]) == (
        "STARTING",
        None,
        ["stop", "terminate"],
    )
    assert pod["mounts"] == {"network": [{"volumeId": volume_id, "path": "/workspace"}]}
    assert (pod["dataCenterId"], pod["cudaVersion"], pod["cost"]) == ("EU-RO-1", "12.8", 0.25)
    assert pod["ssh"]["direct"] is None  # no public port before the container runs

    running = wait_status(fake_runpod, pod["id"], "RUNNING")
    direct = running["ssh"]["direct"]
    assert direct["port"] == fake_runpod.pods[pod["id"]].ssh_port
    assert direct["command"] == f"ssh root@127.0.0.1 -p {direct['port']}"
    assert {"private": 22, "public": direct["port"], "type": "tcp", "ip": "127.0.0.1"} in running[
        "runtime"
    ]["ports"]
    deadline = time.monotonic() + 30
    while (done := subprocess.run(
        ssh_argv(key, direct["port"], "ls /workspace >/dev/null && echo in"),
        capture_output=True, text=True, timeout=20,
    )).stdout != "in\n":  # fmt: skip
        assert time.monotonic() < deadline, done.stderr
        time.sleep(0.05)

    assert [p["id"] for p in call(fake_runpod, "GET", "/v2/pods").json()["pods"]] == [pod["id"]]
    assert call(fake_runpod, "DELETE", f"/v2/pods/{pod['id']}").status_code == 204
    assert call(fake_runpod, "GET", f"/v2/pods/{pod['id']}").status_code == 404
    assert fake_runpod.pods == {} and volume_id in fake_runpod.volumes


def test_actions_follow_the_status(fake_runpod):
    pod_id = call(fake_runpod, "POST", "/v2/pods", pod_body()).json()["id"]
    wait_status(fake_runpod, pod_id, "RUNNING")
    refused = call(fake_runpod, "POST", f"/v2/pods/{pod_id}/action", {"action": "start"})
    assert refused.status_code == 409
    stopped = call(fake_runpod, "POST", f"/v2/pods/{pod_id}/action", {"action": "stop"}).json()
    assert (stopped["status"], stopped["cost"], stopped["runtime"]) == ("EXITED", 0.0, None)
    assert stopped["actions"] == ["start", "terminate"]
    started = call(fake_runpod, "POST", f"/v2/pods/{pod_id}/action", {"action": "start"})
    assert started.json()["status"] == "STARTING"
    wait_status(fake_runpod, pod_id, "RUNNING")
    restarted = call(fake_runpod, "POST", f"/v2/pods/{pod_id}/action", {"action": "restart"})
    assert restarted.json()["status"] == "STARTING"
    ended = call(fake_runpod, "POST", f"/v2/pods/{pod_id}/action", {"action": "terminate"})
    assert (ended.status_code, ended.content) == (204, b"")
    assert fake_runpod.pods == {}


def test_preferred_data_centers_are_tried_in_order(fake_runpod):
    body = pod_body(gpu={"id": "NVIDIA L4", "count": 1}, dataCenterIds=["EU-RO-1", "US-KS-2"])
    made = call(fake_runpod, "POST", "/v2/pods", body)
    assert made.status_code == 201, made.text
    assert made.json()["dataCenterId"] == "US-KS-2"  # no L4 in EU-RO-1


def test_min_cuda_version_is_a_floor(monkeypatch):
    with FakeRunpod(realistic=True, time_scale=0.001) as fake:  # machines: 12.4, 12.8, 13.0
        floor = pod_body(gpu={"id": "NVIDIA RTX A4000", "count": 1, "minCudaVersion": "12.9"})
        assert call(fake, "POST", "/v2/pods", floor).json()["cudaVersion"] == "13.0"
        none = pod_body(gpu={"id": "NVIDIA RTX A4000", "count": 1, "minCudaVersion": "13.1"})
        refused = call(fake, "POST", "/v2/pods", none)
        assert (refused.status_code, refused.json()["detail"]) == (400, NO_CAPACITY)
        assert fake.internal_errors == []


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"terminateAfter": "2030-01-01T00:00:00Z"}, 422, "terminateAfter"),  # GraphQL only
        ({"gpu": {"id": "NVIDIA RTX A4000", "count": 0}}, 422, "minimum"),
        ({"name": ""}, 422, "name"),
        ({"image": None}, 422, "image"),
        ({"gpu": None, "cpu": {"id": "cpu3c", "vcpuCount": 2}}, 400, "CPU pods are not served"),
        ({"gpu": None}, 400, "exactly one of gpu or cpu"),
        ({"templateId": "abc"}, 400, "templateId is not served"),
        (
            {
                "gpu": {
                    "id": "NVIDIA RTX A4000",
                    "allowedCudaVersions": ["12.8"],
                    "minCudaVersion": "12.8",
                }
            },
            400,
            "mutually exclusive",
        ),
        (
            {
                "mounts": {
                    "persistent": {"size": 20, "path": "/p"},
                    "network": [{"volumeId": "x", "path": "/w"}],
                }
            },
            400,
            "mutually exclusive",
        ),
        ({"mounts": {"network": [{"volumeId": "nope", "path": "/workspace"}]}}, 400, "not found"),
        ({"ports": ["22/udp"]}, 400, "Invalid ports"),
        ({"gpu": {"id": "NVIDIA RTX 9999"}}, 400, "There are no GPU types"),
    ],
)
def test_bad_creates_are_refused(fake_runpod, changes, status, says):
    body = {key: value for key, value in pod_body(**changes).items() if value is not None}
    refused = call(fake_runpod, "POST", "/v2/pods", body)
    assert refused.status_code == status, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert says in refused.text
    assert fake_runpod.pods == {}


def test_unknown_pods_and_actions(fake_runpod):
    assert call(fake_runpod, "GET", "/v2/pods/nope").status_code == 404
    assert call(fake_runpod, "DELETE", "/v2/pods/nope").status_code == 404
    assert call(fake_runpod, "POST", "/v2/pods/nope/action", {"action": "stop"}).status_code == 404
    pod_id = call(fake_runpod, "POST", "/v2/pods", pod_body()).json()["id"]
    assert (
        call(fake_runpod, "POST", f"/v2/pods/{pod_id}/action", {"action": "fly"}).status_code == 422
    )
    not_served = call(fake_runpod, "PATCH", f"/v2/pods/{pod_id}", {"name": "renamed"})
    assert not_served.status_code == 404 and "not served" in not_served.json()["detail"]
