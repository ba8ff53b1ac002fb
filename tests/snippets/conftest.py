"""Fixtures for the Runpod snippet tests (snippets/api.py, volume.py, pod.py, ...)."""

import pytest

from snippets import api, remote


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The snippets' waits (backoff, Retry-After, the look for a lost create), recorded
    instead of slept: what a reader would wait, checked without waiting it."""
    seen: list[float] = []
    monkeypatch.setattr(api, "sleep", seen.append)
    return seen


@pytest.fixture
def fake(fake_runpod, waits, monkeypatch):
    """The fake Runpod (retired mode: GraphQL and REST v1 answer 410), with the snippets'
    waits recorded instead of slept and short socket timeouts."""
    monkeypatch.setattr(api, "TIMEOUT", (5, 5))
    monkeypatch.setattr(remote, "RETRY_WAIT", 0.05)
    return fake_runpod
