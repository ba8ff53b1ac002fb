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
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "20261127t120000z-dead00", str(extra)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "LIVE_SCRATCH_DIR": str(scratch_dir)},
    )
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
    with pytest.raises(scratch.ScratchError, match="シンボリックリンク"):
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


def test_the_base_is_made_fresh_and_marked(scratch_dir):
    run = scratch.Scratch("20261127t120000z-a1b2c3")
    run.close()
    assert (scratch_dir / scratch.MARK).read_text() == scratch.MARK_TEXT
    # A folder in our base that is not a run's (no run id, or no lock) is never reaped.
    (scratch_dir / "notes").mkdir()
    (scratch_dir / "20261127t120000z-c0ffee").mkdir()
    (scratch_dir / "20261127t120000z-c0ffee" / "kept.txt").write_text("not a run's")
    assert scratch.reap() == []
    assert (scratch_dir / "notes").is_dir()
    assert (scratch_dir / "20261127t120000z-c0ffee" / "kept.txt").exists()


def a_readers_folder(tmp_path):
    """A folder someone already has, with subfolders a careless reaper would delete."""
    folder = tmp_path / "my-projects"
    for name in ("kaggle-comp", "20261127t120000z-dead00", ".hidden"):
        (folder / name).mkdir(parents=True)
        (folder / name / "work.py").write_text("precious")
    (folder / "20261127t120000z-dead00" / scratch.LOCK).write_text("")  # even a lock file
    return folder


def test_a_folder_we_did_not_make_is_refused_and_never_reaped(tmp_path, monkeypatch):
    folder = a_readers_folder(tmp_path)
    monkeypatch.setenv("LIVE_SCRATCH_DIR", str(folder))
    with pytest.raises(scratch.ScratchError, match="この仕組みが作ったものではありません"):
        scratch.reap()
    with pytest.raises(scratch.ScratchError, match="この仕組みが作ったものではありません"):
        scratch.Scratch("20261127t120000z-a1b2c3")
    assert sorted(p.name for p in folder.iterdir()) == [
        ".hidden",
        "20261127t120000z-dead00",
        "kaggle-comp",
    ]
    assert all((p / "work.py").read_text() == "precious" for p in folder.iterdir())


@pytest.mark.parametrize("forge", ["symlink", "wrong-text", "folder"])
def test_a_forged_mark_is_refused(tmp_path, monkeypatch, forge):
    folder = a_readers_folder(tmp_path)
    mark = folder / scratch.MARK
    if forge == "symlink":
        real = tmp_path / "mark"
        real.write_text(scratch.MARK_TEXT)
        mark.symlink_to(real)
    elif forge == "wrong-text":
        mark.write_text("made by hand\n")
    else:
        mark.mkdir()
    monkeypatch.setenv("LIVE_SCRATCH_DIR", str(folder))
    with pytest.raises(scratch.ScratchError):
        scratch.reap()
    assert (folder / "20261127t120000z-dead00" / "work.py").exists()


def test_the_commands_refuse_a_folder_we_did_not_make(tmp_path):
    """No key needed for the harm: `live.sweep` reaps local folders before it asks Runpod.
    Both commands say why in Japanese, exit 2, and delete nothing; the replay rents nothing
    (it stops before it would start its fake)."""
    folder = a_readers_folder(tmp_path)
    env = {
        "PATH": os.environ["PATH"],
        "LIVE_SCRATCH_DIR": str(folder),
        "REHEARSAL_REPORT": str(tmp_path / "r.json"),
    }
    for command in (
        ["live.sweep", "--yes", "--older-than", "0"],
        ["live.replay", "--target", "fake"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stdout + done.stderr
        assert "この仕組みが作ったものではありません" in done.stderr
        assert "Traceback" not in done.stdout + done.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        ".hidden",
        "20261127t120000z-dead00",
        "kaggle-comp",
    ]
    assert not (tmp_path / "r.json").exists()
