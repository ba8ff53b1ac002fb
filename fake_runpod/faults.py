"""Fault injection: a tiny grammar, parsed once, consumed in order by the fake.

Grammar (comma separated, whitespace ignored):  TARGET:KIND[=VALUE[s]][xCOUNT]
  COUNT is a positive integer or "*" (every time); without it a fault fires once.
  Faults for the same target are consumed in the order written. README.md has the table of
  what each one does; in short:

  rest:S (S in STATUSES), rest:html, rest:html200, rest:truncated, rest:429=S,
  rest:429_date | 429_malformed | 429_negative | 429_missing
      the next /v2 request is answered that way and NOT carried out
  rest_create:S | html | html200 | truncated | drop | empty
      the next REST create (a POST create*) IS carried out, then answered that way
  timeout:rest[=S] | timeout:rest_create[=S] | lost:rest | lost:rest_create
      carried out; the answer held back S seconds, or replaced by a proxy's 502 page
  create_pod:no_capacity | no_resources | transient | insufficient_balance | null | timeout[=S]
  pod:slow_start=S | never_ready | old_driver | slow_sshd=S | error | exits | no_port=S |
      private_port=S
  ssh:refuse
  graphql:429 | 500 | 502 | 503 | html, timeout:graphql[=S], lost:graphql (normal mode only)
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

# HTTP statuses a `rest:` or `rest_create:` fault answers with; 52x are Cloudflare's pages
STATUSES = ("401", "403", "408", "410", "429", "500", "502", "503", "504", "520", "522", "524")
RETRY_AFTER_KINDS = ("429_date", "429_malformed", "429_negative", "429_missing")

# target -> kinds it accepts; kinds marked with a value need/allow "=S"
VALID: dict[str, tuple[str, ...]] = {
    "graphql": ("429", "500", "502", "503", "html"),
    "rest": (*STATUSES, *RETRY_AFTER_KINDS, "html", "html200", "truncated"),
    "rest_create": (*STATUSES, "html", "html200", "truncated", "drop", "empty"),
    "timeout": ("graphql", "rest", "rest_create"),
    "lost": ("graphql", "rest", "rest_create"),
    "create_pod": (
        "no_capacity",
        "no_resources",
        "transient",
        "insufficient_balance",
        "null",
        "timeout",
    ),
    "ssh": ("refuse",),
    "pod": (
        "slow_start",
        "never_ready",
        "old_driver",
        "slow_sshd",
        "error",
        "exits",
        "no_port",
        "private_port",
    ),
}
NEEDS_VALUE = {
    ("pod", "slow_start"),
    ("pod", "slow_sshd"),
    ("pod", "no_port"),
    ("pod", "private_port"),
}
ALLOWS_VALUE = (
    NEEDS_VALUE
    | {("timeout", kind) for kind in VALID["timeout"]}
    | {("create_pod", "timeout"), ("rest", "429"), ("rest_create", "429")}
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
