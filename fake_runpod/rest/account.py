"""REST v2 account: the registered SSH keys, and pod billing (the OpenAPI's listPodBilling:
time buckets of `bucketSize` over [startTime, endTime) or the last `lastN` buckets, one
record per pod per bucket, `podId` to narrow to one pod)."""

from __future__ import annotations

from datetime import datetime

from .. import billing
from ..errors import Invalid, Unprocessable
from ..models import now, rfc3339
from .call import Answer, Call

AMOUNTS = ("totalAmount", "gpuAmount", "cpuAmount", "diskAmount")


def get_ssh_keys(call: Call) -> Answer:
    return Answer(200, {"keys": call.backend.get_ssh_keys()})


def update_ssh_keys(call: Call) -> Answer:
    return Answer(200, {"keys": call.backend.set_ssh_keys(call.body["keys"])})


def _time(call: Call, name: str) -> datetime | None:
    text = call.query.get(name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Unprocessable("Request validation failed.", [f"query.{name}: not an RFC 3339 time"])
    return moment


def list_pod_billing(call: Call) -> Answer:
    start, end = _time(call, "startTime"), _time(call, "endTime")
    last_n = call.query.get("lastN")
    if last_n is not None and (start or end):
        raise Invalid("lastN and startTime/endTime are mutually exclusive")
    bucket = call.query.get("bucketSize", "day")
    pod_id = call.query.get("podId")
    at = now()
    try:
        begin, finish = billing.window(start, end, last_n, bucket, at)
        spans = billing.buckets(begin, finish, bucket)
    except (ValueError, OverflowError) as error:
        raise Invalid(f"billing window too large: {error}") from None
    if finish <= begin:
        raise Invalid("endTime must be after startTime")
    scale = call.backend.timing.time_scale
    records, totals = [], dict.fromkeys(AMOUNTS, 0.0)
    meters = [m for m in call.backend.pod_meters(pod_id) if m.first() and m.first() < finish]
    for meter in meters:
        for low, high in spans:
            amounts = meter.amounts(low, high, scale, at)
            for key in AMOUNTS:
                totals[key] += amounts[key]
            record = {"startTime": rfc3339(low), "endTime": rfc3339(high), "podId": meter.pod_id}
            records.append({**record, **amounts})
    query = {
        "startTime": rfc3339(begin),
        "endTime": rfc3339(finish),
        "bucketSize": bucket,
        "podId": pod_id,
    }
    metadata = {
        "query": query,
        "recordCount": len(records),
        "uniquePodCount": len(meters),
        "totals": {key: round(value, 6) for key, value in totals.items()},
    }
    return Answer(200, {"records": records, "metadata": metadata})


HANDLERS = {
    "getSshKeys": get_ssh_keys,
    "updateSshKeys": update_ssh_keys,
    "listPodBilling": list_pod_billing,
}
