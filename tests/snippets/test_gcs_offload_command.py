"""snippets/gcs-offload.sh: the command the storage-cost page shows, run with bash.

The reader edits the two lines FOLDER="..." and GCS_PATH="..."; the test does the same and
checks the folder really lands in the bucket (a local GCS emulator), and that the download
line written as a comment brings it back byte for byte.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ROOT

SCRIPT = ROOT / "snippets" / "gcs-offload.sh"
BUCKET = "offload-command"


@pytest.fixture
def emulator(monkeypatch):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    # Imported here, not at collection: google-cloud-storage takes 0.5 s to import.
    from gcp_storage_emulator.server import create_server
    from google.cloud import storage

    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    yield storage.Client().bucket(BUCKET)
    server.stop()


def edited(folder: Path, gcs_path: str, download: bool = False) -> str:
    script = SCRIPT.read_text()
    lines = script.splitlines()
    script = script.replace(next(x for x in lines if x.startswith("FOLDER=")), f'FOLDER="{folder}"')
    script = script.replace(
        next(x for x in lines if x.startswith("GCS_PATH=")), f'GCS_PATH="{gcs_path}"'
    )
    if download:  # the reader runs the commented line instead of the upload
        upload = next(x for x in lines if x.startswith("python -m snippets.gcs_offload upload"))
        comment = next(x for x in lines if "gcs_offload download" in x)
        script = script.replace(upload, comment.split(":", 1)[1].strip())
    return script


def run(script: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_folder_goes_up_and_comes_back(emulator, tmp_path):
    folder = tmp_path / "exp001"
    (folder / "fold0").mkdir(parents=True)
    (folder / "fold0" / "model.pt").write_bytes(os.urandom(4096))
    (folder / "oof.csv").write_text("id,pred\n1,0.5\n")

    up = run(edited(folder, f"gs://{BUCKET}/exp001"))
    assert up.returncode == 0, up.stderr
    assert sorted(b.name for b in emulator.list_blobs()) == [
        "exp001/fold0/model.pt",
        "exp001/oof.csv",
    ]

    back = tmp_path / "restored"
    down = run(edited(back, f"gs://{BUCKET}/exp001", download=True))
    assert down.returncode == 0, down.stderr
    for name in ("fold0/model.pt", "oof.csv"):
        assert (back / name).read_bytes() == (folder / name).read_bytes()
