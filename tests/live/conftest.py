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

ROOT = Path(__file__).resolve().parents[2]


def assert_clean(fake) -> None:
    """Nothing is left on the fake: no pod, volume or secret."""
    assert list(fake.pods) == [], fake.pods
    assert list(fake.volumes) == [], fake.volumes
    assert list(fake.secrets) == [], fake.secrets


@pytest.fixture
def fast_snippets(monkeypatch):
    """Retries without the minutes of backoff a reader gets (same number of tries)."""
    from snippets import api, remote

    monkeypatch.setattr(api, "BACKOFF", 0.01)
    monkeypatch.setattr(remote, "RETRY_WAIT", 0.05)


@pytest.fixture
def live_env(fake_runpod, fast_snippets, monkeypatch, tmp_path):
    """Env for an in-process replay against the session fake; returns the report path."""
    report = tmp_path / "live-report.json"
    monkeypatch.setenv("LIVE_REPORT", str(report))
    monkeypatch.setenv("LIVE_READY_TIMEOUT", "5")
    monkeypatch.setenv("LIVE_GONE_TIMEOUT", "5")
    return report


@pytest.fixture
def run_fake_replay(live_env, fake_runpod, capfd):
    """Run the replay in-process against the fake; returns (status, report, output).

    Tokens are recorded as they are created (the fake knows them), so tests can assert
    that none of them shows up in the output or the report file."""

    def run(on_step=None, settings=None):
        seen: list[str] = []

        def watch(name: str) -> None:
            # Remember every secret value the fake holds, before teardown deletes it.
            seen.extend(v for v in _values(fake_runpod) if v not in seen)
            if on_step:
                on_step(name)

        settings = settings or replay.Settings.from_env("fake")
        status, data = replay.run_replay(settings, report_file=live_env, on_step=watch)
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


def replay_subprocess(fake, report: Path, *extra: str, env: dict | None = None,
                      **popen) -> subprocess.Popen:
    """`python -m live.replay --target fake --fake-url URL` as a child process."""
    full_env = {**os.environ, "RUNPOD_API_BASE_URL": fake.url, "RUNPOD_API_KEY": fake.api_key,
                "LIVE_REPORT": str(report), "LIVE_READY_TIMEOUT": "10",
                "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "live.replay", "--target", "fake", "--fake-url", fake.url,
         *extra], cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, **popen)
