"""live/report.py and report.schema.json: what a report may say. A report holds only what
was read from Runpod, each with the time it was read (`prices`, `billed`), its own estimate
marked as such, and the GPU check; reports of the first schema stay valid (the site may
still fetch one); a leak check that did not finish is `null`, never an empty list; secrets
never reach the file; a report path that cannot be written is refused before the run."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from live import guide
from live.report import Redactor, Report, ReportError, ensure_writable, validate

OLD_REPORT = {  # the shape the first nightly workflow wrote
    "schema_version": 1,
    "run_id": "20261126t182001z-0a1b2c",
    "target": "real",
    "started_at": "2026-11-26T18:20:01Z",
    "finished_at": "2026-11-26T18:41:07Z",
    "wall_seconds": 1266.0,
    "outcome": "passed",
    "failed_step": None,
    "image": "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404",
    "gpu_type": "NVIDIA RTX A4000",
    "gpu_name": "RTX A4000",
    "data_center": "EU-RO-1",
    "price_per_hour": 0.25,
    "estimated_cost_usd": 0.09,
    "budget": {"max_cost_usd": 0.25, "max_price_per_hour": 0.5, "max_wall_seconds": 1200},
    "steps": [{"name": "preflight", "status": "passed", "seconds": 1.0, "checked": "x"}],
    "leaked": [],
}
PRICES = {
    "seen_at": "2026-11-26T18:20:03Z",
    "gpus": [
        {
            "gpu_type": "NVIDIA RTX A4000",
            "gpu_name": "RTX A4000",
            "data_center": "EU-RO-1",
            "usd_per_hour": 0.25,
        }
    ],
    "volume": {
        "tier": "STANDARD",
        "usd_per_gb_month": 0.07,
        "source": "data/prices.toml (https://docs.runpod.io/storage/network-volumes)",
    },
}


def test_a_report_from_before_prices_is_still_valid():
    validate(OLD_REPORT)


def test_prices_plan_commit_and_an_unknown_leak_are_valid():
    report = {
        **OLD_REPORT,
        "prices": PRICES,
        "commit": "60762e1",
        "leaked": None,
        "plan": {
            "worst_seconds": 2280.0,
            "worst_usd": 0.382,
            "typical_seconds": 1080.0,
            "typical_usd": 0.1336,
            "pull_seconds": 600.0,
        },
    }
    validate(report)
    validate({**OLD_REPORT, "prices": None, "plan": None, "commit": None})


@pytest.mark.parametrize(
    "break_it",
    [
        lambda r: r["prices"]["gpus"][0].update(usd_per_hour=-1),
        lambda r: r["prices"].pop("seen_at"),
        lambda r: r["prices"].update(seen_at="yesterday"),
        lambda r: r["prices"]["volume"].update(tier="FAST"),
        lambda r: r["prices"]["gpus"][0].update(extra="x"),
        lambda r: r.update(commit="not a commit"),
        lambda r: r.update(leaked=0),
    ],
)
def test_a_malformed_report_is_refused(break_it):
    report = copy.deepcopy({**OLD_REPORT, "prices": PRICES})
    break_it(report)
    with pytest.raises(jsonschema.ValidationError):
        validate(report)


NEW_PRICES = {  # /work/coord CONTRACT "Report fields (truth <-> live)"
    "read_at": "2026-12-06T18:40:12Z",
    "source": "GET /v2/catalog/gpus?include=AVAILABILITY&product=POD&cloud=SECURE&count=1"
    "&minCudaVersion=12.8",
    "gpus": [
        {
            "id": "NVIDIA RTX A4000",
            "name": "RTX A4000",
            "data_center": "EU-RO-1",
            "price": 0.25,
            "read_at": "2026-12-06T18:40:12Z",
        }
    ],
}
BILLED = {
    "usd": 0.0123,
    "read_at": "2026-12-06T19:02:40Z",
    "source": "GET /v2/billing/pods",
    "start": "2026-12-06T18:00:00Z",
    "end": "2026-12-06T20:00:00Z",
    "pods": [
        {
            "id": "abc123",
            "role": "pod1",
            "usd": 0.0061,
            "gpu_usd": 0.006,
            "disk_usd": 0.0001,
            "records": 1,
        }
    ],
}
GPU_CHECK = {
    "rehearsal": False,
    "torch": "2.9.1+cu128",
    "torchvision": "0.24.1+cu128",
    "cuda": "12.8",
    "device": "NVIDIA RTX A4000",
    "import_seconds": 2.31,
    "matmul_seconds": 0.0042,
    "matmul_size": 2048,
}


def a_new_report() -> dict:
    report = {k: v for k, v in OLD_REPORT.items() if k != "estimated_cost_usd"}
    return {
        **report,
        "schema_version": 2,
        "estimate": {"usd": 0.05, "basis": "arithmetic"},
        "prices": NEW_PRICES,
        "billed": BILLED,
        "gpu_check": GPU_CHECK,
    }


def test_a_report_of_the_second_schema_holds_what_was_read_with_its_time():
    validate(a_new_report())
    validate({**a_new_report(), "prices": None, "billed": None, "gpu_check": None})


@pytest.mark.parametrize(
    "break_it",
    [
        lambda r: r.update(prices=PRICES),  # the old shape, with a volume price nobody read
        lambda r: r["prices"]["gpus"][0].pop("read_at"),
        lambda r: r["prices"].pop("read_at"),
        lambda r: r["billed"].pop("read_at"),
        lambda r: r["billed"].update(usd=-1),
        lambda r: r["billed"]["pods"][0].update(role="pod3"),
        lambda r: r.pop("billed"),
        lambda r: r.pop("estimate"),
        lambda r: r.update(estimated_cost_usd=0.05),  # the first schema's name: not both
        lambda r: r["gpu_check"].update(matmul_seconds=-1),
        lambda r: r["gpu_check"].pop("rehearsal"),
    ],
)
def test_a_malformed_second_schema_report_is_refused(break_it):
    report = copy.deepcopy(a_new_report())
    break_it(report)
    with pytest.raises(jsonschema.ValidationError):
        validate(report)


def new_report(redactor: Redactor | None = None) -> Report:
    return Report.new(
        "20261127t120000z-a1b2c3",
        "fake",
        "img",
        {"max_cost_usd": 0.4, "max_price_per_hour": 0.5, "max_wall_seconds": 100},
        guide.CHECKS,
        redactor or Redactor(),
    )


def test_a_report_without_a_finished_leak_check_fails_and_says_null(tmp_path):
    report = new_report()
    assert report.leaked is None
    path, data = report.write(tmp_path / "r.json")
    assert data["leaked"] is None and data["outcome"] == "failed"
    report.leaked = []
    for step in report.steps.values():
        step.status = "passed"
    assert report.as_dict()["outcome"] == "passed"


def test_secrets_never_reach_the_file(tmp_path):
    redactor = Redactor()
    redactor.add("KGAT_0123456789abcdef")
    report = new_report(redactor)
    report.steps["preflight"].detail = "token KGAT_0123456789abcdef seen"
    report.prices = copy.deepcopy(NEW_PRICES)
    path, data = report.write(tmp_path / "r.json")
    assert "KGAT_0123456789abcdef" not in path.read_text()
    assert json.loads(path.read_text())["prices"] == NEW_PRICES
    assert data["schema_version"] == 2 and data["estimate"]["usd"] == 0


@pytest.mark.parametrize("where", ["a-folder", "under-a-file", "proc"])
def test_a_report_path_that_cannot_be_written_is_refused(tmp_path, where):
    path = {
        "a-folder": tmp_path,
        "under-a-file": tmp_path / "f" / "r.json",
        "proc": Path("/proc/kgl-live/r.json"),
    }[where]
    (tmp_path / "f").write_text("")
    with pytest.raises(ReportError, match="報告ファイル"):
        ensure_writable(path)
    ensure_writable(tmp_path / "new" / "r.json")  # a folder still to make is fine
    assert not list((tmp_path / "new").iterdir())  # and the check leaves nothing behind
