"""`make bench`'s record of where the test suite spends its time (scripts/bench/durations.py):
seconds per test file from pytest's JUnit XML, slowest first, printed as a table."""

from __future__ import annotations

from pathlib import Path

from scripts.bench import durations

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
  <testcase classname="tests.site.test_build" name="test_a" time="1.5"/>
  <testcase classname="tests.site.test_build" name="test_b[x]" time="2.0"/>
  <testcase classname="tests.snippets.test_pod.TestUp" name="test_c" time="4.25">
    <failure message="boom"/>
  </testcase>
  <testcase classname="tests.test_lint" name="test_d" time=""/>
</testsuite></testsuites>
"""


def project(tmp_path: Path) -> Path:
    for name in ("tests/site/test_build.py", "tests/snippets/test_pod.py", "tests/test_lint.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    (tmp_path / "tests.xml").write_text(JUNIT, encoding="utf-8")
    return tmp_path


def test_seconds_add_up_per_file_slowest_first(tmp_path):
    root = project(tmp_path)
    files = durations.per_file(root / "tests.xml", root)
    assert files == [
        durations.FileTime("tests/snippets/test_pod.py", 4.25, 1),  # a test class's file
        durations.FileTime("tests/site/test_build.py", 3.5, 2),
        durations.FileTime("tests/test_lint.py", 0.0, 1),
    ]


def test_the_table_shows_the_slowest_and_sums_the_rest(tmp_path):
    root = project(tmp_path)
    lines = durations.table(durations.per_file(root / "tests.xml", root), wall=5.0, shown=1)
    assert lines[0] == "test time per file (worker-seconds; 5 s wall for 4 tests):"
    assert lines[2].split() == ["4.2", "55%", "1", "tests/snippets/test_pod.py"]
    assert lines[3].split() == ["3.5", "45%", "3", "(2", "more", "files)"]
    assert lines[4].split() == ["7.8", "100%", "4", "in", "all"]
