"""GET /v2/billing/pods: a meter per pod (GPU at its cost, container and volume disk), time
buckets, `podId`, `lastN` or `startTime`/`endTime`, records kept after a pod is gone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fake_runpod.billing import buckets, floor, following, window
from tests.fake_runpod.helpers import Api, wait_for


@pytest.fixture
def api(fake_runpod) -> Api:
    return Api(fake_runpod)


def bill(api: Api, **params) -> dict:
    answer = api("GET", "/billing/pods", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_pods_meter_runs_from_its_machine_until_it_stops(api, fake_runpod):
    fake_runpod.time_scale = 0.001  # a second here bills 1000 seconds
    pod_id = api.create_pod(gpu={"id": "NVIDIA RTX A4000", "count": 2})["id"]
    api.wait_status(pod_id, "RUNNING")
    wait_for(lambda: bill(api, podId=pod_id, bucketSize="hour")["metadata"]["totals"]["gpuAmount"])
    api("POST", f"/pods/{pod_id}/action", json={"action": "stop"})
    stopped = bill(api, podId=pod_id, bucketSize="hour")
    later = bill(api, podId=pod_id, bucketSize="hour")
    assert later["metadata"]["totals"] == stopped["metadata"]["totals"]  # no volume: $0
    totals = stopped["metadata"]["totals"]
    meter = fake_runpod.backend.meters[pod_id]
    (segment,) = meter.segments
    hours = (segment.end - segment.start).total_seconds() / 0.001 / 3600
    assert totals["gpuAmount"] == pytest.approx(hours * 2 * 0.25, rel=1e-3, abs=2e-6)
    assert totals["diskAmount"] == pytest.approx(hours * 10 * 0.10 / 730, rel=1e-3, abs=2e-6)
    assert totals["cpuAmount"] == 0.0
    both = totals["gpuAmount"] + totals["diskAmount"]
    assert totals["totalAmount"] == pytest.approx(both, abs=2e-6)


def test_records_per_pod_per_bucket_and_the_query_echoed(api, fake_runpod):
    first = api.create_pod()["id"]
    second = api.create_pod()["id"]
    for pod_id in (first, second):
        api.wait_status(pod_id, "RUNNING")
    both = bill(api, lastN=3, bucketSize="day")
    assert both["metadata"]["uniquePodCount"] == 2
    assert both["metadata"]["recordCount"] == len(both["records"]) == 6  # 3 days x 2 pods
    assert {record["podId"] for record in both["records"]} == {first, second}
    one = bill(api, lastN=3, bucketSize="day", podId=first)
    assert {record["podId"] for record in one["records"]} == {first}
    assert one["metadata"]["query"]["podId"] == first
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert one["records"][-1]["startTime"] == today.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api("DELETE", f"/pods/{first}").status_code == 204
    assert bill(api, lastN=1, podId=first)["metadata"]["recordCount"] == 1  # kept after it


def test_a_stopped_pod_with_its_own_volume_keeps_paying_for_it(api, fake_runpod):
    fake_runpod.time_scale = 0.001
    mounts = {"persistent": {"size": 20, "path": "/workspace"}}
    pod_id = api.create_pod(mounts=mounts)["id"]
    api.wait_status(pod_id, "RUNNING")
    api("POST", f"/pods/{pod_id}/action", json={"action": "stop"})
    before = bill(api, podId=pod_id)["metadata"]["totals"]["diskAmount"]
    wait_for(lambda: bill(api, podId=pod_id)["metadata"]["totals"]["diskAmount"] > before)
    assert fake_runpod.backend.meters[pod_id].segments[-1].disk_rate == pytest.approx(
        20 * 0.2 / 730
    )


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"lastN": 2, "startTime": "2026-12-01T00:00:00Z"}, 400),
        ({"startTime": "2026-12-02T00:00:00Z", "endTime": "2026-12-01T00:00:00Z"}, 400),
        ({"startTime": "yesterday"}, 422),
        ({"startTime": "2026-12-01T00:00:00"}, 422),  # no offset: not RFC 3339
        ({"bucketSize": "minute"}, 422),
        ({"lastN": 0}, 422),
        ({"lastN": 10**12, "bucketSize": "year"}, 400),
        ({"startTime": "0001-01-01T00:00:00Z", "bucketSize": "hour"}, 400),
    ],
)
def test_bad_billing_queries_are_refused(api, params, status):
    assert api("GET", "/billing/pods", params=params).status_code == status


def test_windows_snap_to_bucket_boundaries():
    at = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)
    assert floor(at, "week") == datetime(2026, 11, 30, tzinfo=UTC)  # a Monday
    assert following(datetime(2026, 12, 1, tzinfo=UTC), "month") == datetime(2027, 1, 1, tzinfo=UTC)
    start, end = window(datetime(2026, 12, 1, 5, tzinfo=UTC), at, None, "day", at)
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
    assert len(buckets(start, end, "day")) == 6
    last_two = window(None, None, 2, "hour", at)
    assert last_two == (
        datetime(2026, 12, 6, 19, tzinfo=UTC),
        datetime(2026, 12, 6, 21, tzinfo=UTC),
    )
