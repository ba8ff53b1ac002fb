"""Measure the site's budgets and fail when one is exceeded (`make bench`).

    python -m scripts.bench [--runs N] [--skip-tests] [--skip-lighthouse] [--skip-browser]

- build: wall time of `mkdocs build --strict` (the first run with mkdocs-jupyter's cache
  emptied, as on a fresh CI clone; then warm runs). Budget: the median run.
- pages: raw size of every built HTML page (notebook pages included), what a first visit to
  each page transfers with gzip (the page plus the CSS, JS and images it loads), and the
  JavaScript it can load, gzip: its scripts plus the search worker and what the worker
  imports. No page may ship more than JS_BUDGET_BYTES.
- Lighthouse on every page at 375 px and at desktop width (scripts/lighthouse.py):
  performance >= 95, accessibility, best practices and SEO 100.
- axe-core on every page at 375 px and at desktop width, light and dark: 0 violations.
- search: the hit rate of tests/browser/questions.yml (the page that must come first).
- tests: wall time of `make test` (the whole offline suite, parallel, with coverage).
- code shape: no module over 300 lines, no function over 60, in snippets/, live/ and
  site_hooks/ (scripts/code_shape.py).
Prints a table, names every page over budget, writes reports/bench.json, exits 1 when a
budget is exceeded.
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

from scripts import code_shape, lighthouse, site_pages
from scripts.site_server import serve_site

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "bench.json"
JUPYTER_CACHE = ROOT / ".cache" / "mkdocs-jupyter"

BUILD_SECONDS = 8.0  # median `mkdocs build --strict` on 2 cores
PAGE_BYTES = 150_000  # one built HTML page, raw
FIRST_VISIT_GZIP_BYTES = 500_000  # a page and what it loads, gzip
TEST_SECONDS = 240.0  # the whole offline suite, 2 cores

# What a page loads as it opens: stylesheets, scripts, images (links and anchors excluded).
LOADED = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\brel=\"?(?:stylesheet|icon)[^>]*\bhref|img[^>]*\bsrc)"
    r"=\"?([^\"\s>]+)"
)
SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
# Material's search worker loads these itself (language "ja").
WORKER_IMPORTS = (
    "assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
    "assets/javascripts/lunr/tinyseg.js",
    "assets/javascripts/lunr/min/lunr.ja.min.js",
)


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


def loaded_files(site: Path, page: Path, html: str) -> set[Path]:
    """The local files a page loads as it opens."""
    loaded = set()
    for url in LOADED.findall(html):
        if url.startswith(("http:", "https:", "//", "data:")):
            continue
        target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
        if target.is_file():
            loaded.add(target)
    return loaded


def script_gzip_bytes(site: Path, html: str, loaded: set[Path]) -> int:
    """The JavaScript a page can load, gzip: its scripts, inline ones, and the search worker."""
    scripts = [path for path in loaded if path.suffix == ".js"]
    if 'data-md-component="search"' in html:
        scripts += sorted((site / "assets/javascripts/workers").glob("search.*.min.js"))
        scripts += [site / name for name in WORKER_IMPORTS if (site / name).is_file()]
    inline = "".join(SCRIPT.findall(html)).encode("utf-8")
    inline_gzip = len(gzip.compress(inline, compresslevel=6, mtime=0)) if inline else 0
    return inline_gzip + sum(gzip_size(path) for path in set(scripts))


def measure_pages(site: Path) -> list[dict]:
    pages = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        loaded = loaded_files(site, page, html)
        pages.append(
            {
                "page": str(page.relative_to(site)),
                "bytes": page.stat().st_size,
                "gzip_bytes": gzip_size(page),
                "first_visit_gzip_bytes": gzip_size(page) + sum(map(gzip_size, loaded)),
                "script_gzip_bytes": script_gzip_bytes(site, html, loaded),
            }
        )
    return pages


def measure_tests() -> tuple[int, float]:
    """The README's test command, as a contributor runs it (parallel, with coverage)."""
    progress("make test (the whole offline suite)")
    code, took, _, _ = run(["make", "--no-print-directory", "test"], 3600)
    return code, took


def code_shape_rows() -> tuple[list[tuple[str, str, str, bool]], list[str]]:
    problems = [line for path in code_shape.modules() for line in code_shape.over_budget(path)]
    module, function = code_shape.largest()
    rows = [
        ("longest module (snippets, live, site_hooks)", f"{module} lines",
         f"<= {code_shape.MAX_MODULE_LINES} lines", module <= code_shape.MAX_MODULE_LINES),
        ("longest function (same)", f"{function} lines",
         f"<= {code_shape.MAX_FUNCTION_LINES} lines", function <= code_shape.MAX_FUNCTION_LINES),
    ]
    return rows, problems


def measure_lighthouse(site: Path) -> dict:
    try:
        results = lighthouse.run_lighthouse(site, progress=progress)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        return {"available": False, "reason": str(error).splitlines()[0][:200]}
    return {
        "available": True,
        "results": [vars(result) for result in results],
        "thresholds": lighthouse.THRESHOLDS,
        "problems": [line for result in results for line in result.problems()],
    }


def measure_in_browser(site: Path) -> dict:
    """axe on every page (two widths, two colour schemes) and the search question set."""
    from scripts import axe, search_questions
    from scripts.browser import chromium

    progress("axe-core on every page, 375 px and desktop, light and dark")
    try:
        questions = search_questions.load()
        with serve_site(site) as base, chromium() as browser:
            problems = axe.sweep(browser, base, site_pages.content_pages(site))
            progress(f"search: {len(questions)} questions")
            answers = search_questions.ask_all(browser, base, questions)
    except ImportError as error:
        return {"available": False, "reason": f"Playwright: {error}"}
    misses = [
        f"{q.question!r}: want {q.url_path or '/'}, got {found[:3]}"
        for q, found in answers
        if found[:1] != [q.url_path]
    ]
    return {
        "available": True,
        "axe_problems": problems,
        "questions": len(answers),
        "hits": len(answers) - len(misses),
        "misses": misses,
    }


def kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def page_rows(pages: list[dict]) -> list[tuple[str, str, str, bool]]:
    largest = max(pages, key=lambda p: p["bytes"])
    heaviest = max(pages, key=lambda p: p["first_visit_gzip_bytes"])
    most_js = max(pages, key=lambda p: p["script_gzip_bytes"])
    return [
        (f"largest page ({largest['page']})", kb(largest["bytes"]), f"<= {kb(PAGE_BYTES)}",
         all(p["bytes"] <= PAGE_BYTES for p in pages)),
        (f"first visit, gzip ({heaviest['page']})", kb(heaviest["first_visit_gzip_bytes"]),
         f"<= {kb(FIRST_VISIT_GZIP_BYTES)}",
         all(p["first_visit_gzip_bytes"] <= FIRST_VISIT_GZIP_BYTES for p in pages)),
        (f"JavaScript, gzip ({most_js['page']})", kb(most_js["script_gzip_bytes"]),
         f"<= {kb(lighthouse.JS_BUDGET_BYTES)}",
         all(p["script_gzip_bytes"] <= lighthouse.JS_BUDGET_BYTES for p in pages)),
    ]


def over_budget_pages(pages: list[dict]) -> list[str]:
    out = []
    for p in pages:
        if p["bytes"] > PAGE_BYTES:
            out.append(f"{p['page']}: {kb(p['bytes'])} > {kb(PAGE_BYTES)} raw HTML")
        if p["first_visit_gzip_bytes"] > FIRST_VISIT_GZIP_BYTES:
            out.append(f"{p['page']}: first visit {kb(p['first_visit_gzip_bytes'])} gzip")
        if p["script_gzip_bytes"] > lighthouse.JS_BUDGET_BYTES:
            out.append(f"{p['page']}: JavaScript {kb(p['script_gzip_bytes'])} gzip")
    return out


def build_rows(builds: list[tuple[float, float]]) -> tuple[str, str, str, bool]:
    median = statistics.median(wall for wall, _ in builds)
    cpu = statistics.median(cpu for _, cpu in builds)
    return (
        f"build, median of {len(builds)} (cold run {builds[0][0]:.2f} s)",
        f"{median:.2f} s (CPU {cpu:.2f} s)",
        f"<= {BUILD_SECONDS:.0f} s",
        median <= BUILD_SECONDS,
    )


def browser_rows(report: dict) -> list[tuple[str, str, str, bool]]:
    rows = []
    lh = report["lighthouse"]
    if lh["available"]:
        worst = min((min(r["scores"].values()), r["page"], r["form_factor"]) for r in lh["results"])
        rows.append((f"Lighthouse, {len(lh['results'])} runs (lowest: {worst[1] or '/'}, "
                     f"{worst[2]})", str(worst[0]),
                     "perf >= 95, others 100", not lh["problems"]))
    found = report["browser"]
    if found["available"]:
        rows.append(("axe-core, every page x 2 widths x 2 schemes",
                     f"{len(found['axe_problems'])} violations", "0", not found["axe_problems"]))
        rows.append(("search questions, right page first", f"{found['hits']}/{found['questions']}",
                     "-", True))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="builds to time (default 3)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--skip-lighthouse", action="store_true", help="do not run Lighthouse")
    parser.add_argument("--skip-browser", action="store_true", help="no axe, no search questions")
    args = parser.parse_args(argv)

    report: dict = {"cpus": os.cpu_count()}
    problems: list[str] = []
    test_rows = []
    if not args.skip_tests:  # first, while the machine is quiet (Lighthouse leaves it busy)
        code, took = measure_tests()
        report["tests"] = {"seconds": took, "exit_code": code}
        test_rows.append(("test suite (make test)" + ("" if code == 0 else f", exit {code}"),
                          f"{took:.0f} s", f"<= {TEST_SECONDS:.0f} s", took <= TEST_SECONDS))
    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        site = Path(folder) / "site"
        builds = measure_builds(site, max(1, args.runs))
        report["build_seconds"] = [{"wall": wall, "cpu": cpu} for wall, cpu in builds]
        report["load_average"] = os.getloadavg()
        rows = [build_rows(builds)]
        report["pages"] = measure_pages(site)
        rows += page_rows(report["pages"])
        problems += over_budget_pages(report["pages"])
        total = sum(gzip_size(path) for path in site.rglob("*") if path.is_file())
        report["site_gzip_bytes"] = total
        rows.append(("whole site, gzip", kb(total), "-", True))

        skipped = {"available": False, "reason": "skipped"}
        report["lighthouse"] = skipped if args.skip_lighthouse else measure_lighthouse(site)
        report["browser"] = skipped if args.skip_browser else measure_in_browser(site)
        rows += browser_rows(report)
        problems += report["lighthouse"].get("problems", [])
        problems += report["browser"].get("axe_problems", [])

    rows += test_rows
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


def print_report(report: dict, rows: list, problems: list[str]) -> None:
    load = ", ".join(f"{value:.1f}" for value in report["load_average"])
    print(f"{report['cpus']} CPUs, load average {load} (timings need a quiet machine)")
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
