"""The measurements that need Debian's chromium: Lighthouse, axe-core and the search questions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.sitecheck import lighthouse, site_pages
from scripts.sitecheck.site_server import serve_site


def progress(step: str) -> None:
    print(f"bench: {step} ...", file=sys.stderr, flush=True)


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
    from scripts.sitecheck import axe, search_questions
    from scripts.sitecheck.browser import chromium

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


def browser_rows(report: dict) -> list[tuple[str, str, str, bool]]:
    rows = []
    lh = report["lighthouse"]
    if lh["available"]:
        worst = min((min(r["scores"].values()), r["page"], r["form_factor"]) for r in lh["results"])
        rows.append(
            (
                f"Lighthouse, {len(lh['results'])} runs (lowest: {worst[1] or '/'}, {worst[2]})",
                str(worst[0]),
                "perf >= 95, others 100",
                not lh["problems"],
            )
        )
    found = report["browser"]
    if found["available"]:
        rows.append(
            (
                "axe-core, every page x 2 widths x 2 schemes",
                f"{len(found['axe_problems'])} violations",
                "0",
                not found["axe_problems"],
            )
        )
        rows.append(
            (
                "search questions, right page first",
                f"{found['hits']}/{found['questions']}",
                "-",
                True,
            )
        )
    return rows
