"""live/replay.py refuses, before anything exists, what cannot run: a fake URL that is not on
this machine, a time scale outside its range, a run id from the future or the past, a report
path that cannot be written; Ctrl-C before the run starts. One Japanese line, no traceback,
nothing rented, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from live import naming, replay
from tests.live.conftest import ROOT


@pytest.mark.parametrize(
    "url",
    [
        "https://api.runpod.io",
        "http://10.0.0.5:8080",
        "http://example.com:80",
        "http://127.0.0.1",
        "http://user:pw@127.0.0.1:9",
        "http://127.0.0.1:9/graphql",
        "http://127.0.0.1:9?x=1",
        "ftp://127.0.0.1:9",
        "http://127.0.0.1:99999",
        "not a url",
        "http://127.0.0.1.evil.example:80",
    ],
)
def test_a_fake_url_off_this_machine_is_refused(url, capsys):
    with pytest.raises(SystemExit) as stop:
        replay.main(["--target", "fake", "--fake-url", url])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and "--fake-url" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:1/", "http://[::1]:8080"]
)
def test_a_local_fake_url_is_accepted(url):
    assert replay.is_local_url(url)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--target", "fake", "--fake-time-scale", "1e-300"], "0.001 以上 1 以下"),
        (["--target", "fake", "--fake-time-scale", "0"], "0.001 以上 1 以下"),
        (["--target", "fake", "--fake-time-scale", "inf"], "0.001 以上 1 以下"),
        (["--target", "real", "--fake-url", "http://127.0.0.1:9"], "--target fake のときだけ"),
        (
            [
                "--target",
                "fake",
                "--run-id",
                naming.new_run_id(datetime.now(UTC) + timedelta(days=1)),
            ],
            "未来",
        ),
        (
            [
                "--target",
                "fake",
                "--run-id",
                naming.new_run_id(datetime.now(UTC) - timedelta(hours=3)),
            ],
            "分前",
        ),
    ],
)
def test_bad_numbers_and_run_ids_are_refused_up_front(args, says, capsys):
    with pytest.raises(SystemExit) as stop:
        replay.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and says in err and len(err.strip().splitlines()) == 1


def test_the_plan_takes_any_well_formed_run_id(capsys, monkeypatch, tmp_path):
    """--plan rents nothing: an old id harms nobody there."""
    monkeypatch.delenv("RUNPOD_API_KEY", raising=False)
    old = naming.new_run_id(datetime.now(UTC) - timedelta(hours=3))
    assert replay.main(["--target", "real", "--plan", "--run-id", old]) == 0


def run(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    full = {"PATH": os.environ["PATH"], "LIVE_SCRATCH_DIR": str(tmp_path / "s"), **env}
    return subprocess.run(
        [sys.executable, "-m", "live.replay", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("where", ["folder", "proc", "under-a-file"])
def test_an_unwritable_report_path_is_refused_before_anything_is_rented(
    where, tmp_path, fake_runpod
):
    if where == "folder":
        report = tmp_path / "reports"
        report.mkdir()
    elif where == "proc":  # no one may make a folder there, not even root
        report = Path("/proc/kgl-live-reports/r.json")
    else:
        (tmp_path / "file").write_text("")
        report = tmp_path / "file" / "r.json"
    before = len(fake_runpod.requests)
    done = run(
        tmp_path,
        "--target",
        "fake",
        "--fake-url",
        fake_runpod.url,
        "--fake-time-scale",
        "0.005",
        REHEARSAL_REPORT=str(report),
        RUNPOD_API_KEY=fake_runpod.api_key,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("エラー: 報告ファイル") and "REHEARSAL_REPORT" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert len(fake_runpod.requests) == before  # not one request: nothing rented
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


def test_ctrl_c_before_the_run_starts_is_one_japanese_line(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(replay, "run_replay", interrupted)
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_not_a_real_key_0000")
    assert replay.main(["--target", "real"]) == 130
    assert "中断しました" in capsys.readouterr().err


def test_an_unreachable_api_fails_the_preflight_without_a_traceback(
    fast_snippets, scratch_dir, tmp_path, monkeypatch, capfd
):
    """Nothing answers at the API's address: the preflight step fails with the snippets'
    Japanese reason, the teardown still runs, the report says so, no traceback."""
    from live.settings import Settings
    from live.targets import FakeTarget

    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_not_a_real_key_0000")
    report = tmp_path / "r.json"
    status, data = replay.run_replay(
        Settings.from_env({}), FakeTarget("http://127.0.0.1:9"), report_file=report
    )
    out, err = capfd.readouterr()
    assert status == 1 and data["failed_step"] == "preflight"
    assert "接続できない" in err and "Traceback" not in out + err
    assert "rpa_not_a_real_key_0000" not in out + err + report.read_text()
    assert data["leaked"] is None  # it could not look, and says so


def test_an_unexpected_error_is_one_japanese_line_too(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(replay, "run_replay", broken)
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_not_a_real_key_0000")
    assert replay.main(["--target", "real"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and "OSError" in err and "make sweep" in err
    assert len(err.strip().splitlines()) == 1
