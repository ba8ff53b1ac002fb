"""Names of everything the live replay creates: `kgl-live-<UTC timestamp>-<random>-<role>`.

Runpod does not return a creation time for every kind of resource (secrets have none), so
the run's start time is written into the name and read back by the sweeper.

Only the exact names a replay makes are ours: the prefix, a real UTC time, six lower-case hex
digits and one of the replay's fixed roles, and nothing before or after (no suffix, no
newline). A name that merely looks like ours (the prefix with anything else) belongs to
someone else: the sweeper lists it as "not ours" and never touches it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "kgl-live-"
_STAMP_FORMAT = "%Y%m%dt%H%M%Sz"
# What each resource of a run is called after its run id (and nothing else is ours).
ROLES = ("kaggle", "vol", "pod1", "pod2")
_RUN_ID = re.compile(r"(?P<stamp>[0-9]{8}t[0-9]{6}z)-(?P<suffix>[0-9a-f]{6})")
_NAME = re.compile(rf"{re.escape(PREFIX)}{_RUN_ID.pattern}-(?P<role>{'|'.join(ROLES)})")


@dataclass(frozen=True)
class OurName:
    """A name this project made: which run, when it started, and what the resource is."""
    run_id: str
    created: datetime
    role: str


def new_run_id(now: datetime | None = None) -> str:
    """A run id: the UTC start time plus a random suffix, e.g. 20261127t120333z-a1b2c3."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC).strftime(_STAMP_FORMAT)}-{secrets.token_hex(3)}"


def is_run_id(run_id: object) -> bool:
    """True for a run id made by new_run_id (a real time, six hex digits, nothing else)."""
    match = _RUN_ID.fullmatch(run_id) if isinstance(run_id, str) else None
    return match is not None and _stamp_time(match["stamp"]) is not None


def resource_name(run_id: str, role: str) -> str:
    """The name of one resource of a run, e.g. kgl-live-<run id>-pod1."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {ROLES}")
    return f"{PREFIX}{run_id}-{role}"


def parse_name(name: object) -> OurName | None:
    """The run, time and role of a name this project made, else None (never raises)."""
    match = _NAME.fullmatch(name) if isinstance(name, str) else None
    if match is None:
        return None
    created = _stamp_time(match["stamp"])
    if created is None:  # e.g. month 13: looks like ours, is not
        return None
    return OurName(f"{match['stamp']}-{match['suffix']}", created, match["role"])


def looks_like_ours(name: object) -> bool:
    """Starts like our names but is not one of them: someone else's, left alone."""
    return isinstance(name, str) and name.startswith(PREFIX) and parse_name(name) is None


def _stamp_time(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, _STAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
