"""Names of everything the live replay creates: `kgl-live-<UTC timestamp>-<random>`.

Runpod does not return a creation time for every kind of resource (secrets have
none), so the run's start time is written into the name and read back by the sweeper.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

PREFIX = "kgl-live-"
_STAMP_FORMAT = "%Y%m%dt%H%M%Sz"
# kgl-live-20261127t120333z-a1b2c3, optionally followed by "-<role>" (e.g. "-pod1").
_NAME = re.compile(r"^kgl-live-(?P<stamp>\d{8}t\d{6}z)-(?P<suffix>[0-9a-f]{6})(?:-[a-z0-9-]+)?$")


def new_run_id(now: datetime | None = None) -> str:
    """A run id: the UTC start time plus a random suffix, e.g. 20261127t120333z-a1b2c3."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC).strftime(_STAMP_FORMAT)}-{secrets.token_hex(3)}"


def is_run_id(run_id: str) -> bool:
    return _NAME.match(PREFIX + run_id) is not None and "-" not in run_id[17:]


def resource_name(run_id: str, role: str | None = None) -> str:
    """The name of one resource of a run, e.g. kgl-live-<run id>-pod1."""
    return f"{PREFIX}{run_id}" + (f"-{role}" if role else "")


def parse_name(name: str | None) -> tuple[str, datetime] | None:
    """(run id, created time) for a name this project made, else None."""
    match = _NAME.match(name or "")
    if not match:
        return None
    created = datetime.strptime(match["stamp"], _STAMP_FORMAT).replace(tzinfo=UTC)
    return f"{match['stamp']}-{match['suffix']}", created
