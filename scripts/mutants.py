"""Break each risky promise on purpose and show that its tests notice (`make mutants`).

    python -m scripts.mutants              # every mutant in scripts/mutants.toml
    python -m scripts.mutants --list       # what each mutant breaks, without running

The tests run in a copy of the working tree (so an interrupted run never leaves broken code
behind): first on the unbroken copy, where they must pass, then once per mutant with its
one edit applied, where they must fail. A mutant whose tests still pass "survived": the
promise could break without any test noticing. Exit 1 when a mutant survives, when a
`find` no longer matches the code, or when the tests fail on the unbroken copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "scripts" / "mutants.toml"
TIMEOUT = 600  # seconds for one pytest run
# pytest's exit codes: 0 all passed, 1 some tests failed; anything else is not a verdict.
PASSED, FAILED = 0, 1


@dataclass(frozen=True)
class Mutant:
    promise: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]


def load(path: Path = MUTANTS) -> list[Mutant]:
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["mutant"]
    return [
        Mutant(e["promise"], e["file"], e["find"], e["replace"], tuple(e["tests"])) for e in entries
    ]


def find_problem(mutant: Mutant, root: Path) -> str | None:
    """Why this mutant cannot be applied to the code under root, or None."""
    path = root / mutant.file
    if not path.is_file():
        return f"{mutant.file} does not exist"
    count = path.read_text(encoding="utf-8").count(mutant.find)
    if count != 1:
        return (
            f"{mutant.file} has {count} copies of find = {mutant.find!r} (want exactly 1): "
            "update scripts/mutants.toml to the code as it is now"
        )
    return None


def copy_tree(root: Path, target: Path) -> None:
    """The working tree's files (tracked and new, not ignored), with .venv and node_modules
    linked rather than copied."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        )
        .stdout.decode("utf-8")
        .split("\0")
    )
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for linked in (".venv", "node_modules"):
        if (root / linked).exists():
            (target / linked).symlink_to(root / linked)


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    """pytest's exit code for these tests in the tree (-1 when it ran out of time), and its
    first FAILED line (which test, and why)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "--no-header",
        *tests,
    ]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "400"}
    try:
        done = subprocess.run(
            command, cwd=tree, env=env, capture_output=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, ""
    failed = [
        line
        for line in done.stdout.decode("utf-8", "replace").splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]
    return done.returncode, failed[0][:240] if failed else ""


def verdict(mutant: Mutant, tree: Path) -> tuple[str, str]:
    """'killed' when the tests fail on the broken copy, else 'SURVIVED' or why it is
    undecided; and the first failure pytest reported."""
    path = tree / mutant.file
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(mutant.find, mutant.replace, 1), encoding="utf-8")
    try:
        code, failure = run_tests(tree, mutant.tests)
    finally:
        path.write_text(original, encoding="utf-8")
    if code == FAILED:
        return "killed", failure
    if code == PASSED:
        return "SURVIVED", ""
    why = "tests timed out" if code == -1 else f"pytest exit {code}"
    return f"UNDECIDED ({why})", failure


def check(mutants: list[Mutant], root: Path = ROOT, progress=print) -> int:
    """Run every mutant against a copy of root; print one line each; 0 when all are killed."""
    problems = [f"{m.promise}: {why}" for m in mutants if (why := find_problem(m, root))]
    if problems:
        progress("\n".join(f"CANNOT APPLY: {line}" for line in problems))
        return 1
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        tree = Path(folder)
        copy_tree(root, tree)
        every_test = tuple(dict.fromkeys(t for m in mutants for t in m.tests))
        baseline, failure = run_tests(tree, every_test)
        if baseline != PASSED:
            progress(
                f"the tests fail on the unbroken code (pytest exit {baseline}): "
                f"fix them first: {failure or ' '.join(every_test)}"
            )
            return 1
        results = []
        for mutant in mutants:
            result, failure = verdict(mutant, tree)
            results.append(result)
            progress(f"{result:<8} {mutant.promise}  [{mutant.file}]")
            if failure:
                progress(f"         {failure}")
    survived = sum(result != "killed" for result in results)
    progress(f"mutants: {len(results) - survived} of {len(results)} killed by their tests")
    return 1 if survived else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)
    mutants = load()
    if args.list:
        for mutant in mutants:
            print(
                f"{mutant.promise}\n  {mutant.file}: {mutant.find!r} -> {mutant.replace!r}\n"
                f"  tests: {', '.join(mutant.tests)}"
            )
        return 0
    return check(mutants)


if __name__ == "__main__":
    sys.exit(main())
