"""REST v2 pods on the fake: the lifecycle PROVISIONING -> STARTING -> RUNNING -> EXITED with
`actions`, what each step shows (nothing before a machine is assigned, no real host ever), and
the create's rules. The fixture fails a test whose answer broke the OpenAPI."""

from __future__ import annotations

import subprocess

import pytest

from fake_runpod import FakeRunpod
from fake_runpod.errors import NO_CAPACITY
from fake_runpod.rest.pod_view import PROXY_HOST
from tests.fake_runpod.helpers import GPU, Api, pod_body, ssh_argv, wait_for


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def test_a_pod_walks_the_spec_lifecycle_and_shows_each_step(api, fake_runpod, ssh_keypair):
    key, public = ssh_keypair
    volume_id = api.volume()
    mounts = {"network": [{"volumeId": volume_id, "path": "/workspace"}]}
    fake_runpod.pod_start_delay = 1.5  # machine after 0.5 s, runtime after 1.5 s
    made = api.create_pod(mounts=mounts, env={"PUBLIC_KEY": public}, ports=["22/tcp"])
    assert (made["status"], made["actions"], made["runtime"]) == (
        "PROVISIONING",
        ["stop", "terminate"],
        None,
    )
    # nothing is known before a machine is assigned
    assert (made["dataCenterId"], made["cudaVersion"], made["ssh"]) == (
        None,
        None,
        {"proxy": None, "direct": None},
    )
    assert (made["cost"], made["startedAt"]) == (0.25, None)  # what it will bill per hour
    starting = api.wait_status(made["id"], "STARTING", "RUNNING")  # (RUNNING: a slow poll)
    assert (starting["dataCenterId"], starting["cudaVersion"]) == ("EU-RO-1", "12.8")
    proxy = starting["ssh"]["proxy"]
    assert proxy["host"] == PROXY_HOST == "ssh.fake-runpod.invalid"  # never a real host
    assert proxy["command"] == f"ssh {proxy['username']}@{PROXY_HOST}"
    if starting["status"] == "STARTING":
        assert starting["ssh"]["direct"] is None and starting["runtime"] is None
    running = api.wait_status(made["id"], "RUNNING")
    direct = running["ssh"]["direct"]
    assert direct == {
        "host": "127.0.0.1",
        "port": direct["port"],
        "username": "root",
        "command": f"ssh root@127.0.0.1 -p {direct['port']}",
    }
    assert {"private": 22, "public": direct["port"], "type": "tcp", "ip": "127.0.0.1"} in running[
        "runtime"
    ]["ports"]
    assert running["startedAt"] and running["actions"] == ["stop", "restart", "terminate"]
    done = wait_for(
        lambda: subprocess.run(
            ssh_argv(key, direct["port"], "ls -d /workspace && echo in"),
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.endswith("in\n")
    )
    assert done
    assert [p["id"] for p in api("GET", "/pods").json()["pods"]] == [made["id"]]
    assert api("DELETE", f"/pods/{made['id']}").status_code == 204
    assert api("GET", f"/pods/{made['id']}").status_code == 404
    assert fake_runpod.pods == {} and volume_id in fake_runpod.volumes


def test_actions_follow_the_status(api, fake_runpod):
    pod_id = api.create_pod()["id"]
    early = api("POST", f"/pods/{pod_id}/action", json={"action": "restart"})
    assert early.status_code == 409  # PROVISIONING allows stop and terminate only
    api.wait_status(pod_id, "RUNNING")
    assert api("POST", f"/pods/{pod_id}/action", json={"action": "start"}).status_code == 409
    stopped = api("POST", f"/pods/{pod_id}/action", json={"action": "stop"}).json()
    assert (stopped["status"], stopped["cost"], stopped["runtime"]) == ("EXITED", 0.0, None)
    assert stopped["actions"] == ["start", "terminate"]
    assert stopped["dataCenterId"] == "EU-RO-1"  # a stopped pod keeps its machine
    assert stopped["ssh"]["direct"] is None and stopped["ssh"]["proxy"]
    started = api("POST", f"/pods/{pod_id}/action", json={"action": "start"}).json()
    assert started["status"] == "STARTING" and started["cost"] == 0.25
    api.wait_status(pod_id, "RUNNING")
    restarted = api("POST", f"/pods/{pod_id}/action", json={"action": "restart"}).json()
    assert restarted["status"] == "STARTING"
    api.wait_status(pod_id, "RUNNING")
    ended = api("POST", f"/pods/{pod_id}/action", json={"action": "terminate"})
    assert (ended.status_code, ended.content) == (204, b"")
    assert fake_runpod.pods == {}


def test_a_pod_stopped_while_provisioning_gets_its_machine_when_started(api, fake_runpod):
    fake_runpod.pod_start_delay = 60.0  # a machine in 20 s: long after the stop
    pod_id = api.create_pod()["id"]
    stopped = api("POST", f"/pods/{pod_id}/action", json={"action": "stop"}).json()
    assert (stopped["status"], stopped["dataCenterId"]) == ("EXITED", None)
    fake_runpod.pod_start_delay = 0.3
    api("POST", f"/pods/{pod_id}/action", json={"action": "start"})
    assert api.wait_status(pod_id, "RUNNING")["dataCenterId"] == "EU-RO-1"


def test_cost_is_the_list_price_times_the_gpus(api):
    two = api.create_pod(gpu={"id": "NVIDIA GeForce RTX 4090", "count": 2})
    catalog = api("GET", "/catalog/gpus").json()["gpus"]
    price = next(
        gpu["price"]["secure"] for gpu in catalog if gpu["id"] == "NVIDIA GeForce RTX 4090"
    )
    assert two["cost"] == pytest.approx(2 * price)


def test_preferred_data_centers_are_tried_in_order(api):
    made = api.create_pod(gpu={"id": "NVIDIA L4", "count": 1}, dataCenterIds=["EU-RO-1", "US-KS-2"])
    assert api.wait_status(made["id"], "STARTING", "RUNNING")["dataCenterId"] == "US-KS-2"


def test_min_cuda_version_is_a_floor_and_allowed_versions_are_exact():
    with FakeRunpod(realistic=True, time_scale=0.001) as fake:  # machines: 12.4, 12.8, 13.0
        api = Api(fake)
        fake.set_faults("create_pod:timeout=0x4")  # answered at once, past realistic refusals
        floor = api.create_pod(gpu={"id": GPU, "minCudaVersion": "12.9"}, image="img")
        assert api.wait_status(floor["id"], "STARTING", "RUNNING")["cudaVersion"] == "13.0"
        exact = api.create_pod(gpu={"id": GPU, "allowedCudaVersions": ["12.8"]}, image="img")
        assert api.wait_status(exact["id"], "STARTING", "RUNNING")["cudaVersion"] == "12.8"
        for gpu in ({"minCudaVersion": "13.1"}, {"allowedCudaVersions": ["12.9"]}):
            refused = api("POST", "/pods", json=pod_body(gpu={"id": GPU, **gpu}))
            assert (refused.status_code, refused.json()["detail"]) == (400, NO_CAPACITY)
        assert fake.internal_errors == []


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"terminateAfter": "2030-01-01T00:00:00Z"}, 422, "terminateAfter"),  # GraphQL only
        ({"gpu": {"id": GPU, "count": 0}}, 422, "minimum"),
        ({"name": ""}, 422, "name"),
        ({"image": None}, 422, "image"),
        ({"gpu": None, "cpu": {"id": "cpu3c", "vcpuCount": 2}}, 501, "CPU pods are not served"),
        ({"gpu": None}, 400, "exactly one of gpu or cpu"),
        ({"templateId": "abc"}, 404, "template not found"),
        (
            {"gpu": {"id": GPU, "allowedCudaVersions": ["12.8"], "minCudaVersion": "12.8"}},
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
        ({"ports": ["22/udp"]}, 400, "Invalid port"),
        ({"gpu": {"id": "NVIDIA RTX 9999"}}, 400, "There are no GPU types"),
        (
            {"gpu": {"id": "NVIDIA RTX A6000", "count": 4}, "dataCenterIds": ["US-KS-2"]},
            400,
            NO_CAPACITY,
        ),
        ({"gpu": {"id": GPU, "count": 8}, "cloud": "COMMUNITY"}, 400, "between 1 and 4"),
        ({"registry": "nope"}, 400, "registry credential not found"),
        ({"globalNetworking": True, "dataCenterIds": ["EU-SE-1"]}, 400, "globalNetworking"),
        ({"gpu": {"id": GPU, "minCudaVersion": "12"}}, 422, "minCudaVersion"),
        ({"env": {"A": 1}}, 422, "$.env.A: must be of type 'string'"),
    ],
)
def test_bad_creates_are_refused(api, fake_runpod, changes, status, says):
    body = {key: value for key, value in pod_body(**changes).items() if value is not None}
    refused = api("POST", "/pods", json=body)
    assert refused.status_code == status, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert says in refused.text
    assert fake_runpod.pods == {}


def test_422_lists_each_mistake_once_without_unevaluated_property_noise(api):
    body = pod_body(gpu={"id": GPU, "count": "two"}, disk=0, bogus=True)
    refused = api("POST", "/pods", json=body).json()
    assert refused["detail"] == "Request validation failed."
    assert sorted(refused["errors"]) == [
        "$.disk: 0 is less than the minimum of 1",
        "$.gpu.count: must be of type 'integer'",
        "$: additional properties 'bogus' not allowed",
    ]


def test_unknown_pods_unknown_actions_and_unserved_operations(api):
    assert api("GET", "/pods/nope").status_code == 404
    assert api("DELETE", "/pods/nope").status_code == 404
    assert api("POST", "/pods/nope/action", json={"action": "stop"}).status_code == 404
    pod_id = api.create_pod()["id"]
    assert api("POST", f"/pods/{pod_id}/action", json={"action": "fly"}).status_code == 422
    not_served = api("PATCH", f"/pods/{pod_id}", json={"name": "renamed"})
    assert not_served.status_code == 501 and "not served" in not_served.json()["detail"]
    assert api("GET", "/templates").status_code == 501  # in the OpenAPI: never "already gone"
    assert api("GET", "/no-such-thing").status_code == 404  # not in the OpenAPI
    wrong = api("PUT", "/pods")
    assert (wrong.status_code, wrong.headers["Allow"]) == (405, "GET, POST")
