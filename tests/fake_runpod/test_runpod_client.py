"""The fake as a client nobody here wrote sees it: Runpod's own REST v2 client for its image
smoke tests (runpod/containers tests/runpod_smoke/api.py, pod.py, checks.py, instances.py at
6ec19bd6). Its code is not ours to copy: the replay below sends the requests it sends (as
data, read from those files) and reads the answers as it reads them. With a checkout of
runpod/containers named by RUNPOD_CONTAINERS_CHECKOUT, the opt-in test also drives the
client's own request code against the fake.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fake_runpod.rest.pod_view import PROXY_HOST
from tests.fake_runpod.helpers import wait_for

# the client's own User-Agent: Cloudflare refuses Python-urllib's (its comment says why)
USER_AGENT = "test-images.py/1.0 (+runpod-smoketest)"
# its capacity / transient wording, matched on `detail` only (api.py classify_error)
UNAVAILABLE = re.compile(r"no\s+longer\s+any\s+instances\s+available|does\s+not\s+have", re.I)
TRANSIENT = re.compile(r"something\s+went\s+wrong|please\s+try\s+again\s+later", re.I)


def request(fake, method: str, path: str, body=None, params: str = "", timeout: float = 10):
    """What its api.request does: urllib, its User-Agent, (status, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {
        "Authorization": f"Bearer {fake.api_key}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    if data is not None:
        headers["Content-Type"] = "application/json"
    url = f"{fake.url}/v2{path}{params}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310 (local)
            raw = answer.read()
            return answer.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, (json.loads(raw) if raw else None)


def classify(status: int, data) -> str:
    """Its classify_error: status first, then `detail` (never `title`)."""
    if status in (0, 429, 500, 502, 503, 504):
        return "TRANSIENT"
    detail = str((data or {}).get("detail") or "")
    if UNAVAILABLE.search(detail):
        return "UNAVAILABLE"
    return "TRANSIENT" if TRANSIENT.search(detail) else "FATAL"


def system_log(fake, pod_id: str) -> list[str]:
    """Its fetch_pod_logs_api: read SSE lines until the socket idles for 3 s."""
    req = urllib.request.Request(  # noqa: S310
        f"{fake.url}/v2/pods/{pod_id}/logs?source=system&tail=200",
        headers={
            "Authorization": f"Bearer {fake.api_key}",
            "Accept": "text/event-stream",
            "User-Agent": USER_AGENT,
        },
    )
    lines = []
    with urllib.request.urlopen(req, timeout=3) as answer:  # noqa: S310
        while True:
            try:
                raw = answer.readline()
            except TimeoutError:
                break  # idle: the backfill is drained
            if not raw:
                break
            text = raw.decode().strip()
            if text.startswith("data:"):
                lines.append(json.loads(text[5:])["line"])
    return lines


def test_its_startup_catalog_and_registry_reads(fake_runpod):
    assert request(fake_runpod, "GET", "/account/ssh-keys")[0] == 200  # api_available
    status, catalog = request(
        fake_runpod,
        "GET",
        "/catalog/gpus",
        params="?include=AVAILABILITY&product=POD&cloud=SECURE&count=1",
    )
    assert status == 200
    for gpu in catalog["gpus"]:  # what instances.py reads of each
        assert {"id", "name", "memory", "price", "cudaVersions"} <= set(gpu)
        assert all({"version", "available"} <= set(v) for v in gpu["cudaVersions"])
    assert request(fake_runpod, "GET", "/registries") == (200, {"registries": []})


def test_its_pod_create_poll_logs_and_delete(fake_runpod, ssh_keypair):
    body = {  # pod.py create_pod, GPU: the fields it sends
        "name": "smoke-test",
        "image": "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404",
        "cloud": "SECURE",
        "disk": 20,
        "ports": ["22/tcp", "8888/http"],
        "startSsh": True,
        "dataCenterIds": ["US-KS-2"],
        "env": {"JUPYTER_PASSWORD": "smoke"},
        "gpu": {"id": "NVIDIA RTX A4000", "count": 1, "minCudaVersion": "12.8"},
    }
    request(fake_runpod, "PUT", "/account/ssh-keys", {"keys": [ssh_keypair[1]]})
    status, pod = request(fake_runpod, "POST", "/pods", body)
    assert status == 201 and pod["id"]
    assert pod["status"] == "PROVISIONING" and pod["ssh"]["proxy"] is None

    def state():  # pod.py pod_state: what it reads
        status, data = request(fake_runpod, "GET", f"/pods/{pod['id']}")
        assert status == 200
        return data

    running = wait_for(lambda: (data := state())["ssh"]["direct"] and data)
    assert running["status"] == "RUNNING" and running["cudaVersion"] == "12.8"
    assert running["dataCenterId"] == "US-KS-2" and running["cost"] == 0.25
    # dump_pod_logs falls back to the proxy without a direct endpoint: never a real host
    assert running["ssh"]["proxy"]["host"] == PROXY_HOST
    lines = system_log(fake_runpod, pod["id"])
    assert lines[0] == f"create container {body['image']}"
    assert request(fake_runpod, "DELETE", f"/pods/{pod['id']}") == (204, None)
    assert request(fake_runpod, "DELETE", f"/pods/{pod['id']}")[0] == 404  # it counts: gone


@pytest.mark.parametrize(
    ("fault", "verdict"),
    [
        ("create_pod:no_capacity", "UNAVAILABLE"),
        ("create_pod:no_resources", "UNAVAILABLE"),
        ("create_pod:transient", "TRANSIENT"),
        ("rest:503", "TRANSIENT"),
        ("rest:429", "TRANSIENT"),
        ("create_pod:insufficient_balance", "FATAL"),
    ],
)
def test_its_classification_of_the_fakes_refusals(fake_runpod, fault, verdict):
    fake_runpod.set_faults(fault)
    body = {"name": "s", "image": "img", "gpu": {"id": "NVIDIA RTX A4000"}}
    assert classify(*request(fake_runpod, "POST", "/pods", body)) == verdict


def test_an_endpoint_the_fake_does_not_serve_is_not_read_as_gone(fake_runpod):
    """A 404 reads as "already gone" to it (pod.py _terminate_pod); the fake says 501."""
    status, data = request(fake_runpod, "GET", "/templates")
    assert status == 501 and classify(status, data) == "FATAL"


CHECKOUT = os.environ.get("RUNPOD_CONTAINERS_CHECKOUT")


@pytest.mark.skipif(not CHECKOUT, reason="opt-in: RUNPOD_CONTAINERS_CHECKOUT=<runpod/containers>")
def test_runpods_own_client_against_the_fake(fake_runpod, monkeypatch):
    package = Path(CHECKOUT) / "tests" / "runpod_smoke"
    spec = importlib.util.spec_from_file_location(
        "runpod_smoke", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "runpod_smoke", module)
    spec.loader.exec_module(module)
    api = importlib.import_module("runpod_smoke.api")
    monkeypatch.setattr(api, "BASE_URL", f"{fake_runpod.url}/v2")
    assert api.api_available() == (True, "")
    params = {"include": ["AVAILABILITY"], "product": ["POD"], "cloud": "SECURE", "count": 1}
    status, data = api.request_with_retries("GET", "/catalog/gpus", params=params)
    assert status == 200 and data["gpus"]
    fake_runpod.set_faults("create_pod:no_capacity")
    body = {"name": "s", "image": "img", "gpu": {"id": "NVIDIA RTX A4000"}}
    assert api.classify_error(*api.request("POST", "/pods", body=body)) == "UNAVAILABLE"
