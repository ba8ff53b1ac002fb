"""live/registry.py against the fake: one list of kinds in dependency order, each deleted and
waited for the same way by the replay's teardown and the sweeper; a volume still in use is
retried until a deadline; an item already gone is not an error."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from live import guide, naming, registry, sweep
from tests.live.test_sweep import backdate

RUN = naming.new_run_id()


def test_kinds_go_in_dependency_order_and_map_to_teardown_steps():
    kinds = registry.kinds()
    assert [k.name for k in kinds] == ["pod", "volume", "secret"]
    assert [k.step for k in kinds] == ["pods_cleanup", "volume_delete", "secret_delete"]
    assert all(k.step in guide.CHECKS for k in kinds)


@pytest.fixture
def volume_in_use(fake_runpod, fast_snippets):
    """A run's volume with a pod on it (no SSH needed)."""
    from snippets import pod, volume

    made = volume.create_volume(naming.resource_name(RUN, "vol"), 10, "EU-RO-1")
    held = pod.deploy_pod(made["id"], name=naming.resource_name(RUN, "pod1"), max_price=0.5)
    deadline = time.monotonic() + 20  # until it has booted: a pod in the middle of its start
    while fake_runpod.pods[held["id"]].status != "RUNNING":  # is not what this is about
        assert time.monotonic() < deadline, "the fake pod did not boot"
        time.sleep(0.05)
    return made, held


def test_a_volume_in_use_is_retried_until_its_pod_is_gone(volume_in_use, fake_runpod):
    from snippets import pod

    made, held = volume_in_use
    calls, ending = [], threading.Thread(target=pod.terminate_pod, args=(held["id"],))
    kind = registry.kind("volume")

    def delete(item_id: str) -> None:
        calls.append(item_id)
        try:
            kind.delete(item_id)
        finally:
            if len(calls) == 1:  # refused while the pod is there: now the pod ends
                ending.start()

    counting = registry.Kind(kind.name, kind.step, kind.list_all, delete)
    try:
        errors = registry.remove(counting, [made["id"]], timeout=10, poll=0.05)
    finally:
        ending.join()
    assert errors == []
    assert len(calls) > 1, "the first delete should have met the pod still on the volume"
    assert made["id"] not in fake_runpod.volumes


def test_in_use_past_the_deadline_is_reported_not_raised(volume_in_use, fake_runpod):
    made, held = volume_in_use
    errors = registry.remove(registry.kind("volume"), [made["id"]], timeout=0.3, poll=0.05)
    assert [(e.kind, e.id, e.reason) for e in errors] == [("volume", made["id"], "refused")]
    assert "delete refused" in str(errors[0]) and "削除を断られました" in errors[0].japanese()
    assert made["id"] in fake_runpod.volumes
    # The registry's order is the way out: pods first, then the volume.
    assert registry.remove(registry.kind("pod"), [held["id"]], timeout=5, poll=0.05) == []
    assert registry.remove(registry.kind("volume"), [made["id"]], timeout=5, poll=0.05) == []


@pytest.mark.parametrize("kind", ["pod", "volume", "secret"])
def test_an_item_already_gone_is_not_an_error(kind, fake_runpod, fast_snippets):
    assert registry.remove(registry.kind(kind), ["gone0000000000"], timeout=1, poll=0.05) == []


def test_find_keeps_ours_and_lists_lookalikes_apart(fake_runpod, fast_snippets):
    from snippets import secret, volume

    volume.create_volume(naming.resource_name(RUN, "vol"), 10, "EU-RO-1")
    volume.create_volume("kgl-live-20201399t999999z-abcdef-vol", 10, "EU-RO-1")
    secret.create_secret(f"kgl-live-{RUN}-production-db", "value-123456")
    found = registry.find(registry.of_run(RUN))
    assert [(i.kind, i.name) for i in found.ours] == [("volume", f"kgl-live-{RUN}-vol")]
    assert sorted(i.name for i in found.not_ours) == [
        "kgl-live-20201399t999999z-abcdef-vol",
        f"kgl-live-{RUN}-production-db",
    ]


def test_teardown_and_sweep_delete_through_the_same_registry(
    fake_runpod, fast_snippets, monkeypatch
):
    """The sweeper has no delete of its own: it hands each kind, in order, to remove()."""
    from snippets import secret, volume

    old = naming.new_run_id(datetime.now(UTC) - timedelta(hours=3))
    volume.create_volume(naming.resource_name(old, "vol"), 10, "EU-RO-1")
    secret.create_secret(naming.resource_name(old, "kaggle"), "value-123456")
    backdate(fake_runpod, old, 3)
    seen = []
    real_remove = registry.remove

    def spy(of, ids, **kwargs):
        seen.append(of.name)
        return real_remove(of, ids, **kwargs)

    monkeypatch.setattr(registry, "remove", spy)
    assert sweep.main(["--yes", "--poll", "0.05"]) == 0
    assert seen == ["volume", "secret"]
    assert not fake_runpod.volumes and not fake_runpod.secrets


def test_errors_are_told_apart_by_type_never_by_their_wording():
    """NotFound is "already gone" whatever it says; an error of another type is a failure
    even when its message reads like "not found" (rewording a message changes nothing)."""
    from snippets import errors

    raised = {
        "gone": errors.NotFound("reworded: nothing here"),
        "liar": errors.Unavailable("Pod が見つかりません HTTP 404 not found in use"),
    }

    def delete(item_id: str) -> None:
        raise raised[item_id]

    listed = {"liar"}  # the item that was not deleted is still listed
    kind = registry.Kind("pod", "pods_cleanup", lambda: [{"id": i} for i in listed], delete)
    failures = registry.remove(kind, ["gone", "liar"], timeout=0.2, poll=0.05)
    assert [(f.id, f.reason) for f in failures] == [("liar", "refused")]
    assert failures[0].detail.startswith("Unavailable: ")


def test_in_use_is_retried_until_the_deadline_whatever_it_says():
    from snippets import errors

    calls = []

    def delete(item_id: str) -> None:
        calls.append(item_id)
        if len(calls) < 3:
            raise errors.InUse("reworded: busy")

    kind = registry.Kind("volume", "volume_delete", lambda: [], delete)
    assert registry.remove(kind, ["v1"], timeout=5, poll=0.01, sleep=lambda s: None) == []
    assert calls == ["v1", "v1", "v1"]
