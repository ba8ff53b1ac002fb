"""REST v2 pods: GET/POST /v2/pods, GET/DELETE /v2/pods/{id}, POST /v2/pods/{id}/action.

The same pods as GraphQL (one State): a pod made by either API is seen by both. Bodies are
validated against the contract by the server (contract.py) before they get here; the
handlers add the rules the OpenAPI document states in prose (exactly one of gpu/cpu, mounts
persistent xor network, allowedCudaVersions xor minCudaVersion, which actions a status
allows: 409 otherwise). Placement failures are 400 with Runpod's message as `detail`,
as the createPod description says ("400 covers both 'your request breaks a rule' and 'no
capacity'"). Not served: CPU pods, templates, PATCH (updatePod), logs.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from . import deploy
from .rest_api import Operations, RestError
from .state import DomainError, Pod, State

# PodAction and which status allows it (podAction's description in the OpenAPI document)
ACTIONS = {
    "RUNNING": ["stop", "restart", "terminate"],
    "STARTING": ["stop", "terminate"],
    "EXITED": ["start", "terminate"],
}


def status(pod: Pod) -> str:
    """PodStatus: the container is healthy once it has its runtime. A pod whose image is being
    pulled, or whose container cannot start, is STARTING (a guess: GraphQL shows neither)."""
    if pod.desired_status != "RUNNING":
        return "EXITED"
    return "RUNNING" if pod.runtime_ports is not None else "STARTING"


class RestPods(Operations):
    def __init__(self, state: State, graphql) -> None:
        self.state = state
        self.graphql = graphql  # for its faults, timing and pod_start_delay

    def _pod(self, pod_id: str) -> Pod:
        pod = self.state.pods.get(pod_id)
        if pod is None:
            raise RestError(404, "pod not found")
        return pod

    # --- operations ---------------------------------------------------------------------
    def listPods(self, params, query, body):  # noqa: N802
        with self.state.lock:
            return 200, {"pods": [self.view(pod) for pod in self.state.pods.values()]}

    def getPod(self, params, query, body):  # noqa: N802
        with self.state.lock:
            return 200, self.view(self._pod(params["id"]))

    def deletePod(self, params, query, body):  # noqa: N802
        with self.state.lock:
            self._pod(params["id"])
            self.state.terminate_pod(params["id"])
        return 204, None

    def createPod(self, params, query, body):  # noqa: N802
        request, data_centers = self._request(body)
        api = self.graphql
        with self.state.lock:
            last = None
            for data_center in data_centers or [None]:  # preferred data centers, in order
                request.data_center = data_center
                try:
                    pod = deploy.create(
                        self.state, api.faults, api.timing, api.start_delay, request
                    )
                except DomainError as error:
                    last = error
                    continue
                return 201, self.view(pod)
        raise last

    def podAction(self, params, query, body):  # noqa: N802
        action = body["action"]
        with self.state.lock:
            pod = self._pod(params["id"])
            if action not in ACTIONS[status(pod)]:
                raise RestError(409, f"a {status(pod)} pod cannot {action}")
            if action == "terminate":
                self.state.terminate_pod(pod.id)
                return 204, None
            if action in ("stop", "restart"):
                self.state.stop_pod(pod.id)
            if action in ("start", "restart"):
                self.state.resume_pod(pod.id, None)
            return 200, self.view(pod)

    # --- request and view ---------------------------------------------------------------
    @staticmethod
    def _request(body: dict) -> tuple[deploy.PodRequest, list[str]]:
        if body.get("templateId"):
            raise RestError(400, "templateId is not served by the fake Runpod; pass image")
        if body.get("cpu") is not None or body.get("gpu") is None:
            detail = "CPU pods are not served by the fake Runpod" if body.get("cpu") else ""
            raise RestError(400, detail or "exactly one of gpu or cpu must be set")
        gpu = body["gpu"]
        if gpu.get("allowedCudaVersions") and gpu.get("minCudaVersion"):
            raise RestError(400, "allowedCudaVersions and minCudaVersion are mutually exclusive")
        mounts = body.get("mounts") or {}
        if mounts.get("persistent") and mounts.get("network"):
            raise RestError(400, "mounts: persistent and network are mutually exclusive")
        network = (mounts.get("network") or [None])[0]
        persistent = mounts.get("persistent")
        mount = network or persistent or {}
        request = deploy.PodRequest(
            name=body["name"],
            image=body["image"],
            gpu_id=gpu["id"],
            count=gpu.get("count", 1),
            cloud=body.get("cloud", "SECURE"),
            volume_id=network["volumeId"] if network else None,
            env=dict(body.get("env") or {}),
            ports=",".join(body.get("ports") or []),
            container_disk_gb=body.get("disk", 10),
            volume_gb=persistent["size"] if persistent else 0,
            mount_path=mount.get("path"),
            docker_args=body.get("args", ""),
            allowed_cuda=gpu.get("allowedCudaVersions"),
            min_cuda=gpu.get("minCudaVersion"),
            start_ssh=body.get("startSsh", False),
        )
        return request, list(body.get("dataCenterIds") or [])

    def view(self, pod: Pod) -> dict:
        """A Pod of the contract (call with state.lock held)."""
        now = status(pod)
        direct = None
        if pod.ssh_port and pod.runtime_ports is not None:
            direct = _endpoint("127.0.0.1", pod.ssh_port, "root")
        return {
            "id": pod.id,
            "name": pod.name,
            "status": now,
            "actions": ACTIONS[now],
            "image": pod.image_name,
            "args": pod.docker_args,
            "disk": pod.container_disk_gb,
            "mounts": _mounts(pod),
            "ports": [port for port in pod.ports.split(",") if port],
            "env": dict(pod.env),
            "registry": None,
            "gpu": {"id": pod.gpu_type_id, "count": pod.gpu_count},
            "cloud": "COMMUNITY" if pod.cloud_type == "COMMUNITY" else "SECURE",
            "dataCenterId": pod.data_center,
            "cudaVersion": pod.host_cuda,
            "ssh": {"proxy": _endpoint("ssh.runpod.io", 22, pod.pod_host_id), "direct": direct},
            "template": None,
            "cost": 0.0 if now == "EXITED" else round(pod.price_per_gpu * pod.gpu_count, 3),
            "locked": False,
            "globalNetworking": {"enabled": False},
            "runtime": _runtime(pod),
            "createdAt": pod.created_at,
            "startedAt": _started(pod),
        }


def _endpoint(host: str, port: int, user: str) -> dict:
    flag = "" if port == 22 else f" -p {port}"
    return {"host": host, "port": port, "username": user, "command": f"ssh {user}@{host}{flag}"}


def _mounts(pod: Pod) -> dict:
    if pod.network_volume_id:
        return {"network": [{"volumeId": pod.network_volume_id, "path": pod.mount_path}]}
    if pod.volume_gb >= 10:  # PersistentMount.size has a 10 GB floor
        return {"persistent": {"size": pod.volume_gb, "path": pod.mount_path}}
    return {}


def _runtime(pod: Pod) -> dict | None:
    if pod.runtime_ports is None:
        return None
    return {
        "uptime": int(time.monotonic() - pod.started_at) if pod.started_at else 0,
        "gpus": [{"util": 0, "memoryUtil": 0} for _ in range(pod.gpu_count)],
        "cpu": {"util": 0},
        "memory": {"util": 1},
        "ports": [
            {
                "private": port["privatePort"],
                "public": port["publicPort"],
                "type": port["type"],
                "ip": port["ip"],
            }
            for port in pod.runtime_ports
        ],
    }


def _started(pod: Pod) -> str | None:
    if pod.started_at is None:
        return None
    started = datetime.now(UTC) - timedelta(seconds=time.monotonic() - pod.started_at)
    return started.strftime("%Y-%m-%dT%H:%M:%SZ")
