"""Size budgets for the code a contributor reads: no module over MAX_MODULE_LINES and no
function over MAX_FUNCTION_LINES in PACKAGES.

    python -m scripts.code_shape     # prints what is over, exits 1 if anything is

Code that must exceed a budget for a while is listed in KNOWN_OVER with its size: it may not
grow past it, and must leave the list as soon as it is within budget. The list is empty.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("snippets", "live", "site_hooks", "fake_runpod", "scripts")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
# "module" or "module:function()" -> its length when the budget reached it (2026-12-06).
KNOWN_OVER: dict[str, int] = {}


def modules(root: Path = ROOT) -> list[Path]:
    return sorted(path for package in PACKAGES for path in (root / package).rglob("*.py"))


def lengths(path: Path, root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """ "module" and "module:function()" -> (length in lines, first line) for this file."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(root).as_posix()
    found = {name: (len(text.splitlines()), 1)}
    for node in ast.walk(ast.parse(text, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            key, length = f"{name}:{node.name}()", node.end_lineno - node.lineno + 1
            if length > found.get(key, (0, 0))[0]:  # two functions of one name: the longer
                found[key] = (length, node.lineno)
    return found


def over_budget(path: Path, root: Path = ROOT, known: dict[str, int] = KNOWN_OVER) -> list[str]:
    """One line per module or function of this file that is over its budget."""
    found = []
    for key, (length, line) in lengths(path, root).items():
        budget = MAX_FUNCTION_LINES if key.endswith("()") else MAX_MODULE_LINES
        ceiling = known.get(key)
        module, _, function = key.partition(":")
        where = f"{module}:{line} {function}" if function else module
        if ceiling is not None and length <= budget:
            found.append(
                f"{where}: {length} lines, within budget now: "
                "remove it from KNOWN_OVER in scripts/code_shape.py"
            )
        elif length > max(budget, ceiling or 0):
            grown = f", grown from {ceiling}" if ceiling else ""
            found.append(f"{where}: {length} lines (budget {budget}{grown})")
    return found


def gone_from_known(root: Path = ROOT, known: dict[str, int] = KNOWN_OVER) -> list[str]:
    """Exceptions whose module or function no longer exists: they must leave the list too."""
    present = {key for path in modules(root) for key in lengths(path, root)}
    return [
        f"{key}: no longer exists: remove it from KNOWN_OVER in scripts/code_shape.py"
        for key in known
        if key not in present
    ]


def problems(root: Path = ROOT, known: dict[str, int] = KNOWN_OVER) -> list[str]:
    """Everything over budget, and every exception that is no longer needed."""
    found = [line for path in modules(root) for line in over_budget(path, root, known)]
    return found + gone_from_known(root, known)


def largest(root: Path = ROOT) -> tuple[int, int]:
    """The longest module and the longest function, in lines."""
    module = function = 0
    for path in modules(root):
        for key, (length, _) in lengths(path, root).items():
            if key.endswith("()"):
                function = max(function, length)
            else:
                module = max(module, length)
    return module, function


def main() -> int:
    found = problems()
    for line in found:
        print("OVER BUDGET:", line)
    module, function = largest()
    print(
        f"code shape: longest module {module} lines, longest function {function} lines "
        f"({len(KNOWN_OVER)} known over budget: {', '.join(KNOWN_OVER)})"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
