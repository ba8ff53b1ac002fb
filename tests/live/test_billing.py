"""live/billing.py: what Runpod billed for a run's pods, over the hour buckets that cover the
run, summed per pod, with the time it was read; an answer of another shape is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from live import billing
from live.report import StepFailed


def test_the_window_is_the_hour_buckets_that_cover_the_run():
    start, end = billing.hour_window(
        datetime(2026, 12, 6, 18, 40, 12, tzinfo=UTC), datetime(2026, 12, 6, 19, 2, 40, tzinfo=UTC)
    )
    assert (start, end) == (
        datetime(2026, 12, 6, 18, tzinfo=UTC),
        datetime(2026, 12, 6, 20, tzinfo=UTC),
    )
    # A run inside one hour still asks for that whole hour.
    assert billing.hour_window(
        datetime(2026, 12, 6, 18, 5, tzinfo=UTC), datetime(2026, 12, 6, 18, 55, tzinfo=UTC)
    )[1] == datetime(2026, 12, 6, 19, tzinfo=UTC)


def record(total, gpu=None, disk=None, pod="pod-a"):
    out = {
        "startTime": "2026-12-06T18:00:00Z",
        "endTime": "2026-12-06T19:00:00Z",
        "podId": pod,
        "totalAmount": total,
    }
    if gpu is not None:
        out.update(gpuAmount=gpu, diskAmount=disk)
    return out


def test_amounts_are_summed_over_the_buckets_of_the_pod():
    answer = {
        "records": [
            record(0.1, 0.09, 0.01),
            record(0.05, 0.04, 0.01),
            record(9.0, pod="someone-else"),
        ],
        "metadata": {},
    }
    assert billing._amounts("pod-a", answer) == {
        "usd": 0.15,
        "gpu_usd": 0.13,
        "disk_usd": 0.02,
        "records": 2,
    }
    assert billing._amounts("pod-a", {"records": []}) == {
        "usd": 0.0,
        "gpu_usd": 0.0,
        "disk_usd": 0.0,
        "records": 0,
    }


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        {"records": None},
        {"records": ["x"]},
        {"records": [record("0.1")]},
        {"records": [record(-1)]},
        {"records": [record(True)]},
    ],
)
def test_an_answer_of_another_shape_is_refused(answer):
    with pytest.raises(StepFailed, match="billing answer"):
        billing._amounts("pod-a", answer)


def test_the_line_says_which_number_is_billed_and_which_is_estimated():
    billed = {
        "usd": 0.0123,
        "read_at": "2026-12-06T19:02:40Z",
        "pods": [
            {"role": "pod1", "usd": 0.0061, "records": 1},
            {"role": "pod2", "usd": 0.0062, "records": 1},
        ],
    }
    line = billing.describe(billed, 0.02)
    assert line.startswith("Runpod billed $0.0123 by 2026-12-06T19:02:40Z")
    assert "own estimate was $0.0200" in line
