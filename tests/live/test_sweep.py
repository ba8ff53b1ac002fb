"""live/sweep.py against the fake: finds kgl-live-* leftovers by the time in their
name, leaves young runs and other people's resources alone (however much their names look
like ours), deletes only with --yes, and its exit status says whether anything is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from live import naming, sweep
from tests.live.conftest import assert_clean


def make_run(fake, hours_ago: float, public_key: str) -> str:
    """What a killed replay leaves: a secret, a volume and a pod named after its run."""
    from snippets import pod, secret, volume

    run_id = naming.new_run_id(datetime.now(UTC) - timedelta(hours=hours_ago))
    secret.create_secret(naming.resource_name(run_id, "kaggle"), "dummy-value-123456")
    made = volume.create_volume(naming.resource_name(run_id, "vol"), 10, "EU-RO-1")
    pod.deploy_pod(made["id"], name=naming.resource_name(run_id, "pod1"),
                   public_key=public_key, max_price=0.5)
    return run_id


@pytest.fixture
def leftovers(fake_runpod, ssh_keypair, fast_snippets):
    old = make_run(fake_runpod, 3, ssh_keypair[1])
    young = make_run(fake_runpod, 0.5, ssh_keypair[1])
    # Someone's own volume, not made by the replay: never touched.
    from snippets import volume

    volume.create_volume("kaggle-data", 10, "EU-RO-1")
    return old, young


def names(fake) -> set[str]:
    return {x.name for group in (fake.pods, fake.volumes, fake.secrets)
            for x in group.values()}


def test_dry_run_lists_old_leftovers_and_deletes_nothing(leftovers, fake_runpod, capsys):
    old, young = leftovers
    before = names(fake_runpod)
    assert sweep.main(["--poll", "0.05"]) == 1  # something is left
    out = capsys.readouterr().out
    assert out.count("would delete") == 3
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
    assert "left 0" in capsys.readouterr().out
    # Nothing older than 2 h remains: a second sweep finds nothing and says so.
    assert sweep.main([]) == 0
    assert "nothing named kgl-live-*" in capsys.readouterr().out


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
    assert "RUNPOD_API_KEY が設定されていない" in out and "Skipped the sweep" in out


def test_durations():
    assert sweep.duration("2h") == timedelta(hours=2)
    assert sweep.duration("30m") == timedelta(minutes=30)
    assert sweep.duration("90s") == sweep.duration("90") == timedelta(seconds=90)
    assert sweep.duration("1d") == timedelta(days=1)
    with pytest.raises(Exception, match="時間の形が正しくありません"):
        sweep.duration("soon")


ODD = ["kgl-live-20201399t999999z-abcdef-vol",  # an impossible date
       "kgl-live-20261127t120000z-a1b2c3-vol\n",  # a trailing newline
       "kgl-live-20201127t120000z-abcdef-production-db",  # a suffix after the random part
       "kgl-live-20201127t120000z-abcdef"]  # no role


def test_odd_names_never_break_the_sweep_and_are_never_deleted(fake_runpod, fast_snippets,
                                                               ssh_keypair, capsys):
    """Someone else's volumes whose names only look like ours (made another way than with
    our snippets, which refuse a newline): listed as not ours, left alone; the real
    leftover next to them is still swept."""
    for name in ODD:
        fake_runpod.state.create_volume(name, 10, "EU-RO-1", None)
    old = make_run(fake_runpod, 3, ssh_keypair[1])
    assert sweep.main(["--yes", "--older-than", "0", "--poll", "0.05"]) == 0
    out = capsys.readouterr().out
    assert out.count("not ours (left alone)") == len(ODD)
    for name in ODD:
        assert repr(name) in out
    assert sorted(v.name for v in fake_runpod.volumes.values()) == sorted(ODD)
    assert not any(old in name for name in names(fake_runpod))
    assert "left 0" in out
    # A dry run says the same and exits 0: nothing of ours is left.
    assert sweep.main(["--older-than", "0"]) == 0
    assert "nothing named kgl-live-*" in capsys.readouterr().out


def test_a_bad_run_id_is_refused_in_japanese(capsys):
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--run-id", "20201399t999999z-abcdef"])
    assert stop.value.code == 2
    assert "--run-id の形が正しくありません" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--older-than", "soon"], ["--gone-timeout", "nan"],
                                  ["--gone-timeout", "-1"], ["--poll", "0"], ["--bogus"]])
def test_bad_arguments_get_one_japanese_line(args, capsys):
    with pytest.raises(SystemExit) as stop:
        sweep.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and len(err.strip().splitlines()) == 1
