"""Measure the site's budgets and where the test suite spends its time (`make bench`).

    python -m scripts.bench [--runs N] [--skip-tests] [--skip-lighthouse] [--skip-browser]

- tests: wall time of `make test` (the whole offline suite, parallel, with coverage), and
  the seconds each test file took (scripts/bench/durations.py), slowest first; a passing
  run also rewrites tests/fixtures/seconds.json, which orders the suite's first hand-out.
- build: wall time of `mkdocs build --strict` (the first run with mkdocs-jupyter's cache
  emptied, as on a fresh CI clone; then warm runs). Budget: the median run.
- pages: raw size of every built HTML page, a first visit with gzip, and the JavaScript
  each page can load (scripts/bench/pages.py).
- Lighthouse on every page at 375 px and at desktop width (scripts/sitecheck/lighthouse.py):
  performance >= 95, accessibility, best practices and SEO 100.
- axe-core on every page at 375 px and at desktop width, light and dark: 0 violations.
- search: the hit rate of the question set (scripts/sitecheck/search_questions.py).
- code shape: no module over 300 lines, no function over 60 (scripts/code_shape.py).
Prints a table, names every page over budget, writes reports/bench.json (and the suite's
JUnit XML, reports/tests.xml), exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts import code_shape
from scripts.bench import durations, in_browser, pages
from scripts.bench.in_browser import progress

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "reports" / "bench.json"
JUNIT = ROOT / "reports" / "tests.xml"
JUPYTER_CACHE = ROOT / ".cache" / "mkdocs-jupyter"

BUILD_SECONDS = 8.0  # median `mkdocs build --strict` on 2 cores
TEST_SECONDS = 150.0  # the whole offline suite on 2 cores (make bench says NO while it is over)

Row = tuple[str, str, str, bool]  # what, measured, budget, within budget


def run(command: list[str], timeout: float) -> tuple[int, float, float, str]:
    """Run a command in the project: (exit code, wall seconds, CPU seconds, output)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return done.returncode, wall, cpu, done.stdout + done.stderr


def measure_tests() -> dict:
    """The README's test command, as a contributor runs it, with its time per test file."""
    progress("make test (the whole offline suite)")
    JUNIT.parent.mkdir(parents=True, exist_ok=True)
    JUNIT.unlink(missing_ok=True)
    code, wall, _, _ = run(
        ["make", "--no-print-directory", "test", f"PYTEST_ARGS=--junitxml={JUNIT}"], 3600
    )
    files = durations.per_file(JUNIT, ROOT) if JUNIT.is_file() else []
    if code == 0 and files:  # a failed run's times would mislead the next hand-out
        durations.write_schedule(files, ROOT)
    return {"seconds": wall, "exit_code": code, "files": [vars(f) for f in files]}


def test_rows(tests: dict) -> list[Row]:
    took, code = tests["seconds"], tests["exit_code"]
    what = "test suite (make test)" + ("" if code == 0 else f", exit {code}")
    return [(what, f"{took:.0f} s", f"<= {TEST_SECONDS:.0f} s", took <= TEST_SECONDS)]


def measure_builds(site: Path, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each build; CPU time shows when other work slowed the wall clock."""
    shutil.rmtree(JUPYTER_CACHE, ignore_errors=True)  # the first run is a cold one
    seconds = []
    for number in range(1, runs + 1):
        progress(f"mkdocs build --strict ({number}/{runs})")
        code, wall, cpu, log = run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], 300
        )
        if code != 0:
            raise SystemExit(f"mkdocs build --strict failed:\n{log}")
        seconds.append((wall, cpu))
    return seconds


def build_row(builds: list[tuple[float, float]]) -> Row:
    median = statistics.median(wall for wall, _ in builds)
    cpu = statistics.median(cpu for _, cpu in builds)
    return (
        f"build, median of {len(builds)} (cold run {builds[0][0]:.2f} s)",
        f"{median:.2f} s (CPU {cpu:.2f} s)",
        f"<= {BUILD_SECONDS:.0f} s",
        median <= BUILD_SECONDS,
    )


def code_shape_rows() -> tuple[list[Row], list[str]]:
    problems = code_shape.problems()
    module, function = code_shape.largest()
    where = ", ".join(code_shape.PACKAGES)
    rows = [
        (
            f"longest module ({where})",
            f"{module} lines",
            f"<= {code_shape.MAX_MODULE_LINES} lines",
            not problems,
        ),
        (
            "longest function (same)",
            f"{function} lines",
            f"<= {code_shape.MAX_FUNCTION_LINES} lines",
            not problems,
        ),
    ]
    return rows, problems


def measure_site(report: dict, args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    """Build the site in a temporary folder and measure it: builds, pages, browsers."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        site = Path(folder) / "site"
        builds = measure_builds(site, max(1, args.runs))
        report["build_seconds"] = [{"wall": wall, "cpu": cpu} for wall, cpu in builds]
        report["load_average"] = os.getloadavg()
        report["pages"] = pages.measure_pages(site)
        total = sum(pages.gzip_size(path) for path in site.rglob("*") if path.is_file())
        report["site_gzip_bytes"] = total
        skipped = {"available": False, "reason": "skipped"}
        lighthouse = skipped if args.skip_lighthouse else in_browser.measure_lighthouse(site)
        report["lighthouse"] = lighthouse
        report["browser"] = skipped if args.skip_browser else in_browser.measure_in_browser(site)
    rows = [build_row(builds), *pages.page_rows(report["pages"])]
    rows.append(("whole site, gzip", pages.kb(total), "-", True))
    rows += in_browser.browser_rows(report)
    problems = pages.over_budget_pages(report["pages"])
    problems += report["lighthouse"].get("problems", [])
    problems += report["browser"].get("axe_problems", [])
    return rows, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="builds to time (default 3)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--skip-lighthouse", action="store_true", help="do not run Lighthouse")
    parser.add_argument("--skip-browser", action="store_true", help="no axe, no search questions")
    args = parser.parse_args(argv)

    report: dict = {"cpus": os.cpu_count()}
    if not args.skip_tests:  # first, while the machine is quiet (Lighthouse leaves it busy)
        report["tests"] = measure_tests()
    rows, problems = measure_site(report, args)
    if "tests" in report:
        rows += test_rows(report["tests"])
    shape_rows, shape_problems = code_shape_rows()
    rows += shape_rows
    problems += shape_problems
    print_report(report, rows, problems)
    report["problems"] = problems
    report["budgets_met"] = all(row[3] for row in rows) and not problems
    report["rows"] = [
        dict(zip(("measure", "measured", "budget", "ok"), r, strict=True)) for r in rows
    ]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0 if report["budgets_met"] else 1


def print_report(report: dict, rows: list[Row], problems: list[str]) -> None:
    load = ", ".join(f"{value:.1f}" for value in report["load_average"])
    print(f"{report['cpus']} CPUs, load average {load} (timings need a quiet machine)")
    if report.get("tests", {}).get("files"):
        files = [durations.FileTime(**f) for f in report["tests"]["files"]]
        print("\n".join(durations.table(files, report["tests"]["seconds"])), end="\n\n")
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'measured':>22}  {'budget':>22}  ok")
    for what, measured, budget, ok in rows:
        print(f"{what:<{width}}  {measured:>22}  {budget:>22}  {'yes' if ok else 'NO'}")
    for part in ("lighthouse", "browser"):
        if not report[part]["available"]:
            print(f"{part}: not measured ({report[part]['reason']})")
    for miss in report["browser"].get("misses", []):
        print("search miss:", miss)
    for line in problems:
        print("OVER BUDGET:", line)


if __name__ == "__main__":
    sys.exit(main())
