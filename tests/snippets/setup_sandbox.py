"""A sandbox in which snippets/setup.sh runs for real, with bash.

The sandbox has its own HOME and WORKSPACE, and puts recording shims for
apt-get, apt, dpkg-query, pip and `python3 -m pip` first on PATH. The shims
append their argv to a log and pretend to install: apt-get marks packages as
installed for dpkg-query, pip writes dist-info folders that importlib.metadata
finds, so a second run sees what the first one installed. Env values may be bytes
(a secret that is not UTF-8 reaches the script as is). Other snippet tests use the
same sandbox with stand-ins of their own (add_shim).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from fake_runpod.image import install_shims, shim_env
from tests import ROOT

SETUP_SH = ROOT / "snippets" / "setup.sh"

# Environment variables whose values are secrets: never allowed in any output.
SECRET_ENV = ("KAGGLE_API_TOKEN", "KAGGLE_KEY", "RUNPOD_SECRET_kaggle_json")

NON_ROOT_ID = """
    if [[ "${1:-}" == "-u" ]]; then echo 1000; else /usr/bin/id "$@"; fi
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    env: dict = field(repr=False)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Sandbox:
    """A fresh pod: temporary HOME, WORKSPACE, shims and their log."""

    def __init__(self, tmp_path: Path):
        self.root = tmp_path
        self.home = tmp_path / "home"
        self.workspace = tmp_path / "workspace"
        self.bin = tmp_path / "shims"
        self.state = tmp_path / "shim-state"
        self.log = self.state / "calls.log"
        for d in (self.home, self.bin, self.state / "site"):
            d.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        install_shims(self.bin)

    def add_shim(self, name: str, body: str) -> None:
        install_shims(self.bin, {name: body})

    def calls(self, prefix: str = "") -> list[str]:
        """Logged shim calls (one line each), optionally only those starting with prefix."""
        lines = self.log.read_text().splitlines()
        return [line for line in lines if line.startswith(prefix)]

    def base_env(self) -> dict:
        return {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "HOME": str(self.home),
            "WORKSPACE": str(self.workspace),
            **shim_env(self.bin, self.state),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LANG": "C.UTF-8",
        }

    def run(self, script: Path | str = SETUP_SH, *args: str, **env: str | bytes) -> Result:
        """Run a script with bash; env values of None are left out, bytes are passed as is."""
        full_env = self.base_env()
        full_env.update({k: v for k, v in env.items() if v is not None})
        proc = subprocess.run(
            ["bash", str(script), *args],
            env={os.fsencode(k): os.fsencode(v) for k, v in full_env.items()},
            capture_output=True,
            timeout=60,
        )
        out, err = (stream.decode("utf-8", "replace") for stream in (proc.stdout, proc.stderr))
        result = Result(proc.returncode, out, err, full_env)
        assert_no_secret_in_output(result)
        return result


def assert_no_secret_in_output(result: Result, window: int = 12) -> None:
    """No secret value, nor any 12-character piece of it, may appear in stdout or stderr."""
    for name in SECRET_ENV:
        value = result.env.get(name, "")
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if len(value.strip()) < window or "{{" in value:
            continue  # too short to search for, or an unfilled {{ RUNPOD_SECRET_x }}
        for start in range(len(value) - window + 1):
            piece = value[start : start + window]
            assert piece not in result.output, f"part of {name} leaked into the output"


def tree_snapshot(*roots: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file and folder under roots: (mode, mtime_ns, content) by path.

    Folders are compared by mode only: a temp file made and removed in a
    folder moves its mtime although nothing in it changed.
    """
    snap = {}
    for root in roots:
        for p in sorted([root, *root.rglob("*")]):
            st = p.lstat()
            if p.is_dir():
                snap[str(p)] = (st.st_mode, 0, b"")
            else:
                snap[str(p)] = (st.st_mode, st.st_mtime_ns, p.read_bytes())
    return snap
