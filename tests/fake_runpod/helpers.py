"""Small helpers for tests that drive the fake Runpod over REST v2 (a client, polling, ssh)."""

from __future__ import annotations

import time
from pathlib import Path

import requests

IMAGE = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"
GPU = "NVIDIA RTX A4000"


class Api:
    """REST v2 calls against a fake, with the account's key (or another one)."""

    def __init__(self, fake, key: str | None = None) -> None:
        self.fake = fake
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key or fake.api_key}"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, f"{self.fake.url}/v2{path}", **kwargs)

    def create_pod(self, **changes) -> dict:
        made = self("POST", "/pods", json=pod_body(**changes))
        assert made.status_code == 201, made.text
        return made.json()

    def pod(self, pod_id: str) -> dict:
        answer = self("GET", f"/pods/{pod_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_status(self, pod_id: str, *statuses: str, timeout: float = 30.0) -> dict:
        """Poll until the pod's status is one of these; return the pod."""
        deadline = time.monotonic() + timeout
        while (pod := self.pod(pod_id))["status"] not in statuses:
            assert time.monotonic() < deadline, f"still {pod['status']}, not {statuses}"
            time.sleep(0.02)
        return pod

    def volume(self, dc: str = "EU-RO-1", size: int = 10) -> str:
        made = self("POST", "/network-volumes", json={"name": "v", "size": size, "dataCenter": dc})
        assert made.status_code == 201, made.text
        return made.json()["id"]


def pod_body(**changes) -> dict:
    return {"name": "fake-test", "image": IMAGE, "gpu": {"id": GPU, "count": 1}, **changes}


def wait_for(condition, timeout: float = 30.0, poll: float = 0.02):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(poll)
    return found


def ssh_port(pod: dict) -> int:
    """The public port of the pod's SSH mapping (REST v2 `ssh.direct`)."""
    return pod["ssh"]["direct"]["port"]


# OpenSSH options for a fake pod: throwaway host keys, no prompts (shared by ssh and scp).
NO_PROMPT_OPTIONS = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=5",
    "-o",
    "IdentitiesOnly=yes",
]


def ssh_argv(identity: Path, port: int, *command: str, user: str = "root") -> list[str]:
    """A system OpenSSH command line for a fake pod (throwaway host keys, no prompts)."""
    target = f"{user}@127.0.0.1"
    return ["ssh", "-i", str(identity), "-p", str(port), *NO_PROMPT_OPTIONS, target, *command]
