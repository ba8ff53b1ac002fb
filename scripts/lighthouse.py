"""Lighthouse on every page of a built site, phone and desktop (`make lighthouse`).

    python -m scripts.lighthouse [SITE_DIR] [PAGE ...]   # default: site/, every page

Prints each page's scores and the JavaScript it loads; exits 1 when a page is below a
threshold (scripts/sitecheck/lighthouse.py: performance 95, the others 100). The nightly workflow
(.github/workflows/lighthouse.yml) runs it; `make bench` runs the same measurement.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.sitecheck.lighthouse import run_lighthouse

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    site_dir = Path(args[0]) if args else ROOT / "site"
    if not (site_dir / "index.html").exists():
        print(f"{site_dir} has no built site: run `make build` first", file=sys.stderr)
        return 2
    results = run_lighthouse(site_dir, args[1:] or None)
    problems = []
    for result in results:
        scores = "  ".join(f"{k} {v}" for k, v in result.scores.items())
        print(
            f"{result.page or '/':<24} {result.form_factor:<8} {scores}  "
            f"JS {result.script_bytes / 1000:.1f} KB"
        )
        problems += result.problems()
        if result.problems():
            print(f"  below full marks: {', '.join(result.below_full_marks)}")
    for line in problems:
        print("OVER BUDGET:", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
