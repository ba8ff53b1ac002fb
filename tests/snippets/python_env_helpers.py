"""Offline building blocks for tests/snippets/test_python_env.py.

- make_wheel: a tiny pure-Python wheel, written by hand (a wheel is a zip file
  with METADATA, WHEEL and RECORD), so no build backend or index is needed.
- WheelServer: serves a folder of wheels on 127.0.0.1 (its directory listing
  works as a `--find-links` page), standing in for PyPI.
- Pod: a fresh HOME on a shared WORKSPACE, with only poetry and uv (the
  project's pinned ones) and /usr/bin on PATH.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import subprocess
import threading
import zipfile
from functools import partial
from pathlib import Path

from tests import ROOT

SNIPPETS = ROOT / "snippets"
BASE_PYTHON = "/usr/bin/python3.11"  # the "image's" Python for uv and venv
PACKAGE = "kgl_tiny"


def make_wheel(out_dir: Path, name: str = PACKAGE, version: str = "0.1.0") -> Path:
    """Write {name}-{version}-py3-none-any.whl into out_dir and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'VERSION = "{version}"\n',
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n"
        ),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{path},sha256={b64},{len(text.encode())}")
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    wheel = out_dir / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return wheel


class WheelServer:
    """A folder of wheels over HTTP on 127.0.0.1; counts the requests it gets."""

    def __init__(self, folder: Path):
        server = self
        self.requests: list[str] = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args) -> None:
                server.requests.append(self.path)

        self._httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(Handler, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def tools_bin(tmp_path: Path) -> Path:
    """A PATH folder holding only the project's pinned poetry and uv."""
    d = tmp_path / "tools"
    d.mkdir(exist_ok=True)
    for tool in ("poetry", "uv"):
        link = d / tool
        if not link.exists():
            link.symlink_to(ROOT / ".venv" / "bin" / tool)
    return d


class Pod:
    """One pod: a new, empty HOME; the WORKSPACE (volume) is shared between pods."""

    def __init__(self, tmp_path: Path, workspace: Path, name: str, **env: str):
        self.home = tmp_path / f"home-{name}"
        self.home.mkdir()
        self.workspace = workspace
        self.env = {
            "PATH": f"{tools_bin(tmp_path)}:/usr/bin:/bin",
            "HOME": str(self.home),
            "WORKSPACE": str(workspace),
            "LANG": "C.UTF-8",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "UV_PYTHON": BASE_PYTHON,
            "UV_PYTHON_DOWNLOADS": "never",
            "NO_COLOR": "1",
            # Speed only: Poetry's installer does not need pip inside the venv.
            "POETRY_VIRTUALENVS_OPTIONS_NO_PIP": "true",
            **env,
        }

    def run(self, *cmd: str | Path, cwd: Path | None = None, **env: str):
        return subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd or self.home,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
