"""The account: every record of the fake and every rule, behind one lock (moto's backend).

The API layers (rest/, graphql/) parse a request, call a method here and render what comes
back; they never touch these dicts or the lock. A refusal is a typed error (errors.py) that
carries its HTTP status, so REST and GraphQL refuse alike. Pods live in lifecycle.py, their
placement in placement.py, their containers in runtime.py; storage and account settings
(volumes, secrets, registry credentials, SSH keys) in store.py.
"""

from __future__ import annotations

import re
import secrets as token
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import paramiko

from . import catalog, placement
from .billing import Meter
from .container import RootFS
from .errors import (
    NO_CAPACITY,
    NO_RESOURCES,
    TRANSIENT,
    Conflict,
    Invalid,
    NoCapacity,
    NotFound,
    PaymentRequired,
    Transient,
)
from .faults import Faults
from .lifecycle import ACTIONS, Lifecycle
from .models import Pod, PodPlan, PodRequest
from .podlogs import PULL_THROTTLED, PodLog
from .store import Store, new_id
from .timing import Timing

SECRET_REF = re.compile(r"\{\{\s*RUNPOD_SECRET_([A-Za-z0-9_.\-/]+)\s*\}\}")
# What the k-th create meets in realistic mode (then the list starts again): one of each of
# Runpod's refusals within the first four creates, so a replay with two pods meets them all.
REALISTIC_CREATES = ("no_resources", "transient", "ok", "null", "ok", "ok")
REFUSALS = {
    "no_capacity": lambda: NoCapacity(NO_CAPACITY),
    "no_resources": lambda: NoCapacity(NO_RESOURCES),
    "transient": lambda: Transient(TRANSIENT),
    "insufficient_balance": lambda: PaymentRequired(
        "insufficient balance: deploying this pod needs at least one hour of its cost"
    ),
}


@dataclass
class Created:
    """A pod create that went through, and how its answer goes: "ok", "null" (made, answered
    with nothing) or "timeout" (made, answered `hold` seconds late)."""

    pod: Pod
    answer: str = "ok"
    hold: float | None = None


class Backend(Store):
    def __init__(
        self,
        root: Path,
        host_key: paramiko.PKey,
        timing: Timing,
        faults: Faults,
        anonymous_pulls: int | None = None,
    ) -> None:
        super().__init__(root, threading.RLock())
        self.host_key = host_key
        self.timing = timing
        self.faults = faults
        self.anonymous_pulls = anonymous_pulls  # Docker Hub's quota; None: no limit
        self.pods: dict[str, Pod] = {}
        self.meters: dict[str, Meter] = {}  # stay after a terminate: billing reads them
        self.logs: dict[str, PodLog] = {}
        self.internal_errors: list[str] = []  # the fake's own bugs
        self.lifecycle = Lifecycle(self)
        self._rootfs: RootFS | None = None
        self._creates = 0  # pod creates so far (realistic mode's answers follow it)
        self._pulls = 0  # anonymous Docker Hub pulls so far

    # --- helpers for lifecycle.py -----------------------------------------------------------
    def rootfs(self) -> RootFS:
        if self._rootfs is None:
            self._rootfs = RootFS(self.root / "rootfs")
        return self._rootfs

    def hosts(self) -> tuple[str, ...]:
        """The CUDA versions of the machines behind every offer, in the order tried."""
        return catalog.REALISTIC_HOSTS if self.timing.realistic else catalog.DEFAULT_HOSTS

    def refuse_ssh(self) -> bool:
        return self.faults.take("ssh", ("refuse",)) is not None

    def log_of(self, pod_id: str) -> PodLog:
        return self.logs.setdefault(pod_id, PodLog())

    def meter_of(self, pod_id: str) -> Meter:
        return self.meters.setdefault(pod_id, Meter(pod_id))

    def boot_env(self, pod: Pod) -> tuple[dict[str, str], str | None]:
        """The pod's env at boot: secrets filled in (or the first missing one's name), the
        account's SSH keys as PUBLIC_KEY with startSsh, a JUPYTER_PASSWORD with startJupyter,
        each unless the pod's env sets it (REST v2 OpenAPI, CreatePodRequest)."""
        missing: list[str] = []

        def fill(match: re.Match) -> str:
            value = self.secret_value(match[1])
            if value is None:
                missing.append(match[1])
            return value or ""

        env = {key: SECRET_REF.sub(fill, value) for key, value in pod.env.items()}
        if pod.start_ssh and not env.get("PUBLIC_KEY") and self.ssh_keys:
            env["PUBLIC_KEY"] = "\n".join(self.ssh_keys)
        if pod.start_jupyter and not env.get("JUPYTER_PASSWORD"):
            env["JUPYTER_PASSWORD"] = token.token_urlsafe(12)
        return env, (missing[0] if missing else None)

    # --- pods -------------------------------------------------------------------------------
    def create_pod(self, request: PodRequest) -> Created:
        with self.lock:
            volume = self.volumes.get(request.volume_id) if request.volume_id else None
            if request.registry_id and request.registry_id not in self.registries:
                raise Invalid(f"container registry credential not found: {request.registry_id}")
            gpu = placement.check(request, volume)
            stop_at = placement.terminate_time(request.terminate_after)
            answer, hold = self._outcome()
            if answer in REFUSALS:
                raise REFUSALS[answer]()
            if catalog.list_price(gpu, request.cloud) * request.count > catalog.BALANCE:
                raise REFUSALS["insufficient_balance"]()
            hosts = self.hosts()
            if self.faults.take("pod", ("old_driver",)):
                hosts = (catalog.OLD_DRIVER, *hosts)
            where = placement.place(gpu, request, volume, hosts)
            pod = self._new_pod(request, self._plan(request, where))
            pod.terminate_after = stop_at
            self.pods[pod.id] = pod
            self.lifecycle.begin(pod)
            if stop_at is not None:
                left = (stop_at - datetime.now(UTC)).total_seconds()
                self.lifecycle.later(pod, self.timing.scaled(max(0.0, left)), self._backstop)
            return Created(pod, answer, hold)

    def _outcome(self) -> tuple[str, float | None]:
        fault = self.faults.take("create_pod")
        if fault is not None:
            return fault.kind, fault.value
        if self.timing.realistic:
            self._creates += 1
            return REALISTIC_CREATES[(self._creates - 1) % len(REALISTIC_CREATES)], None
        return "ok", None

    def _plan(self, request: PodRequest, where: placement.Placement) -> PodPlan:
        plan = placement.plan(request, where, self.timing, self.faults)
        if request.registry_id is None and placement.docker_hub(request.image):
            self._pulls += 1  # an anonymous pull; Docker Hub limits them
            if self.anonymous_pulls is not None and self._pulls > self.anonymous_pulls:
                plan.pull_error = PULL_THROTTLED
        return plan

    def _new_pod(self, request: PodRequest, plan: PodPlan) -> Pod:
        pod_id = new_id(14)
        if request.volume_id:
            workspace = self.volumes[request.volume_id].path
        else:  # the pod's own volume disk: lives and dies with the pod
            workspace = self.root / "pod-volumes" / pod_id
            workspace.mkdir(parents=True)
        return Pod(
            id=pod_id,
            name=request.name,
            image_name=request.image,
            gpu_type_id=request.gpu_id,
            gpu_count=request.count,
            cloud_type="COMMUNITY" if plan.data_center is None else "SECURE",
            env=dict(request.env),
            ports=list(request.ports),
            container_disk_gb=request.container_disk_gb,
            volume_gb=request.volume_gb,
            volume_mount_path=request.mount_path,
            network_volume_id=request.volume_id,
            docker_args=request.docker_args,
            registry_id=request.registry_id,
            start_ssh=request.start_ssh,
            start_jupyter=request.start_jupyter,
            global_networking=request.global_networking,
            api_key=f"rpa_POD{token.token_hex(18).upper()}",
            machine_id=token.token_hex(6),
            plan=plan,
            workspace=workspace,
        )

    def _backstop(self, pod: Pod) -> None:
        """GraphQL terminateAfter: the pod is terminated when that time comes."""
        self._terminate(pod)

    def pod(self, pod_id: str) -> Pod:
        with self.lock:
            found = self.pods.get(pod_id)
        if found is None:
            raise NotFound(f"pod not found: {pod_id}")
        return found

    def list_pods(self) -> list[Pod]:
        with self.lock:
            return list(self.pods.values())

    def pod_for_key(self, key: str) -> str | None:
        """The pod whose pod-scoped RUNPOD_API_KEY this is (None: no pod's)."""
        with self.lock:
            return next((pod.id for pod in self.pods.values() if pod.api_key == key), None)

    def pod_action(self, pod_id: str, action: str) -> Pod:
        with self.lock:
            pod = self.pod(pod_id)
            if action not in ACTIONS[pod.status]:
                raise Conflict(f"a {pod.status} pod cannot {action}")
            if action == "terminate":
                self._terminate(pod)
            elif action == "stop":
                self.lifecycle.stop(pod)
            else:  # start, restart
                self.lifecycle.start(pod)
            return pod

    def resume_pod(self, pod_id: str, gpu_count: int | None) -> Pod:
        """GraphQL podResume: start a stopped pod, optionally with another GPU count."""
        with self.lock:
            pod = self.pod(pod_id)
            if pod.status in ("EXITED", "ERROR"):
                pod.gpu_count = gpu_count or pod.gpu_count
                self.lifecycle.start(pod)
            return pod

    def stop_pod(self, pod_id: str) -> Pod:
        with self.lock:
            pod = self.pod(pod_id)
            if pod.status != "EXITED":
                self.lifecycle.stop(pod)
            return pod

    def terminate_pod(self, pod_id: str) -> None:
        with self.lock:
            self._terminate(self.pod(pod_id))

    def _terminate(self, pod: Pod) -> None:
        self.lifecycle.terminate(pod)
        del self.pods[pod.id]
        if pod.network_volume_id is None:
            shutil.rmtree(pod.workspace, ignore_errors=True)

    def pod_log(self, pod_id: str) -> PodLog:
        with self.lock:
            self.pod(pod_id)
            return self.log_of(pod_id)

    def volume_users(self, volume_id: str) -> list[str]:
        return [pod.id for pod in self.pods.values() if pod.network_volume_id == volume_id]

    def registry_users(self, registry_id: str) -> list[str]:
        return [pod.id for pod in self.pods.values() if pod.registry_id == registry_id]

    # --- billing ----------------------------------------------------------------------------
    def pod_meters(self, pod_id: str | None) -> list[Meter]:
        with self.lock:
            return [m for m in self.meters.values() if pod_id is None or m.pod_id == pod_id]

    # --- everything -------------------------------------------------------------------------
    def clear(self) -> None:
        with self.lock:
            for pod in list(self.pods.values()):
                self._terminate(pod)
            self.clear_store()
            self.meters.clear()
            self.logs.clear()
            self.internal_errors.clear()
            self._creates = self._pulls = 0

    def note_bug(self, message: str) -> None:
        with self.lock:
            self.internal_errors.append(message)
