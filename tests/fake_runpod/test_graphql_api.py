"""The fake Runpod's GraphQL side, driven by the real runpod SDK (1.12.0)."""

from __future__ import annotations

import time

import pytest
import requests

from fake_runpod import FakeRunpod, errors
from fake_runpod.errors import NO_CAPACITY
from tests.fake_runpod.helpers import wait_for
from tests.fake_runpod.sdk import runpod

IMAGE = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"
A4000 = "NVIDIA RTX A4000"


@pytest.fixture
def sdk(graphql_fake):
    runpod.api_key = graphql_fake.api_key
    return graphql_fake


def make_volume(fake, name="vol", size=20, dc="EU-RO-1") -> str:
    response = requests.post(
        f"{fake.url}/v2/network-volumes",
        json={"name": name, "size": size, "dataCenter": dc},
        headers={"Authorization": f"Bearer {fake.api_key}"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def wait_for_runtime(pod_id: str, timeout: float = 30.0) -> dict:
    return wait_for(lambda: (pod := runpod.get_pod(pod_id)) and pod.get("runtime") and pod, timeout)


def graphql(fake, query: str, key: str | None = None) -> requests.Response:
    return requests.post(
        f"{fake.url}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {key or fake.api_key}"},
        timeout=5,
    )


def test_create_get_list_terminate_pod(sdk):
    volume_id = make_volume(sdk)
    created = runpod.create_pod(
        "kgl-test",
        IMAGE,
        A4000,
        cloud_type="SECURE",
        network_volume_id=volume_id,
        volume_mount_path="/workspace",
        ports="22/tcp,6006/http",
        env={"FOO": "bar"},
    )
    assert created["imageName"] == IMAGE
    assert created["env"] == ["FOO=bar"]
    assert created["machine"]["podHostId"].startswith(created["id"])

    right_after = runpod.get_pod(created["id"])
    assert right_after["desiredStatus"] == "RUNNING"
    assert right_after["runtime"] is None  # booting

    pod = wait_for_runtime(created["id"])
    assert pod["name"] == "kgl-test"
    assert pod["costPerHr"] == pytest.approx(0.25)  # A4000 in EU-RO-1 (the volume's DC)
    assert pod["machine"]["gpuDisplayName"] == "RTX A4000"
    assert pod["volumeMountPath"] == "/workspace"
    ssh = [p for p in pod["runtime"]["ports"] if p["privatePort"] == 22]
    assert ssh == [
        {
            "ip": "127.0.0.1",
            "isIpPublic": True,
            "privatePort": 22,
            "publicPort": sdk.pods[created["id"]].ssh_port,
            "type": "tcp",
        }
    ]
    http = [p for p in pod["runtime"]["ports"] if p["type"] == "http"]
    assert [p["privatePort"] for p in http] == [6006]

    assert [p["id"] for p in runpod.get_pods()] == [created["id"]]
    runpod.terminate_pod(created["id"])
    assert runpod.get_pods() == []
    assert runpod.get_pod(created["id"]) is None
    assert volume_id in sdk.volumes  # the network volume outlives the pod
    assert [r.fields for r in sdk.requests if r.path == "/graphql"][-4:] == [
        ["myself"],
        ["podTerminate"],
        ["myself"],
        ["pod"],
    ]


def test_sdk_finds_the_volume_data_center_itself(sdk):
    volume_id = make_volume(sdk, dc="US-KS-2")
    pod = runpod.create_pod("p", IMAGE, "NVIDIA GeForce RTX 4090", network_volume_id=volume_id)
    assert sdk.pods[pod["id"]].plan.data_center == "US-KS-2"
    assert runpod.get_pod(pod["id"])["costPerHr"] == pytest.approx(0.69)  # the list price


def test_pod_start_delay_can_change_per_test(sdk):
    sdk.pod_start_delay = 0.0
    pod_id = runpod.create_pod("p", IMAGE, A4000)["id"]
    assert wait_for_runtime(pod_id, timeout=2.0)["runtime"]["ports"] == []
    assert sdk.pods[pod_id].plan.pull_delay == 0.0


def test_stop_and_resume_pod(sdk):
    pod_id = runpod.create_pod("p", IMAGE, A4000, ports="22/tcp")["id"]
    wait_for_runtime(pod_id)
    stopped = runpod.stop_pod(pod_id)
    assert stopped["desiredStatus"] == "EXITED"
    assert runpod.get_pod(pod_id)["runtime"] is None
    assert runpod.resume_pod(pod_id, 1)["desiredStatus"] == "RUNNING"
    assert wait_for_runtime(pod_id)["runtime"]["ports"][0]["privatePort"] == 22


def test_get_gpus_and_get_gpu(sdk):
    gpus = runpod.get_gpus()
    ids = {gpu["id"] for gpu in gpus}
    assert {
        "NVIDIA GeForce RTX 4090",
        "NVIDIA RTX A6000",
        A4000,
        "NVIDIA RTX A5000",
        "NVIDIA A100 80GB PCIe",
    } <= ids
    gpu = runpod.get_gpu("NVIDIA A100 80GB PCIe", 2)
    assert gpu["displayName"] == "A100 PCIe"
    assert gpu["lowestPrice"]["uninterruptablePrice"] == pytest.approx(1.64)
    with pytest.raises(ValueError, match="No GPU found"):
        runpod.get_gpu("NVIDIA GeForce GTX 9999")


def test_lowest_price_per_data_center_is_deterministic(sdk):
    query = """
    query { gpuTypes { id lowestPrice(input: {gpuCount: 1, dataCenterId: "EU-SE-1",
      secureCloud: true}) { uninterruptablePrice stockStatus maxUnreservedGpuCount } } }
    """
    first = graphql(sdk, query).json()["data"]["gpuTypes"]
    assert first == graphql(sdk, query).json()["data"]["gpuTypes"]
    by_id = {gpu["id"]: gpu["lowestPrice"] for gpu in first}
    assert by_id[A4000] == {
        "uninterruptablePrice": 0.25,
        "stockStatus": "Low",
        "maxUnreservedGpuCount": 2,
    }
    # not offered in EU-SE-1: no price, no stock
    assert by_id["NVIDIA A100 80GB PCIe"]["uninterruptablePrice"] is None
    assert by_id["NVIDIA A100 80GB PCIe"]["stockStatus"] is None
    # more GPUs than a Low stock has free -> no price either
    four = graphql(sdk, query.replace("gpuCount: 1", "gpuCount: 4")).json()["data"]
    assert {g["id"]: g["lowestPrice"]["uninterruptablePrice"] for g in four["gpuTypes"]}[
        A4000
    ] is None


def test_data_centers_query(sdk):
    body = graphql(
        sdk,
        "query { dataCenters { id name location listed "
        "gpuAvailability(input: {gpuCount: 1}) { gpuTypeId stockStatus available } } }",
    )
    centers = {dc["id"]: dc for dc in body.json()["data"]["dataCenters"]}
    assert {"EU-RO-1", "US-KS-2", "EU-SE-1", "CA-MTL-1"} <= set(centers)
    l4_in_ro = [g for g in centers["EU-RO-1"]["gpuAvailability"] if g["gpuTypeId"] == "NVIDIA L4"]
    assert l4_in_ro == [{"gpuTypeId": "NVIDIA L4", "stockStatus": None, "available": False}]


def test_get_user_lists_network_volumes(sdk):
    volume_id = make_volume(sdk, name="data", size=50, dc="CA-MTL-1")
    user = runpod.get_user()
    assert user["networkVolumes"] == [
        {"id": volume_id, "name": "data", "size": 50, "dataCenterId": "CA-MTL-1"}
    ]


def test_bad_or_missing_key_is_401(graphql_fake):
    runpod.api_key = "rpa_wrong"
    with pytest.raises(runpod.error.AuthenticationError):
        runpod.get_gpus()
    missing = requests.post(
        f"{graphql_fake.url}/graphql", json={"query": "{ myself { id } }"}, timeout=5
    )
    assert missing.status_code == 401
    assert missing.json()["errors"][0]["message"] == "Unauthorized"
    assert [r.status for r in graphql_fake.requests] == [401, 401]


def test_document_with_unknown_field_is_rejected(sdk):
    body = graphql(sdk, "query { myself { id favouriteColour } }").json()
    assert body["data"] is None
    assert "Cannot query field 'favouriteColour' on type 'User'" in body["errors"][0]["message"]
    with pytest.raises(runpod.error.QueryError, match="String cannot represent"):
        runpod.api.graphql.run_graphql_query("query { pod(input: {podId: 1}) { id } }")


def test_wrong_argument_type_and_syntax_errors_are_rejected(sdk):
    assert graphql(sdk, "query { gpuTypes(input: {id: 5}) { id } }").json()["errors"]
    assert graphql(sdk, "query { gpuTypes { id }").json()["errors"]
    missing_arg = graphql(sdk, "mutation { podTerminate(input: {}) }").json()
    assert "podId" in missing_arg["errors"][0]["message"]


def test_valid_but_unserved_field_says_so(sdk):
    body = graphql(sdk, "query { cpuTypes { id } }").json()
    assert body["data"] is None
    assert "not served by the fake Runpod" in body["errors"][0]["message"]


def test_no_capacity_message_is_runpods(sdk):
    volume_id = make_volume(sdk, dc="EU-SE-1")
    with pytest.raises(runpod.error.QueryError) as raised:
        runpod.create_pod("p", IMAGE, "NVIDIA A100 80GB PCIe", network_volume_id=volume_id)
    assert str(raised.value) == NO_CAPACITY
    assert NO_CAPACITY == (
        "There are no longer any instances available with the requested specifications. "
        "Please refresh and try again."
    )
    assert sdk.pods == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gpu_type_id": A4000, "data_center_id": "XX-NOPE-1"}, "Unknown data center id"),
        ({"gpu_type_id": A4000, "gpu_count": 9}, "gpu count must be between 1 and 8"),
        ({"gpu_type_id": A4000, "gpu_count": 0}, "gpu count must be between 1 and 8"),
        ({"gpu_type_id": A4000, "ports": "22/udp"}, "Invalid port: 22/udp"),
        (
            {"gpu_type_id": A4000, "network_volume_id": "nope", "data_center_id": "EU-RO-1"},
            "Network volume not found",
        ),
    ],
)
def test_create_pod_domain_errors(sdk, kwargs, message):
    with pytest.raises(runpod.error.QueryError, match=message):
        runpod.create_pod("p", IMAGE, **kwargs)


def test_unknown_gpu_type_is_a_clear_error(sdk):
    body = graphql(
        sdk,
        'mutation { podFindAndDeployOnDemand(input: {gpuTypeId: "NVIDIA RTX 9"'
        ', imageName: "x", cloudType: SECURE}) { id } }',
    ).json()
    assert body == {
        "errors": [
            {
                "message": "There are no GPU types with id: NVIDIA RTX 9",
                "locations": [{"line": 1, "column": 12}],
                "path": ["podFindAndDeployOnDemand"],
            }
        ],
        "data": None,
    }


def test_pod_must_be_in_its_volume_data_center(sdk):
    volume_id = make_volume(sdk, dc="EU-RO-1")
    with pytest.raises(runpod.error.QueryError, match="is in data center EU-RO-1, not US-KS-2"):
        runpod.create_pod("p", IMAGE, A4000, network_volume_id=volume_id, data_center_id="US-KS-2")
    with pytest.raises(runpod.error.QueryError, match="Secure Cloud"):
        runpod.create_pod("p", IMAGE, A4000, network_volume_id=volume_id, cloud_type="COMMUNITY")


def test_at_most_50_env_vars(sdk):
    fifty = {f"V{i}": str(i) for i in range(50)}
    assert runpod.create_pod("ok", IMAGE, A4000, env=fifty)["env"][49] == "V49=49"
    with pytest.raises(runpod.error.QueryError, match="at most 50 environment variables"):
        runpod.create_pod("too-many", IMAGE, A4000, env={**fifty, "V50": "x"})


def test_reset_forgets_everything(fake_runpod_server):
    fake = fake_runpod_server
    fake.reset()
    volume_id = make_volume(fake)
    folder = fake.volume_dir(volume_id)
    fake.set_faults("graphql:500x5")
    fake.pod_start_delay, fake.timeout_sleep = 5.0, 1.0
    fake.reset()
    assert (fake.pod_start_delay, fake.timeout_sleep) == (0.3, 35.0)
    assert (fake.volumes, fake.pods, fake.secrets, fake.requests) == ({}, {}, {}, [])
    assert fake.faults.pending() == []
    assert not folder.exists()


def test_start_and_stop_are_fast():
    started = time.perf_counter()
    with FakeRunpod() as fake:
        up = time.perf_counter() - started
        assert requests.get(f"{fake.url}/v2/network-volumes", timeout=5).status_code == 401
    total = time.perf_counter() - started
    assert up < 0.5
    assert total < 1.0


def test_graphql_wants_post_with_a_json_query(sdk):
    headers = {"Authorization": f"Bearer {sdk.api_key}"}
    assert requests.get(f"{sdk.url}/graphql", headers=headers, timeout=5).status_code == 405
    not_json = requests.post(
        f"{sdk.url}/graphql", data=b"query { myself { id } }", headers=headers, timeout=5
    )
    assert not_json.status_code == 400
    assert requests.get(f"{sdk.url}/elsewhere", headers=headers, timeout=5).status_code == 404


def test_concurrent_clients_keep_the_state_consistent(sdk):
    from concurrent.futures import ThreadPoolExecutor

    def one_client(index: int) -> str:
        volume_id = make_volume(sdk, name=f"v{index}", dc="US-KS-2")
        pod_id = runpod.create_pod(
            f"p{index}",
            IMAGE,
            "NVIDIA GeForce RTX 4090",
            network_volume_id=volume_id,
            ports="22/tcp",
        )["id"]
        wait_for_runtime(pod_id)
        runpod.get_pods()
        runpod.terminate_pod(pod_id)
        return volume_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        volume_ids = list(pool.map(one_client, range(8)))
    assert sorted(volume_ids) == sorted(sdk.volumes)
    assert sdk.pods == {}
    assert runpod.get_pods() == []
    assert all(r.status == 200 for r in sdk.requests if r.path == "/graphql")


def test_a_gap_in_the_fakes_answers_is_recorded_as_its_own_bug(sdk, monkeypatch):
    from fake_runpod.graphql import resolvers

    real_view = resolvers.pod_view
    monkeypatch.setattr(
        resolvers, "pod_view", lambda pod, volume: {**real_view(pod, volume), "desiredStatus": None}
    )
    pod_id = runpod.create_pod("p", IMAGE, A4000)["id"]
    with pytest.raises(runpod.error.QueryError, match="non-nullable field Pod.desiredStatus"):
        runpod.get_pod(pod_id)
    assert sdk.internal_errors == [
        "GraphQL pod.desiredStatus: Cannot return null for non-nullable field Pod.desiredStatus."
    ]
    sdk.state.internal_errors.clear()  # expected here; the fixture checks the rest


CREATE = (
    'mutation {{ podFindAndDeployOnDemand(input: {{ name: "p", imageName: "img", '
    'gpuTypeId: "NVIDIA RTX A4000", cloudType: SECURE {extra} }}) {{ id }} }}'
)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("create_pod:no_resources", errors.NO_RESOURCES),
        ("create_pod:transient", errors.TRANSIENT),
        ("create_pod:no_capacity", NO_CAPACITY),
    ],
)
def test_create_refusals_are_runpods_own_words(sdk, fault, message):
    sdk.set_faults(fault)
    body = graphql(sdk, CREATE.format(extra="")).json()
    assert body["data"] is None and body["errors"][0]["message"] == message
    assert sdk.pods == {}
    assert "does not have the resources to deploy your pod" in errors.NO_RESOURCES
    assert errors.TRANSIENT.startswith("Something went wrong. Please try again later")


def test_a_null_create_makes_the_pod_but_answers_nothing(sdk):
    sdk.set_faults("create_pod:null")
    body = graphql(sdk, CREATE.format(extra="")).json()
    assert body == {"data": {"podFindAndDeployOnDemand": None}}
    assert len(sdk.pods) == 1


def test_a_held_back_create_answer_comes_after_the_pod(sdk):
    sdk.set_faults("create_pod:timeout=2s")
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            f"{sdk.url}/graphql",
            json={"query": CREATE.format(extra="")},
            headers={"Authorization": f"Bearer {sdk.api_key}"},
            timeout=0.5,
        )
    assert len(sdk.pods) == 1  # made before the answer was held back
    assert runpod.get_gpus()  # other requests are answered meanwhile


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('allowedCudaVersions: ["12"]', "Invalid CUDA version: 12"),
        ('allowedCudaVersions: ["twelve.8"]', "Invalid CUDA version"),
        ('volumeMountPath: "/"', "Invalid mount path"),
        ('volumeMountPath: "workspace"', "Invalid mount path"),
        ('volumeMountPath: "/data/volume"', "one top-level folder"),
        ('env: [{key: "X", value: "\\udcff"}]', "Invalid Unicode escape sequence"),  # no text
    ],
)
def test_pod_inputs_the_fake_cannot_honour_are_refused(sdk, extra, message):
    body = graphql(sdk, CREATE.format(extra=extra)).json()
    assert message in body["errors"][0]["message"]
    assert sdk.pods == {}


def test_allowed_cuda_versions_match_exactly(sdk):
    made = graphql(sdk, CREATE.format(extra='allowedCudaVersions: ["12.8"]')).json()
    assert sdk.pods[made["data"]["podFindAndDeployOnDemand"]["id"]].plan.host_cuda == "12.8"
    refused = graphql(sdk, CREATE.format(extra='allowedCudaVersions: ["12.9"]')).json()
    assert refused["errors"][0]["message"] == NO_CAPACITY
    sdk.set_faults("pod:old_driver")
    old = graphql(sdk, CREATE.format(extra="")).json()
    assert sdk.pods[old["data"]["podFindAndDeployOnDemand"]["id"]].plan.host_cuda == "12.4"


def test_an_unpaired_surrogate_is_a_400_not_a_crash(graphql_fake):
    query = b'{"query": "{ myself { id } }", "variables": {"x": "\\udcff"}}'
    headers = {"Authorization": f"Bearer {graphql_fake.api_key}"}
    graphql = requests.post(f"{graphql_fake.url}/graphql", data=query, timeout=5, headers=headers)
    assert graphql.status_code == 400 and graphql.json()["errors"]


def test_runpodctls_min_cuda_version_and_compliance_are_honoured(sdk):
    """runpodctl sends both in its create (internal/api/graphql.go); neither is dropped."""
    extra = 'minCudaVersion: "12.8", compliance: [ISO_14001]'
    made = graphql(sdk, CREATE.format(extra=extra)).json()["data"]["podFindAndDeployOnDemand"]
    assert sdk.pods[made["id"]].plan.data_center == "EU-SE-1"  # the only ISO 14001 one
    too_new = graphql(sdk, CREATE.format(extra='minCudaVersion: "13.0"')).json()
    assert too_new["errors"][0]["message"] == NO_CAPACITY
    nowhere = graphql(sdk, CREATE.format(extra="compliance: [PCI_DSS]")).json()
    assert nowhere["errors"][0]["message"] == NO_CAPACITY
