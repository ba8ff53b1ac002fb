"""live/naming.py: only the exact names a replay makes are ours; anything else, however
close, is someone else's, and reading a name never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from live import naming

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RUN = "20261127t120000z-a1b2c3"


def test_a_run_id_is_its_start_time_and_six_hex_digits():
    run_id = naming.new_run_id(NOW)
    assert run_id.startswith("20261127t120000z-") and naming.is_run_id(run_id)
    assert len(run_id.split("-")[1]) == 6
    assert naming.new_run_id(NOW) != run_id  # the random part


@pytest.mark.parametrize("role", naming.ROLES)
def test_every_role_of_a_run_parses_back(role):
    parsed = naming.parse_name(naming.resource_name(RUN, role))
    assert parsed == naming.OurName(RUN, NOW, role)
    assert not naming.looks_like_ours(naming.resource_name(RUN, role))


def test_a_role_outside_the_fixed_set_cannot_be_made():
    with pytest.raises(ValueError, match="unknown role"):
        naming.resource_name(RUN, "production-db")


ODD = [
    "kgl-live-20201399t999999z-abcdef-vol",  # month 13, hour 99: crashed the sweeper
    "kgl-live-20261127t120000z-a1b2c3-vol\n",  # a trailing newline
    "kgl-live-20261127t120000z-a1b2c3-production-db",  # anything after the random part
    "kgl-live-20261127t120000z-a1b2c3-vol-backup",  # ... even after a real role
    "kgl-live-20261127t120000z-a1b2c3",  # no role: the replay never names a thing so
    "kgl-live-20261127t120000z-a1b2c3-pod3",  # a role the replay does not have
    "kgl-live-20261127t120000z-A1B2C3-vol",  # upper-case hex
    "kgl-live-20261127T120000Z-a1b2c3-vol",  # upper-case stamp
    "kgl-live-２０２６１１２７t120000z-a1b2c3-vol",  # full-width digits
    " kgl-live-20261127t120000z-a1b2c3-vol",  # a leading space
    "kgl-live-20261127t120000z-a1b2c3-vol ",  # a trailing space
    "kgl-live-",
]


@pytest.mark.parametrize("name", ODD, ids=[repr(n) for n in ODD])
def test_odd_names_are_not_ours_and_never_raise(name):
    assert naming.parse_name(name) is None
    assert naming.looks_like_ours(name) == name.startswith(naming.PREFIX)


@pytest.mark.parametrize(
    "other", [None, 42, b"kgl-live-x", "kaggle-data", "xkgl-live-" + RUN, ["kgl-live-"]]
)
def test_other_values_are_neither_ours_nor_lookalikes(other):
    assert naming.parse_name(other) is None
    assert not naming.looks_like_ours(other)


@pytest.mark.parametrize(
    "run_id",
    [
        "20261127t120000z-abc",
        "20261127t120000z-a1b2c3-pod1",
        "20201399t999999z-abcdef",
        "20261127t120000z-a1b2c3\n",
        None,
        "",
    ],
)
def test_run_ids_are_checked_as_strictly_as_names(run_id):
    assert not naming.is_run_id(run_id)


@pytest.mark.parametrize(
    ("age", "says"),
    [
        (timedelta(minutes=-30), "未来"),
        (timedelta(minutes=11), "11 分前"),
        (timedelta(days=400), "分前"),
    ],
)
def test_a_replay_refuses_a_run_id_from_the_future_or_the_past(age, says):
    """The sweeper judges age by the id's time: an old id would let a routine sweep delete
    a live run, a future one would hide its leftovers from the sweeper for good."""
    run_id = naming.new_run_id(NOW - age)
    problem = naming.run_id_problem(run_id, NOW)
    assert problem is not None and says in problem


@pytest.mark.parametrize("age", [timedelta(0), timedelta(minutes=9), timedelta(minutes=-4)])
def test_a_fresh_run_id_is_accepted(age):
    assert naming.run_id_problem(naming.new_run_id(NOW - age), NOW) is None


def test_a_stamp_is_plausible_only_between_the_first_replay_and_now():
    assert naming.stamp_is_plausible(NOW, NOW)
    assert not naming.stamp_is_plausible(NOW + timedelta(hours=1), NOW)
    assert not naming.stamp_is_plausible(datetime(2020, 11, 27, tzinfo=UTC), NOW)
