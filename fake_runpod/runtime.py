"""A pod's running container: its folders, its processes (container.py: in a namespace or
under proot), its sshd (ssh.py), and what its start-up leaves (startup.py). lifecycle.py makes
one per boot and stops it when the pod stops, exits or is terminated.

Inside the pod: /root is a HOME of this boot's own, the volume is at its mount path,
/etc/rp_environment and the fake's state folder (/.fake-runpod/pod) are the pod's own; the
rest is this machine's. The SSH port is mapped as soon as the container starts, but sshd
answers only once the start-up has started it (start.sh, with a PUBLIC_KEY) and its start-up
time (`sshd_delay`) has passed: until then a connection is reset, as a port with nothing
behind it is.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import paramiko

from .container import Container, Launch, RootFS
from .models import Pod
from .ssh import PodSSH
from .startup import POD_STATE, SSHD_STARTED, container_env, write_image_files


class PodRuntime:
    """The container of one boot of a pod. start() is slow (a process tree comes up): call it
    without locks."""

    def __init__(
        self,
        pod: Pod,
        folder: Path,
        rootfs: RootFS,
        env: dict[str, str],
        launch: Launch,
        host_key: paramiko.PKey,
        refuse_ssh: Callable[[], bool],
    ) -> None:
        self.folder = folder
        self.home = folder / "home"
        self.state = folder / "state"
        write_image_files(self.home, self.state)
        (folder / "etc").mkdir()
        (folder / "etc" / "rp_environment").touch()
        binds = {
            "/root": self.home,
            pod.mount_path: pod.workspace,
            "/etc/rp_environment": folder / "etc" / "rp_environment",
            POD_STATE: self.state,
        }
        self.sshd_delay = pod.plan.sshd_delay
        self.exit_status: int | None = None  # the main process ended, with this status
        self.ssh: PodSSH | None = None
        wants_ssh = "22/tcp" in pod.ports
        self.container = Container(folder, rootfs, binds, {}, launch)
        if wants_ssh:
            self.ssh = PodSSH(host_key, self.container, refuse_ssh, self.sshd_answers)
        port = self.ssh.start() if self.ssh else None
        self.container.env = container_env(pod, env, port)

    @property
    def ssh_port(self) -> int | None:
        return self.ssh.port if self.ssh else None

    @property
    def env(self) -> dict[str, str]:
        return self.container.env

    def sshd_answers(self) -> bool:
        """sshd is up: start.sh started it, and its start-up time has passed."""
        marker = Path(self.container.host_path(SSHD_STARTED))
        try:
            started = marker.stat().st_mtime
        except OSError:
            return False
        return time.time() - started >= self.sshd_delay

    def start(self) -> None:
        """Start the container and its main process (ContainerError if it cannot)."""
        self.container.start()

    def stop(self) -> None:
        """Every process of the pod ends; SSH closes; this boot's folders go."""
        if self.ssh is not None:
            self.ssh.stop()
        self.container.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
