"""Small helpers for tests that drive the fake Runpod (polling and ssh command lines)."""

from __future__ import annotations

import time
from pathlib import Path

import runpod


def wait_for_runtime(pod_id: str, timeout: float = 10.0, poll: float = 0.05) -> dict:
    """Poll runpod.get_pod until the pod has a runtime; return the pod."""
    deadline = time.monotonic() + timeout
    while True:
        pod = runpod.get_pod(pod_id)
        if pod and pod.get("runtime"):
            return pod
        if time.monotonic() > deadline:
            raise TimeoutError(f"pod {pod_id} got no runtime within {timeout}s")
        time.sleep(poll)


def ssh_port(pod: dict) -> int:
    """The public port of the pod's SSH mapping (privatePort 22, public IP, tcp)."""
    for port in pod["runtime"]["ports"]:
        if port["privatePort"] == 22 and port["isIpPublic"] and port["type"] == "tcp":
            return port["publicPort"]
    raise LookupError("the pod exposes no public 22/tcp")


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
    return [
        "ssh",
        "-i",
        str(identity),
        "-p",
        str(port),
        *NO_PROMPT_OPTIONS,
        f"{user}@127.0.0.1",
        *command,
    ]
