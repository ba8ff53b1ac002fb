"""Hostile input through every snippet command: the table for a note (`make hostile`).

    python -m scripts.hostile

The cases and the judge live with their test (tests/snippets/hostile.py, run by
tests/snippets/test_hostile.py, which wants no traceback, duplicate or leak); this command
runs the same cases and prints the counts as a Markdown table, plus each case that was not
clean. Exits 1 when a case was not clean.
"""

from __future__ import annotations

import sys

from tests.snippets import hostile


def main() -> int:
    results = hostile.run_all()
    unclean = 0
    for outcome, key in results:
        if not outcome.clean or outcome.traceback or outcome.leak(key):
            unclean += 1
            print(f"NOT CLEAN: {outcome.case.name}: exit {outcome.returncode}: {outcome.stderr!r}")
    counts = hostile.table(results)
    print("| " + " | ".join(counts) + " |")
    print("|" + " --- |" * len(counts))
    print("| " + " | ".join(str(n) for n in counts.values()) + " |")
    return 1 if unclean else 0


if __name__ == "__main__":
    sys.exit(main())
