"""Creating a pod, for both API surfaces: GraphQL podFindAndDeployOnDemand and REST v2
POST /v2/pods turn their input into a PodRequest, which is checked here and placed by the
scheduler (scheduler.py), with the pod:... faults and realistic mode's timings applied."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import catalog, scheduler
from .faults import Faults
from .state import MAX_ENV_VARS, PORTS_FORMAT, DomainError, Pod, State
from .timing import Timing

ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MOUNT_PATH = re.compile(r"^/[A-Za-z0-9._-]+$")
CUDA_VERSION = re.compile(r"^\d+\.\d+$")  # REST v2 CreateGpuConfig.allowedCudaVersions items
# terminateAfter as runpodctl documents it: "auto-terminate datetime (e.g.,
# 2026-04-15T00:00:00Z)" (runpod/runpodctl cmd/pod/create.go, commit 2e2df89).
TERMINATE_AFTER = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass
class PodRequest:
    name: str
    image: str
    gpu_id: str | None
    count: int = 1
    cloud: str = "ALL"
    data_center: str | None = None
    volume_id: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    ports: str = ""
    container_disk_gb: int = 10
    volume_gb: int = 0
    mount_path: str | None = None
    docker_args: str = ""
    allowed_cuda: list[str] | None = None
    min_cuda: str | None = None  # REST v2 only: an open-ended floor
    start_ssh: bool = True
    terminate_after: str | None = None


def terminate_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    if not TERMINATE_AFTER.match(value):
        raise DomainError(
            f"Invalid terminateAfter: {value} (expected a date and time like 2026-04-15T00:00:00Z)"
        )
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def check(state: State, request: PodRequest) -> tuple[catalog.GpuType, str | None]:
    """Refuse what Runpod would refuse; returns the GPU type and the data center the pod must
    be in (the network volume's)."""
    gpu = catalog.gpu_type(request.gpu_id) if request.gpu_id else None
    if gpu is None:
        raise DomainError(f"There are no GPU types with id: {request.gpu_id}")
    if not request.image:
        raise DomainError("imageName is required")
    if not 1 <= request.count <= gpu.max_gpu_count:
        raise DomainError(f"gpuCount must be between 1 and {gpu.max_gpu_count}")
    _check_env(request.env)
    if request.ports and not PORTS_FORMAT.match(request.ports):
        raise DomainError(f"Invalid ports: {request.ports} (expected e.g. 22/tcp,8888/http)")
    if request.mount_path is not None and not MOUNT_PATH.match(request.mount_path):
        raise DomainError(
            f"Invalid volumeMountPath: {request.mount_path} (the fake Runpod mounts volumes "
            "at one top-level folder, e.g. /workspace)"
        )
    for version in [*(request.allowed_cuda or ()), *filter(None, [request.min_cuda])]:
        if not isinstance(version, str) or not CUDA_VERSION.match(version):
            raise DomainError(f"Invalid CUDA version: {version} (expected e.g. 12.8)")
    dc_id = request.data_center
    if dc_id is not None and catalog.data_center(dc_id) is None:
        raise DomainError(f"Unknown data center id: {dc_id}")
    if request.volume_id:
        volume = state.volume(request.volume_id)
        if volume is None:
            raise DomainError(f"Network volume not found: {request.volume_id}")
        if request.cloud == "COMMUNITY":
            raise DomainError("Network volumes can only be used with Secure Cloud pods")
        if dc_id is not None and dc_id != volume.data_center:
            raise DomainError(
                f"Network volume {request.volume_id} is in data center {volume.data_center}, "
                f"not {dc_id}"
            )
        dc_id = volume.data_center
    return gpu, dc_id


def _check_env(env: dict[str, str]) -> None:
    if len(env) > MAX_ENV_VARS:
        raise DomainError(f"A pod can have at most {MAX_ENV_VARS} environment variables")
    for key in env:
        if not ENV_KEY.match(key):
            raise DomainError(f"Invalid environment variable name: {key}")


def create(
    state: State, faults: Faults, timing: Timing, start_delay: float, request: PodRequest
) -> Pod:
    """Check, place and create the pod (call with state.lock held)."""
    gpu, dc_id = check(state, request)
    stop_time = terminate_time(request.terminate_after)
    hosts = scheduler.REALISTIC_HOSTS if timing.realistic else scheduler.DEFAULT_HOSTS
    if faults.take("pod", ("old_driver",)):
        hosts = (scheduler.OLD_DRIVER, *hosts)
    placement = scheduler.place(
        gpu,
        request.count,
        data_center=dc_id,
        cloud=request.cloud,
        with_volume=bool(request.volume_id),
        allowed_cuda=request.allowed_cuda,
        min_cuda=request.min_cuda,
        hosts=hosts,
    )
    delay: float | None = timing.pull(request.image, start_delay)
    slow = faults.take("pod", ("slow_start", "never_ready"))
    if slow is not None:
        delay = None if slow.kind == "never_ready" else slow.value
    sshd = faults.take("pod", ("slow_sshd",))
    return state.create_pod(
        name=request.name,
        image_name=request.image,
        gpu_type_id=gpu.id,
        gpu_count=request.count,
        data_center=placement.data_center,
        cloud_type=placement.cloud,
        price_per_gpu=placement.price,
        env=request.env,
        ports=request.ports,
        container_disk_gb=request.container_disk_gb,
        volume_gb=request.volume_gb,
        volume_mount_path=request.mount_path,
        network_volume_id=request.volume_id,
        docker_args=request.docker_args,
        start_delay=delay,
        host_cuda=placement.host_cuda,
        start_ssh=request.start_ssh,
        sshd_delay=sshd.value if sshd is not None else timing.sshd_start(),
        terminate_after=stop_time,
    )
