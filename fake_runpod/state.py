"""The fake's state: network volumes, secrets, pods (with their lifecycle) and a request log.

One RLock guards everything: HTTP handler threads, pod timers and SSH threads all go
through State. Pod lifecycle:
  create -> desiredStatus RUNNING, runtime None (the image is being pulled)
  after the pull (start_delay) -> on a machine whose CUDA driver is older than the image
      needs, the container never starts: runtime stays None, lastStatusChange says why.
      Otherwise: secrets substituted, a fresh HOME, start-up files (startup.py), the
      container (container.py) and the SSH port mapped: runtime set. sshd answers once it is
      up (timing.sshd_start later), and only when the pod has a PUBLIC_KEY.
  stop -> EXITED, runtime None, SSH down, processes killed (HOME is container disk: a resume
      gets a new one)
  terminate (or terminateAfter reached) -> all of that, and the pod is gone; its network
      volume stays.
"""

from __future__ import annotations

import re
import secrets as token
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import paramiko

from . import catalog
from .container import Container, ContainerError, RootFS
from .image_tags import cuda_key, image_cuda
from .ssh import PodSSH
from .startup import container_env, write_startup
from .timing import Timing

SECRET_REF = re.compile(r"\{\{\s*RUNPOD_SECRET_([A-Za-z0-9_.\-/]+)\s*\}\}")
MAX_ENV_VARS = 50  # docs.runpod.io/pods/templates/environment-variables
# What Runpod's system log shows when the machine's driver is too old for the image
# (github.com/runpod/containers/issues/98, 2025-08-10); the fake puts it in lastStatusChange.
CUDA_FAILURE = (
    "error starting container: nvidia-container-cli: requirement error: unsatisfied "
    "condition: cuda>={needed}, please update your driver to a newer version, or use an "
    "earlier cuda container: unknown"
)


class DomainError(Exception):
    """A request the real API would refuse; the message is what the client sees."""


def _id(length: int = 14) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(token.choice(alphabet) for _ in range(length))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Volume:
    id: str
    name: str
    size: int
    data_center: str
    type: str
    path: Path

    def rest(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "dataCenter": self.data_center,
            "type": self.type,
        }


@dataclass(repr=False)
class Secret:
    id: str
    name: str
    value: str  # never returned, never logged (repr=False above keeps it out of reprs)
    description: str | None
    created_at: str
    value_updated_at: str  # set at creation and by every rotation of the value

    def rest(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "createdAt": self.created_at,
            "valueLastUpdatedAt": self.value_updated_at,
        }

    def __repr__(self) -> str:
        return f"Secret(id={self.id!r}, name={self.name!r})"


@dataclass
class Pod:
    id: str
    name: str
    image_name: str
    gpu_type_id: str | None
    gpu_count: int
    data_center: str | None
    cloud_type: str
    price_per_gpu: float
    env: dict[str, str]  # as requested: secret references are NOT substituted here
    ports: str
    container_disk_gb: int
    volume_gb: int
    volume_mount_path: str | None
    network_volume_id: str | None
    docker_args: str
    start_delay: float | None  # seconds to runtime (the pull); None = never (pod:never_ready)
    workspace: Path
    host_cuda: str = "12.8"  # the CUDA version the machine's driver reports
    start_ssh: bool = True
    sshd_delay: float = 0.0  # seconds from runtime to sshd's banner
    terminate_after: datetime | None = None
    desired_status: str = "RUNNING"
    home: Path | None = None  # /root of the running container, on this machine
    ssh: PodSSH | None = None
    container: Container | None = None
    runtime_ports: list[dict] | None = None
    started_at: float | None = None
    created_at: str = field(default_factory=_now)
    last_status_change: str = field(default_factory=_now)
    boot: int = 0  # bumped when the pod stops: timers of an older boot do nothing
    timers: list[threading.Timer] = field(default_factory=list)
    backstop: threading.Timer | None = None
    machine_id: str = field(default_factory=lambda: _id(12))
    pod_host_id: str = ""

    @property
    def ssh_port(self) -> int | None:
        return self.ssh.port if self.ssh else None

    @property
    def mount_path(self) -> str:
        return self.volume_mount_path or "/workspace"


@dataclass
class LoggedRequest:
    method: str
    path: str
    fields: list[str]  # GraphQL root field names; empty for REST
    status: int


class State:
    def __init__(
        self,
        root: Path,
        host_key: paramiko.PKey,
        refuse_ssh: Callable[[], bool],
        timing: Timing | None = None,
    ):
        self.lock = threading.RLock()
        self.root = root
        self.timing = timing or Timing()
        self.host_key = host_key
        self.refuse_ssh = refuse_ssh
        self.volumes: dict[str, Volume] = {}
        self.secrets: dict[str, Secret] = {}
        self.pods: dict[str, Pod] = {}
        self.requests: list[LoggedRequest] = []
        self.internal_errors: list[str] = []  # contract violations by the fake itself
        self.user_pub_key = ""
        self.create_count = 0  # pod creates so far (realistic mode's answers follow it)
        self.rootfs: RootFS | None = None  # the pods' root folder, made on the first boot
        self.generation = 0  # bumped by clear(): late requests from before it are dropped

    # --- volumes -------------------------------------------------------------------------
    def create_volume(self, name: str, size: int, dc_id: str, vtype: str | None) -> Volume:
        if catalog.data_center(dc_id) is None:
            raise DomainError(f"invalid data center: {dc_id}")
        tiers = catalog.VOLUME_TYPES[dc_id]
        if not tiers:
            raise DomainError(f"data center {dc_id} does not offer network volumes")
        vtype = vtype or tiers[0]  # the data center's default tier
        if vtype not in tiers:
            raise DomainError(f"data center {dc_id} does not offer {vtype} network volumes")
        with self.lock:
            volume_id = _id(10)
            path = self.root / "volumes" / volume_id
            path.mkdir(parents=True)
            volume = Volume(volume_id, name, size, dc_id, vtype, path)
            self.volumes[volume_id] = volume
            return volume

    def volume(self, volume_id: str) -> Volume | None:
        with self.lock:
            return self.volumes.get(volume_id)

    def delete_volume(self, volume_id: str) -> None:
        with self.lock:
            volume = self.volumes[volume_id]
            users = [pod.id for pod in self.pods.values() if pod.network_volume_id == volume_id]
            if users:
                raise DomainError(f"network volume is in use by pod(s): {', '.join(users)}")
            del self.volumes[volume_id]
            shutil.rmtree(volume.path, ignore_errors=True)

    # --- secrets -------------------------------------------------------------------------
    def create_secret(self, name: str, value: str, description: str | None) -> Secret:
        with self.lock:
            # unique regardless of case: the list's ?name= filter matches case-insensitively
            # and returns "only the secret with this name" (api-reference-v2/account/list-secrets)
            if any(secret.name.lower() == name.lower() for secret in self.secrets.values()):
                raise DomainError(f"a secret named {name} already exists")
            now = _now()
            secret = Secret(_id(10), name, value, description, now, now)
            self.secrets[secret.id] = secret
            return secret

    def update_secret(self, secret_id: str, changes: dict) -> Secret:
        """PATCH: a new value (rotation) and/or a description ("" clears it)."""
        with self.lock:
            secret = self.secrets[secret_id]
            if "value" in changes:
                secret.value, secret.value_updated_at = changes["value"], _now()
            if "description" in changes:
                secret.description = changes["description"] or None
            return secret

    def secret_value(self, name: str) -> str | None:
        with self.lock:
            return next((s.value for s in self.secrets.values() if s.name == name), None)

    # --- pods ----------------------------------------------------------------------------
    def create_pod(self, **spec) -> Pod:
        with self.lock:
            pod_id = _id()
            network_volume_id = spec["network_volume_id"]
            if network_volume_id:
                workspace = self.volumes[network_volume_id].path
            else:  # a pod volume: lives and dies with the pod
                workspace = self.root / "pod-volumes" / pod_id
                workspace.mkdir(parents=True)
            pod = Pod(id=pod_id, workspace=workspace, **spec)
            pod.pod_host_id = f"{pod_id}-{pod.machine_id[:8]}"
            self.pods[pod_id] = pod
            self._later(pod, pod.start_delay, self._boot)
            self._schedule_backstop(pod)
            return pod

    def _later(self, pod: Pod, delay: float | None, action) -> None:
        """Run action(pod_id, boot) after delay seconds, unless the pod stops meanwhile."""
        if delay is None:
            return
        timer = threading.Timer(delay, action, args=(pod.id, pod.boot))
        timer.daemon = True
        pod.timers.append(timer)
        timer.start()

    def _current(self, pod_id: str, boot: int) -> Pod | None:
        pod = self.pods.get(pod_id)
        if pod is None or pod.boot != boot or pod.desired_status != "RUNNING":
            return None
        return pod

    def _boot(self, pod_id: str, boot: int) -> None:
        """The image is pulled: start the container (see the module docstring)."""
        with self.lock:
            pod = self._current(pod_id, boot)
            if pod is None or pod.container is not None:
                return
            needed = image_cuda(pod.image_name)
            if needed and cuda_key(pod.host_cuda) < cuda_key(needed):
                pod.last_status_change = CUDA_FAILURE.format(needed=needed)
                return
            container, ssh = self._prepare(pod)
        try:
            container.start()  # outside the lock: it takes a few hundred milliseconds
        except ContainerError as error:
            with self.lock:
                if pod.container is container:  # not stopped meanwhile: the fake's own failure
                    self.internal_errors.append(f"pod {pod_id}: {error}")
            return
        with self.lock:
            if self._current(pod_id, boot) is not pod or pod.container is not container:
                container.stop()  # stopped or terminated meanwhile
                return
            pod.runtime_ports = _runtime_ports(pod.ports, ssh.port if ssh else None)
            pod.started_at = time.monotonic()
            pod.last_status_change = _now()
            if ssh is not None and container.env.get("PUBLIC_KEY"):
                self._later(pod, pod.sshd_delay, self._sshd_up)

    def _prepare(self, pod: Pod) -> tuple[Container, PodSSH | None]:
        """A fresh HOME, the start-up files and the (not yet started) container and sshd."""
        folder = self.root / "pods" / f"{pod.id}-{_id(6)}"
        home = folder / "home"
        home.mkdir(parents=True)
        binds = {
            "/root": home,
            pod.mount_path: pod.workspace,
            "/etc/rp_environment": folder / "etc" / "rp_environment",
        }
        ssh_port_wanted = "22/tcp" in _split_ports(pod.ports)
        if self.rootfs is None:
            self.rootfs = RootFS(self.root / "rootfs")
        container = Container(folder, self.rootfs, binds, {})
        ssh = PodSSH(self.host_key, container, self.refuse_ssh) if ssh_port_wanted else None
        port = ssh.start() if ssh else None
        container.env = container_env(pod, self.boot_env(pod), port)
        write_startup(folder / "etc", home, container.env)
        pod.home, pod.container, pod.ssh = home, container, ssh
        return container, ssh

    def _sshd_up(self, pod_id: str, boot: int) -> None:
        with self.lock:
            pod = self._current(pod_id, boot)
            if pod is not None and pod.ssh is not None:
                pod.ssh.open()

    def boot_env(self, pod: Pod) -> dict[str, str]:
        """The pod's env inside the container: secrets substituted now, at boot.

        An unknown secret becomes an empty string (documented choice: the docs do not say).
        With startSsh and no PUBLIC_KEY of its own, the pod gets the account's public keys
        (REST v2 OpenAPI, CreatePodRequest.startSsh).
        """
        env = {
            key: SECRET_REF.sub(lambda m: self.secret_value(m[1]) or "", value)
            for key, value in pod.env.items()
        }
        if pod.start_ssh and not env.get("PUBLIC_KEY") and self.user_pub_key:
            env["PUBLIC_KEY"] = self.user_pub_key
        return env

    def _schedule_backstop(self, pod: Pod) -> None:
        """terminateAfter: the pod is terminated when that time comes (on the scaled clock)."""
        if pod.terminate_after is None:
            return
        left = max(0.0, (pod.terminate_after - datetime.now(UTC)).total_seconds())
        pod.backstop = threading.Timer(self.timing.scaled(left), self._backstop, args=(pod.id,))
        pod.backstop.daemon = True
        pod.backstop.start()

    def _backstop(self, pod_id: str) -> None:
        with self.lock:
            if pod_id in self.pods:
                self.terminate_pod(pod_id)

    def _halt(self, pod: Pod) -> None:
        pod.boot += 1
        for timer in pod.timers:
            timer.cancel()
        pod.timers.clear()
        if pod.ssh is not None:
            pod.ssh.stop()
            pod.ssh = None
        if pod.container is not None:
            pod.container.stop()  # every process of the pod, background jobs too
            shutil.rmtree(pod.container.folder, ignore_errors=True)
            pod.container = None
        pod.home = None
        pod.runtime_ports = None
        pod.started_at = None

    def stop_pod(self, pod_id: str) -> Pod:
        with self.lock:
            pod = self.pods[pod_id]
            self._halt(pod)
            pod.desired_status = "EXITED"
            pod.last_status_change = _now()
            return pod

    def resume_pod(self, pod_id: str, gpu_count: int | None) -> Pod:
        with self.lock:
            pod = self.pods[pod_id]
            if pod.desired_status == "RUNNING":
                return pod
            if gpu_count:
                pod.gpu_count = gpu_count
            pod.desired_status = "RUNNING"
            pod.last_status_change = _now()
            delay = None if pod.start_delay is None else self.timing.resume(pod.start_delay)
            self._later(pod, delay, self._boot)
            return pod

    def terminate_pod(self, pod_id: str) -> None:
        with self.lock:
            pod = self.pods.pop(pod_id)
            self._halt(pod)
            if pod.backstop is not None:
                pod.backstop.cancel()
            if pod.network_volume_id is None:
                shutil.rmtree(pod.workspace, ignore_errors=True)

    def clear(self) -> None:
        with self.lock:
            for pod_id in list(self.pods):
                self.terminate_pod(pod_id)
            for volume in self.volumes.values():
                shutil.rmtree(volume.path, ignore_errors=True)
            self.volumes.clear()
            self.secrets.clear()
            self.requests.clear()
            self.internal_errors.clear()
            self.user_pub_key = ""
            self.create_count = 0
            self.generation += 1


def _split_ports(ports: str) -> list[str]:
    return [p.strip() for p in (ports or "").split(",") if p.strip()]


def _runtime_ports(ports: str, ssh_port: int | None) -> list[dict]:
    """runtime.ports as Runpod reports them: public tcp mappings plus proxied http ports."""
    runtime = []
    for index, spec in enumerate(_split_ports(ports)):
        number, _, kind = spec.partition("/")
        private = int(number)
        if kind == "tcp":
            public = ssh_port if private == 22 and ssh_port else 40000 + index
            runtime.append(
                {
                    "ip": "127.0.0.1",
                    "isIpPublic": True,
                    "privatePort": private,
                    "publicPort": public,
                    "type": "tcp",
                }
            )
        else:
            runtime.append(
                {
                    "ip": "10.0.0.2",
                    "isIpPublic": False,
                    "privatePort": private,
                    "publicPort": private,
                    "type": "http",
                }
            )
    return runtime


PORTS_FORMAT = re.compile(r"^(\d{1,5}/(tcp|http))(,\d{1,5}/(tcp|http))*$")
