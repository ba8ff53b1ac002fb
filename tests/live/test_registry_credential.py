"""LIVE_REGISTRY_ID: the nightly run's optional registry credential. Runpod's own smoke tests
authenticate their pulls because anonymous Docker Hub pulls from Runpod's data centers hit
the `toomanyrequests` limit (runpod/containers tests/runpod_smoke/config.py). On a fake whose
anonymous quota is spent, a run without the credential fails at the pull, with Docker Hub's
own words in the report; with it, the pod pulls and answers (the run is stopped there: the
rest of a passing night is the rehearsal's test)."""

from __future__ import annotations

import pytest

from live.report import StepFailed
from tests.live.conftest import session_target, step_of


@pytest.fixture
def throttled(monkeypatch):
    """A fake (retired, as every test's) on which Docker Hub refuses anonymous pulls."""
    from fake_runpod import FakeRunpod

    with FakeRunpod(retired=True, anonymous_pulls=0) as fake:
        monkeypatch.setenv("RUNPOD_API_BASE_URL", fake.url)
        monkeypatch.setenv("RUNPOD_API_KEY", fake.api_key)
        yield fake


def test_anonymous_pulls_fail_when_docker_hub_throttles(run_fake_replay, throttled):
    status, report, _, _ = run_fake_replay(target=session_target(throttled))
    assert status == 1 and report["failed_step"] == "pod1_ready"
    assert "PodFailed" in step_of(report, "pod1_ready")["detail"]
    assert "toomanyrequests" in step_of(report, "pod1_ready")["detail"]
    assert "anonymous pull" in step_of(report, "pod1_deploy")["detail"]
    assert report["leaked"] == [] and not throttled.pods


def test_the_registry_credential_authenticates_the_pull(run_fake_replay, throttled, monkeypatch):
    credential = throttled.state.create_registry("docker-hub", "kgl-live", "dckr_pat_dummy")
    monkeypatch.setenv("LIVE_REGISTRY_ID", credential.id)
    pulled_with = []

    def look(step: str) -> None:
        if step == "setup_first":  # pod 1 answered: its pull went through; stop here
            pulled_with.extend(pod.registry_id for pod in throttled.pods.values())
            raise StepFailed("the test stops the run here")

    status, report, output, _ = run_fake_replay(target=session_target(throttled), on_step=look)
    assert status == 1 and report["failed_step"] == "setup_first"  # where the test stopped it
    assert step_of(report, "pod1_ready")["status"] == "passed", output
    assert pulled_with == [credential.id]
    assert "authenticated pull" in step_of(report, "pod1_deploy")["detail"]
    assert "dckr_pat_dummy" not in output
    assert report["leaked"] == [] and not throttled.pods
