"""FakeRunpod: the object tests drive. It owns the backend (the account), the faults, the
clock, the rate limit and the HTTP server (server.py), and exposes what tests look at.

HTTP is the standard library's ThreadingHTTPServer: no extra dependency, starts and stops in
milliseconds, one thread per request (so a slow or sleeping request never blocks the others),
and it is plenty for a test double that serves a few requests per test.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import paramiko

from .backend import Backend
from .faults import Faults
from .models import LoggedRequest, Pod, Secret, Volume
from .ratelimit import RateLimit
from .server import Handler, surface_of
from .timing import Timing, check_scale

DEFAULT_API_KEY = "rpa_FAKERUNPODTESTKEY0000000000000000000000000000"


class FakeRunpod:
    """A local Runpod on 127.0.0.1. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        pod_start_delay: float = 0.3,
        faults: str | None = None,
        *,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        timeout_sleep: float = 35.0,
        realistic: bool = False,
        time_scale: float = 1.0,
        retired: bool = False,
        rate_limit: int | None = None,
        anonymous_pulls: int | None = None,
    ) -> None:
        self.api_key = api_key
        self.timeout_sleep = timeout_sleep  # > the runpod SDK's 30 s request timeout
        self.retired = retired  # GraphQL answers 410, as after Runpod retires it
        self._defaults = (pod_start_delay, timeout_sleep, time_scale)  # what reset() restores
        self.faults = Faults()
        self.faults.set(faults)  # ValueError on an unknown fault, before anything starts
        # realistic: Runpod's timings, mixed CUDA drivers, its capacity and transient errors
        self.timing = Timing(realistic, time_scale, pod_start_delay)  # ValueError: bad scale
        self.rate_limit = RateLimit(rate_limit)  # ValueError below 1
        if anonymous_pulls is not None and anonymous_pulls < 0:
            raise ValueError(f"anonymous_pulls must be 0 or more, not {anonymous_pulls}")
        self._port = port
        self._root = Path(tempfile.mkdtemp(prefix="fake-runpod-"))
        # ECDSA: generating it is instant (RSA would cost a noticeable part of a second)
        self.host_key = paramiko.ECDSAKey.generate()
        self.backend = Backend(self._root, self.host_key, self.timing, self.faults, anonymous_pulls)
        self.stopping = threading.Event()
        self.log_lock = threading.Lock()
        self.request_log: list[LoggedRequest] = []
        self.generation = 0  # bumped by reset(): late requests from before it are dropped
        self._http: ThreadingHTTPServer | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeRunpod:
        if self.stopping.is_set():
            raise RuntimeError("a stopped FakeRunpod cannot be restarted; make a new one")
        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._http = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._http.daemon_threads = True
        thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes requests sleeping in a timeout fault, ends log streams
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        self.backend.clear()
        shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> FakeRunpod:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what tests use -------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("the fake Runpod is not running; call start() first")
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def realistic(self) -> bool:
        return self.timing.realistic

    @property
    def time_scale(self) -> float:
        """The factor on every modelled duration (realistic pulls, sshd start-up,
        terminateAfter, the billing meter); a test may change it, reset() restores it."""
        return self.timing.time_scale

    @time_scale.setter
    def time_scale(self, factor: float) -> None:
        self.timing.time_scale = check_scale(factor)

    @property
    def pod_start_delay(self) -> float:
        """Seconds from create to runtime (default mode); a test may change it."""
        return self.timing.start_delay

    @pod_start_delay.setter
    def pod_start_delay(self, seconds: float) -> None:
        self.timing.start_delay = seconds

    def set_faults(self, spec: str | None) -> None:
        self.faults.set(spec)

    def reset(self) -> None:
        """Forget pods (their SSH servers stop), volumes, secrets, registry credentials, SSH
        keys, billing, logs, faults, the rate limit's counts and the request log;
        pod_start_delay, timeout_sleep and time_scale go back to their constructor values."""
        self.faults.clear()
        self.backend.clear()
        self.rate_limit.reset()
        with self.log_lock:
            self.request_log.clear()
            self.generation += 1
        self.pod_start_delay, self.timeout_sleep, self.time_scale = self._defaults

    @property
    def requests(self) -> list[LoggedRequest]:
        with self.log_lock:
            return list(self.request_log)

    @property
    def old_api_requests(self) -> list[str]:
        """Requests to an API Runpod retires (GraphQL) or has retired (REST v1), as
        "METHOD /path": what the guide must no longer send."""
        return [
            f"{r.method} {r.path}" for r in self.requests if surface_of(r.path) in ("graphql", "v1")
        ]

    @property
    def internal_errors(self) -> list[str]:
        """The fake's own bugs and contract violations (should always be empty)."""
        with self.backend.lock:
            return list(self.backend.internal_errors)

    @property
    def state(self) -> Backend:
        """The account (backend.py): tests may add volumes and secrets straight to it."""
        return self.backend

    @property
    def pods(self) -> dict[str, Pod]:
        return self.backend.pods

    @property
    def volumes(self) -> dict[str, Volume]:
        return self.backend.volumes

    @property
    def secrets(self) -> dict[str, Secret]:
        return self.backend.secrets

    def volume_dir(self, volume_id: str) -> Path:
        return self.backend.volumes[volume_id].path
