"""The fake's records: plain data, no rules (those are in backend.py and lifecycle.py).

Times are UTC datetimes; a pod's `status` is one of REST v2's PodStatus values and moves only
through lifecycle.py. Secret values and registry passwords never appear in a repr.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Volume:
    id: str
    name: str
    size: int
    data_center: str
    type: str
    path: Path


@dataclass(repr=False)
class Secret:
    id: str
    name: str
    value: str  # never returned, never logged
    description: str | None
    created_at: datetime
    value_updated_at: datetime  # set at creation and by every rotation of the value

    def __repr__(self) -> str:
        return f"Secret(id={self.id!r}, name={self.name!r})"


@dataclass(repr=False)
class Registry:
    id: str
    name: str
    username: str  # write-only, like the password
    password: str

    def __repr__(self) -> str:
        return f"Registry(id={self.id!r}, name={self.name!r})"


@dataclass
class LogLine:
    at: datetime
    source: str  # "system" (the host: pull, container start) or "container" (its output)
    line: str


@dataclass
class PodPlan:
    """How this pod's life will go, decided at create: the placement (revealed when the
    machine is assigned), the durations and the faults it meets."""

    data_center: str | None
    host_cuda: str
    price_per_gpu: float
    assign_delay: float  # seconds from create to a machine (PROVISIONING -> STARTING)
    pull_delay: float | None  # seconds of image pull; None = never ends (pod:never_ready)
    sshd_delay: float = 0.0  # seconds from `service ssh start` to sshd's banner
    no_port_for: float = 0.0  # seconds RUNNING without the 22/tcp mapping (pod:no_port)
    private_port_for: float = 0.0  # seconds the mapping is not public (pod:private_port)
    failure: str | None = None  # why the container cannot start -> ERROR (system log)
    pull_error: str | None = None  # why the pull is refused -> ERROR (system log)
    exits: bool = False  # the container's start command ends by itself (pod:exits)


@dataclass
class Pod:
    id: str
    name: str
    image_name: str
    gpu_type_id: str
    gpu_count: int
    cloud_type: str  # SECURE or COMMUNITY
    env: dict[str, str]  # as requested: secret references are NOT substituted here
    ports: list[str]
    container_disk_gb: int
    volume_gb: int
    volume_mount_path: str | None
    network_volume_id: str | None
    docker_args: str  # REST `args`: the container's start command, replacing CMD
    registry_id: str | None
    start_ssh: bool
    start_jupyter: bool
    global_networking: bool
    api_key: str = field(repr=False)  # the pod-scoped RUNPOD_API_KEY (server.py: its scope)
    plan: PodPlan
    workspace: Path  # the volume's folder on this machine (network or the pod's own)
    status: str = "PROVISIONING"
    data_center: str | None = None  # set when a machine is assigned
    host_cuda: str | None = None  # the CUDA version the machine's driver reports
    machine_id: str = ""  # the machine the scheduler chose (shown once assigned)
    assigned: bool = False  # a machine is assigned (after PROVISIONING)
    terminate_after: datetime | None = None  # GraphQL only (runpodctl --terminate-after)
    created_at: datetime = field(default_factory=now)
    started_at: datetime | None = None  # the container's start (RUNNING)
    last_status_change: str = ""  # GraphQL's field: a time, or why the container failed
    port_mapped: bool = False  # 22/tcp has a public port number
    port_public: bool = False  # ... and its IP is public
    boot: int = 0  # bumped at every stop/start: timers of an older boot do nothing
    timers: list[threading.Timer] = field(default_factory=list)
    runtime: Any = None  # runtime.PodRuntime of the running container, else None

    @property
    def desired_status(self) -> str:
        """GraphQL's view: RUNNING from create until a stop."""
        return "EXITED" if self.status in ("EXITED", "TERMINATED") else "RUNNING"

    @property
    def ssh_port(self) -> int | None:
        return self.runtime.ssh_port if self.runtime is not None else None

    @property
    def pod_host_id(self) -> str:
        """The proxy's routing token (`ssh.proxy.username`): pod id and machine."""
        return f"{self.id}-{self.machine_id[:8]}"

    @property
    def mount_path(self) -> str:
        return self.volume_mount_path or "/workspace"


@dataclass
class LoggedRequest:
    method: str
    path: str
    fields: list[str]  # GraphQL root field names; empty for REST
    status: int  # 0: no answer (the connection was dropped, or the fake stopped)


@dataclass
class PodRequest:
    """A pod create, as either API asked for it (REST v2 createPod, GraphQL
    podFindAndDeployOnDemand), before any rule is checked."""

    name: str
    image: str
    gpu_id: str | None
    count: int = 1
    cloud: str = "SECURE"  # SECURE, COMMUNITY, or (GraphQL) ALL
    data_centers: list[str] = field(default_factory=list)  # preferred, in order
    volume_id: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    ports: list[str] = field(default_factory=list)
    container_disk_gb: int = 10
    volume_gb: int = 0
    mount_path: str | None = None
    docker_args: str = ""
    allowed_cuda: list[str] | None = None
    min_cuda: str | None = None
    start_ssh: bool = False
    start_jupyter: bool = False
    registry_id: str | None = None
    global_networking: bool = False
    compliance: list[str] = field(default_factory=list)  # GraphQL (runpodctl --compliance)
    terminate_after: str | None = None  # GraphQL only
