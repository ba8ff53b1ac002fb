"""The fake pod's "image": recording stand-ins for apt-get, dpkg-query, pip and `python3 -m pip`.

A fake pod runs commands on this machine, so installing packages for real would change the
host. These shims go first on PATH instead: they append their argv to $SHIM_LOG and pretend to
install (apt-get marks packages as installed for dpkg-query; `python3 -m pip install` writes
dist-info folders under $SHIM_STATE/site, which is on PYTHONPATH, so importlib.metadata sees
them). A second run therefore sees what the first one installed, as on a real pod.
Used by the rehearsal of the nightly replay (live/) and by the setup.sh tests.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

REAL_PYTHON3 = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"

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


def install_shims(folder: Path, shims: dict[str, str] | None = None) -> None:
    """Write the shims (or the given ones) as executables into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (SHIMS if shims is None else shims).items():
        path = folder / name
        path.write_text("#!/usr/bin/env bash\n" + textwrap.dedent(body).lstrip())
        path.chmod(0o755)


def shim_env(shims: Path, state: Path) -> dict[str, str]:
    """The env a command needs to use the shims in `shims` with their log in `state`."""
    return {
        "SHIM_LOG": str(state / "calls.log"),
        "SHIM_STATE": str(state),
        "REAL_PYTHON3": REAL_PYTHON3,
        "PYTHONPATH": str(state / "site"),
    }


# A fake pod's commands run on this machine: a real `apt-get install` or `pip install` in a
# pod would change this machine. These guards come first on every fake pod's PATH (before the
# machine's own tools, after any shims a test puts in front) and refuse, so a test that
# forgot its shims fails loudly instead of installing packages here.
GUARD = """
    echo "fake Runpod: '$(basename "$0") $*' would install on this machine, not in a pod;" \\
      "put the shims of fake_runpod.image first on PATH" >&2
    exit 100
"""
GUARDED = ("apt-get", "apt", "pip", "pip3")
# `python3 -m pip install` outside a virtualenv is refused by pip itself with this set.
PIP_GUARD = {"PIP_REQUIRE_VIRTUALENV": "true"}


# Inside every fake pod, the guards are at this path: a folder of the pods' own root (see
# container.RootFS), so they go when the fake stops and nothing is left in this machine's /tmp.
GUARD_DIR = "/.fake-runpod/bin"


def install_guards(rootfs: Path) -> None:
    """Write the refusing apt/pip stand-ins into a pods' root folder (at GUARD_DIR)."""
    install_shims(rootfs / GUARD_DIR.lstrip("/"), dict.fromkeys(GUARDED, GUARD))


def guarded_path(path: str) -> str:
    """PATH for a fake pod: the guards, then this machine's PATH."""
    return f"{GUARD_DIR}{os.pathsep}{path}"
