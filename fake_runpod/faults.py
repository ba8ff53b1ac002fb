"""Fault injection: a tiny grammar, parsed once, consumed in order by the server.

Grammar (comma separated, whitespace ignored):  TARGET:KIND[=SECONDS[s]][xCOUNT]
  COUNT is a positive integer or "*" (every time); without it a fault fires once.
  Faults for the same target are consumed in the order written.

  graphql:500 | graphql:502 | graphql:503 | graphql:429 | graphql:html
  rest:500    | rest:502    | rest:503    | rest:429    | rest:html
      -> the next POST /graphql (or /v2/... request) gets that HTTP error instead of an answer;
         "html" is a 502 with a Cloudflare-style HTML page (not JSON).
  timeout:graphql[=S] | timeout:rest[=S]
      -> the next request is carried out at once, but its answer is held back S seconds
         (default: FakeRunpod.timeout_sleep), so a client with a shorter timeout gives up on
         a create that did happen.
  lost:graphql | lost:rest
      -> the next request is carried out, but the client gets a proxy's 502 (HTML) instead
         of the answer: a create whose answer was lost.
  timeout:rest_create[=S] | lost:rest_create
      -> the same, for the next REST create (a POST) only: the reads around it are answered.
  create_pod:no_capacity | create_pod:no_resources | create_pod:transient
      -> the next podFindAndDeployOnDemand fails with Runpod's "no longer any instances
         available", "does not have the resources" or "Something went wrong" error.
  create_pod:null
      -> the next podFindAndDeployOnDemand creates the pod but answers null, without error.
  create_pod:timeout[=S]
      -> the next podFindAndDeployOnDemand creates the pod, then holds its answer back S
         seconds (default: FakeRunpod.timeout_sleep); the reads around it are answered.
  ssh:refuse
      -> the next SSH TCP connection (to any pod) is reset right after accept.
  pod:slow_start=S
      -> the next created pod takes S seconds (not pod_start_delay) to get its runtime.
  pod:never_ready
      -> the next created pod keeps runtime null forever (desiredStatus stays RUNNING).
  pod:old_driver
      -> the next created pod's data center has a machine with an old driver (CUDA 12.4)
         first: the pod lands there unless allowedCudaVersions leaves it out, and an image
         built for a newer CUDA never starts on it.
  pod:slow_sshd=S
      -> the next created pod's sshd answers S seconds after its runtime appears (until
         then its SSH port resets connections).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

# target -> kinds it accepts; kinds marked with a value need/allow "=S"
VALID: dict[str, tuple[str, ...]] = {
    "graphql": ("429", "500", "502", "503", "html"),
    "rest": ("429", "500", "502", "503", "html"),
    "timeout": ("graphql", "rest", "rest_create"),
    "lost": ("graphql", "rest", "rest_create"),
    "create_pod": ("no_capacity", "no_resources", "transient", "null", "timeout"),
    "ssh": ("refuse",),
    "pod": ("slow_start", "never_ready", "old_driver", "slow_sshd"),
}
NEEDS_VALUE = {("pod", "slow_start"), ("pod", "slow_sshd")}
ALLOWS_VALUE = (
    NEEDS_VALUE | {("timeout", kind) for kind in VALID["timeout"]} | {("create_pod", "timeout")}
)

_FAULT = re.compile(
    r"^(?P<target>[a-z_]+):(?P<kind>[a-z0-9_]+?)"
    r"(?:=(?P<value>\d+(?:\.\d+)?)s?)?(?:x(?P<count>\d+|\*))?$"
)


def valid_faults() -> str:
    names = [f"{target}:{kind}" for target, kinds in VALID.items() for kind in kinds]
    return ", ".join(names)


@dataclass
class Fault:
    target: str
    kind: str
    value: float | None  # seconds, for slow_start / timeout
    remaining: int | None  # None = every time

    def __str__(self) -> str:
        value = "" if self.value is None else f"={self.value:g}s"
        count = "x*" if self.remaining is None else f"x{self.remaining}"
        return f"{self.target}:{self.kind}{value}{count}"


def parse(spec: str | None) -> list[Fault]:
    """Parse a fault spec; raise ValueError naming the valid faults on anything unknown."""
    faults: list[Fault] = []
    for raw in (spec or "").split(","):
        item = raw.strip()
        if not item:
            continue
        match = _FAULT.match(item)
        target, kind = (match["target"], match["kind"]) if match else (None, None)
        if not match or kind not in VALID.get(target, ()):
            raise ValueError(
                f"unknown fault {item!r}; valid faults: {valid_faults()} "
                "(form TARGET:KIND[=SECONDS][xCOUNT], COUNT an integer or *)"
            )
        value = float(match["value"]) if match["value"] else None
        if (target, kind) in NEEDS_VALUE and value is None:
            raise ValueError(f"fault {item!r} needs a duration, e.g. {target}:{kind}=20s")
        if value is not None and (target, kind) not in ALLOWS_VALUE:
            raise ValueError(f"fault {item!r} takes no value; valid faults: {valid_faults()}")
        count = match["count"]
        remaining = None if count == "*" else int(count or 1)
        if remaining == 0:
            raise ValueError(f"fault {item!r}: the count must be at least 1")
        faults.append(Fault(target, kind, value, remaining))
    return faults


class Faults:
    """Thread-safe queue of pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def set(self, spec: str | None) -> None:
        parsed = parse(spec)  # parse first: a bad spec leaves the old faults in place
        with self._lock:
            self._faults = parsed

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def take(self, target: str, kinds: tuple[str, ...] | None = None) -> Fault | None:
        """Consume one use of the first pending fault for target (optionally of these kinds)."""
        with self._lock:
            for fault in self._faults:
                if fault.target == target and (kinds is None or fault.kind in kinds):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[str]:
        with self._lock:
            return [str(fault) for fault in self._faults]
