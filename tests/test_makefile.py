"""The Makefile's verbs: `make help` lists every one a maintainer uses, the README's table
names the same ones, and the verbs other parts build on are there."""

from __future__ import annotations

import re
import subprocess

from tests import ROOT

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def help_verbs() -> list[str]:
    done = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return re.findall(r"^  make (\S+) ", done.stdout, re.M)


def phony_verbs() -> set[str]:
    declared = re.search(r"^\.PHONY:(.*?)(?<!\\)\n", MAKEFILE, re.M | re.S)[1]
    return set(declared.replace("\\\n", " ").split())


def test_help_lists_every_verb_but_the_internal_ones():
    listed = help_verbs()
    assert len(listed) == len(set(listed))
    # prerequisites-serve is a step of `make serve`, not a verb of its own.
    assert set(listed) == phony_verbs() - {"prerequisites-serve"}
    for verb in (
        "serve",
        "test",
        "lint",
        "bench",
        "lighthouse",
        "notebooks",
        "drift",
        "mutants",
        "hostile",
        "prerequisites",
        "live",
        "live-local",
        "sweep",
    ):
        assert verb in listed, verb


def test_the_readme_names_the_same_verbs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `make ([a-z-]+)` \|", readme, re.M)
    quick_start = re.findall(r"^make ([a-z-]+) ", readme, re.M)
    assert sorted(table + quick_start) == sorted(help_verbs())


def test_test_and_serve_check_the_machine_before_anything_else():
    for verb in ("test", "serve"):
        rule = re.search(rf"^{verb}: (\S+)", MAKEFILE, re.M)
        assert rule[1].startswith("prerequisites"), verb
    assert ".NOTPARALLEL:" in MAKEFILE  # so the check comes first even under make -j


def test_make_drift_and_notebooks_run_their_scripts():
    for verb, module in (
        ("drift", "scripts.drift"),
        ("notebooks", "scripts.notebooks"),
        ("mutants", "scripts.mutants"),
        ("lighthouse", "scripts.lighthouse"),
    ):
        done = subprocess.run(
            ["make", "-n", "--no-print-directory", verb],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert f"-m {module}" in done.stdout.splitlines()[-1], verb
