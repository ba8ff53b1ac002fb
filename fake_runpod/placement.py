"""A pod create's rules and where the pod lands: the checks Runpod states (REST v2 OpenAPI
prose, the docs), the data center and machine it gets, and the refusals it meets.

Every machine reports the CUDA version of its driver. `allowedCudaVersions` keeps the
scheduler to machines that report one of those versions exactly, `minCudaVersion` to those at
or above a floor (REST v2 OpenAPI, CreateGpuConfig). An image built for a newer CUDA than its
machine's never starts there (lifecycle.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from . import catalog
from .errors import NO_CAPACITY, Invalid, NoCapacity
from .faults import Faults
from .image_tags import cuda_key, image_cuda
from .models import PodPlan, PodRequest, Volume
from .podlogs import CUDA_FAILURE
from .timing import Timing

MAX_ENV_VARS = 50  # docs.runpod.io/pods/templates/environment-variables
ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MOUNT_PATH = re.compile(r"^/[A-Za-z0-9._-]+$")
PORT = re.compile(r"^\d{1,5}/(tcp|http)$")
CUDA_VERSION = re.compile(r"^\d+\.\d+$")
# terminateAfter as runpodctl documents it: "auto-terminate datetime (e.g.,
# 2026-04-15T00:00:00Z)" (runpod/runpodctl cmd/pod/create.go, commit 2e2df89).
TERMINATE_AFTER = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Placement:
    data_center: str | None
    cloud: str  # SECURE or COMMUNITY
    host_cuda: str
    price_per_gpu: float


def check(request: PodRequest, volume: Volume | None) -> catalog.GpuType:
    """Refuse (Invalid, 400) what Runpod refuses before placing; returns the GPU type."""
    gpu = catalog.gpu_type(request.gpu_id) if request.gpu_id else None
    if gpu is None:
        raise Invalid(f"There are no GPU types with id: {request.gpu_id}")
    if not request.image:
        raise Invalid("image is required")
    most = catalog.COMMUNITY_MAX_GPUS if request.cloud == "COMMUNITY" else gpu.max_gpu_count
    if not 1 <= request.count <= most:
        raise Invalid(f"gpu count must be between 1 and {most} for {gpu.id}")
    _check_container(request)
    if request.allowed_cuda and request.min_cuda:
        raise Invalid("allowedCudaVersions and minCudaVersion are mutually exclusive")
    for version in [*(request.allowed_cuda or ()), *filter(None, [request.min_cuda])]:
        if not isinstance(version, str) or not CUDA_VERSION.match(version):
            raise Invalid(f"Invalid CUDA version: {version} (expected e.g. 12.8)")
    for dc_id in request.data_centers:
        if catalog.data_center(dc_id) is None:
            raise Invalid(f"Unknown data center id: {dc_id}")
    if request.volume_id:
        _check_volume(request, volume)
    if request.global_networking:
        _check_global_networking(request, volume)
    return gpu


def _check_container(request: PodRequest) -> None:
    if len(request.env) > MAX_ENV_VARS:
        raise Invalid(f"A pod can have at most {MAX_ENV_VARS} environment variables")
    for key in request.env:
        if not ENV_KEY.match(key):
            raise Invalid(f"Invalid environment variable name: {key}")
    for port in request.ports:
        if not PORT.match(port):
            raise Invalid(f"Invalid port: {port} (expected e.g. 22/tcp or 8888/http)")
    if request.mount_path is not None and not MOUNT_PATH.match(request.mount_path):
        raise Invalid(
            f"Invalid mount path: {request.mount_path} (the fake Runpod mounts volumes at one "
            "top-level folder, e.g. /workspace)"
        )


def _check_volume(request: PodRequest, volume: Volume | None) -> None:
    if volume is None:
        raise Invalid(f"Network volume not found: {request.volume_id}")
    if request.cloud == "COMMUNITY":
        raise Invalid("Network volumes can only be used with Secure Cloud pods")
    elsewhere = [dc for dc in request.data_centers if dc != volume.data_center]
    if request.data_centers and len(elsewhere) == len(request.data_centers):
        raise Invalid(
            f"Network volume {volume.id} is in data center {volume.data_center}, "
            f"not {', '.join(request.data_centers)}"
        )


def _check_global_networking(request: PodRequest, volume: Volume | None) -> None:
    """Honoured only where the data center has global networking (catalog `globalNetwork`)."""
    if request.cloud == "COMMUNITY":
        raise Invalid("globalNetworking needs a Secure Cloud data center with global networking")
    asked = [volume.data_center] if volume else request.data_centers
    without = [dc for dc in asked if not catalog.data_center(dc).global_network]
    if asked and len(without) == len(asked):
        raise Invalid(
            f"globalNetworking is not available in data center {', '.join(without)}; see "
            "GET /v2/catalog/datacenters (globalNetwork)"
        )


def terminate_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    if not TERMINATE_AFTER.match(value):
        raise Invalid(
            f"Invalid terminateAfter: {value} (expected a date and time like 2026-04-15T00:00:00Z)"
        )
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def host(request: PodRequest, hosts: tuple[str, ...]) -> str | None:
    """The first machine whose CUDA version the request allows."""
    allowed = set(request.allowed_cuda or ())
    return next(
        (
            cuda
            for cuda in hosts
            if (not allowed or cuda in allowed)
            and (request.min_cuda is None or cuda_key(cuda) >= cuda_key(request.min_cuda))
        ),
        None,
    )


def candidates(request: PodRequest, volume: Volume | None) -> list[str]:
    """Data centers to try, in order: the volume's, the preferred ones, or all."""
    if volume is not None:
        return [volume.data_center]
    order = request.data_centers or [dc.id for dc in catalog.DATA_CENTERS]
    found = []
    for dc_id in order:
        dc = catalog.data_center(dc_id)
        if request.global_networking and not dc.global_network:
            continue
        if not set(request.compliance) <= set(dc.compliance):
            continue
        found.append(dc_id)
    return found


def place(
    gpu: catalog.GpuType, request: PodRequest, volume: Volume | None, hosts: tuple[str, ...]
) -> Placement:
    """Where the pod lands, or NoCapacity (400, Runpod's detail)."""
    machine = host(request, hosts)
    if machine is None:  # "a version no machine reports yields a capacity error"
        raise NoCapacity(NO_CAPACITY)
    clouds = ("SECURE", "COMMUNITY") if request.cloud == "ALL" else (request.cloud,)
    for cloud in clouds:
        if cloud == "COMMUNITY":
            if volume is None and not request.data_centers and not request.global_networking:
                if catalog.free_gpus(gpu, None, cloud) >= request.count:
                    return Placement(None, cloud, machine, gpu.community_price)
            continue
        for dc_id in candidates(request, volume):
            if catalog.free_gpus(gpu, dc_id) >= request.count:
                return Placement(dc_id, cloud, machine, gpu.secure_price)
    raise NoCapacity(NO_CAPACITY)


def docker_hub(image: str) -> bool:
    """An image Docker Hub serves (no registry host in its name)."""
    first = image.split("/", 1)[0]
    return "/" not in image or not ("." in first or ":" in first or first == "localhost")


def plan(request: PodRequest, where: Placement, timing: Timing, faults: Faults) -> PodPlan:
    """How the new pod's life will go: its durations and the pod:... faults it meets."""
    made = PodPlan(
        data_center=where.data_center,
        host_cuda=where.host_cuda,
        price_per_gpu=where.price_per_gpu,
        assign_delay=timing.assign(),
        pull_delay=timing.pull(request.image),
        sshd_delay=timing.sshd_start(),
    )
    slow = faults.take("pod", ("slow_start", "never_ready"))
    if slow is not None and slow.kind == "never_ready":
        made.pull_delay = None
    elif slow is not None:
        made.assign_delay = min(made.assign_delay, slow.value / 3)
        made.pull_delay = slow.value - made.assign_delay
    for kind in ("slow_sshd", "no_port", "private_port", "error", "exits"):
        fault = faults.take("pod", (kind,))
        if fault is None:
            continue
        if kind == "slow_sshd":
            made.sshd_delay = fault.value
        elif kind == "no_port":
            made.no_port_for = fault.value
        elif kind == "private_port":
            made.private_port_for = fault.value
        elif kind == "error":
            made.failure = CUDA_FAILURE.format(needed=image_cuda(request.image) or "12.8")
        else:
            made.exits = True
    return made
