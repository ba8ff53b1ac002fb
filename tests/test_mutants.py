"""scripts/mutants.py (`make mutants`): each risky promise, broken on purpose, fails a test.

`make mutants` runs the real mutants (scripts/mutants.toml). Here: every mutant still fits
the code (its `find` occurs exactly once, so a rewrite shows up as this test failing; that
the tests it names exist is checked in tests/test_tested_by.py); and the runner, on a tiny
project, tells a killed mutant from one that survived, and refuses to judge when the tests
fail without any mutant.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts import mutants
from tests import ROOT

MUTANTS = mutants.load()


def test_the_risky_promises_each_have_a_mutant():
    promises = " ".join(m.promise for m in MUTANTS)
    for promise in (
        "auto-stop really stops",
        "setup never prints the Kaggle token",
        "the sweeper never touches a look-alike name",
    ):
        assert promise in promises


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.promise for m in MUTANTS])
def test_each_mutant_still_fits_the_code(mutant):
    assert mutants.find_problem(mutant, ROOT) is None
    assert mutant.replace != mutant.find


CODE = "def is_ours(name):\n    return name.startswith('kgl-') and name.count('-') == 1\n"
TEST = """from ours import is_ours


def test_prefix():
    assert is_ours("kgl-a")


def test_lookalike():
    assert not is_ours("kgl-a-b")
"""


def toy_project(tmp_path: Path) -> Path:
    root = tmp_path / "toy"
    (root / "tests").mkdir(parents=True)
    (root / "ours.py").write_text(CODE, encoding="utf-8")
    (root / "tests" / "test_ours.py").write_text(TEST, encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def toy_mutant(replace: str, test: str) -> mutants.Mutant:
    return mutants.Mutant(
        f"lookalikes are not ours ({test})",
        "ours.py",
        "and name.count('-') == 1",
        replace,
        (f"tests/test_ours.py::{test}",),
    )


def test_a_mutant_its_test_catches_is_killed_and_one_it_misses_survives(tmp_path):
    root = toy_project(tmp_path)
    said: list[str] = []
    killed = toy_mutant("", "test_lookalike")
    survives = toy_mutant("", "test_prefix")  # this test never looks at look-alikes
    assert mutants.check([killed, survives], root, said.append) == 1
    assert said[0].startswith("killed   lookalikes are not ours (test_lookalike)")
    assert "FAILED tests/test_ours.py::test_lookalike" in said[1]
    assert said[2].startswith("SURVIVED lookalikes are not ours (test_prefix)")
    assert said[-1] == "mutants: 1 of 2 killed by their tests"
    assert (root / "ours.py").read_text(encoding="utf-8") == CODE  # the real tree untouched


def test_tests_that_fail_without_a_mutant_judge_nothing(tmp_path):
    root = toy_project(tmp_path)
    (root / "ours.py").write_text(CODE.replace("'kgl-'", "'other-'"), encoding="utf-8")
    said: list[str] = []
    assert mutants.check([toy_mutant("", "test_prefix")], root, said.append) == 1
    assert said[0].startswith("the tests fail on the unbroken code (pytest exit 1)")


def test_a_find_that_no_longer_matches_is_named(tmp_path):
    root = toy_project(tmp_path)
    stale = mutants.Mutant("gone", "ours.py", "no such code", "x", ("tests/test_ours.py",))
    said: list[str] = []
    assert mutants.check([stale], root, said.append) == 1
    assert said[0].startswith("CANNOT APPLY: gone: ours.py has 0 copies of find = 'no such code'")
