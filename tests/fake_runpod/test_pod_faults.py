"""Faults a pod create and a pod's life meet (`create_pod:`, `pod:`, `ssh:`), on REST v2: typed
refusals with Runpod's words, and pods that error, exit, lack a port or start slowly."""

from __future__ import annotations

import subprocess

import pytest
import requests

from fake_runpod.errors import NO_CAPACITY, NO_RESOURCES, TRANSIENT
from tests.fake_runpod.helpers import Api, pod_body, ssh_argv, wait_for


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def system_lines(fake, pod_id: str) -> list[str]:
    return [line.line for line in fake.backend.logs[pod_id].lines if line.source == "system"]


@pytest.mark.parametrize(
    ("fault", "status", "detail"),
    [
        ("no_capacity", 400, NO_CAPACITY),
        ("no_resources", 400, NO_RESOURCES),
        ("transient", 500, TRANSIENT),
        ("insufficient_balance", 402, "insufficient balance"),
    ],
)
def test_create_refusals_make_nothing(api, fake_runpod, fault, status, detail):
    fake_runpod.set_faults(f"create_pod:{fault}")
    refused = api("POST", "/pods", json=pod_body())
    assert refused.status_code == status
    assert refused.json()["detail"].startswith(detail)
    assert fake_runpod.pods == {}
    assert api("POST", "/pods", json=pod_body()).status_code == 201  # used up


def test_a_pod_dearer_than_the_balance_allows_is_refused(api, fake_runpod):
    eight = api("POST", "/pods", json=pod_body(gpu={"id": "NVIDIA A100 80GB PCIe", "count": 8}))
    assert eight.status_code == 402 and fake_runpod.pods == {}  # $13.12/h; the balance is $10
    assert "one hour" in eight.json()["detail"]


def test_a_null_create_makes_the_pod_and_answers_null(api, fake_runpod):
    fake_runpod.set_faults("create_pod:null")
    answer = api("POST", "/pods", json=pod_body(name="quiet"))
    assert (answer.status_code, answer.json()) == (201, None)
    (pod,) = fake_runpod.pods.values()
    assert pod.name == "quiet"
    assert fake_runpod.internal_errors == []  # a deliberate break, not the fake's bug


def test_a_held_create_answer_comes_after_the_pod_exists(api, fake_runpod):
    fake_runpod.set_faults("create_pod:timeout=3")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api("POST", "/pods", json=pod_body(), timeout=0.5)
    assert len(fake_runpod.pods) == 1
    assert len(api("GET", "/pods").json()["pods"]) == 1  # reads answered meanwhile


def test_pod_error_fails_after_the_pull_and_the_log_says_why(api, fake_runpod):
    fake_runpod.set_faults("pod:error")
    pod = api.wait_status(api.create_pod()["id"], "ERROR")
    assert (pod["runtime"], pod["actions"]) == (None, ["start", "terminate"])
    assert pod["cost"] == 0.25  # still billed: cost is 0 only when EXITED or TERMINATED
    lines = system_lines(fake_runpod, pod["id"])
    assert any(line.startswith("Status: Downloaded newer image") for line in lines)
    assert lines[-1].startswith("error starting container: nvidia-container-cli: requirement")
    assert "cuda>=12.8" in lines[-1]


def test_pod_exits_by_itself_once_running(api, fake_runpod):
    fake_runpod.set_faults("pod:exits")
    pod_id = api.create_pod()["id"]
    api.wait_status(pod_id, "RUNNING")
    exited = api.wait_status(pod_id, "EXITED")
    assert (exited["cost"], exited["actions"]) == (0.0, ["start", "terminate"])
    assert system_lines(fake_runpod, pod_id)[-1].startswith("container exited")


@pytest.mark.parametrize("kind", ["no_port", "private_port"])
def test_running_without_a_public_ssh_port_for_a_while(api, fake_runpod, kind):
    fake_runpod.set_faults(f"pod:{kind}=600,pod:{kind}=0.2")
    pod_id = api.create_pod(ports=["22/tcp"])["id"]
    running = api.wait_status(pod_id, "RUNNING")
    assert running["ssh"]["direct"] is None
    ports = [port for port in running["runtime"]["ports"] if port["private"] == 22]
    if kind == "no_port":
        assert ports == []
    else:
        assert ports[0]["ip"] == "10.0.0.2"  # mapped, on a private address
    soon = api.create_pod(ports=["22/tcp"])["id"]  # the second fault: 0.2 s
    direct = wait_for(lambda: api.pod(soon)["ssh"]["direct"])
    assert direct["host"] == "127.0.0.1"


def test_never_ready_pulls_forever(api, fake_runpod):
    fake_runpod.set_faults("pod:never_ready")
    stuck = api.create_pod()["id"]
    other = api.create_pod()["id"]
    api.wait_status(other, "RUNNING")
    assert api.pod(stuck)["status"] == "STARTING"  # its pull never ends


def test_slow_start_takes_its_time(api, fake_runpod):
    fake_runpod.set_faults("pod:slow_start=1s")
    slow = api.create_pod()["id"]
    normal = api.create_pod()["id"]
    plans = [fake_runpod.pods[pod_id].plan for pod_id in (slow, normal)]
    assert [p.assign_delay + p.pull_delay for p in plans] == [pytest.approx(1.0), 0.3]
    api.wait_status(slow, "RUNNING")


def test_old_driver_lands_a_new_image_on_an_old_machine(api, fake_runpod):
    fake_runpod.set_faults("pod:old_driver")
    pod = api.wait_status(api.create_pod()["id"], "ERROR")  # a CUDA 12.8 image on 12.4
    assert pod["cudaVersion"] == "12.4"
    assert "cuda>=12.8" in system_lines(fake_runpod, pod["id"])[-1]
    fake_runpod.set_faults("pod:old_driver")
    kept = api.create_pod(gpu={"id": "NVIDIA RTX A4000", "minCudaVersion": "12.8"})
    assert api.wait_status(kept["id"], "RUNNING")["cudaVersion"] == "12.8"


def ssh_once(key, port: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ssh_argv(key, port, "echo ok"), capture_output=True, text=True, timeout=20
    )


def test_ssh_refuses_the_next_two_connections(api, fake_runpod, ssh_keypair):
    key, public = ssh_keypair
    pod_id = api.create_pod(ports=["22/tcp"], env={"PUBLIC_KEY": public})["id"]
    port = api.wait_status(pod_id, "RUNNING")["ssh"]["direct"]["port"]
    wait_for(lambda: ssh_once(key, port).returncode == 0)
    fake_runpod.set_faults("ssh:refusex2")
    results = [ssh_once(key, port) for _ in range(3)]
    assert [r.returncode for r in results] == [255, 255, 0], [r.stderr for r in results]
    assert results[2].stdout == "ok\n" and fake_runpod.faults.pending() == []
