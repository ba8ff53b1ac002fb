"""Find (and with --yes delete) what live replays left behind: `python -m live.sweep`.

Looks for pods, network volumes and secrets named `kgl-live-<UTC timestamp>-<suffix>...`
whose timestamp is older than --older-than (default 2h, so a replay still running is left
alone). Dry run by default. Exit status: 0 when nothing matching is left, 1 otherwise.
It talks to whatever RUNPOD_API_BASE_URL says (default: the real api.runpod.io).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import UTC, datetime, timedelta

from live import naming

SKIP_MESSAGE = (
    "RUNPOD_API_KEY が設定されていないため、掃除 (make sweep) を飛ばしました。\n"
    "Skipped the sweep (make sweep): RUNPOD_API_KEY is not set."
)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> timedelta:
    """'2h', '30m', '90s', '0' -> timedelta."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration (e.g. 2h, 30m, 0): {text!r}")
    return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])


def find(older_than: timedelta, run_id: str | None = None,
         now: datetime | None = None) -> list[dict]:
    """Every kgl-live-* pod, volume and secret that is old enough (or of run_id)."""
    from snippets import pod, secret, volume

    now = now or datetime.now(UTC)
    found = []
    for kind, items in (("pod", pod.list_pods()), ("volume", volume.list_volumes()),
                        ("secret", secret.list_secrets())):
        for item in items:
            parsed = naming.parse_name(item.get("name"))
            if parsed is None:
                continue
            item_run, created = parsed
            if run_id is not None:
                if item_run != run_id:
                    continue
            elif now - created < older_than:
                continue
            found.append({"kind": kind, "id": str(item["id"]), "name": item["name"],
                          "age": str(now - created).split(".")[0]})
    return found


def delete(found: list[dict], gone_timeout: float = 120, poll: float = 2) -> list[str]:
    """Delete pods first (a volume cannot go while a pod uses it), then volumes, secrets.
    Returns error messages (empty when every delete was accepted)."""
    from snippets import api, pod, secret, volume

    errors = []
    pods = [f["id"] for f in found if f["kind"] == "pod"]
    for pod_id in pods:
        try:
            pod.terminate_pod(pod_id)
        except api.SnippetError as error:
            errors.append(f"pod {pod_id}: {error}")
    deadline = time.monotonic() + gone_timeout
    while pods and any(p["id"] in pods for p in pod.list_pods()):
        if time.monotonic() > deadline:
            errors.append("pods still listed after terminate")
            break
        time.sleep(poll)
    for kind, remove in (("volume", volume.delete_volume), ("secret", secret.delete_secret)):
        for item in (f for f in found if f["kind"] == kind):
            try:
                remove(item["id"])
            except api.SnippetError as error:
                errors.append(f"{kind} {item['id']}: {error}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m live.sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--older-than", type=duration, default=duration("2h"),
                        help="only resources whose name says they are older (default 2h)")
    parser.add_argument("--run-id", help="only this run's resources, whatever their age")
    parser.add_argument("--yes", action="store_true", help="delete (default: only list)")
    parser.add_argument("--poll", type=float, default=2.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_id and not naming.is_run_id(args.run_id):
        parser.error(f"bad --run-id {args.run_id!r}")
    if not os.environ.get("RUNPOD_API_KEY"):
        print(SKIP_MESSAGE)
        return 0

    found = find(args.older_than, args.run_id)
    scope = f"run {args.run_id}" if args.run_id else f"older than {args.older_than}"
    for item in found:
        print(f"{'delete' if args.yes else 'would delete'} {item['kind']:<6} {item['id']:<28} "
              f"{item['name']} (age {item['age']})")
    if not found:
        print(f"sweep: nothing named {naming.PREFIX}* {scope} is left.")
        return 0
    if not args.yes:
        print(f"sweep: {len(found)} leftover(s) {scope}; dry run, add --yes to delete.")
        return 1
    errors = delete(found, poll=args.poll)
    for error in errors:
        print(f"sweep error: {error}", file=sys.stderr)
    left = find(args.older_than, args.run_id)
    for item in left:
        print(f"still listed: {item['kind']} {item['id']} {item['name']}", file=sys.stderr)
    print(f"sweep: deleted {len(found) - len(left)}, left {len(left)}.")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
