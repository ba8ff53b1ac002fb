"""live/probe.py on this machine, with the same uv the rehearsal uses: "reinstalled" is told
by what is installed (RECORD hashes and file contents) and by uv's own summary, never by
file times or inode numbers, so the verdict is the same however fast the machine is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from live import probe

RUN = "20261127t120000z-a1b2c3"
UV = Path(sys.executable).with_name("uv")


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / probe.PROJECT
    (folder / "wheels").mkdir(parents=True)
    wheel = probe.wheel(folder / "wheels", RUN)
    (folder / "pyproject.toml").write_text(probe.project_toml(wheel.name, from_pypi=False))
    return folder


def uv_sync(folder: Path) -> str:
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(folder.parent / "cache"),
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(UV), "sync"], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def inspect(folder: Path) -> dict:
    done = subprocess.run(
        [str(folder / ".venv/bin/python"), "-"],
        input=probe.INSPECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return probe.read_inspection(done.stdout)


def test_a_fresh_env_imports_the_run_and_matches_its_records(project):
    first = uv_sync(project)
    assert probe.uv_changes(first)  # it did install the probe
    seen = inspect(project)
    assert seen["mark"] == RUN and seen["problems"] == []
    assert list(seen["dists"]) == ["kgl-live-probe==1.0.0"]
    # A second sync changes nothing, and uv says so.
    assert probe.uv_changes(uv_sync(project)) == []
    assert probe.fingerprint(inspect(project)) == probe.fingerprint(seen)


def test_the_same_files_written_again_are_the_same_env(project):
    """What the old check (file times) called a reinstall: same bytes, a new time."""
    uv_sync(project)
    seen = inspect(project)
    init = next(project.glob(".venv/lib/python*/site-packages/kgl_live_probe/__init__.py"))
    init.write_bytes(init.read_bytes())
    os.utime(init, (1, 1))
    assert inspect(project) == seen


def test_a_changed_file_is_caught_by_its_record_hash(project):
    uv_sync(project)
    init = next(project.glob(".venv/lib/python*/site-packages/kgl_live_probe/__init__.py"))
    init.write_text(init.read_text() + "# changed\n")
    after = inspect(project)
    assert after["problems"] == ["kgl_live_probe/__init__.py differs from its RECORD"]
    assert probe.uv_changes(uv_sync(project)) == []  # uv itself does not notice


def test_an_env_rebuilt_from_the_cache_is_caught_by_uvs_summary(project):
    """Identical bytes after a rebuild: the fingerprint cannot tell, uv's summary does."""
    uv_sync(project)
    seen = inspect(project)
    shutil.rmtree(project / ".venv")
    changes = probe.uv_changes(uv_sync(project))
    assert any(line.startswith("Installed 1 package") for line in changes), changes
    assert any(line.startswith("+ kgl-live-probe==1.0.0") for line in changes), changes
    assert probe.fingerprint(inspect(project)) == probe.fingerprint(seen)


def test_uv_summaries_are_read_line_by_line():
    text = "Resolved 2 packages in 1ms\nChecked 1 package in 0.05ms\nUsing CPython 3.12.3\n"
    assert probe.uv_changes(text) == []
    text = (
        "Creating virtual environment at: .venv\nResolved 2 packages in 1ms\n"
        "Uninstalled 1 package in 0.5ms\nInstalled 1 package in 1ms\n"
        " ~ six==1.17.0\n - old==1\n + new==2\n"
    )
    assert probe.uv_changes(text) == [
        "Creating virtual environment at: .venv",
        "Uninstalled 1 package in 0.5ms",
        "Installed 1 package in 1ms",
        "~ six==1.17.0",
        "- old==1",
        "+ new==2",
    ]


def test_a_missing_inspection_is_an_error():
    with pytest.raises(ValueError, match="no inspection result"):
        probe.read_inspection("Traceback (most recent call last):\n")
