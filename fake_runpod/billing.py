"""The billing meter: what each pod costs, second by second, as `GET /v2/billing/pods`
reports it in time buckets.

A pod's meter runs from the moment it has a machine (STARTING) until it stops, exits or is
terminated, at its `cost` per hour for the GPUs plus its container disk and its own volume
disk (docs pods/pricing, "Storage pricing": $0.10/GB/month each while running). A stopped pod
with a volume disk of its own keeps paying for it ($0.20/GB/month). Durations are modelled
time: on the scaled clock (`time_scale`) a second of this machine stands for 1/time_scale
seconds of Runpod's, as for every other duration of the fake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import catalog

BUCKETS = ("hour", "day", "week", "month", "year")
MAX_BUCKETS = 10000  # the fake's bound on one answer (Runpod states none)


@dataclass
class Segment:
    start: datetime
    end: datetime | None  # None: still running
    gpu_rate: float  # $/h
    disk_rate: float  # $/h


@dataclass
class Meter:
    pod_id: str
    segments: list[Segment] = field(default_factory=list)

    def open(self, at: datetime, gpu_rate: float, disk_rate: float) -> None:
        self.close(at)
        self.segments.append(Segment(at, None, gpu_rate, disk_rate))

    def close(self, at: datetime) -> None:
        if self.segments and self.segments[-1].end is None:
            self.segments[-1].end = at

    def amounts(self, start: datetime, end: datetime, scale: float, at: datetime) -> dict:
        """Dollars billed in [start, end) (seen at `at`): GPU, disk and their total."""
        gpu = disk = 0.0
        for segment in self.segments:
            begin = max(segment.start, start)
            finish = min(segment.end or at, end, at)
            if finish > begin:
                hours = (finish - begin).total_seconds() / scale / 3600
                gpu += hours * segment.gpu_rate
                disk += hours * segment.disk_rate
        return {
            "totalAmount": round(gpu + disk, 6),
            "gpuAmount": round(gpu, 6),
            "cpuAmount": 0.0,
            "diskAmount": round(disk, 6),
        }

    def first(self) -> datetime | None:
        return self.segments[0].start if self.segments else None


def running_rates(price_per_gpu: float, gpus: int, disk_gb: int, volume_gb: int) -> tuple:
    """($/h for the GPUs, $/h for the disks) of a running pod."""
    disk = disk_gb * catalog.CONTAINER_DISK_PRICE + volume_gb * catalog.VOLUME_DISK_PRICE["running"]
    return price_per_gpu * gpus, disk / catalog.HOURS_PER_MONTH


def stopped_rate(volume_gb: int) -> float:
    return volume_gb * catalog.VOLUME_DISK_PRICE["stopped"] / catalog.HOURS_PER_MONTH


def floor(moment: datetime, bucket: str) -> datetime:
    """The start of the bucket a moment falls in (UTC; weeks start on Monday)."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def following(moment: datetime, bucket: str) -> datetime:
    """The start of the next bucket after one starting at `moment`."""
    if bucket == "hour":
        return moment + timedelta(hours=1)
    if bucket == "day":
        return moment + timedelta(days=1)
    if bucket == "week":
        return moment + timedelta(weeks=1)
    if bucket == "month":
        return (moment.replace(day=28) + timedelta(days=4)).replace(day=1)
    return moment.replace(year=moment.year + 1)


def window(
    start: datetime | None, end: datetime | None, last_n: int | None, bucket: str, at: datetime
) -> tuple[datetime, datetime]:
    """The resolved query window, snapped to bucket boundaries (BillingStartTime/EndTime)."""
    if last_n is not None:
        if last_n > MAX_BUCKETS:
            raise ValueError(f"lastN: at most {MAX_BUCKETS} buckets")
        first = floor(at, bucket)
        for _ in range(last_n - 1):
            first = floor(first - timedelta(seconds=1), bucket)
        return first, following(floor(at, bucket), bucket)
    end = end or at
    begin = floor(start or at - timedelta(days=30), bucket)
    snapped = floor(end, bucket)
    return begin, (end if snapped == end else following(snapped, bucket))


def buckets(begin: datetime, end: datetime, bucket: str) -> list[tuple[datetime, datetime]]:
    """The buckets of a window; ValueError past MAX_BUCKETS."""
    found = []
    while begin < end:
        if len(found) == MAX_BUCKETS:
            raise ValueError(f"the window holds more than {MAX_BUCKETS} {bucket} buckets")
        nxt = following(begin, bucket)
        found.append((begin, min(nxt, end)))
        begin = nxt
    return found
