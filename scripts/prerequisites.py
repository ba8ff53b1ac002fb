"""Check what `make test` and `make serve` need from the machine, before they start.

    python3 -m scripts.prerequisites test     # Python, Node.js and system-packages.txt
    python3 -m scripts.prerequisites serve    # Python and Node.js
    python3 -m scripts.prerequisites --names  # the package names, one a line

Runs with the machine's own python3 before .venv exists, so it uses the standard library
only and parses on old Pythons too (it has to say that they are too old). Everything
missing is named in one message, in Japanese and English, with the command that installs it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIST = ROOT / "system-packages.txt"
MIN_PYTHON = (3, 11)
MIN_NODE = 20
NODE_HINT = (
    "Node.js 20 以上を https://nodejs.org/ から入れてください (Debian/Ubuntu の nodejs は 18)。\n"
    "  Install Node.js 20 or newer from https://nodejs.org/ (Debian's and Ubuntu's is 18)."
)
PYTHON_HINT = (
    "Python 3.11 以上を入れ、make PYTHON=python3.11 test のように指定してください。\n"
    "  Install Python 3.11 or newer and name it: make PYTHON=python3.11 test"
)


@dataclass(frozen=True)
class Package:
    name: str  # the Debian/Ubuntu package
    found_by: tuple[str, ...]  # commands on PATH, or absolute paths of files
    why: str

    def missing(self) -> list[str]:
        """The commands or files of this package that this machine lacks."""
        return [
            item
            for item in self.found_by
            if not (Path(item).exists() if item.startswith("/") else shutil.which(item))
        ]


@dataclass(frozen=True)
class Problem:
    what: str  # one line naming what is missing, Japanese / English
    why: str
    apt: str = ""  # the Debian/Ubuntu package that fixes it, if one does
    hint: str = ""  # how to fix it otherwise


def packages(path: Path = PACKAGE_LIST) -> list[Package]:
    """The list: `name  found,by  why...` per line; `#` starts a comment."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("#", 1)[0].split(None, 2)
        if len(fields) == 1:
            raise ValueError(f"{path.name}:{number}: a package needs what finds it: {line!r}")
        if fields:
            why = fields[2].strip() if len(fields) == 3 else ""
            found.append(Package(fields[0], tuple(fields[1].split(",")), why))
    return found


def package_problems(listed: list[Package]) -> list[Problem]:
    problems = []
    for package in listed:
        missing = package.missing()
        if missing:
            what = f"{package.name}: {', '.join(missing)} が見つかりません / not found"
            problems.append(Problem(what, package.why, apt=package.name))
    return problems


def python_problems(
    venv: Path = ROOT / ".venv", version: tuple = sys.version_info[:3]
) -> list[Problem]:
    have = ".".join(map(str, version))
    if tuple(version[:2]) < MIN_PYTHON:
        return [
            Problem(
                f"Python {have}: 3.11 以上が必要です / Python 3.11 or newer is needed",
                f"{sys.executable} makes the project's .venv",
                hint=PYTHON_HINT,
            )
        ]
    if not venv.exists() and importlib.util.find_spec("ensurepip") is None:
        return [
            Problem(
                f"{sys.executable}: venv を作れません (ensurepip がありません) / "
                "cannot create a venv (no ensurepip)",
                "the project installs its Python packages into .venv",
                apt=f"python3.{version[1]}-venv",
            )
        ]
    return []


def node_problems() -> list[Problem]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        what = f"{'node' if not node else 'npm'} が見つかりません / not found"
        return [
            Problem(what, "the site's diagrams and the linters are npm packages", hint=NODE_HINT)
        ]
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)\.", version.stdout)
    if not major or int(major.group(1)) < MIN_NODE:
        what = f"Node.js {version.stdout.strip() or '?'}: 20 以上が必要です / 20 or newer is needed"
        return [Problem(what, "package.json's engines", hint=NODE_HINT)]
    return []


def problems_for(verb: str) -> list[Problem]:
    found = python_problems() + node_problems()
    if verb == "test":
        found += package_problems(packages())
    return found


def message(verb: str, problems: list[Problem]) -> str:
    """The one message that stops the run: every problem, then how to fix them all."""
    lines = [
        f"make {verb} を始める前に止めました。必要なものがこのマシンにありません。",
        f"Stopped before `make {verb}`: this machine lacks what it needs.",
        "",
    ]
    for problem in problems:
        lines += [f"  - {problem.what}", f"      用途 / needed for: {problem.why}"]
    apt = [p.apt for p in problems if p.apt]
    if apt:
        sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
        lines += [
            "",
            "Debian/Ubuntu では、次のコマンドで入れてからもう一度実行してください。",
            "On Debian/Ubuntu, install with this command, then run again:",
            "",
            f"  {sudo}apt-get install {' '.join(apt)}",
        ]
    for hint in dict.fromkeys(p.hint for p in problems if p.hint):
        lines += ["", f"  {hint}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("verb", nargs="?", choices=("test", "serve"), default="test")
    parser.add_argument("--names", action="store_true", help="print the package names")
    args = parser.parse_args(argv)
    if args.names:
        print("\n".join(package.name for package in packages()))
        return 0
    problems = problems_for(args.verb)
    if problems:
        print(message(args.verb, problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
