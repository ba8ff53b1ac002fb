"""A pod's life on the fake, in REST v2's PodStatus (the OpenAPI's createPod and podAction):

  create -> PROVISIONING: being allocated; no data center, CUDA version or SSH endpoint yet
  a machine (timing.assign) -> STARTING: dataCenterId, cudaVersion and ssh.proxy appear, the
      billing meter runs, the system log shows the image pull
  pulled (timing.pull) -> the container starts (runtime.py) -> RUNNING: runtime, startedAt;
      ssh.direct once 22/tcp has a public port
    or -> ERROR, with system log lines saying why: an image built for a newer CUDA than the
      machine's driver, the fault pod:error, a secret the env refers to that does not exist, a
      start command that does not parse; or, during the pull, Docker Hub refusing an anonymous
      pull. A pod in ERROR keeps billing until it is stopped or terminated (`cost` is 0 only
      when EXITED or TERMINATED).
  the container's main process ends -> EXITED (its start command ended: pod:exits, or a
      start command that returns)
  stop -> EXITED; start -> STARTING on the same machine -> RUNNING; restart -> the same from
  RUNNING; terminate -> the pod is gone (404); its meter and its log stay.

Timers run each step later; a timer of an older boot (the pod was stopped meanwhile) does
nothing. Every change happens under the backend's lock; starting a container (a few hundred
milliseconds) happens outside it.
"""

from __future__ import annotations

import secrets as token
import threading
from collections.abc import Callable

from . import billing
from .container import ContainerError, Launch
from .image_tags import cuda_key, image_cuda
from .models import Pod, now, rfc3339
from .podlogs import (
    BAD_START_COMMAND,
    CUDA_FAILURE,
    NO_SUCH_REFERENCE,
    pull_done,
    pull_progress,
    pull_start,
)
from .runtime import PodRuntime
from .startup import start_command

PROGRESS_LINES = 4  # pull progress lines during a realistic pull
# Actions each status allows (the OpenAPI's podAction description)
ACTIONS = {
    "RUNNING": ["stop", "restart", "terminate"],
    "PROVISIONING": ["stop", "terminate"],
    "STARTING": ["stop", "terminate"],
    "EXITED": ["start", "terminate"],
    "ERROR": ["start", "terminate"],
}


class Lifecycle:
    """The pod transitions of one backend (backend.py owns the state and the lock)."""

    def __init__(self, backend) -> None:
        self.b = backend

    # --- timers ---------------------------------------------------------------------------
    def later(self, pod: Pod, delay: float | None, action: Callable, *args) -> None:
        """Run action(pod, *args) after delay seconds, unless the pod's boot changes."""
        if delay is None:
            return
        boot = pod.boot

        def fire() -> None:
            with self.b.lock:
                if self.b.pods.get(pod.id) is pod and pod.boot == boot:
                    action(pod, *args)

        timer = threading.Timer(max(0.0, delay), fire)
        timer.daemon = True
        pod.timers.append(timer)
        timer.start()

    def _new_boot(self, pod: Pod) -> None:
        pod.boot += 1
        for timer in pod.timers:
            timer.cancel()
        pod.timers.clear()

    def _status(self, pod: Pod, status: str) -> None:
        pod.status = status
        pod.last_status_change = f"{status.capitalize()} since {rfc3339(now())}"

    # --- from create to RUNNING -------------------------------------------------------------
    def begin(self, pod: Pod) -> None:
        self.later(pod, pod.plan.assign_delay, self._assign)

    def _assign(self, pod: Pod) -> None:
        pod.data_center = pod.plan.data_center
        pod.host_cuda = pod.plan.host_cuda
        pod.assigned = True
        self._status(pod, "STARTING")
        self._meter_running(pod)
        log = self.b.log_of(pod.id)
        for line in pull_start(pod.image_name):
            log.add("system", line)
        if pod.plan.pull_error:  # refused at the start of the pull (Docker Hub's limit)
            self.later(pod, min(pod.plan.pull_delay or 0.0, 1.0), self._fail, pod.plan.pull_error)
            return
        if pod.plan.pull_delay is None:  # pod:never_ready: the pull never ends
            return
        if self.b.timing.realistic:
            for step in range(1, PROGRESS_LINES + 1):
                at = pod.plan.pull_delay * step / (PROGRESS_LINES + 1)
                self.later(pod, at, self._progress, step / (PROGRESS_LINES + 1))
        self.later(pod, pod.plan.pull_delay, self._pulled)

    def _progress(self, pod: Pod, fraction: float) -> None:
        self.b.log_of(pod.id).add("system", pull_progress(pod.image_name, fraction))

    def _pulled(self, pod: Pod) -> None:
        for line in pull_done(pod.image_name):
            self.b.log_of(pod.id).add("system", line)
        self._boot(pod)

    def _boot(self, pod: Pod) -> None:
        """Start the container, unless something stops it from starting."""
        failure, env, argv = self._why_not(pod)
        if failure is not None:
            self._fail(pod, failure)
            return
        folder = self.b.root / "pods" / f"{pod.id}-{pod.boot}-{token.token_hex(3)}"
        folder.mkdir(parents=True)
        launch, owner = self._launch(pod, argv)
        runtime = PodRuntime(
            pod, folder, self.b.rootfs(), env, launch, self.b.host_key, self.b.refuse_ssh
        )
        owner.append(runtime)
        pod.runtime = runtime
        threading.Thread(target=self._start, args=(pod, runtime), daemon=True).start()

    def _why_not(self, pod: Pod) -> tuple[str | None, dict, list]:
        needed = image_cuda(pod.image_name)
        if pod.plan.failure:
            return pod.plan.failure, {}, []
        if needed and cuda_key(pod.host_cuda) < cuda_key(needed):
            return CUDA_FAILURE.format(needed=needed), {}, []
        env, missing = self.b.boot_env(pod)
        if missing:
            return NO_SUCH_REFERENCE.format(name=missing), {}, []
        if any("\0" in value for value in env.values()):  # what execve cannot take
            return "error creating container: an environment value holds a NUL byte", {}, []
        try:
            return None, env, start_command(pod.docker_args)
        except ValueError as error:
            return BAD_START_COMMAND.format(error=error), {}, []

    def _launch(self, pod: Pod, argv: list[str]) -> tuple[Launch, list[PodRuntime]]:
        """The container's launch, and a list that will hold its runtime (whose end it is)."""
        log = self.b.log_of(pod.id)
        owner: list[PodRuntime] = []

        def exited(status: int) -> None:
            with self.b.lock:
                if not owner or pod.runtime is not owner[0]:
                    return  # a container of an older boot
                owner[0].exit_status = status
                if pod.status == "RUNNING":
                    self._exited(pod)

        return Launch(argv, lambda line: log.add("container", line), exited), owner

    def _start(self, pod: Pod, runtime: PodRuntime) -> None:
        try:
            runtime.start()  # outside the lock: a container takes a few hundred milliseconds
        except ContainerError as error:
            with self.b.lock:
                if pod.runtime is runtime:  # not stopped meanwhile: the fake's own failure
                    self.b.internal_errors.append(f"pod {pod.id}: {error}")
                    self._fail(pod, f"error starting container: {error}")
            return
        with self.b.lock:
            if pod.runtime is not runtime:
                runtime.stop()  # stopped or terminated meanwhile
                return
            pod.started_at = now()
            self._status(pod, "RUNNING")
            self._map_port(pod)
            if runtime.exit_status is not None:
                self._exited(pod)
            elif pod.plan.exits:
                self.later(pod, self.b.timing.exit_after(), self._end_main)

    def _map_port(self, pod: Pod) -> None:
        pod.port_mapped = pod.plan.no_port_for <= 0
        pod.port_public = pod.plan.private_port_for <= 0
        self.later(pod, pod.plan.no_port_for, lambda p: setattr(p, "port_mapped", True))
        self.later(pod, pod.plan.private_port_for, lambda p: setattr(p, "port_public", True))

    def _end_main(self, pod: Pod) -> None:
        """pod:exits: the start command ends by itself (as if it returned)."""
        self.b.log_of(pod.id).add("container", "start command finished")
        self._exited(pod)

    # --- leaving RUNNING ------------------------------------------------------------------
    def _fail(self, pod: Pod, reason: str) -> None:
        self._halt(pod)
        self.b.log_of(pod.id).add("system", reason)
        self._status(pod, "ERROR")
        pod.last_status_change = reason

    def _exited(self, pod: Pod) -> None:
        status = pod.runtime.exit_status if pod.runtime is not None else None
        self._halt(pod)
        self.b.log_of(pod.id).add("system", f"container exited with status {status or 0}")
        self._status(pod, "EXITED")
        self._meter_stopped(pod)

    def _halt(self, pod: Pod) -> None:
        self._new_boot(pod)
        runtime, pod.runtime = pod.runtime, None
        if runtime is not None:
            runtime.stop()  # every process of the pod, background jobs too
        pod.port_mapped = pod.port_public = False
        pod.started_at = None

    def stop(self, pod: Pod) -> None:
        self._halt(pod)
        self._status(pod, "EXITED")
        self._meter_stopped(pod)

    def start(self, pod: Pod) -> None:
        """Start a stopped pod again: on its machine, which has the image already."""
        self._halt(pod)
        if not pod.assigned:  # stopped while PROVISIONING: allocated now
            self._status(pod, "PROVISIONING")
            pod.plan.assign_delay = self.b.timing.assign()
            pod.plan.pull_delay = self.b.timing.pull(pod.image_name)
            self.begin(pod)
            return
        self._status(pod, "STARTING")
        self._meter_running(pod)
        self.later(pod, self.b.timing.resume(), self._boot)

    def terminate(self, pod: Pod) -> None:
        self._halt(pod)
        pod.status = "TERMINATED"
        self.b.meter_of(pod.id).close(now())
        self.b.log_of(pod.id).close()

    # --- the meter --------------------------------------------------------------------------
    def _meter_running(self, pod: Pod) -> None:
        gpu, disk = billing.running_rates(
            pod.plan.price_per_gpu, pod.gpu_count, pod.container_disk_gb, pod.volume_gb
        )
        self.b.meter_of(pod.id).open(now(), gpu, disk)

    def _meter_stopped(self, pod: Pod) -> None:
        meter = self.b.meter_of(pod.id)
        if pod.volume_gb:
            meter.open(now(), 0.0, billing.stopped_rate(pod.volume_gb))
        else:
            meter.close(now())
