"""Measure the site's budgets and fail when one is exceeded (`make bench`).

    python -m scripts.bench [--runs N] [--skip-tests] [--skip-lighthouse]

- build: wall time of `mkdocs build --strict` (the first run with mkdocs-jupyter's cache
  emptied, as on a fresh CI clone; then warm runs). Budget: the median run.
- pages: raw size of every built HTML page (notebook pages included), and what a first
  visit to each page transfers with gzip: the page plus the CSS, JS and images it loads
  (Mermaid's library counts on the pages that draw a diagram).
- tests: wall time of the whole offline suite (`pytest`).
- Lighthouse: scripts/lighthouse.py's scores for a few pages, against its thresholds.
Prints a table, writes reports/bench.json, exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "bench.json"
JUPYTER_CACHE = ROOT / ".cache" / "mkdocs-jupyter"

BUILD_SECONDS = 8.0  # median `mkdocs build --strict` on 2 cores
PAGE_BYTES = 150_000  # one built HTML page, raw
FIRST_VISIT_GZIP_BYTES = 500_000  # a page and what it loads, gzip (diagram pages excepted)
DIAGRAM_PAGE_GZIP_BYTES = 1_500_000  # a page that draws Mermaid diagrams (library ~1 MB gzip)
TEST_SECONDS = 600.0  # the whole offline suite

# What a page loads as it opens: stylesheets, scripts, images (links and anchors excluded).
LOADED = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\brel=\"?(?:stylesheet|icon)[^>]*\bhref|img[^>]*\bsrc)"
    r"=\"?([^\"\s>]+)"
)
MERMAID_LIBRARY = "assets/javascripts/mermaid.min.js"


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


def progress(step: str) -> None:
    print(f"bench: {step} ...", file=sys.stderr, flush=True)


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def measure_pages(site: Path) -> list[dict]:
    pages = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        loaded = set()
        for url in LOADED.findall(html):
            if url.startswith(("http:", "https:", "//", "data:")):
                continue
            target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
            if target.is_file():
                loaded.add(target)
        diagrams = 'class="mermaid"' in html
        if diagrams and (site / MERMAID_LIBRARY).is_file():
            loaded.add((site / MERMAID_LIBRARY).resolve())
        pages.append(
            {
                "page": str(page.relative_to(site)),
                "bytes": page.stat().st_size,
                "gzip_bytes": gzip_size(page),
                "first_visit_gzip_bytes": gzip_size(page) + sum(map(gzip_size, loaded)),
                "draws_diagrams": diagrams,
            }
        )
    return pages


def measure_tests() -> tuple[int, float]:
    progress("pytest (the whole offline suite)")
    code, took, _, _ = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], 3600)
    return code, took


def measure_lighthouse(site: Path) -> dict:
    progress("Lighthouse")
    try:
        from scripts import lighthouse
    except ImportError as error:
        return {"available": False, "reason": f"scripts/lighthouse.py: {error}"}
    try:
        scores = lighthouse.run_lighthouse(site)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        return {"available": False, "reason": str(error).splitlines()[0][:200]}
    return {
        "available": True,
        "scores": scores,
        "thresholds": lighthouse.THRESHOLDS,
        "below": lighthouse.below_thresholds(scores),
    }


def kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="builds to time (default 3)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--skip-lighthouse", action="store_true", help="do not run Lighthouse")
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, str, bool]] = []  # what, measured, budget, within budget
    report: dict = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        site = Path(folder) / "site"
        builds = measure_builds(site, max(1, args.runs))
        median = statistics.median(wall for wall, _ in builds)
        cpu = statistics.median(cpu for _, cpu in builds)
        report["build_seconds"] = [{"wall": wall, "cpu": cpu} for wall, cpu in builds]
        report["load_average"] = os.getloadavg()
        rows.append(
            (
                f"build, median of {len(builds)} (cold run {builds[0][0]:.2f} s)",
                f"{median:.2f} s (CPU {cpu:.2f} s)",
                f"<= {BUILD_SECONDS:.0f} s",
                median <= BUILD_SECONDS,
            )
        )

        pages = measure_pages(site)
        report["pages"] = pages
        largest = max(pages, key=lambda p: p["bytes"])
        rows.append(
            (
                f"largest page ({largest['page']})",
                kb(largest["bytes"]),
                f"<= {kb(PAGE_BYTES)}",
                all(p["bytes"] <= PAGE_BYTES for p in pages),
            )
        )
        for diagrams, budget in ((False, FIRST_VISIT_GZIP_BYTES), (True, DIAGRAM_PAGE_GZIP_BYTES)):
            group = [p for p in pages if p["draws_diagrams"] == diagrams]
            if not group:
                continue
            heaviest = max(group, key=lambda p: p["first_visit_gzip_bytes"])
            rows.append(
                (
                    f"first visit, gzip ({heaviest['page']}"
                    + (", Mermaid" if diagrams else "")
                    + ")",
                    kb(heaviest["first_visit_gzip_bytes"]),
                    f"<= {kb(budget)}",
                    all(p["first_visit_gzip_bytes"] <= budget for p in group),
                )
            )
        total = sum(gzip_size(path) for path in site.rglob("*") if path.is_file())
        report["site_gzip_bytes"] = total
        rows.append(("whole site, gzip", kb(total), "-", True))

        if args.skip_lighthouse:
            report["lighthouse"] = {"available": False, "reason": "skipped (--skip-lighthouse)"}
        else:
            report["lighthouse"] = measure_lighthouse(site)
        lighthouse = report["lighthouse"]
        if lighthouse["available"]:
            for page, scores in lighthouse["scores"].items():
                low = [line for line in lighthouse["below"] if line.startswith(f"{page} ")]
                rows.append(
                    (
                        f"Lighthouse {page}",
                        " ".join(f"{k[:4]} {v}" for k, v in scores.items()),
                        " ".join(f"{k[:4]} {v}" for k, v in lighthouse["thresholds"].items()),
                        not low,
                    )
                )

    if not args.skip_tests:
        code, took = measure_tests()
        report["tests"] = {"seconds": took, "exit_code": code}
        rows.append(
            (
                "test suite (pytest)" + ("" if code == 0 else f", exit {code}"),
                f"{took:.0f} s",
                f"<= {TEST_SECONDS:.0f} s",
                took <= TEST_SECONDS,
            )
        )

    load = ", ".join(f"{value:.1f}" for value in report["load_average"])
    print(f"{report['cpus']} CPUs, load average {load} (timings need a quiet machine)")
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'measured':>22}  {'budget':>22}  ok")
    for what, measured, budget, ok in rows:
        print(f"{what:<{width}}  {measured:>22}  {budget:>22}  {'yes' if ok else 'NO'}")
    if not report["lighthouse"]["available"]:
        print(f"Lighthouse: not available ({report['lighthouse']['reason']})")

    report["budgets_met"] = all(row[3] for row in rows)
    report["rows"] = [
        dict(zip(("measure", "measured", "budget", "ok"), r, strict=True)) for r in rows
    ]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0 if report["budgets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
