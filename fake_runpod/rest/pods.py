"""REST v2 pods: list, create, get, terminate, and state transitions (`action`)."""

from __future__ import annotations

from ..errors import Invalid, NotFound, NotServed
from ..models import PodRequest
from .call import Answer, Call
from .pod_view import view


def list_pods(call: Call) -> Answer:
    return Answer(200, {"pods": [view(pod) for pod in call.backend.list_pods()]})


def get_pod(call: Call) -> Answer:
    return Answer(200, view(call.backend.pod(call.params["id"])))


def delete_pod(call: Call) -> Answer:
    call.backend.terminate_pod(call.params["id"])
    return Answer(204)


def pod_action(call: Call) -> Answer:
    action = call.body["action"]
    pod = call.backend.pod_action(call.params["id"], action)
    return Answer(204) if action == "terminate" else Answer(200, view(pod))


def create_pod(call: Call) -> Answer:
    created = call.backend.create_pod(request(call.body))
    if created.answer == "null":  # made, answered with nothing (create_pod:null)
        return Answer(201, None, unchecked=True)
    hold = None
    if created.answer == "timeout":
        hold = created.hold if created.hold is not None else -1.0  # -1: the fake's default
    return Answer(201, view(created.pod), hold=hold)


def request(body: dict) -> PodRequest:
    """A CreatePodRequest (already checked against the schema) and the rules its
    description states in prose: exactly one of gpu or cpu, at most one kind of mount,
    a non-empty allowedCudaVersions xor minCudaVersion."""
    if body.get("templateId"):  # the fake has no templates: every id is unknown
        raise NotFound(f"template not found: {body['templateId']}")
    if (body.get("cpu") is None) == (body.get("gpu") is None):
        raise Invalid("exactly one of gpu or cpu must be set")
    if body.get("cpu") is not None:
        raise NotServed("CPU pods are not served by the fake Runpod")
    gpu = body["gpu"]
    allowed = gpu.get("allowedCudaVersions") or None  # [] states no constraint
    if allowed and gpu.get("minCudaVersion"):
        raise Invalid("allowedCudaVersions and minCudaVersion are mutually exclusive")
    mounts = body.get("mounts") or {}
    if mounts.get("persistent") and mounts.get("network"):
        raise Invalid("mounts: persistent and network are mutually exclusive")
    network = (mounts.get("network") or [None])[0]
    persistent = mounts.get("persistent")
    mount = network or persistent or {}
    return PodRequest(
        name=body["name"],
        image=body["image"],
        gpu_id=gpu["id"],
        count=gpu.get("count", 1),
        cloud=body.get("cloud", "SECURE"),
        data_centers=list(body.get("dataCenterIds") or []),
        volume_id=network["volumeId"] if network else None,
        env=dict(body.get("env") or {}),
        ports=list(body.get("ports") or []),
        container_disk_gb=body.get("disk", 10),
        volume_gb=persistent["size"] if persistent else 0,
        mount_path=mount.get("path"),
        docker_args=body.get("args", ""),
        allowed_cuda=allowed,
        min_cuda=gpu.get("minCudaVersion"),
        start_ssh=body.get("startSsh", False),
        start_jupyter=body.get("startJupyter", False),
        registry_id=body.get("registry"),
        global_networking=body.get("globalNetworking", False),
    )


HANDLERS = {
    "listPods": list_pods,
    "createPod": create_pod,
    "getPod": get_pod,
    "deletePod": delete_pod,
    "podAction": pod_action,
}
