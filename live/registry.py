"""What a live run can leave behind, and how to remove it: one registry for teardown and sweep.

In the spirit of Terraform providers' sweepers: one list of kinds in dependency order (a pod
holds its network volume and refers to the secret, so pods go first, then volumes, then
secrets), each with how to list it, delete it and see that it is gone; the errors that are
safe to skip or worth retrying are written down once, here, by type (snippets/errors.py),
never by the wording of a message. The replay's teardown and
`python -m live.sweep` both go through `find` and `remove`, so they cannot drift apart.
Everything goes through the reader-facing snippets, as the guide's own clean-up page does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from live import naming

# Safe to skip: snippets.errors.NotFound, the item is already gone (a parallel sweep, a
# pod's watchdog or auto-stop, or an earlier try whose answer was lost got there first).
# Worth retrying until the deadline: snippets.errors.InUse, Runpod refusing to delete a
# network volume a pod still holds, which lasts a moment after the pod is terminated.
# Any other failure is reported; it is forgiven when the item is no longer listed afterwards.


@dataclass(frozen=True)
class Kind:
    name: str  # as in the report's `leaked` list: pod, volume, secret
    step: str  # the replay's teardown step for this kind
    list_all: Callable[[], list[dict]]
    delete: Callable[[str], None]


# What the API says about when an item was last touched (REST v2: a pod's createdAt and
# startedAt, a secret's createdAt and valueLastUpdatedAt; a volume says nothing).
ACTIVITY_FIELDS = ("createdAt", "startedAt", "valueLastUpdatedAt")


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    name: str
    ours: naming.OurName | None = None
    activity: datetime | None = None  # the newest time in ACTIVITY_FIELDS, if any

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name}


@dataclass
class Found:
    ours: list[Item] = field(default_factory=list)  # exact replay names, selected
    not_ours: list[Item] = field(default_factory=list)  # kgl-live-lookalikes: never touched


def kinds() -> tuple[Kind, ...]:
    """The registry, in the order things must go."""
    from snippets import pod, secret, volume

    return (
        Kind("pod", "pods_cleanup", pod.list_pods, pod.terminate_pod),
        Kind("volume", "volume_delete", volume.list_volumes, volume.delete_volume),
        Kind("secret", "secret_delete", secret.list_secrets, secret.delete_secret),
    )


def kind(name: str) -> Kind:
    return next(k for k in kinds() if k.name == name)


def listed(of: Kind) -> list[Item]:
    """Everything of one kind in the account, whatever its name (list errors propagate)."""
    items = []
    for raw in of.list_all() or []:
        if isinstance(raw, dict) and raw.get("id") is not None:
            name = raw.get("name")
            items.append(
                Item(
                    of.name,
                    str(raw["id"]),
                    name if isinstance(name, str) else "",
                    naming.parse_name(name),
                    last_activity(raw),
                )
            )
    return items


def last_activity(raw: dict) -> datetime | None:
    """The newest of the item's timestamps (UTC), or None when it gives none we can read."""
    times = []
    for key in ACTIVITY_FIELDS:
        value = raw.get(key)
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                times.append(moment)
    return max(times, default=None)


def inventory() -> list[Item]:
    """Everything that is ours or looks like ours, of every kind, in the registry's order."""
    return [
        item
        for of in kinds()
        for item in listed(of)
        if item.ours is not None or naming.looks_like_ours(item.name)
    ]


def find(select: Callable[[naming.OurName], bool]) -> Found:
    """Our items that `select` picks, and the lookalikes (listed, never deleted)."""
    found = Found()
    for item in inventory():
        if item.ours is not None and select(item.ours):
            found.ours.append(item)
        elif item.ours is None:
            found.not_ours.append(item)
    return found


def of_run(run_id: str) -> Callable[[naming.OurName], bool]:
    return lambda ours: ours.run_id == run_id


@dataclass(frozen=True)
class Failure:
    """One item a removal could not prove gone: the API refused its delete, or it is still
    listed at the deadline (or the list itself failed)."""

    kind: str
    id: str
    reason: str  # "refused" | "still_listed"
    detail: str = ""

    def __str__(self) -> str:  # English, for the report and the log
        what = "delete refused" if self.reason == "refused" else "still listed at the deadline"
        return f"{self.kind} {self.id}: {what}" + (f" ({self.detail})" if self.detail else "")

    def japanese(self) -> str:
        what = (
            "削除を断られました"
            if self.reason == "refused"
            else "期限まで待っても一覧に残っています"
        )
        return f"{self.kind} {self.id}: {what}" + (f"（{self.detail}）" if self.detail else "")


def remove(
    of: Kind,
    ids: Iterable[str],
    timeout: float,
    poll: float,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Failure]:
    """Delete these items of one kind and wait until the API no longer lists them.

    Returns what went wrong (empty when all are gone). One deadline for the whole kind:
    a volume still in use is retried until then, and so is the wait for the list to clear.
    A delete that failed is forgiven when the item is gone anyway.
    """
    wanted = sorted(set(ids))
    deadline = time.monotonic() + timeout
    refused = {}
    for item_id in wanted:
        error = _delete_one(of, item_id, deadline, poll, sleep)
        if error:
            refused[item_id] = error
    left, list_error = _wait_gone(of, wanted, deadline, poll, sleep)
    return [
        Failure(of.name, item_id, "refused", refused[item_id])
        if item_id in refused
        else Failure(of.name, item_id, "still_listed", list_error)
        for item_id in left
    ]


def _delete_one(
    of: Kind, item_id: str, deadline: float, poll: float, sleep: Callable[[float], None]
) -> str | None:
    from snippets import errors

    while True:
        try:
            of.delete(item_id)
            return None
        except errors.NotFound:
            return None
        except errors.InUse as error:
            if time.monotonic() < deadline:
                sleep(poll)
                continue
            return f"{type(error).__name__}: {error}"
        except Exception as error:  # reported with its type, never swallowed
            return f"{type(error).__name__}: {error}"


def _wait_gone(
    of: Kind, ids: list[str], deadline: float, poll: float, sleep: Callable[[float], None]
) -> tuple[list[str], str]:
    """(the ids still listed at the deadline, why the last list failed); ([], "") as soon
    as none is listed. A list that fails proves nothing: its ids count as still there."""
    while ids:
        try:
            present = {item.id for item in listed(of)}
            list_error = ""
        except Exception as error:  # retried until the deadline like a busy volume
            present, list_error = set(ids), f"list failed: {type(error).__name__}: {error}"
        left = [item_id for item_id in ids if item_id in present]
        if not left or time.monotonic() >= deadline:
            return left, list_error
        sleep(poll)
    return [], ""
