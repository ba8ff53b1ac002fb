"""Size budgets for the code a contributor reads most: no module over MAX_MODULE_LINES and
no function over MAX_FUNCTION_LINES in snippets/, live/ and site_hooks/.

    python -m scripts.code_shape     # prints what is over, exits 1 if anything is
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("snippets", "live", "site_hooks")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def modules(root: Path = ROOT) -> list[Path]:
    return sorted(path for package in PACKAGES for path in (root / package).rglob("*.py"))


def over_budget(path: Path, root: Path = ROOT) -> list[str]:
    """One line per module or function of this file that is over its budget."""
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(root).as_posix()
    problems = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        problems.append(f"{name}: {lines} lines (budget {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(text, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                problems.append(f"{name}:{node.lineno} {node.name}(): {length} lines "
                                f"(budget {MAX_FUNCTION_LINES})")
    return problems


def largest(root: Path = ROOT) -> tuple[int, int]:
    """The longest module and the longest function, in lines."""
    module = function = 0
    for path in modules(root):
        text = path.read_text(encoding="utf-8")
        module = max(module, len(text.splitlines()))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                function = max(function, node.end_lineno - node.lineno + 1)
    return module, function


def main() -> int:
    problems = [line for path in modules() for line in over_budget(path)]
    for line in problems:
        print("OVER BUDGET:", line)
    module, function = largest()
    print(f"code shape: longest module {module} lines, longest function {function} lines")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
