"""A sandbox in which snippets/setup.sh runs for real, with bash.

The sandbox has its own HOME and WORKSPACE, and puts recording shims for
apt-get, apt, dpkg-query, pip and `python3 -m pip` first on PATH. The shims
append their argv to a log and pretend to install: apt-get marks packages as
installed for dpkg-query, pip writes dist-info folders that importlib.metadata
finds, so a second run sees what the first one installed.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP_SH = ROOT / "snippets" / "setup.sh"
REAL_PYTHON3 = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"

# Environment variables whose values are secrets: never allowed in any output.
SECRET_ENV = ("KAGGLE_API_TOKEN", "RUNPOD_SECRET_kaggle_json")

SHIMS = {
    # apt-get / apt: record; `install` marks its packages as installed.
    "apt-get": """
        printf 'apt-get' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
        if [[ " $* " == *" install "* ]]; then
          for a in "$@"; do
            case "$a" in -*|install) ;; *) echo "$a" >>"$SHIM_STATE/dpkg-installed" ;; esac
          done
        fi
    """,
    "apt": """
        printf 'apt' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
    """,
    # dpkg-query -W -f=... PKG: "installed" only for what apt-get installed.
    "dpkg-query": """
        printf 'dpkg-query' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
        pkg="${!#}"
        if grep -qx -- "$pkg" "$SHIM_STATE/dpkg-installed" 2>/dev/null; then
          printf 'installed'
        else
          echo "dpkg-query: no packages found matching $pkg" >&2; exit 1
        fi
    """,
    "pip": """
        printf 'pip' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
    """,
    "pip3": """
        printf 'pip3' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
    """,
    # python3: `-m pip` is recorded and faked (writes dist-info into
    # $SHIM_STATE/site, which is on PYTHONPATH); everything else runs the real
    # interpreter. SHIM_PYTHON_TOO_OLD=1 makes the version check fail.
    "python3": """
        if [[ "${1:-}" == "-m" && "${2:-}" == "pip" ]]; then
          printf 'python3' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
          echo "$PIP_CACHE_DIR $UV_CACHE_DIR" >"$SHIM_STATE/pip-cache-env"
          if [[ "${3:-}" == "install" ]]; then
            for name_version in poetry:2.5.1 uv:0.13.8 kaggle:2.2.0; do
              d="$SHIM_STATE/site/${name_version%%:*}-${name_version##*:}.dist-info"
              mkdir -p "$d"
              printf 'Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n' \\
                "${name_version%%:*}" "${name_version##*:}" >"$d/METADATA"
            done
          fi
          exit 0
        fi
        if [[ "${SHIM_PYTHON_TOO_OLD:-}" == 1 && "${1:-}" == "-c" && "$2" == *version_info* ]]; then
          exit 1
        fi
        exec "$REAL_PYTHON3" "$@"
    """,
    # id: only installed by tests that want a non-root user.
}

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
        for name, body in SHIMS.items():
            self.add_shim(name, body)

    def add_shim(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text("#!/usr/bin/env bash\n" + textwrap.dedent(body).lstrip())
        path.chmod(0o755)

    def calls(self, prefix: str = "") -> list[str]:
        """Logged shim calls (one line each), optionally only those starting with prefix."""
        lines = self.log.read_text().splitlines()
        return [line for line in lines if line.startswith(prefix)]

    def base_env(self) -> dict:
        return {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "HOME": str(self.home),
            "WORKSPACE": str(self.workspace),
            "SHIM_LOG": str(self.log),
            "SHIM_STATE": str(self.state),
            "REAL_PYTHON3": REAL_PYTHON3,
            "PYTHONPATH": str(self.state / "site"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "LANG": "C.UTF-8",
        }

    def run(self, script: Path | str = SETUP_SH, *args: str, **env: str) -> Result:
        """Run a script with bash; env values of None are left out."""
        full_env = self.base_env()
        full_env.update({k: v for k, v in env.items() if v is not None})
        proc = subprocess.run(
            ["bash", str(script), *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr, full_env)
        assert_no_secret_in_output(result)
        return result


def assert_no_secret_in_output(result: Result, window: int = 12) -> None:
    """No secret value, nor any 12-character piece of it, may appear in stdout or stderr."""
    for name in SECRET_ENV:
        value = result.env.get(name, "")
        if len(value.strip()) < window or value.startswith("{{"):
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
