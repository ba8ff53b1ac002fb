"""Where the test suite's time goes: seconds per test file, read from pytest's JUnit XML.

Each test's time is its setup, call and teardown. Under pytest-xdist the files run side by
side, so the seconds add up to more than the wall clock: they say where the workers spend
their time. A session fixture's cost (the shared site build) lands on the first test that
asks for it, wherever the scheduler put that test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

SHOWN = 25  # files printed; the report keeps all of them
# Seconds per test file, for the suite's first hand-out to its workers (longest first:
# tests/fixtures/schedule.py). Rewritten by every passing `make bench`.
SCHEDULE = Path("tests/fixtures/seconds.json")


@dataclass(frozen=True)
class FileTime:
    file: str  # tests/...py
    seconds: float
    tests: int


def file_of(classname: str, root: Path) -> str:
    """The test file of a JUnit classname: tests.site.test_build(.TestClass) -> tests/site/..."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        candidate = Path(*parts[:end]).with_suffix(".py")
        if (root / candidate).is_file():
            return candidate.as_posix()
    return classname


def per_file(junit_xml: Path, root: Path) -> list[FileTime]:
    """Seconds and number of tests per file, the slowest first."""
    # Our own pytest's output, not input from elsewhere.
    tree = ElementTree.parse(junit_xml)  # noqa: S314
    seconds: dict[str, float] = defaultdict(float)
    tests: dict[str, int] = defaultdict(int)
    for case in tree.iter("testcase"):
        file = file_of(case.get("classname", ""), root)
        seconds[file] += float(case.get("time") or 0)
        tests[file] += 1
    found = [FileTime(file, seconds[file], tests[file]) for file in seconds]
    return sorted(found, key=lambda f: (-f.seconds, f.file))


def table(files: list[FileTime], wall: float, shown: int = SHOWN) -> list[str]:
    """The slowest files as printable lines, with each one's share of the total."""
    total = sum(f.seconds for f in files) or 1.0
    lines = [
        f"test time per file (worker-seconds; {wall:.0f} s wall for "
        f"{sum(f.tests for f in files)} tests):",
        f"{'seconds':>8}  {'share':>5}  {'tests':>5}  file",
    ]
    for f in files[:shown]:
        lines.append(f"{f.seconds:8.1f}  {f.seconds / total:5.0%}  {f.tests:5d}  {f.file}")
    rest = files[shown:]
    if rest:
        seconds = sum(f.seconds for f in rest)
        lines.append(
            f"{seconds:8.1f}  {seconds / total:5.0%}  "
            f"{sum(f.tests for f in rest):5d}  ({len(rest)} more files)"
        )
    lines.append(f"{total:8.1f}  100%  {sum(f.tests for f in files):5d}  in all")
    return lines


def write_schedule(files: list[FileTime], root: Path) -> Path:
    """Store each file's seconds where the test scheduler reads them; returns the path."""
    path = root / SCHEDULE
    seconds = {f.file: round(f.seconds, 1) for f in sorted(files, key=lambda f: f.file)}
    path.write_text(json.dumps(seconds, indent=1) + "\n", encoding="utf-8")
    return path
