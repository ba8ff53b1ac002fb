"""The REST v2 catalog on the fake: every parameter of listGpuTypes honoured (or refused as the
OpenAPI says), availability only where a GPU is sold, CUDA versions of the machines behind it,
and the data-center filters."""

from __future__ import annotations

import pytest

from fake_runpod import FakeRunpod
from tests.fake_runpod.helpers import Api

POD = {"include": "AVAILABILITY", "product": "POD"}
A100 = "NVIDIA A100 80GB PCIe"


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def gpus(api: Api, **params) -> dict[str, dict]:
    answer = api("GET", "/catalog/gpus", params=params)
    assert answer.status_code == 200, answer.text
    return {gpu["id"]: gpu for gpu in answer.json()["gpus"]}


def test_without_include_there_is_no_availability(api):
    listed = gpus(api)
    assert len(listed) == 7
    a4000 = listed["NVIDIA RTX A4000"]
    assert a4000["price"] == {"secure": 0.25, "community": 0.17}
    assert a4000["maxCount"] == {"secure": 8, "community": 4}
    assert not {"availability", "dataCenters", "cudaVersions"} & set(a4000)


def test_availability_lists_only_the_data_centers_that_sell_the_gpu(api):
    listed = gpus(api, **POD)
    a100 = listed[A100]
    assert a100["availability"] == "MEDIUM"  # the best of its data centers
    assert {dc["id"]: dc["availability"] for dc in a100["dataCenters"]} == {
        "EU-RO-1": "LOW",
        "US-KS-2": "MEDIUM",
        "EU-SE-1": "NONE",
        "CA-MTL-1": "LOW",
    }  # US-TX-3 sells no A100: not listed
    assert a100["cudaVersions"] == [{"version": "12.8", "available": True}]
    assert {dc["id"] for dc in listed["NVIDIA RTX A4000"]["dataCenters"]} >= {"US-TX-3"}


def test_count_makes_small_stocks_unavailable(api):
    four = gpus(api, **POD, count=4)[A100]
    assert {dc["id"]: dc["availability"] for dc in four["dataCenters"]}["US-KS-2"] == "MEDIUM"
    eight = gpus(api, **POD, count=8)[A100]
    assert eight["availability"] == "NONE" and "dataCenters" not in eight  # nowhere
    assert eight["cudaVersions"] == [{"version": "12.8", "available": False}]


def test_country_codes_scope_the_list_and_the_data_centers(api):
    swedish = gpus(api, **POD, countryCodes="SE")
    assert A100 in swedish and swedish[A100]["availability"] == "NONE"
    canadian = gpus(api, **POD, countryCodes="CA,RO")
    assert {dc["id"] for dc in canadian[A100]["dataCenters"]} == {"CA-MTL-1", "EU-RO-1"}
    assert "NVIDIA L4" in canadian and gpus(api, **POD, countryCodes="JP") == {}
    alone = api("GET", f"/catalog/gpus/{A100}", params={**POD, "countryCodes": "JP"}).json()
    assert alone["availability"] == "NONE" and "dataCenters" not in alone  # still the type


def test_cloud_community_is_not_tied_to_data_centers(api):
    community = gpus(api, **POD, cloud="COMMUNITY")[A100]
    assert community["availability"] == "MEDIUM" and "dataCenters" not in community


def test_other_products_have_no_pod_stock(api):
    serverless = gpus(api, include="AVAILABILITY", product="SERVERLESS")[A100]
    assert serverless["availability"] == "NONE"


@pytest.fixture(scope="module")
def realistic():
    with FakeRunpod(realistic=True, time_scale=0.001) as fake:  # machines: 12.4, 12.8, 13.0
        yield Api(fake)


def test_cuda_versions_are_the_machines_and_filters_narrow_them(realistic):
    every = gpus(realistic, **POD)[A100]
    assert [v["version"] for v in every["cudaVersions"]] == ["12.4", "12.8", "13.0"]
    floor = gpus(realistic, **POD, minCudaVersion="12.8")[A100]
    assert [v["version"] for v in floor["cudaVersions"]] == ["12.8", "13.0"]
    major = gpus(realistic, **POD, minCudaVersion="13")[A100]  # a bare major: any 13.x
    assert [v["version"] for v in major["cudaVersions"]] == ["13.0"]
    exact = gpus(realistic, **POD, cudaVersions="12.4,12.9")[A100]
    assert [v["version"] for v in exact["cudaVersions"]] == ["12.4"]
    none = gpus(realistic, **POD, cudaVersions="12.9")[A100]
    assert none["availability"] == "NONE" and none["cudaVersions"] == []


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"include": "AVAILABILITY"}, 400, "product is required"),
        ({"product": "POD"}, 400, "valid only with include=AVAILABILITY"),
        ({"count": 2}, 400, "count: valid only with include"),
        ({"cloud": "SECURE"}, 400, "cloud: valid only with include"),
        ({"minCudaVersion": "12.8"}, 400, "minCudaVersion: valid only with include"),
        ({"cudaVersions": "12.8"}, 400, "cudaVersions: valid only with include"),
        ({"countryCodes": "FR"}, 400, "countryCodes: valid only with include"),
        ({**POD, "minCudaVersion": "12.8", "cudaVersions": "12.8"}, 400, "mutually exclusive"),
        ({**POD, "minCudaVersion": "12.x"}, 422, "query.minCudaVersion"),
        ({**POD, "cudaVersions": "12"}, 422, "query.cudaVersions[0]"),
        ({**POD, "countryCodes": "fr"}, 422, "query.countryCodes[0]"),
        ({**POD, "count": "two"}, 422, "query.count: must be of type 'integer'"),
        ({**POD, "count": 0}, 422, "query.count: 0 is less than the minimum of 1"),
        ({**POD, "cloud": "ALL"}, 422, "query.cloud"),
        ({"include": "EVERYTHING", "product": "POD"}, 422, "query.include[0]"),
        ({"include": "AVAILABILITY", "product": "PODS"}, 422, "query.product[0]"),
    ],
)
def test_parameters_are_refused_as_the_openapi_says(api, params, status, says):
    refused = api("GET", "/catalog/gpus", params=params)
    assert refused.status_code == status, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert says in refused.text


def test_one_gpu_type_and_an_unknown_one(api):
    one = api("GET", "/catalog/gpus/NVIDIA L4", params=POD).json()
    assert one["id"] == "NVIDIA L4" and one["availability"] == "HIGH"
    assert api("GET", "/catalog/gpus/NVIDIA GTX 9999").status_code == 404


def centers(api: Api, **params) -> list[str]:
    answer = api("GET", "/catalog/datacenters", params=params)
    assert answer.status_code == 200, answer.text
    return [dc["id"] for dc in answer.json()["dataCenters"]]


def test_data_center_filters(api):
    assert centers(api, regions="EUROPE") == ["EU-RO-1", "EU-SE-1"]
    assert centers(api, regions="EUROPE,NORTH_AMERICA") == centers(api)
    assert centers(api, networkVolumeTypes="STANDARD,HIGH_PERFORMANCE") == ["EU-RO-1", "US-KS-2"]
    assert centers(api, compliance="GDPR,ISO_14001") == ["EU-SE-1"]
    assert centers(api, globalNetwork="true") == ["EU-RO-1", "US-KS-2"]
    assert "US-TX-3" in centers(api, globalNetwork="false")
    refused = api("GET", "/catalog/datacenters", params={"regions": "MARS"})
    assert refused.status_code == 422 and "query.regions[0]" in refused.text


def test_a_data_center_with_its_gpu_availability(api):
    plain = api("GET", "/catalog/datacenters/US-TX-3").json()
    assert plain == {
        "id": "US-TX-3",
        "name": "US Texas 3",
        "region": "NORTH_AMERICA",
        "globalNetwork": False,
        "networkVolumeTypes": [],
        "compliance": [],
    }
    stocked = api("GET", "/catalog/datacenters/US-TX-3", params={"include": "GPU_AVAILABILITY"})
    expected = [{"id": "NVIDIA RTX A4000", "name": "RTX A4000", "availability": "HIGH"}]
    assert stocked.json()["gpuAvailability"] == expected
    assert api("GET", "/catalog/datacenters/XX-NO-1").status_code == 404
