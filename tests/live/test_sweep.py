"""live/sweep.py against the fake: finds kgl-live-* leftovers by the time in their
name, leaves young runs, active runs and other people's resources alone (however much their
names look like ours), lists runs whose time is impossible as suspicious, deletes only with
--yes, speaks Japanese, and its exit status says whether anything is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from live import naming, registry, sweep
from tests.live.conftest import assert_clean


def make_run(fake, hours_ago: float, public_key: str) -> str:
    """What a killed replay leaves: a secret, a volume and a pod named after its run."""
    from snippets import pod, secret, volume

    run_id = naming.new_run_id(datetime.now(UTC) - timedelta(hours=hours_ago))
    secret.create_secret(naming.resource_name(run_id, "kaggle"), "dummy-value-123456")
    made = volume.create_volume(naming.resource_name(run_id, "vol"), 10, "EU-RO-1")
    created = pod.deploy_pod(
        made["id"], name=naming.resource_name(run_id, "pod1"), public_key=public_key, max_price=0.5
    )
    # Started first, then backdated: a pod that starts after the backdating would show
    # activity newer than the cut-off, and its run would rightly be spared.
    pod.wait_until_ready(created["id"], timeout=60, poll=0.05)
    backdate(fake, run_id, hours_ago)
    return run_id


def backdate(fake, run_id: str, hours_ago: float) -> None:
    """What Runpod says of a killed run's items: created (and started) when the run was."""
    moment = datetime.now(UTC) - timedelta(hours=hours_ago)
    for record in [*fake.pods.values(), *fake.secrets.values()]:
        if run_id in record.name:
            record.created_at = moment
            for later in ("started_at", "value_updated_at"):
                if getattr(record, later, None) is not None:
                    setattr(record, later, moment)


@pytest.fixture
def leftovers(fake_runpod, ssh_keypair, fast_snippets):
    old = make_run(fake_runpod, 3, ssh_keypair[1])
    young = make_run(fake_runpod, 0.5, ssh_keypair[1])
    # Someone's own volume, not made by the replay: never touched.
    from snippets import volume

    volume.create_volume("kaggle-data", 10, "EU-RO-1")
    return old, young


def names(fake) -> set[str]:
    return {x.name for group in (fake.pods, fake.volumes, fake.secrets) for x in group.values()}


def test_dry_run_lists_old_leftovers_and_deletes_nothing(leftovers, fake_runpod, capsys):
    old, young = leftovers
    before = names(fake_runpod)
    assert sweep.main(["--poll", "0.05"]) == 1  # something is left
    out = capsys.readouterr().out
    assert out.count("削除の対象: ") == 3 and "--yes を付けてください" in out
    assert "1 件は、実行中かもしれないので触りません" not in out  # the young run: 3 items
    assert "3 件は、実行中かもしれないので触りません" in out
    assert f"kgl-live-{old}-pod1" in out and f"kgl-live-{old}-vol" in out
    assert young not in out and "kaggle-data" not in out
    assert names(fake_runpod) == before


def test_yes_deletes_old_leftovers_only(leftovers, fake_runpod, capsys):
    old, young = leftovers
    assert sweep.main(["--yes", "--poll", "0.05"]) == 0
    left = names(fake_runpod)
    assert not any(old in name for name in left)
    assert sum(young in name for name in left) == 3
    assert "kaggle-data" in left
    assert "残り 0 件" in capsys.readouterr().out
    # Nothing older than 2 h remains: a second sweep finds nothing and says so.
    assert sweep.main([]) == 0
    assert "2 時間より古い実行の kgl-live-* は残っていません" in capsys.readouterr().out


def test_run_id_sweeps_one_run_whatever_its_age(leftovers, fake_runpod):
    old, young = leftovers
    assert sweep.main(["--yes", "--run-id", young, "--poll", "0.05"]) == 0
    left = names(fake_runpod)
    assert not any(young in name for name in left)
    assert sum(old in name for name in left) == 3


def test_older_than_zero_takes_everything_prefixed(leftovers, fake_runpod):
    assert sweep.main(["--yes", "--older-than", "0", "--poll", "0.05"]) == 0
    assert names(fake_runpod) == {"kaggle-data"}
    from snippets import volume

    for item in volume.list_volumes():
        volume.delete_volume(item["id"])
    assert_clean(fake_runpod)


def test_without_a_key_it_skips(monkeypatch, capsys):
    monkeypatch.delenv("RUNPOD_API_KEY", raising=False)
    assert sweep.main(["--yes"]) == 0
    out = capsys.readouterr().out
    assert "RUNPOD_API_KEY が設定されていない" in out
    assert not any(word in out for word in ("Skipped", "sweep:", "nothing"))  # Japanese only


def test_durations():
    assert sweep.duration("2h") == timedelta(hours=2)
    assert sweep.duration("30m") == timedelta(minutes=30)
    assert sweep.duration("90s") == sweep.duration("90") == timedelta(seconds=90)
    assert sweep.duration("1d") == timedelta(days=1)
    with pytest.raises(Exception, match="時間の形が正しくありません"):
        sweep.duration("soon")


ODD = [
    "kgl-live-20201399t999999z-abcdef-vol",  # an impossible date
    "kgl-live-20261127t120000z-a1b2c3-vol\n",  # a trailing newline
    "kgl-live-20201127t120000z-abcdef-production-db",  # a suffix after the random part
    "kgl-live-20201127t120000z-abcdef",
]  # no role


def test_odd_names_never_break_the_sweep_and_are_never_deleted(
    fake_runpod, fast_snippets, ssh_keypair, capsys
):
    """Someone else's volumes whose names only look like ours (made another way than with
    our snippets, which refuse a newline): listed as not ours, left alone; the real
    leftover next to them is still swept."""
    for name in ODD:
        fake_runpod.state.create_volume(name, 10, "EU-RO-1", None)
    old = make_run(fake_runpod, 3, ssh_keypair[1])
    assert sweep.main(["--yes", "--older-than", "0", "--poll", "0.05"]) == 0
    out = capsys.readouterr().out
    assert out.count("対象外（名前が似ているだけ。触りません）") == len(ODD)
    for name in ODD:
        assert repr(name) in out
    assert sorted(v.name for v in fake_runpod.volumes.values()) == sorted(ODD)
    assert not any(old in name for name in names(fake_runpod))
    assert "残り 0 件" in out
    # A dry run says the same and exits 0: nothing of ours is left.
    assert sweep.main(["--older-than", "0"]) == 0
    assert "kgl-live-* は残っていません" in capsys.readouterr().out


def test_a_bad_run_id_is_refused_in_japanese(capsys):
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--run-id", "20201399t999999z-abcdef"])
    assert stop.value.code == 2
    assert "--run-id の形が正しくありません" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["--older-than", "soon"],
        ["--older-than", "99999999999d"],
        ["--older-than", "1e400"],
        ["--gone-timeout", "nan"],
        ["--gone-timeout", "-1"],
        ["--poll", "0"],
        ["--bogus"],
    ],
)
def test_bad_arguments_get_one_japanese_line(args, capsys):
    with pytest.raises(SystemExit) as stop:
        sweep.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and len(err.strip().splitlines()) == 1


def make_odd_run(fake, when: datetime) -> str:
    """A run whose name holds a time no replay can have (the future, or before any replay)."""
    from snippets import secret, volume

    run_id = naming.new_run_id(when)
    secret.create_secret(naming.resource_name(run_id, "kaggle"), "dummy-value-123456")
    volume.create_volume(naming.resource_name(run_id, "vol"), 10, "EU-RO-1")
    return run_id


def test_runs_from_the_future_or_the_far_past_are_listed_as_suspicious(
    fake_runpod, fast_snippets, capsys
):
    """Never silently skipped (a future time would hide leftovers forever) and never deleted
    by age (an old time is not proof of an old run): listed, and the sweep fails so that a
    person looks; --run-id then deletes one on purpose."""
    future = make_odd_run(fake_runpod, datetime.now(UTC) + timedelta(days=3))
    ancient = make_odd_run(fake_runpod, datetime(2025, 6, 1, tzinfo=UTC))
    assert sweep.main(["--yes", "--older-than", "0", "--poll", "0.05"]) == 1
    out = capsys.readouterr().out
    assert out.count("要確認（名前の時刻") == 4 and "--run-id <実行 ID> --yes" in out
    assert len(names(fake_runpod)) == 4
    assert sweep.main(["--yes", "--run-id", future, "--poll", "0.05"]) == 0
    assert not any(future in name for name in names(fake_runpod))
    assert sum(ancient in name for name in names(fake_runpod)) == 2


@pytest.mark.parametrize("activity", ["pod", "secret"])
def test_a_run_with_recent_activity_is_never_swept_by_age(
    fake_runpod, fast_snippets, capsys, ssh_keypair, activity
):
    """An old name is not proof of an old run: a pod created (or started) or a secret
    written after the cut-off keeps the whole run out of an age-based sweep."""
    from snippets import pod, secret, volume

    old = naming.new_run_id(datetime.now(UTC) - timedelta(hours=3))
    made = volume.create_volume(naming.resource_name(old, "vol"), 10, "EU-RO-1")
    if activity == "pod":
        pod.deploy_pod(
            made["id"],
            name=naming.resource_name(old, "pod1"),
            public_key=ssh_keypair[1],
            max_price=0.5,
        )
    else:
        secret.create_secret(naming.resource_name(old, "kaggle"), "dummy-value-123456")
    before = names(fake_runpod)
    assert sweep.main(["--yes", "--older-than", "1h", "--poll", "0.05"]) == 0
    out = capsys.readouterr().out
    assert out.count("使用中のため触りません") == 2 and f"kgl-live-{old}-vol" in out
    assert names(fake_runpod) == before  # the volume too: it belongs to an active run


def item(kind: str, run_id: str, role: str, activity: datetime | None = None):
    name = naming.resource_name(run_id, role)
    return registry.Item(kind, f"id-{role}", name, naming.parse_name(name), activity)


def test_select_sorts_every_run_into_one_group():
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    old = naming.new_run_id(now - timedelta(hours=3))
    busy = naming.new_run_id(now - timedelta(hours=3))
    young = naming.new_run_id(now - timedelta(minutes=10))
    future = naming.new_run_id(now + timedelta(hours=1))
    items = [
        item("volume", old, "vol"),
        item("secret", old, "kaggle", now - timedelta(hours=3)),
        item("pod", busy, "pod2", now - timedelta(minutes=5)),
        item("volume", busy, "vol"),
        item("volume", young, "vol"),
        item("volume", future, "vol"),
        registry.Item("volume", "x", "kgl-live-odd", None),
    ]
    chosen = sweep.select(items, timedelta(minutes=50), now=now)
    run_of = lambda group: {i.ours.run_id for i in group}  # noqa: E731
    assert run_of(chosen.delete) == {old} and len(chosen.delete) == 2
    assert run_of(chosen.active) == {busy} and len(chosen.active) == 2  # the whole run
    assert run_of(chosen.young) == {young} and run_of(chosen.suspicious) == {future}
    assert [i.name for i in chosen.not_ours] == ["kgl-live-odd"]
    assert run_of(sweep.select(items, timedelta(0), future, now).delete) == {future}


def test_ctrl_c_and_an_unreachable_api_end_in_one_japanese_line(fast_snippets, monkeypatch, capsys):
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_test_key_not_real")
    monkeypatch.setenv("RUNPOD_API_BASE_URL", "http://127.0.0.1:9")
    assert sweep.main(["--yes"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and "Traceback" not in err
    assert "rpa_test_key_not_real" not in err

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(registry, "inventory", interrupted)
    assert sweep.main(["--yes"]) == 130
    assert "中断しました" in capsys.readouterr().err


def test_an_unexpected_error_in_the_sweep_is_one_japanese_line(monkeypatch, capsys):
    def broken():
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_test_key_not_real")
    monkeypatch.setattr(registry, "inventory", broken)
    assert sweep.main(["--yes"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: 掃除を続けられませんでした（OSError")
    assert "Traceback" not in err
