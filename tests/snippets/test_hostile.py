"""Hostile input through every snippet command (scripts/hostile.py, cases in
scripts/hostile_cases.py and scripts/hostile_pod_cases.py): no traceback, no duplicate, no
leak; every refusal one Japanese line; every lost create shown and never repeated, or adopted
when provably ours. One test per command family, each in its own process with its own fake
(the families run side by side on the test workers)."""

import json
import subprocess
import sys

import pytest

from scripts import hostile
from scripts.hostile_cases import CASES
from tests import ROOT


def test_the_table_covers_every_command_with_unique_names():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)) >= 120
    assert {case.module for case in CASES} == {
        "api",
        "volume",
        "secret",
        "pricing",
        "pod",
        "remote",
        "ssh_keys",
        "gcs_offload",
    }


@pytest.mark.parametrize("family", hostile.families())
def test_every_case_of_the_family_ends_as_a_reader_should_see_it(family):
    done = subprocess.run(
        [sys.executable, "-m", "scripts.hostile", "--family", family],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [hostile.Outcome(**item) for item in json.loads(done.stdout)]
    assert [o.case for o in results] == [c.name for c in CASES if c.module == family]
    counts = hostile.table(results)
    assert (counts["tracebacks"], counts["duplicates"], counts["leaks"]) == (0, 0, 0), counts
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
    assert outcome(
        expect="reported", stderr="エラー: 止まりました。python -m snippets.pod down p1\n"
    ).clean
    assert not outcome(expect="reported", stderr="エラー: 止まりました。\n").clean
