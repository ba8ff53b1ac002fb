"""Fixtures for the Runpod snippet tests (snippets/api.py, volume.py, pod.py, ...)."""

import pytest


@pytest.fixture
def fake(fake_runpod, fast_snippets):
    """The fake Runpod, with the snippets' waits shortened so retries take milliseconds."""
    return fake_runpod
