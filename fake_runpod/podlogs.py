"""A pod's log lines: the host's system log (pull, container create and start, why a pod
failed) and the container's own output, as `GET /v2/pods/{id}/logs` streams them.

The system lines follow what public reports of Runpod's pod logs show (FIDELITY.md, "Pod
logs"): `create container IMAGE`, docker's pull progress (`TAG Pulling from REPO`,
`LAYER Pulling fs layer`, `LAYER Downloading [==>   ] 1.2GB/4.8GB`, `Digest: ...`,
`Status: Downloaded newer image for IMAGE`), and `error pulling image: ...` /
`error starting container: ...` when it fails.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

from .models import LogLine, now

# Why a container never starts (the machine's driver is older than the image needs): what
# Runpod's system log shows (github.com/runpod/containers/issues/98, 2025-08-10).
CUDA_FAILURE = (
    "error starting container: nvidia-container-cli: requirement error: unsatisfied "
    "condition: cuda>={needed}, please update your driver to a newer version, or use an "
    "earlier cuda container: unknown"
)
# Docker Hub's answer to an anonymous pull over its limit (docs.docker.com, "Docker Hub
# usage and limits"); Runpod's smoke tests look for `toomanyrequests` in the pod's logs
# (runpod/containers tests/runpod_smoke/pod.py, RUNTIME_ERROR_RE).
PULL_THROTTLED = (
    "error pulling image: Error response from daemon: toomanyrequests: You have reached your "
    "unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit"
)
NO_SUCH_REFERENCE = "error creating container: secret {name!r} not found"  # the fake's words
BAD_START_COMMAND = "error creating container: cannot parse the start command: {error}"
LAYERS = 4


def _layer(image: str, index: int) -> str:
    return hashlib.sha256(f"{image}/{index}".encode()).hexdigest()[:12]


def pull_start(image: str) -> list[str]:
    repository, _, tag = image.partition(":")
    lines = [f"create container {image}", f"{tag or 'latest'} Pulling from {repository}"]
    return lines + [f"{_layer(image, i)} Pulling fs layer" for i in range(LAYERS)]


def pull_progress(image: str, fraction: float) -> str:
    """One progress line, docker's way: a bar and the bytes of the biggest layer."""
    size = 4.8  # GB, the fake's biggest layer
    filled = int(50 * fraction)
    bar = "=" * filled + (">" if filled < 50 else "") + " " * max(0, 49 - filled)
    return f"{_layer(image, 0)} Downloading [{bar}]  {size * fraction:.2f}GB/{size}GB"


def pull_done(image: str) -> list[str]:
    digest = hashlib.sha256(image.encode()).hexdigest()
    lines = [f"{_layer(image, i)} Pull complete" for i in range(LAYERS)]
    return lines + [f"Digest: sha256:{digest}", f"Status: Downloaded newer image for {image}"]


@dataclass
class PodLog:
    """The lines of one pod, kept after it is terminated (until the fake is reset)."""

    lines: list[LogLine] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    closed: bool = False  # the pod is gone: a stream ends once it has sent everything

    def add(self, source: str, text: str) -> None:
        with self.changed:
            for part in text.splitlines() or [""]:
                self.lines.append(LogLine(now(), source, part))
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def since(self, index: int, source: str | None) -> list[tuple[int, LogLine]]:
        with self.changed:
            return [
                (i, line)
                for i, line in enumerate(self.lines[index:], start=index)
                if source is None or line.source == source
            ]

    def wait(self, index: int, timeout: float) -> bool:
        """Wait until there is a line at index or later, or the log closes; True if so."""
        with self.changed:
            return self.changed.wait_for(
                lambda: len(self.lines) > index or self.closed, timeout=timeout
            )
