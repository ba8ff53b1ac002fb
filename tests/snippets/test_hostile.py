"""Hostile input through every snippet command (tests/snippets/hostile.py): no traceback, no
duplicate, no leak, and every case refused in one Japanese line or, for a lost answer,
created exactly once."""

import pytest

from tests.snippets import hostile


@pytest.fixture(scope="module")
def results():
    return hostile.run_all()


def test_the_table_is_clean(results):
    counts = hostile.table(results)
    assert counts["cases tried"] == len(hostile.CASES) >= 70
    assert (counts["tracebacks"], counts["duplicates"], counts["leaks"]) == (0, 0, 0), counts


def test_every_case_ends_as_a_reader_should_see_it(results):
    unclean = [
        f"{outcome.case.name}: exit {outcome.returncode}, stdout {outcome.stdout!r}, "
        f"stderr {outcome.stderr!r}"
        for outcome, _ in results
        if not outcome.clean
    ]
    assert not unclean, "\n".join(unclean)


def test_the_judge_sees_what_it_should():
    # the yardstick itself: a traceback, a duplicate and a leak are each counted
    case = hostile.Case("x", ("snippets.api",), env={"RUNPOD_API_KEY": "rpa_typed"})
    crashed = hostile.Outcome(case, 1, "", "Traceback (most recent call last):\n", False, 0)
    twice = hostile.Outcome(hostile.Case("y", (), creates="volumes"), 0, "", "", True, 2)
    echoed = hostile.Outcome(case, 1, "", "エラー: rpa_typed\n", False, 0)
    changed = hostile.Outcome(case, 1, "", "エラー: だめです。\n", True, 0)
    assert crashed.traceback and not crashed.clean
    assert twice.duplicate and not twice.clean
    assert echoed.leak("rpa_other") and changed.leak("rpa_other") and not changed.clean
    good = hostile.Outcome(case, 1, "", "エラー: だめです。\n", False, 0)
    assert good.clean and not good.leak("rpa_other") and not good.traceback
