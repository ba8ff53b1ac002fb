"""What the machine needs: one list (system-packages.txt), checked before `make test`.

The README's apt line, the list and what .ci/run installs are the same; a machine without
one of them stops `make test` at once with one message, in Japanese and English, naming the
package and the command that installs it (scripts/prerequisites.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import prerequisites
from tests import ROOT

NAMES = [package.name for package in prerequisites.packages()]
# What a maintainer's shell has: `make test` runs this suite inside make, whose MAKEFLAGS and
# MAKELEVEL would make a nested `make` print "Entering directory" lines.
OUTSIDE_MAKE = {
    k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
}


def path_without(tmp_path: Path, *left_out: str) -> str:
    """A PATH with every command of this one except `left_out` (linked into one folder)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    linked, seen = set(left_out), set()
    for directory in os.environ["PATH"].split(os.pathsep):  # the first one found wins
        real = os.path.realpath(directory)
        if real in seen or not os.path.isdir(real):  # /bin is /usr/bin on merged systems
            continue
        seen.add(real)
        for command in os.scandir(real):
            if command.name not in linked and os.access(command.path, os.X_OK):
                linked.add(command.name)
                os.symlink(command.path, folder / command.name)
    return str(folder)


def test_the_readme_apt_line_is_the_list():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = re.findall(r"^sudo apt-get install (.+)$", readme, re.M)
    assert line.split() == NAMES
    assert {"chromium", "fonts-noto-cjk", "proot", "openssh-client"} <= set(NAMES)


def test_ci_installs_the_list():
    done = subprocess.run(
        ["bash", ".ci/run", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    (install,) = [line for line in done.stdout.splitlines() if "apt-get install" in line]
    assert install.split()[-len(NAMES) :] == NAMES
    # Then the linters, then the README's test command, in CI mode (browser tests must run).
    steps = [line for line in done.stdout.splitlines() if line.startswith("make ")]
    assert steps[-2:] == ["make --no-print-directory lint", "make --no-print-directory test"]
    assert "export CI=true" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_every_package_is_found_on_this_machine_by_what_it_provides():
    assert prerequisites.package_problems(prerequisites.packages()) == []
    assert all(package.found_by and package.why for package in prerequisites.packages())


def check(verb: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.prerequisites", verb],
        cwd=ROOT,
        env={**OUTSIDE_MAKE, "PATH": path},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_without_proot_the_check_names_it_and_the_apt_command(tmp_path):
    done = check("test", path_without(tmp_path, "proot"))
    assert done.returncode == 1 and done.stdout == ""
    message = done.stderr
    assert message.startswith("make test を始める前に止めました。")
    assert "Stopped before `make test`" in message
    assert "  - proot: proot が見つかりません / not found" in message
    assert "fake_runpod/container.py" in message  # what needs it
    assert re.search(r"^  (sudo )?apt-get install proot$", message, re.M)
    assert "chromium" not in message and "Traceback" not in message


def test_everything_missing_is_named_in_one_message_with_one_apt_line(tmp_path):
    done = check("test", path_without(tmp_path, "proot", "ssh", "curl"))
    assert done.returncode == 1
    (line,) = [line for line in done.stderr.splitlines() if "apt-get install" in line]
    assert line.split()[-3:] == ["proot", "openssh-client", "curl"]
    assert "openssh-client: ssh が見つかりません" in done.stderr


def test_serve_needs_no_test_packages(tmp_path):
    done = check("serve", path_without(tmp_path, "proot", "chromium"))
    assert (done.returncode, done.stderr) == (0, "")


def test_old_node_is_refused_with_where_to_get_a_new_one(tmp_path):
    path = path_without(tmp_path, "node")
    (Path(path) / "node").write_text("#!/bin/sh\necho v18.19.0\n", encoding="utf-8")
    (Path(path) / "node").chmod(0o755)
    done = check("serve", path)
    assert done.returncode == 1
    assert "Node.js v18.19.0: 20 以上が必要です / 20 or newer is needed" in done.stderr
    assert "https://nodejs.org/" in done.stderr and "apt-get" not in done.stderr


def test_old_python_is_refused():
    (problem,) = prerequisites.python_problems(version=(3, 10, 12))
    assert problem.what.startswith("Python 3.10.12: 3.11 以上が必要です")
    assert "make PYTHON=python3.11 test" in problem.hint


def test_a_file_package_is_found_by_its_file(tmp_path):
    listed = tmp_path / "packages.txt"
    listed.write_text("# comment\n\nfonts-x  /no/such/font.ttc  glyphs  # why\n", encoding="utf-8")
    (package,) = prerequisites.packages(listed)
    assert (package.name, package.found_by, package.why) == (
        "fonts-x",
        ("/no/such/font.ttc",),
        "glyphs",
    )
    (problem,) = prerequisites.package_problems([package])
    assert problem.apt == "fonts-x" and "/no/such/font.ttc が見つかりません" in problem.what


def test_a_package_without_what_finds_it_is_refused(tmp_path):
    listed = tmp_path / "packages.txt"
    listed.write_text("proot\n", encoding="utf-8")
    with pytest.raises(ValueError, match="packages.txt:1: a package needs what finds it"):
        prerequisites.packages(listed)


def copy_for_make(tmp_path: Path) -> Path:
    """The Makefile and the check, without the rest of the repository."""
    copy = tmp_path / "repo"
    for name in (
        "Makefile",
        "system-packages.txt",
        "scripts/__init__.py",
        "scripts/prerequisites.py",
    ):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, copy / name)
    return copy


def test_make_test_stops_before_anything_else_without_proot(tmp_path):
    """On a fresh copy: no .venv is made, nothing is installed; the message and exit 2."""
    copy = copy_for_make(tmp_path)
    path = path_without(tmp_path, "proot")
    # VENV points where no venv can be made: if the check did not stop make, that fails too,
    # with another message (and never downloads anything).
    done = subprocess.run(
        ["make", "test", "VENV=/dev/null/venv"],
        cwd=copy,
        env={**OUTSIDE_MAKE, "PATH": path},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2  # make's own code when a recipe fails
    assert "  - proot: proot が見つかりません / not found" in done.stderr
    assert "venv" not in done.stdout + done.stderr.replace("VENV", "")
    assert sorted(p.name for p in copy.iterdir()) == ["Makefile", "scripts", "system-packages.txt"]


def test_serve_takes_a_port_and_checks_first():
    done = subprocess.run(
        ["make", "-n", "serve", "PORT=8123"],
        cwd=ROOT,
        env=OUTSIDE_MAKE,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert "-m scripts.prerequisites serve" in lines[0]
    assert "--dev-addr 127.0.0.1:8123" in lines[-1]
