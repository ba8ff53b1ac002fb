"""The fake Runpod's REST v2 side: network volumes, secrets, catalog; strict validation."""

from __future__ import annotations

import json

import pytest
import requests


@pytest.fixture
def api(fake_runpod):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {fake_runpod.api_key}"
    base = f"{fake_runpod.url}/v2"

    def call(method: str, path: str, **kwargs) -> requests.Response:
        return session.request(method, base + path, timeout=5, **kwargs)

    return call


def assert_problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_network_volume_lifecycle(api, fake_runpod):
    created = api(
        "POST",
        "/network-volumes",
        json={"name": "kgl", "size": 10, "dataCenter": "EU-RO-1", "type": "STANDARD"},
    )
    assert created.status_code == 201
    volume = created.json()
    assert volume == {
        "id": volume["id"],
        "name": "kgl",
        "size": 10,
        "dataCenter": "EU-RO-1",
        "type": "STANDARD",
    }
    assert fake_runpod.volume_dir(volume["id"]).is_dir()
    assert api("GET", "/network-volumes").json() == {"networkVolumes": [volume]}
    assert api("GET", f"/network-volumes/{volume['id']}").json() == volume
    grown = api("PATCH", f"/network-volumes/{volume['id']}", json={"size": 20, "name": "kgl2"})
    assert grown.status_code == 200
    assert grown.json()["size"] == 20 and grown.json()["name"] == "kgl2"
    deleted = api("DELETE", f"/network-volumes/{volume['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert_problem(api("GET", f"/network-volumes/{volume['id']}"), 404)
    assert api("GET", "/network-volumes").json() == {"networkVolumes": []}


def test_volume_type_is_kept(api):
    body = api(
        "POST",
        "/network-volumes",
        json={"name": "fast", "size": 100, "dataCenter": "US-KS-2", "type": "HIGH_PERFORMANCE"},
    ).json()
    assert body["type"] == "HIGH_PERFORMANCE"
    no_hps = api(
        "POST",
        "/network-volumes",
        json={"name": "fast", "size": 100, "dataCenter": "EU-SE-1", "type": "HIGH_PERFORMANCE"},
    )
    assert "does not offer HIGH_PERFORMANCE" in assert_problem(no_hps, 400)["detail"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"name": "v", "size": 9, "dataCenter": "EU-RO-1"},
            "$.size: 9 is less than the minimum of 10",
        ),
        (
            {"name": "v", "size": 4097, "dataCenter": "EU-RO-1"},
            "$.size: 4097 is greater than the maximum of 4096",
        ),
        ({"name": "v", "size": 10.5, "dataCenter": "EU-RO-1"}, "$.size: must be of type 'integer'"),
        ({"name": "v", "size": 10}, "$: 'dataCenter' is a required property"),
        (
            {"name": "v", "size": 10, "dataCenter": "EU-RO-1", "sizeGb": 10},
            "$: Additional properties are not allowed ('sizeGb' was unexpected)",
        ),
        (
            {"name": "v", "size": 10, "dataCenter": "EU-RO-1", "type": "FAST"},
            "$.type: 'FAST' is not one of",
        ),
    ],
)
def test_volume_schema_violations_are_422(api, body, error):
    problem = assert_problem(api("POST", "/network-volumes", json=body), 422)
    assert any(message.startswith(error) for message in problem["errors"]), problem


def test_volume_rules(api, fake_runpod):
    unknown_dc = api(
        "POST", "/network-volumes", json={"name": "v", "size": 10, "dataCenter": "XX-1"}
    )
    assert "invalid data center" in assert_problem(unknown_dc, 400)["detail"]
    volume_id = api(
        "POST", "/network-volumes", json={"name": "v", "size": 50, "dataCenter": "EU-RO-1"}
    ).json()["id"]
    shrink = api("PATCH", f"/network-volumes/{volume_id}", json={"size": 40})
    assert "only be increased" in assert_problem(shrink, 400)["detail"]
    assert_problem(api("PATCH", f"/network-volumes/{volume_id}", json={}), 422)
    assert_problem(
        api("PATCH", f"/network-volumes/{volume_id}", json={"dataCenter": "US-KS-2"}), 422
    )
    assert_problem(api("PATCH", "/network-volumes/nope", json={"size": 60}), 404)
    assert_problem(api("DELETE", "/network-volumes/nope"), 404)
    assert_problem(api("PUT", f"/network-volumes/{volume_id}", json={"size": 60}), 405)
    assert_problem(api("GET", "/no-such-thing"), 404)  # not part of the fake's contract
    bad_json = api(
        "POST", "/network-volumes", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert_problem(bad_json, 400)


def test_volume_in_use_cannot_be_deleted(api, fake_runpod):
    volume_id = api(
        "POST", "/network-volumes", json={"name": "v", "size": 10, "dataCenter": "EU-RO-1"}
    ).json()["id"]
    mounts = {"network": [{"volumeId": volume_id, "path": "/workspace"}]}
    body = {"name": "p", "image": "img", "gpu": {"id": "NVIDIA RTX A4000"}, "mounts": mounts}
    pod = api("POST", "/pods", json=body).json()
    in_use = assert_problem(api("DELETE", f"/network-volumes/{volume_id}"), 409)
    assert in_use["detail"] == f"network volume is in use by pod(s): {pod['id']}"
    assert api("DELETE", f"/pods/{pod['id']}").status_code == 204
    assert api("DELETE", f"/network-volumes/{volume_id}").status_code == 204


def test_rest_needs_the_key(fake_runpod):
    for headers in (
        {},
        {"Authorization": "Bearer rpa_wrong"},
        {"Authorization": fake_runpod.api_key},
    ):
        response = requests.get(f"{fake_runpod.url}/v2/network-volumes", headers=headers, timeout=5)
        assert_problem(response, 401)


SECRET_VALUE = "KGAT_0123456789abcdef-very-secret"


def test_secret_lifecycle_never_returns_the_value(api, fake_runpod):
    created = api(
        "POST",
        "/account/secrets",
        json={"name": "kaggle_api_token", "value": SECRET_VALUE, "description": "Kaggle token"},
    )
    assert created.status_code == 201
    secret = created.json()
    assert secret["name"] == "kaggle_api_token" and secret["description"] == "Kaggle token"
    listed = api("GET", "/account/secrets")
    one = api("GET", f"/account/secrets/{secret['id']}")
    assert listed.json() == {"secrets": [secret]}
    assert one.json() == secret
    for response in (created, listed, one):
        assert SECRET_VALUE not in response.text
    assert "value" not in created.json() and "value" not in listed.json()["secrets"][0]
    # nor in the fake's own state reprs or request log
    assert SECRET_VALUE not in repr(fake_runpod.secrets)
    assert SECRET_VALUE not in repr(fake_runpod.requests)
    rotated = api("PATCH", f"/account/secrets/{secret['id']}", json={"value": "new"})
    assert rotated.status_code == 200 and "new" not in rotated.text
    assert api("DELETE", f"/account/secrets/{secret['id']}").status_code == 204
    assert_problem(api("GET", f"/account/secrets/{secret['id']}"), 404)
    assert_problem(api("DELETE", f"/account/secrets/{secret['id']}"), 404)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"name": "RUNPOD_TOKEN", "value": "s3cr3t-VALUE"},
            "$.name: 'RUNPOD_TOKEN' should not be valid",
        ),
        ({"name": "runpod-x", "value": "s3cr3t-VALUE"}, "$.name: 'runpod-x' should not be valid"),
        ({"name": "1token", "value": "s3cr3t-VALUE"}, "$.name: '1token' does not match"),
        ({"name": "has space", "value": "s3cr3t-VALUE"}, "$.name: 'has space' does not match"),
        ({"name": "a" * 192, "value": "s3cr3t-VALUE"}, "$.name: 'aaaa"),
        ({"name": "", "value": "s3cr3t-VALUE"}, "$.name: '' should be non-empty"),
        ({"name": "tok"}, "$: 'value' is a required property"),
        ({"name": "tok", "value": ""}, "$.value: invalid (fails 'minLength': 1)"),
        ({"name": "tok", "value": 12345}, "$.value: invalid (fails 'type': 'string')"),
        (
            {"name": "tok", "value": "s3cr3t-VALUE", "scope": "team"},
            "$: Additional properties are not allowed",
        ),
    ],
)
def test_secret_schema_violations_are_422(api, body, error):
    problem = assert_problem(api("POST", "/account/secrets", json=body), 422)
    assert any(message.startswith(error) for message in problem["errors"]), problem
    if body.get("value"):
        assert str(body["value"]) not in json.dumps(problem)


def test_secret_value_must_be_under_16_mib(api):
    # 8 Mi two-byte characters: within maxLength, but exactly 16 MiB of UTF-8 (not under it)
    body = {"name": "big", "value": "é" * (8 * 1024 * 1024)}
    too_big = api(
        "POST",
        "/account/secrets",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
    )
    problem = assert_problem(too_big, 422)
    assert problem["errors"] == ["$.value: must be under 16 MiB"]
    assert "é" not in too_big.text
    body["value"] = body["value"][:-1]  # just under the limit is fine
    fits = api(
        "POST",
        "/account/secrets",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert fits.status_code == 201


def test_secret_names_are_unique_and_names_like_paths_are_fine(api):
    assert (
        api("POST", "/account/secrets", json={"name": "team/hf.token-1", "value": "x"}).status_code
        == 201
    )
    assert_problem(
        api("POST", "/account/secrets", json={"name": "team/hf.token-1", "value": "y"}), 409
    )


def test_catalog(api):
    gpus = api("GET", "/catalog/gpus").json()["gpus"]
    assert {"NVIDIA GeForce RTX 4090", "NVIDIA RTX A4000"} <= {gpu["id"] for gpu in gpus}
    assert "availability" not in gpus[0]
    assert_problem(api("GET", "/catalog/gpus", params={"include": "AVAILABILITY"}), 400)
    centers = api("GET", "/catalog/datacenters").json()["dataCenters"]
    assert {"EU-RO-1", "US-KS-2", "EU-SE-1", "CA-MTL-1"} <= {dc["id"] for dc in centers}


def test_a_response_that_breaks_the_contract_fails_loudly(api, fake_runpod, monkeypatch):
    from fake_runpod.rest import storage

    monkeypatch.setattr(storage, "volume_view", lambda volume: {"id": volume.id, "size": "big"})
    api("POST", "/network-volumes", json={"name": "v", "size": 10, "dataCenter": "EU-RO-1"})
    response = api("GET", "/network-volumes")
    assert "broke its contract" in assert_problem(response, 500)["detail"]
    assert len(fake_runpod.internal_errors) == 2
    fake_runpod.state.internal_errors.clear()  # expected here; the fixture checks the rest


# ---- storage tiers: defaults, prices, data centers without network volumes ----------------
def test_each_data_center_lists_its_volume_tiers(api):
    centers = {dc["id"]: dc for dc in api("GET", "/catalog/datacenters").json()["dataCenters"]}
    assert set(centers["EU-RO-1"]["networkVolumeTypes"]) == {"STANDARD", "HIGH_PERFORMANCE"}
    assert centers["EU-SE-1"]["networkVolumeTypes"] == ["STANDARD"]
    assert centers["US-TX-3"]["networkVolumeTypes"] == []  # "Empty = none" in the contract


@pytest.mark.parametrize(
    ("data_center", "default"), [("EU-RO-1", "HIGH_PERFORMANCE"), ("US-KS-2", "STANDARD")]
)
def test_a_volume_without_a_type_gets_the_data_centers_default(api, data_center, default):
    body = {"name": "v", "size": 10, "dataCenter": data_center}
    assert api("POST", "/network-volumes", json=body).json()["type"] == default
    body["type"] = "STANDARD"
    assert api("POST", "/network-volumes", json=body).json()["type"] == "STANDARD"


def test_no_volume_where_the_data_center_has_none(api, fake_runpod):
    for body in (
        {"name": "v", "size": 10, "dataCenter": "US-TX-3"},
        {"name": "v", "size": 10, "dataCenter": "US-TX-3", "type": "STANDARD"},
    ):
        refused = api("POST", "/network-volumes", json=body)
        assert "US-TX-3 does not offer" in assert_problem(refused, 400)["detail"]
    assert fake_runpod.volumes == {}


def test_every_offered_tier_has_a_price_and_high_performance_costs_more():
    from fake_runpod import catalog

    for data_center, tiers in catalog.VOLUME_TIERS.items():
        assert catalog.data_center(data_center) is not None
        assert all(price > 0 for price in tiers.values())
        assert tiers.get("STANDARD") in (None, 0.07)  # docs: $0.07/GB/month under 1 TB
        if "HIGH_PERFORMANCE" in tiers:
            assert tiers["HIGH_PERFORMANCE"] > tiers["STANDARD"]
    prices = {tiers.get("HIGH_PERFORMANCE") for tiers in catalog.VOLUME_TIERS.values()}
    assert len(prices - {None}) > 1  # varies by data center


# ---- secrets as the docs describe them -----------------------------------------------------
def test_secret_shape_follows_the_docs(api):
    made = api("POST", "/account/secrets", json={"name": "hf-token", "value": "hf_x"}).json()
    assert set(made) == {"id", "name", "description", "createdAt", "valueLastUpdatedAt"}
    assert made["description"] is None and made["valueLastUpdatedAt"] == made["createdAt"]
    described = api("PATCH", f"/account/secrets/{made['id']}", json={"description": "HF"})
    assert described.json()["description"] == "HF"
    cleared = api("PATCH", f"/account/secrets/{made['id']}", json={"description": ""})
    assert cleared.json()["description"] is None  # docs: send "" to clear


def test_secret_names_are_unique_whatever_their_case(api):
    assert api("POST", "/account/secrets", json={"name": "Kaggle", "value": "a"}).ok
    taken = api("POST", "/account/secrets", json={"name": "kaggle", "value": "b"})
    assert "already exists" in assert_problem(taken, 409)["detail"]
    assert "b" not in taken.json()["detail"].split()


def test_secrets_can_be_listed_by_name_in_any_case(api):
    for name in ("kaggle_api_token", "hf_token"):
        api("POST", "/account/secrets", json={"name": name, "value": "v"})
    found = api("GET", "/account/secrets", params={"name": "KAGGLE_API_TOKEN"}).json()["secrets"]
    assert [secret["name"] for secret in found] == ["kaggle_api_token"]
    assert api("GET", "/account/secrets", params={"name": "none"}).json() == {"secrets": []}


def test_a_description_over_65535_bytes_is_422(api):
    body = {"name": "tok", "value": "v", "description": "説" * 30000}  # 90,000 bytes
    problem = assert_problem(api("POST", "/account/secrets", json=body), 422)
    assert problem["errors"] == ["$.description: must be at most 65535 bytes"]


# ---- bytes that are no text, and the fake's own bugs: an answer, never a hang-up ----------
def test_an_unpaired_surrogate_is_a_400_not_a_crash(api, fake_runpod):
    raw = b'{"name": "tok", "value": "KGAT_\\udcff"}'  # valid JSON, not text
    refused = api(
        "POST", "/account/secrets", data=raw, headers={"Content-Type": "application/json"}
    )
    assert "UTF-8" in assert_problem(refused, 400)["detail"]
    assert "KGAT" not in refused.text
    assert fake_runpod.secrets == {} and fake_runpod.internal_errors == []


def test_a_crash_in_the_fake_is_a_500_and_recorded(api, fake_runpod, monkeypatch):
    from fake_runpod import rest

    def broken(call):
        raise RuntimeError("bug")

    monkeypatch.setitem(rest.HANDLERS, "listSecrets", broken)
    response = api("GET", "/account/secrets")
    assert "crashed" in assert_problem(response, 500)["detail"]
    assert fake_runpod.internal_errors == ["crashed: GET /v2/account/secrets: RuntimeError('bug')"]
    fake_runpod.state.internal_errors.clear()  # expected here; the fixture checks the rest


def test_cloudflare_turns_pythons_default_user_agent_away(fake_runpod):
    import urllib.error
    import urllib.request

    url, key = f"{fake_runpod.url}/v2/network-volumes", fake_runpod.api_key
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the local fake
    assert refused.value.code == 403
    assert refused.value.headers["Content-Type"].startswith("text/html")
    assert "Error 1010" in refused.value.read().decode()
    headers = {"Authorization": f"Bearer {fake_runpod.api_key}", "User-Agent": "curl/8.5.0"}
    assert requests.get(f"{fake_runpod.url}/v2/network-volumes", headers=headers, timeout=5).ok
