"""snippets/create.py: a create is sent once; an answer that proves nothing is never retried.

What the reader is promised (issue: money-safe under stress): whatever answer a create gets
— a 5xx of any kind, Cloudflare's 52x, a 408, an HTML page, JSON cut short, no answer at
all — no second volume, secret or pod is ever made behind their back. The command watches
the list for what was made, adopts only what it can prove is its own, and otherwise says
that something may exist and how to look, never "try again".
"""

import time

import pytest

from snippets import api, errors, secret, volume
from snippets.create import create_once

AMBIGUOUS = [
    "rest_create:500",
    "rest_create:502",
    "rest_create:503",
    "rest_create:504",
    "rest_create:520",
    "rest_create:522",
    "rest_create:524",
    "rest_create:408",
    "rest_create:html",
    "rest_create:html200",
    "rest_create:truncated",
    "rest_create:drop",
    "rest_create:empty",
    "lost:rest_create",
    "timeout:rest_create=1",
]


def posts(fake) -> int:
    """Creates the fake received. A create whose answer the fake still holds back is logged
    once it is answered: give a held answer (timeout:rest_create=1) time to finish."""
    deadline = time.monotonic() + 3
    while True:
        count = sum(1 for r in fake.requests if r.method == "POST")
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.fixture
def short_reads(monkeypatch):
    monkeypatch.setenv("SNIPPETS_READ_TIMEOUT", "0.5")


@pytest.mark.parametrize("fault", AMBIGUOUS)
def test_a_volume_made_behind_a_lost_answer_is_shown_never_made_twice(fake, short_reads, fault):
    fake.set_faults(fault)
    with pytest.raises(errors.MaybeCreated) as maybe:
        volume.create_volume("kaggle-data", 50, "EU-RO-1")
    (made,) = fake.volumes.values()
    assert posts(fake) == 1
    assert made.id in str(maybe.value)  # the reader is shown which one it is
    assert "python -m snippets.volume list" in str(maybe.value)
    assert "もう一度作らないでください" in str(maybe.value)
    assert [c["id"] for c in maybe.value.candidates] == [made.id]


@pytest.mark.parametrize("fault", ["rest_create:524", "rest_create:drop", "lost:rest_create"])
def test_a_unique_name_is_proof_and_the_volume_is_adopted(fake, short_reads, fault, capsys):
    fake.set_faults(fault)
    made = volume.create_volume("kgl-live-run-vol", 10, "EU-RO-1", unique_name=True)
    assert list(fake.volumes) == [made["id"]]
    assert posts(fake) == 1
    assert f"作られていました（ID: {made['id']}）" in capsys.readouterr().err


def lose_the_create(monkeypatch):
    """The next create is lost on the way and never carried out (what a 520 or a reset
    before Runpod saw it looks like to the reader)."""
    real = api.rest

    def losing(method, path, body=None, params=None, *, create=False):
        if create:
            raise api.AnswerLost("テスト: 届かなかった依頼")
        return real(method, path, body, params, create=create)

    monkeypatch.setattr(api, "rest", losing)


def test_an_old_volume_of_the_same_name_is_never_taken_for_the_new_one(fake, monkeypatch):
    old = volume.create_volume("kaggle-data", 50, "EU-RO-1")
    lose_the_create(monkeypatch)
    with pytest.raises(errors.MaybeCreated, match="分かりません") as maybe:
        volume.create_volume("kaggle-data", 50, "EU-RO-1", unique_name=True)
    assert list(fake.volumes) == [old["id"]]
    assert maybe.value.candidates == []


def test_a_create_that_did_not_happen_is_not_sent_again(fake, monkeypatch, waits):
    lose_the_create(monkeypatch)
    with pytest.raises(errors.MaybeCreated, match="作り直さないでください"):
        volume.create_volume("kaggle-data", 50, "EU-RO-1")
    assert fake.volumes == {} and posts(fake) == 0
    assert sum(waits) == 60  # the list was watched for a minute: lists lag


def test_a_pod_create_that_failed_on_runpods_side_is_not_sent_again(fake, waits):
    from snippets import pod

    disk = volume.create_volume("kaggle-data", 10, "EU-RO-1")
    fake.set_faults("create_pod:transient")  # "Something went wrong": nothing was made
    with pytest.raises(errors.MaybeCreated, match="python -m snippets.pod list"):
        pod.deploy_pod(disk["id"])
    assert fake.pods == {} and posts(fake) == 2  # the volume, and the pod once


def failing_lists_after(monkeypatch, good: int):
    """volume.list_volumes answers `good` times, then fails as an API in trouble would."""
    real, calls = volume.list_volumes, []

    def listing():
        calls.append(1)
        if len(calls) > good:
            raise errors.Unavailable("一覧: テストで失敗させています", status=503)
        return real()

    monkeypatch.setattr(volume, "list_volumes", listing)


def test_a_list_that_fails_after_a_lost_answer_names_the_console(fake, monkeypatch):
    failing_lists_after(monkeypatch, good=1)  # the look before the create works
    fake.set_faults("rest_create:524")
    with pytest.raises(errors.MaybeCreated) as maybe:
        volume.create_volume("kaggle-data", 50, "EU-RO-1")
    assert "一覧も取得できませんでした" in str(maybe.value)
    assert "https://console.runpod.io/user/storage" in str(maybe.value)
    assert posts(fake) == 1 and len(fake.volumes) == 1


def test_a_list_that_lags_is_watched_until_the_volume_shows(fake, monkeypatch, waits):
    real, looks = volume.list_volumes, []

    def lagging():  # the new volume shows from the fourth look after the create on
        looks.append(1)
        return real() if len(looks) == 1 or len(looks) > 4 else []

    monkeypatch.setattr(volume, "list_volumes", lagging)
    fake.set_faults("rest_create:524")
    made = volume.create_volume("kgl-live-lag-vol", 10, "EU-RO-1", unique_name=True)
    assert list(fake.volumes) == [made["id"]] and waits == [1, 2, 4, 8]


def test_a_failing_list_stops_everything_before_a_create(fake, waits):
    fake.set_faults("rest:503x*")
    with pytest.raises(errors.Unavailable):
        volume.create_volume("kaggle-data", 50, "EU-RO-1")
    assert posts(fake) == 0


def test_a_429_on_a_create_is_safe_to_send_again(fake, waits):
    """A 429 is refused unheard (the v2 OpenAPI: back off, then resume): sent again once."""
    fake.set_faults("rest:429=2")  # hits the create itself: nothing is read before it here
    body = {"name": "kaggle-data", "size": 10, "dataCenter": "EU-RO-1", "type": "STANDARD"}
    create_once(
        "ボリューム",
        "kaggle-data",
        "/v2/network-volumes",
        body,
        list_all=lambda: [],
        is_ours=lambda item: True,
        provable=False,
        how_to_check="",
    )
    assert len(fake.volumes) == 1 and posts(fake) == 2 and waits == [2]


@pytest.mark.parametrize("fault", ["rest_create:524", "lost:rest_create"])
def test_a_secret_made_behind_a_lost_answer_is_shown_never_made_twice(fake, fault):
    fake.set_faults(fault)
    with pytest.raises(errors.MaybeCreated) as maybe:
        secret.create_secret("kaggle_api_token", "KGAT_lost_value_0123")
    (made,) = fake.secrets.values()
    assert made.id in str(maybe.value) and "KGAT_lost" not in str(maybe.value)
    assert posts(fake) == 1


def test_a_secret_name_taken_before_we_asked_is_refused(fake):
    secret.create_secret("kaggle_api_token", "KGAT_the_old_value")
    with pytest.raises(errors.Conflict, match="すでにあります"):
        secret.create_secret("Kaggle_API_Token", "KGAT_a_new_value")
    (kept,) = fake.secrets.values()
    assert kept.value == "KGAT_the_old_value"


def test_refusals_never_quote_the_secret_value(fake, monkeypatch):
    """Runpod's `detail` of a refused create might quote what was sent: the value is masked
    before anything is shown (the fake never echoes, so the answer is made up here)."""

    def echoing(method, path, body=None, params=None, *, create=False):
        if create:
            detail = f"$.value: {body['value']!r} is not allowed"
            raise errors.Invalid(f"受け付けませんでした（Runpod: {detail}）", detail=detail)
        return {"secrets": []}

    monkeypatch.setattr("snippets.create.api.rest", echoing)
    monkeypatch.setattr("snippets.secret.rest", echoing)
    with pytest.raises(errors.Invalid) as refused:
        secret.create_secret("kaggle_api_token", "KGAT_do_not_echo_me")
    assert "KGAT_do_not_echo_me" not in str(refused.value) + refused.value.detail
    assert "***" in str(refused.value)
