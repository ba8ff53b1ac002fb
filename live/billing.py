"""What Runpod billed for a run's pods, read after the teardown: `GET /v2/billing/pods`.

One request per pod (`podId`), in hour buckets (`bucketSize=hour`) from the hour the run
started to the end of the hour it was read in: Runpod snaps `startTime` down and `endTime` up
to bucket boundaries (v2 OpenAPI, BillingStartTime / BillingEndTime), so these are the
buckets that cover the run. Each record's `totalAmount` is summed; `gpuAmount` and
`diskAmount` are kept beside it. The time of the read is recorded with the numbers: billing
may lag behind the pods, so this is what Runpod had billed by then (a guess until the first
real nights show how long the lag is).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from live.report import StepFailed, utc_iso

PATH = "/v2/billing/pods"
SOURCE = f"GET {PATH}?podId=<pod>&bucketSize=hour&startTime=<run start hour>&endTime=<now>"
HOUR = timedelta(hours=1)


def hour_window(started: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The hour buckets that cover [started, now]: from started's hour to the end of now's."""
    start = started.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + HOUR
    return start, end


def read_billed(pods: dict[str, str], started: datetime, now: datetime | None = None) -> dict:
    """The report's `billed` for these pods (id -> role): what Runpod billed, with the time
    it was read. An answer of another shape raises StepFailed; API errors propagate."""
    from snippets import api

    start, end = hour_window(started, now or datetime.now(UTC))
    rows = []
    for pod_id, role in pods.items():
        params = {
            "podId": pod_id,
            "bucketSize": "hour",
            "startTime": utc_iso(start),
            "endTime": utc_iso(end),
        }
        rows.append(
            {"id": pod_id, "role": role, **_amounts(pod_id, api.rest("GET", PATH, params=params))}
        )
    return {
        "usd": round(sum(row["usd"] for row in rows), 6),
        "read_at": utc_iso(datetime.now(UTC)),
        "source": SOURCE,
        "start": utc_iso(start),
        "end": utc_iso(end),
        "pods": rows,
    }


def _amounts(pod_id: str, answer) -> dict:
    records = answer.get("records") if isinstance(answer, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise StepFailed(
            f"the billing answer for pod {pod_id} has no list of records: {str(answer)[:200]}"
        )
    mine = [r for r in records if r.get("podId") in (None, pod_id)]
    totals = {}
    for field, key in (
        ("totalAmount", "usd"),
        ("gpuAmount", "gpu_usd"),
        ("diskAmount", "disk_usd"),
    ):
        values = [r.get(field, 0) for r in mine]
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in values
        ):
            raise StepFailed(
                f"the billing answer for pod {pod_id} has a {field} that is not an amount: {values}"
            )
        totals[key] = round(float(sum(values)), 6)
    return {**totals, "records": len(mine)}


def describe(billed: dict, estimate: float) -> str:
    """One line for the report's step detail."""
    per_pod = (
        ", ".join(
            f"{row['role']} ${row['usd']:.4f} ({row['records']} bucket(s))"
            for row in billed["pods"]
        )
        or "no pod was made"
    )
    return (
        f"Runpod billed ${billed['usd']:.4f} by {billed['read_at']} ({per_pod}); the run's "
        f"own estimate was ${estimate:.4f}"
    )
