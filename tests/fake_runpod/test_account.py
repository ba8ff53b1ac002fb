"""The account's settings over REST v2: registered SSH keys, container registry credentials,
and the rate limit (RateLimit headers on every authenticated answer, 429 past a quota)."""

from __future__ import annotations

import re

import pytest

from fake_runpod import FakeRunpod
from tests.fake_runpod.helpers import Api

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILXGDN/SclOozk1xsDztpmhGiKkkrfQB9SKoO8dSIQQZ me@pc"


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def test_ssh_keys_are_replaced_as_a_whole(api):
    assert api("GET", "/account/ssh-keys").json() == {"keys": []}
    other = "ssh-rsa AAAAB3NzaC1yc2E other"
    assert api("PUT", "/account/ssh-keys", json={"keys": [KEY, other]}).json() == {
        "keys": [KEY, other]
    }
    assert api("PUT", "/account/ssh-keys", json={"keys": [other]}).json() == {"keys": [other]}
    assert api("GET", "/account/ssh-keys").json() == {"keys": [other]}
    assert api("PUT", "/account/ssh-keys", json={"keys": []}).json() == {"keys": []}


@pytest.mark.parametrize(
    "body", [{"keys": ["not a key"]}, {"keys": "ssh-ed25519 AAAA"}, {}, {"keys": [], "x": 1}]
)
def test_bad_ssh_keys_are_422(api, body):
    refused = api("PUT", "/account/ssh-keys", json=body)
    assert refused.status_code == 422 and refused.json()["errors"]
    assert api("GET", "/account/ssh-keys").json() == {"keys": []}


def test_registry_credentials_are_write_only_and_refused_while_in_use(api, fake_runpod):
    made = api("POST", "/registries", json={"name": "hub", "username": "me", "password": "pw-9"})
    assert made.status_code == 201 and set(made.json()) == {"id", "name"}
    registry = made.json()["id"]
    assert api("GET", "/registries").json() == {"registries": [made.json()]}
    assert api("GET", f"/registries/{registry}").json() == made.json()
    pod_id = api.create_pod(registry=registry)["id"]
    assert api.pod(pod_id)["registry"] == registry
    in_use = api("DELETE", f"/registries/{registry}")
    assert in_use.status_code == 400 and pod_id in in_use.json()["detail"]
    api("DELETE", f"/pods/{pod_id}")
    assert api("DELETE", f"/registries/{registry}").status_code == 204
    assert api("GET", f"/registries/{registry}").status_code == 404
    assert "pw-9" not in repr(fake_runpod.backend.registries) + repr(fake_runpod.requests)
    bad = api("POST", "/registries", json={"name": "hub", "username": "me"})
    assert bad.status_code == 422 and "pw-9" not in bad.text


RATE = re.compile(r'^"minute";r=(\d+);t=(\d+), "hour";r=(\d+);t=(\d+), "day";r=(\d+);t=(\d+)$')


def test_every_authenticated_answer_carries_rate_limit_headers(api, fake_runpod):
    answers = [api("GET", "/pods"), api("GET", "/pods/nope"), api("GET", "/templates")]
    remaining = []
    for answer in answers:
        live = RATE.match(answer.headers["RateLimit"])
        assert live, answer.headers["RateLimit"]
        remaining.append(int(live[1]))
        assert answer.headers["RateLimit-Policy"].startswith('"minute";q=')
    assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == 3
    unauthenticated = Api(fake_runpod, "rpa_WRONG")("GET", "/pods")
    assert unauthenticated.status_code == 401 and "RateLimit" not in unauthenticated.headers


def test_past_the_quota_a_429_says_how_long_to_wait():
    with FakeRunpod(rate_limit=3) as fake:
        api = Api(fake)
        assert [api("GET", "/pods").status_code for _ in range(3)] == [200, 200, 200]
        refused = api("GET", "/pods")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["detail"] == "rate limit exceeded for the minute window"
        assert refused.headers["RateLimit"].startswith('"minute";r=0;')
        assert refused.headers["RateLimit-Policy"].startswith('"minute";q=3;w=60')
        assert api("POST", "/network-volumes", json={}).status_code == 429  # not carried out
        fake.reset()  # a new window
        assert api("GET", "/pods").status_code == 200


@pytest.mark.parametrize("bad", [{"rate_limit": 0}, {"anonymous_pulls": -1}])
def test_quotas_that_are_no_quota_are_refused(bad):
    with pytest.raises(ValueError):
        FakeRunpod(**bad)
