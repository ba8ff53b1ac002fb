"""Hostile input through every snippet command (scripts/hostile.py, cases in
scripts/hostile_cases.py): no traceback, no duplicate, no leak; every refusal one Japanese
line; every lost create shown and never repeated, or adopted when provably ours."""

import pytest

from scripts import hostile
from scripts.hostile_cases import CASES


@pytest.fixture(scope="module")
def results():
    return hostile.run_all()


def test_every_case_ran_and_the_table_is_clean(results):
    assert [o.case for o in results] == [c.name for c in sorted(CASES, key=lambda c: c.module)]
    counts = hostile.table(results)
    assert counts["cases tried"] == len(CASES) >= 120
    assert (counts["tracebacks"], counts["duplicates"], counts["leaks"]) == (0, 0, 0), counts


def test_every_case_ends_as_a_reader_should_see_it(results):
    unclean = [
        f"{o.case}: exit {o.returncode}, stdout {o.stdout!r}, stderr {o.stderr!r}"
        for o in results
        if not o.clean
    ]
    assert not unclean, "\n".join(unclean)


def test_the_judge_sees_what_it_should():
    def outcome(**changes):
        base = dict(
            case="x",
            expect="refused",
            returncode=1,
            stdout="",
            stderr="エラー: だめです。\n",
            changed=False,
            made=0,
            posts=0,
            secrets=["rpa_typed"],
        )
        return hostile.Outcome(**{**base, **changes})

    assert outcome().clean
    assert not outcome(stderr="Traceback (most recent call last):\n").clean
    assert not outcome(stderr="エラー: rpa_typed\n").clean  # a leak
    assert not outcome(changed=True).clean  # a refusal that changed the account
    assert not outcome(stderr="エラー: one\nエラー: two\n").clean
    assert not outcome(stderr="エラー: english only\n").clean
    assert not outcome(expect="maybe", made=2, posts=1, stderr="python -m snippets.x\n").clean
    assert not outcome(expect="maybe", posts=2, stderr="python -m snippets.volume list\n").clean
    assert not outcome(expect="maybe", posts=1, stderr="もう一度実行してください\n").clean
    assert outcome(expect="maybe", posts=1, made=1, stderr="python -m snippets.volume list\n").clean
    assert outcome(expect="adopted", returncode=0, made=1, posts=1).clean
    assert not outcome(expect="adopted", returncode=0, made=2, posts=1).clean
