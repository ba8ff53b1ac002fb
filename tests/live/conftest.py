"""Helpers for the live replay's offline tests: run the replay against the session's fake
Runpod, fast (tiny retry backoff), and check what it left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from live import replay
from live.report import validate
from live.settings import Settings
from live.targets import FakeTarget
from tests import ROOT

# The session fake starts a pod in 0.3 s; the replay's waits (720 s for a pod to answer,
# 90 s for a delete to show) run on a clock this much faster, as on a realistic fake.
SESSION_TIME_SCALE = 0.005


def assert_clean(fake) -> None:
    """Nothing is left on the fake: no pod, volume or secret."""
    assert list(fake.pods) == [], fake.pods
    assert list(fake.volumes) == [], fake.volumes
    assert list(fake.secrets) == [], fake.secrets


@pytest.fixture
def scratch_dir(tmp_path, monkeypatch) -> Path:
    """The replay's private folders (SSH keys...) go here, not into the shared temp dir."""
    folder = tmp_path / "scratch"
    monkeypatch.setenv("LIVE_SCRATCH_DIR", str(folder))
    return folder


@pytest.fixture
def live_env(fake_runpod, fast_snippets, scratch_dir, monkeypatch, tmp_path):
    """Env for an in-process replay against the session fake; returns the report path."""
    report = tmp_path / "live-report.json"
    monkeypatch.setenv("LIVE_REPORT", str(report))
    for name in [
        n
        for n in os.environ
        if n.startswith("LIVE_") and n not in ("LIVE_REPORT", "LIVE_SCRATCH_DIR")
    ]:
        monkeypatch.delenv(name)  # the real-run defaults, whatever the shell says
    return report


def session_target(fake, **kwargs) -> FakeTarget:
    return FakeTarget(fake.url, SESSION_TIME_SCALE, **kwargs)


@pytest.fixture
def run_fake_replay(live_env, fake_runpod, capfd):
    """Run the replay in-process against the fake; returns (status, report, output, tokens).

    Tokens are recorded as they are created (the fake knows them), so tests can assert
    that none of them shows up in the output or the report file."""

    def run(on_step=None, settings=None, target=None, use_signals=False):
        seen: list[str] = []

        def watch(name: str) -> None:
            # Remember every secret value the fake holds, before teardown deletes it.
            seen.extend(v for v in _values(fake_runpod) if v not in seen)
            if on_step:
                on_step(name)

        settings = settings or Settings.from_env()
        target = target or session_target(fake_runpod)
        status, data = replay.run_replay(
            settings, target, report_file=live_env, on_step=watch, use_signals=use_signals
        )
        out, err = capfd.readouterr()
        text = live_env.read_text(encoding="utf-8")
        validate(json.loads(text))
        for secret in [*seen, fake_runpod.api_key]:
            assert secret not in out + err, "a secret value reached the output"
            assert secret not in text, "a secret value reached the report"
        return status, data, out + err, seen

    return run


def _values(fake) -> list[str]:
    """The values of the secrets the fake holds right now (the runs' dummy tokens)."""
    return [secret.value for secret in list(fake.secrets.values()) if secret.value]


def run_folders(base: Path) -> list[Path]:
    """The private run folders under a scratch base (not its lock file)."""
    return sorted(p for p in base.iterdir() if not p.name.startswith(".")) if base.exists() else []


def step_of(report: dict, name: str) -> dict:
    return next(step for step in report["steps"] if step["name"] == name)


def replay_subprocess(
    fake, report: Path, *extra: str, env: dict | None = None, time_scale: float = 0.05, **popen
) -> subprocess.Popen:
    """`python -m live.replay --target fake --fake-url URL` as a child process."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("LIVE_")}
    full_env.update(
        {
            "RUNPOD_API_BASE_URL": fake.url,
            "RUNPOD_API_KEY": fake.api_key,
            "REHEARSAL_REPORT": str(report),
            "PYTHONUNBUFFERED": "1",
            "LIVE_SCRATCH_DIR": str(report.parent / "scratch"),
            **(env or {}),
        }
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "live.replay",
            "--target",
            "fake",
            "--fake-url",
            fake.url,
            "--fake-time-scale",
            str(time_scale),
            *extra,
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )
