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
from datetime import UTC, datetime, timedelta

PREFIX = "kgl-live-"
_STAMP_FORMAT = "%Y%m%dt%H%M%Sz"
# What each resource of a run is called after its run id (and nothing else is ours).
ROLES = ("kaggle", "vol", "pod1", "pod2")
_RUN_ID = re.compile(r"(?P<stamp>[0-9]{8}t[0-9]{6}z)-(?P<suffix>[0-9a-f]{6})")
_NAME = re.compile(rf"{re.escape(PREFIX)}{_RUN_ID.pattern}-(?P<role>{'|'.join(ROLES)})")
# The sweeper judges a run's age by the time in its name, so that time must be the run's
# start: no replay ran before EARLIEST, clocks may disagree by MAX_SKEW, and a replay takes
# an id at most MAX_ID_AGE old (the nightly workflow picks it in the job just before).
EARLIEST = datetime(2026, 1, 1, tzinfo=UTC)
MAX_SKEW = timedelta(minutes=5)
MAX_ID_AGE = timedelta(minutes=10)


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


def stamp_is_plausible(created: datetime, now: datetime) -> bool:
    """A name's time could be a real run's start: not before EARLIEST, not in the future."""
    return EARLIEST <= created <= now + MAX_SKEW


def run_id_problem(run_id: str, now: datetime | None = None) -> str | None:
    """Why a replay must not start under this (well-formed) run id, in Japanese, or None."""
    now = now or datetime.now(UTC)
    created = _stamp_time(run_id.split("-")[0])
    if created is None:
        return f"実行 ID の形が正しくありません: {run_id!r}"
    if created > now + MAX_SKEW:
        return (
            f"実行 ID の時刻 {created:%Y-%m-%d %H:%M} UTC が未来です。掃除（make sweep）は"
            "この時刻で古さを判断するため、残りを見つけられなくなります。"
        )
    if now - created > MAX_ID_AGE:
        minutes = (now - created).total_seconds() / 60
        return (
            f"実行 ID の時刻 {created:%Y-%m-%d %H:%M} UTC は {minutes:.0f} 分前です。掃除"
            "（make sweep）はこの時刻で古さを判断するため、実行中のものを消してしまいます。"
            f"{MAX_ID_AGE.total_seconds() / 60:.0f} 分以内の ID を使うか、--run-id を"
            "外してください。"
        )
    return None
