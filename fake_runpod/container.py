"""A fake pod's container: its processes see the pod's own paths, as on Runpod.

A fake pod runs commands on this machine, but what they see is shaped like a real pod:
the network volume (or the pod's own volume) at /workspace, a HOME of its own at /root and
the /etc/rp_environment its start-up wrote. Two ways to bind those folders, both without
privileges:

- namespace: where the machine allows unprivileged user and mount namespaces (`unshare -rm`,
  util-linux), real bind mounts and a chroot in a namespace of the pod's own (pod_root.py).
  The kernel resolves the paths, so the pod's commands run at this machine's speed.
- proot (Debian package `proot`): binds in user space by tracing every system call, about ten
  times slower to start a Python. It works where namespaces are refused: inside the
  unprivileged Docker container of GitHub Actions (Docker's default seccomp profile), or
  where AppArmor restricts them (Ubuntu 24.04).

The first pod's start tries a namespace once, with this fake's real binds, and keeps what
worked (RootFS.isolation). FAKE_RUNPOD_ISOLATION=proot chooses proot.

The pods' root is a folder of the fake's own (RootFS): this machine's top-level folders
bound in, /etc a folder of links to this machine's /etc, and empty mount points for /root,
/workspace and /etc/rp_environment, so proot never has to make a mount point in this
machine's own / (as root, it would).

One process per pod, pod_init.py, stands for the container's init and sshd: it runs under
proot with the container's environment and starts each SSH session's command as its child.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .image import install_guards
from .pod_init import HEADER
from .startup import START_SH

PROOT = shutil.which("proot")
UNSHARE = shutil.which("unshare")
POD_INIT = Path(__file__).with_name("pod_init.py")
POD_ROOT = Path(__file__).with_name("pod_root.py")
START_TIMEOUT = 20.0  # seconds for proot + python to come up, on a slow CI machine
STOP_TIMEOUT = 5.0  # seconds for proot to exit once the pod's processes are gone
HOST_ETC = "/.fake-runpod-host-etc"  # where this machine's /etc is, for the links in /etc


class ContainerError(Exception):
    """The container could not start (the message says why and what to install)."""


class RootFS:
    """The root folder of every pod of one fake (made once, on the first pod's start)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        self.folder = folder
        self.binds: dict[str, Path] = {}  # this machine's folders, at the same place
        for entry in sorted(os.listdir("/")):
            source, target = Path("/", entry), folder / entry
            if source.is_symlink():  # /bin -> usr/bin and the like
                target.symlink_to(os.readlink(source))
            elif source.is_dir() and entry not in ("root", "etc"):
                target.mkdir()
                self.binds[f"/{entry}"] = source
        (folder / "root").mkdir()
        etc = folder / "etc"
        etc.mkdir()
        for entry in os.listdir("/etc"):
            if entry != "rp_environment":
                (etc / entry).symlink_to(f"{HOST_ETC}/{entry}")
        (etc / "rp_environment").touch()  # each pod binds its own file here
        (folder / HOST_ETC.lstrip("/")).mkdir()
        self.binds[HOST_ETC] = Path("/etc")
        install_guards(folder)
        start = folder / "start.sh"  # the image's start script (startup.py)
        start.write_text(START_SH, encoding="utf-8")
        start.chmod(0o755)
        self._isolation: str | None = None
        self._isolation_lock = threading.Lock()

    @property
    def isolation(self) -> str:
        """How this fake's pods see their folders, "namespace" or "proot" (decided once)."""
        with self._isolation_lock:
            if self._isolation is None:
                wanted = os.environ.get("FAKE_RUNPOD_ISOLATION", "")
                works = wanted != "proot" and self._namespace_works()
                self._isolation = "namespace" if works else "proot"
            return self._isolation

    def _namespace_works(self) -> bool:
        """Enter this root in a namespace of its own, with every bind a pod has, once."""
        if UNSHARE is None:
            return False
        try:
            done = subprocess.run(
                self.entry(self.binds, "namespace") + ["/bin/true"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=START_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    def entry(self, binds: dict[str, Path], isolation: str) -> list[str]:
        """The command prefix that runs a command inside this root with these binds."""
        if isolation == "namespace":
            table = json.dumps({inside: str(outside) for inside, outside in binds.items()})
            argv = [UNSHARE, "--user", "--map-root-user", "--mount"]
            return argv + [sys.executable, "-I", "-S", str(POD_ROOT), str(self.folder), table, "--"]
        argv = [PROOT, "-0", "-r", str(self.folder), "-w", "/root"]
        for inside, outside in binds.items():
            argv += ["-b", f"{outside}:{inside}"]
        return argv

    def mount_point(self, path: str) -> None:
        """An empty folder where a pod mounts something (its volume)."""
        (self.folder / path.lstrip("/")).mkdir(parents=True, exist_ok=True)


@dataclass
class Launch:
    """What the container runs and whom it tells: its main process (the start command), a
    callback per line of its output and one for its end (with the exit status)."""

    argv: list[str]
    on_output: Callable[[str], None]
    on_exit: Callable[[int], None]


class Container:
    """start() brings up the pod's processes and its main process; run() starts one command
    inside; stop() ends every process of the pod."""

    def __init__(
        self,
        folder: Path,
        rootfs: RootFS,
        binds: dict[str, Path],
        env: dict[str, str],
        launch: Launch,
    ) -> None:
        self.folder = folder  # on this machine: the socket and proot's error log
        self.rootfs = rootfs
        self.binds = binds  # path inside the pod -> folder or file on this machine
        self.env = env  # the container's environment (what start.sh's printenv sees)
        self.launch = launch
        self.socket_path = folder / "init.sock"
        self._process: subprocess.Popen | None = None
        self._init_pid = 0  # pod_init's process group: every process of the pod
        self._lifeline = -1  # closed (also when this process dies): the pod's processes go
        # start() and stop() run on different threads (a pod can be terminated while its
        # container starts): a stop comes before the launch, or before start()'s verdict,
        # or after it, never in between.
        self._lock = threading.RLock()
        self._stopped = False

    def host_path(self, path: str) -> str:
        """Where a path inside the pod is on this machine (for the SFTP server)."""
        for inside in sorted(self.binds, key=len, reverse=True):
            if path == inside or path.startswith(inside.rstrip("/") + "/"):
                return str(self.binds[inside]) + path[len(inside) :]
        return path

    def start(self) -> None:
        with self._lock:
            if self._stopped:  # terminated before it started: no need to look at the machine
                return
        isolation = self.rootfs.isolation
        if isolation == "proot" and PROOT is None:
            raise ContainerError(
                "fake Runpod pods need proot to show /workspace and /root where this machine "
                "refuses user namespaces (Debian/Ubuntu: apt-get install proot)"
            )
        for inside, outside in self.binds.items():
            if outside.is_dir():
                self.rootfs.mount_point(inside)
        with self._lock:  # a stop() that came first wins: nothing is started
            if self._stopped:
                return
            lifeline, self._lifeline = os.pipe()
            binds = {**self.rootfs.binds, **self._pass_through(), **self.binds}
            argv = self.rootfs.entry(binds, isolation)
            argv += [sys.executable, "-I", "-S", str(POD_INIT), str(self.socket_path)]
            argv += [str(lifeline), json.dumps(self.launch.argv), isolation]
            with open(self.folder / "container.log", "wb") as log:
                process = self._process = subprocess.Popen(
                    argv,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    pass_fds=(lifeline,),
                    start_new_session=True,
                )
        os.close(lifeline)
        try:
            ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
            words = process.stdout.readline().split() if ready else []
        except (OSError, ValueError):  # stop() closed the pipe: the pod went while starting
            words = []
        with self._lock:
            if self._process is not process:
                return  # stopped (the pod was stopped or terminated) while starting
            if len(words) != 2 or words[0] != b"ready":
                self.stop()
                log_text = (self.folder / "container.log").read_text(errors="replace")[-500:]
                raise ContainerError(f"the fake pod's container did not start: {log_text}")
            self._init_pid = int(words[1])
        threading.Thread(target=self._follow, args=(process,), daemon=True).start()

    def _follow(self, process: subprocess.Popen) -> None:
        """Relay the main process's output and its end (see pod_init.py)."""
        try:
            for raw in process.stdout:
                kind, _, rest = raw.decode("utf-8", "replace").rstrip("\n").partition(" ")
                if kind == "out":
                    self.launch.on_output(rest)
                elif kind == "exited":
                    self.launch.on_exit(int(rest))
                    return
        except (OSError, ValueError):  # stop() closed the pipe
            return
        with self._lock:
            if self._process is process:  # pod_init itself died: the container is gone
                self.launch.on_exit(255)

    def _pass_through(self) -> dict[str, Path]:
        """This machine's Python, when it lives under a path the pod has its own of (pyenv or
        uv keep it in /root): the pod's init runs with it, so it must stay visible."""
        extra = {}
        for prefix in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}:
            if self.host_path(str(prefix)) != str(prefix):
                extra[str(prefix)] = prefix
        return extra

    def run(self, argv: list[str], env: dict[str, str], cwd: str, stdio: tuple[int, int, int]):
        """Start argv inside the pod with these stdin/stdout/stderr descriptors; returns a
        session whose wait_status() gives the exit status."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(self.socket_path))
            body = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
            socket.send_fds(conn, [HEADER.pack(len(body))], list(stdio))
            conn.sendall(body)
        except OSError:
            conn.close()
            raise
        return _Session(conn)

    def stop(self) -> None:
        """Every process of the pod ends (background jobs too); then proot exits by itself."""
        with self._lock:
            self._stopped = True
            process, self._process = self._process, None
            lifeline, self._lifeline = self._lifeline, -1
        if lifeline >= 0:
            os.close(lifeline)
        if process is None:
            return
        try:
            if self._init_pid:
                os.killpg(self._init_pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            # not started, or something left the pod's group: end proot and its group too
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()
        process.stdout.close()


class _Session:
    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn

    def wait_status(self) -> int:
        """The command's exit status (128+N after signal N; 255 when the pod went away)."""
        data = b""
        with self.conn:
            while not data.endswith(b"\n"):
                chunk = self.conn.recv(64)
                if not chunk:
                    return 255
                data += chunk
        status = int(data)
        return 128 - status if status < 0 else status
