"""The fake's state: network volumes, secrets, pods (with their lifecycle) and a request log.

One RLock guards everything: HTTP handler threads, pod start timers and SSH threads all go
through State. Pod lifecycle:
  create -> desiredStatus RUNNING, runtime None
  after the start delay -> env secrets substituted, fresh HOME, SSH server up, runtime set
  stop -> EXITED, runtime None, SSH down (HOME is container disk: a resume gets a new one)
  terminate -> SSH down, HOME deleted, the pod is gone; its network volume stays.
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
from .ssh import PodSSH

SECRET_REF = re.compile(r"\{\{\s*RUNPOD_SECRET_([A-Za-z0-9_.\-/]+)\s*\}\}")
MAX_ENV_VARS = 50  # docs.runpod.io/pods/templates/environment-variables


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

    def rest(self) -> dict:
        body = {"id": self.id, "name": self.name, "createdAt": self.created_at}
        if self.description is not None:
            body["description"] = self.description
        return body

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
    start_delay: float | None  # None = never ready (fault pod:never_ready)
    workspace: Path
    desired_status: str = "RUNNING"
    home: Path | None = None
    ssh: PodSSH | None = None
    runtime_ports: list[dict] | None = None
    started_at: float | None = None
    last_status_change: str = field(default_factory=_now)
    timer: threading.Timer | None = None
    machine_id: str = field(default_factory=lambda: _id(12))
    pod_host_id: str = ""

    @property
    def ssh_port(self) -> int | None:
        return self.ssh.port if self.ssh else None


@dataclass
class LoggedRequest:
    method: str
    path: str
    fields: list[str]  # GraphQL root field names; empty for REST
    status: int


class State:
    def __init__(self, root: Path, host_key: paramiko.PKey, refuse_ssh: Callable[[], bool]):
        self.lock = threading.RLock()
        self.root = root
        self.host_key = host_key
        self.refuse_ssh = refuse_ssh
        self.volumes: dict[str, Volume] = {}
        self.secrets: dict[str, Secret] = {}
        self.pods: dict[str, Pod] = {}
        self.requests: list[LoggedRequest] = []
        self.internal_errors: list[str] = []  # contract violations by the fake itself
        self.user_pub_key = ""
        self.generation = 0  # bumped by clear(): late requests from before it are dropped

    # --- volumes -------------------------------------------------------------------------
    def create_volume(self, name: str, size: int, dc_id: str, vtype: str | None) -> Volume:
        if catalog.data_center(dc_id) is None:
            raise DomainError(f"invalid data center: {dc_id}")
        tiers = catalog.VOLUME_TYPES[dc_id]
        vtype = vtype or tiers[0]
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
            if any(secret.name == name for secret in self.secrets.values()):
                raise DomainError(f"a secret named {name} already exists")
            secret = Secret(_id(10), name, value, description, _now())
            self.secrets[secret.id] = secret
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
            self._schedule_start(pod)
            return pod

    def _schedule_start(self, pod: Pod) -> None:
        if pod.start_delay is None:
            return
        pod.timer = threading.Timer(pod.start_delay, self._boot, args=(pod.id,))
        pod.timer.daemon = True
        pod.timer.start()

    def _boot(self, pod_id: str) -> None:
        with self.lock:
            pod = self.pods.get(pod_id)
            if pod is None or pod.desired_status != "RUNNING" or pod.ssh is not None:
                return
            home = self.root / "homes" / f"{pod.id}-{_id(6)}"
            home.mkdir(parents=True)
            env = self.boot_env(pod, home)
            ssh = None
            if "22/tcp" in _split_ports(pod.ports):
                ssh = PodSSH(self.host_key, env.get("PUBLIC_KEY", ""), env, home, self.refuse_ssh)
                ssh.start()
            pod.home, pod.ssh = home, ssh
            pod.runtime_ports = _runtime_ports(pod.ports, ssh.port if ssh else None)
            pod.started_at = time.monotonic()
            pod.last_status_change = _now()

    def boot_env(self, pod: Pod, home: Path) -> dict[str, str]:
        """The process env inside the pod: secrets substituted now, at boot.

        An unknown secret becomes an empty string (documented choice: the docs do not say).
        """
        import os

        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        for key, value in pod.env.items():
            env[key] = SECRET_REF.sub(lambda m: self.secret_value(m[1]) or "", value)
        env.update(
            HOME=str(home),
            WORKSPACE=str(pod.workspace),
            RUNPOD_POD_ID=pod.id,
            USER="root",
        )
        return env

    def _halt(self, pod: Pod) -> None:
        if pod.timer is not None:
            pod.timer.cancel()
            pod.timer = None
        if pod.ssh is not None:
            pod.ssh.stop()
            pod.ssh = None
        if pod.home is not None:
            shutil.rmtree(pod.home, ignore_errors=True)
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
            self._schedule_start(pod)
            return pod

    def terminate_pod(self, pod_id: str) -> None:
        with self.lock:
            pod = self.pods.pop(pod_id)
            self._halt(pod)
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
