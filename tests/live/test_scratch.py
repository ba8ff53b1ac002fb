"""live/scratch.py: a run's private files (SSH key, the fake's pod homes) are removed by the
next replay or sweep once the run is dead, however it died, and never while it lives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from live import scratch
from tests.live.conftest import ROOT

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from live.scratch import Scratch
    run = Scratch(sys.argv[1])
    (run.path / "id_ed25519").write_text("private key")
    run.also_remove(Path(sys.argv[2]))
    print("ready", flush=True)
    time.sleep(60)
""")


def test_a_run_folder_is_private_and_gone_when_closed(scratch_dir):
    run = scratch.Scratch("20261127t120000z-a1b2c3")
    assert run.path.parent == scratch_dir
    assert oct(run.path.stat().st_mode & 0o777) == "0o700"
    assert oct(scratch_dir.stat().st_mode & 0o777) == "0o700"
    assert scratch.reap() == []  # alive: left alone
    assert run.path.is_dir()
    run.close()
    assert not run.path.exists()
    again = scratch.Scratch("20261127t120000z-b1b2c3")
    try:
        with pytest.raises(scratch.ScratchError, match="別の実行が使っています"):  # one per id
            scratch.Scratch("20261127t120000z-b1b2c3")
    finally:
        again.close()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_runs_files_are_removed_by_the_next_one(scratch_dir, tmp_path, how):
    extra = tmp_path / "fake-runpod-data"
    (extra / "homes" / "pod" / ".kaggle").mkdir(parents=True)
    (extra / "homes" / "pod" / ".kaggle" / "access_token").write_text("KGAT_dummy")
    child = subprocess.Popen([sys.executable, "-c", CHILD, "20261127t120000z-dead00",
                              str(extra)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "LIVE_SCRATCH_DIR": str(scratch_dir)})
    try:
        assert child.stdout.readline() == "ready\n"
        assert scratch.reap() == []  # still alive
        child.send_signal(how)
        child.wait(timeout=30)
    finally:
        child.kill()
    assert (scratch_dir / "20261127t120000z-dead00" / "id_ed25519").exists()
    assert scratch.reap() == ["20261127t120000z-dead00"]
    assert not (scratch_dir / "20261127t120000z-dead00").exists()
    assert not extra.exists()
    assert scratch.reap() == []


def test_a_base_that_is_not_ours_is_refused(tmp_path, monkeypatch):
    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setenv("LIVE_SCRATCH_DIR", str(tmp_path / "link"))
    with pytest.raises(scratch.ScratchError, match="自分のものではありません"):
        scratch.Scratch("20261127t120000z-a1b2c3")


def test_only_absolute_folders_of_ours_are_removed_with_a_run(scratch_dir, tmp_path):
    run = scratch.Scratch("20261127t120000z-a1b2c3")
    keep = tmp_path / "keep.txt"
    keep.write_text("a file, not a folder")
    run.also_remove(keep)
    with (run.path / scratch.ALSO_REMOVE).open("a") as listed:
        listed.write("relative/path\n/\n")
    run.close()
    assert keep.exists() and not run.path.exists()
