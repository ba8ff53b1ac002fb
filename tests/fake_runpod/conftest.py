"""A normal-mode fake (GraphQL served) for the tests of the fake's GraphQL layer, which stays
only for the SDK compatibility test. Everything else uses the retired-mode `fake_runpod`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_runpod import FakeRunpod
from tests.fake_runpod.sdk import runpod


@pytest.fixture(scope="session")
def graphql_fake_server() -> Iterator[FakeRunpod]:
    with FakeRunpod(pod_start_delay=0.3) as fake:
        yield fake


@pytest.fixture
def graphql_fake(graphql_fake_server: FakeRunpod, monkeypatch) -> Iterator[FakeRunpod]:
    """The normal-mode fake, reset, with the SDK pointed at it (RUNPOD_API_BASE_URL, api_key)."""
    fake = graphql_fake_server
    fake.reset()
    monkeypatch.setenv("RUNPOD_API_BASE_URL", fake.url)
    monkeypatch.setenv("RUNPOD_API_KEY", fake.api_key)
    monkeypatch.setattr(runpod, "api_key", fake.api_key)
    yield fake
    broken = fake.internal_errors
    fake.reset()
    assert not broken, f"the fake Runpod broke its own contract: {broken}"
