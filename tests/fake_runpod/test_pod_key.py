"""Every pod's own RUNPOD_API_KEY (and RUNPOD_POD_ID): in its environment and its
/etc/rp_environment, good for reading, stopping, restarting and terminating its own pod and
nothing else (403; a guess, FIDELITY.md), dead once the pod is gone (401). A pod calls the fake
from inside, so a watchdog or an auto-stop script in a pod really stops it."""

from __future__ import annotations

import shutil

import pytest

from tests.fake_runpod.helpers import Api, wait_for


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def pod_key(fake, pod_id: str) -> str:
    return fake.pods[pod_id].runtime.env["RUNPOD_API_KEY"]


def test_every_pod_has_its_own_key_and_id_in_its_environment(api, fake_runpod):
    first = api.create_pod()["id"]
    second = api.create_pod()["id"]
    for pod_id in (first, second):
        api.wait_status(pod_id, "RUNNING")
    env = fake_runpod.pods[first].runtime.env
    assert env["RUNPOD_POD_ID"] == first
    assert env["RUNPOD_API_KEY"].startswith("rpa_") and env["RUNPOD_API_KEY"] != fake_runpod.api_key
    assert pod_key(fake_runpod, first) != pod_key(fake_runpod, second)
    rp_environment = fake_runpod.pods[first].runtime.folder / "etc" / "rp_environment"
    wait_for(
        lambda: f'export RUNPOD_API_KEY="{env["RUNPOD_API_KEY"]}"' in rp_environment.read_text()
    )
    assert "RUNPOD_API_KEY" not in api.pod(first)["env"]  # never shown by the API
    assert env["RUNPOD_API_KEY"] not in repr(fake_runpod.pods[first])


def test_the_pod_key_reaches_its_own_pod_only(api, fake_runpod):
    own = api.create_pod()["id"]
    other = api.create_pod()["id"]
    api.wait_status(own, "RUNNING")
    pod = Api(fake_runpod, pod_key(fake_runpod, own))
    assert pod("GET", f"/pods/{own}").json()["id"] == own
    assert pod("GET", f"/pods/{own}/logs", params={"tail": 0}, stream=True).status_code == 200
    for method, path, body in [
        ("GET", f"/pods/{other}", None),
        ("GET", "/pods", None),
        ("POST", "/pods", {"name": "x", "image": "i", "gpu": {"id": "NVIDIA L4"}}),
        ("DELETE", f"/pods/{other}", None),
        ("POST", f"/pods/{other}/action", {"action": "stop"}),
        ("POST", f"/pods/{own}/action", {"action": "start"}),
        ("GET", "/network-volumes", None),
        ("GET", "/account/secrets", None),
        ("GET", "/account/ssh-keys", None),
        ("GET", "/billing/pods", None),
        ("GET", "/catalog/gpus", None),
    ]:
        refused = pod(method, path, json=body)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json() == {"title": "Forbidden", "status": 403, "detail": "access denied"}
    assert "RateLimit" in refused.headers  # an authenticated answer
    stopped = pod("POST", f"/pods/{own}/action", json={"action": "stop"}).json()
    assert stopped["status"] == "EXITED"
    assert len(fake_runpod.pods) == 2  # nothing else happened


def test_a_terminated_pods_key_is_dead(api, fake_runpod):
    pod_id = api.create_pod()["id"]
    api.wait_status(pod_id, "RUNNING")
    pod = Api(fake_runpod, pod_key(fake_runpod, pod_id))
    assert pod("DELETE", f"/pods/{pod_id}").status_code == 204
    assert pod("GET", f"/pods/{pod_id}").status_code == 401


def test_a_pod_key_cannot_use_graphql(graphql_fake):
    pod_id = Api(graphql_fake).create_pod()["id"]
    Api(graphql_fake).wait_status(pod_id, "RUNNING")
    key = pod_key(graphql_fake, pod_id)
    answer = Api(graphql_fake, key).session.post(
        f"{graphql_fake.url}/graphql", json={"query": "{ myself { id } }"}, timeout=5
    )
    assert answer.status_code == 403


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl (it is in Runpod's images)")
@pytest.mark.parametrize("action", ["stop", "terminate"])
def test_a_watchdog_in_the_start_command_stops_its_own_pod(api, fake_runpod, action):
    """The shape of a backstop armed by the start command: a background job that calls the
    API with the pod's own key, then the image's start script, as the main process."""
    body = r"{\"action\": \"" + action + r"\"}"  # JSON inside bash's double quotes
    call = (
        f"curl -sS -X POST {fake_runpod.url}/v2/pods/$RUNPOD_POD_ID/action "
        '-H "Authorization: Bearer $RUNPOD_API_KEY" -H "Content-Type: application/json" '
        f'-d "{body}"'
    )
    args = f"bash -c '(sleep 0.5; {call}) & exec /start.sh'"
    pod_id = api.create_pod(args=args)["id"]
    api.wait_status(pod_id, "RUNNING")
    if action == "stop":
        assert api.wait_status(pod_id, "EXITED")["cost"] == 0.0
    else:
        wait_for(lambda: api("GET", f"/pods/{pod_id}").status_code == 404)
    asked = [r for r in fake_runpod.requests if r.path == f"/v2/pods/{pod_id}/action"]
    assert [(r.method, r.status) for r in asked] == [("POST", 200 if action == "stop" else 204)]
