"""Fixtures for the Runpod snippet tests (snippets/api.py, volume.py, pod.py, ...)."""

import pytest

from snippets import api, remote


@pytest.fixture
def fake(fake_runpod, monkeypatch):
    """The fake Runpod, with the snippets' waits shortened so retries take milliseconds."""
    monkeypatch.setattr(api, "BACKOFF", 0.01)
    monkeypatch.setattr(api, "TIMEOUT", (5, 2))
    monkeypatch.setattr(remote, "RETRY_WAIT", 0.1)
    return fake_runpod
