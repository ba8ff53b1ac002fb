"""Retired mode: GraphQL answers 410 Gone as after Runpod switches it off; REST v1 always does
(Runpod retired it on 2026-11-15). The suite's fixture runs in this mode and fails a test that
asked either old API."""

from __future__ import annotations

import pytest
import requests

from fake_runpod import FakeRunpod

QUERY = {"query": "{ myself { id } }"}


def answer(fake: FakeRunpod, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    return requests.request(method, f"{fake.url}{path}", headers=headers, timeout=5, **kwargs)


def assert_gone(response: requests.Response, says: str) -> None:
    assert response.status_code == 410
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["title"], body["status"]) == ("Gone", 410)
    assert says in body["detail"] and "https://api.runpod.io/v2" in body["detail"]


@pytest.fixture(scope="module")
def retired():
    with FakeRunpod(retired=True) as fake:
        yield fake


@pytest.fixture(scope="module")
def normal():
    with FakeRunpod() as fake:
        yield fake


@pytest.mark.parametrize("path", ["/v1/pods", "/v1/pods/abc/stop", "/v1", "/v1/networkvolumes"])
@pytest.mark.parametrize("mode", ["retired", "normal"])
def test_rest_v1_is_gone_in_every_mode(request, mode, path):
    fake = request.getfixturevalue(mode)
    assert_gone(answer(fake, "GET", path), "REST API v1 was retired")
    assert_gone(answer(fake, "POST", path, json={}), "REST API v1 was retired")


def test_retired_graphql_is_gone_whatever_the_key(retired):
    assert_gone(answer(retired, "POST", "/graphql", json=QUERY), "GraphQL API has been retired")
    keyless = requests.post(f"{retired.url}/graphql", json=QUERY, timeout=5)
    assert_gone(keyless, "GraphQL API has been retired")  # a switched-off API checks no key
    assert retired.retired and not retired.pods


def test_normal_mode_still_serves_graphql(normal):
    served = answer(normal, "POST", "/graphql", json=QUERY)
    assert served.status_code == 200 and served.json()["data"]["myself"]["id"]


def test_rest_v2_is_served_in_retired_mode(retired):
    listed = answer(retired, "GET", "/v2/pods")
    assert listed.status_code == 200 and listed.json() == {"pods": []}


def test_the_fake_names_every_request_to_an_old_api(retired):
    retired.reset()
    answer(retired, "POST", "/graphql", json=QUERY)
    answer(retired, "GET", "/v1/pods")
    answer(retired, "GET", "/v2/pods")
    answer(retired, "DELETE", "/v1/pods/x")
    answer(retired, "GET", "/v1pods")  # not v1: an unknown path
    answer(retired, "GET", "/v2/graphql-ish")  # REST v2, whatever its name says
    assert retired.old_api_requests == ["POST /graphql", "GET /v1/pods", "DELETE /v1/pods/x"]
