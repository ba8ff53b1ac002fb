"""JupyterLab on the official image: snippets/jupyter-secret-create.sh and jupyter-pod-up.sh.

What the reader is promised: the password goes into a Secret (never onto the command line),
the pod opens 8888 as an HTTP port next to SSH, gets the password as JUPYTER_PASSWORD (the
official images' start.sh starts JupyterLab only when it is set, and uses it as the token),
and the command prints the address to open: https://<pod id>-8888.proxy.runpod.net.
Run with bash against the fake Runpod, as tests/snippets/test_commands.py runs the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from snippets import secret, volume
from tests import ROOT


def run(name: str, env: dict, stdin: str | None = None, volume_id: str | None = None):
    script = (ROOT / "snippets" / name).read_text()
    if volume_id:
        script = script.replace('VOLUME_ID="your-volume-id"', f'VOLUME_ID="{volume_id}"')
    return subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def reader_shell(tmp_path: Path, public_key: str) -> dict:
    env = dict(os.environ, HOME=str(tmp_path))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_ed25519.pub").write_text(public_key + "\n")
    return env


def test_the_password_goes_into_a_secret(fake, tmp_path, ssh_keypair):
    env = reader_shell(tmp_path, ssh_keypair[1])
    created = run("jupyter-secret-create.sh", env, stdin="correct horse battery\n")
    assert created.returncode == 0, created.stderr
    (stored,) = fake.secrets.values()
    assert (stored.name, stored.value) == ("jupyter_password", "correct horse battery")
    assert "correct horse" not in created.stdout + created.stderr


def test_the_pod_opens_8888_and_gets_the_password(fake, tmp_path, ssh_keypair):
    env = reader_shell(tmp_path, ssh_keypair[1])
    secret.create_secret("jupyter_password", "correct horse battery")
    secret.create_secret("kaggle_api_token", "KGAT_jupyter_test")
    disk = volume.create_volume("kaggle-data", 20, "EU-RO-1")

    up = run("jupyter-pod-up.sh", env, volume_id=disk["id"])
    assert up.returncode == 0, up.stderr
    (pod,) = fake.pods.values()
    assert pod.ports == ["22/tcp", "8888/http"]
    # Upper-case names: both reach SSH shells too; the values stay references until boot.
    assert pod.env["JUPYTER_PASSWORD"] == "{{ RUNPOD_SECRET_jupyter_password }}"
    assert pod.env["KAGGLE_API_TOKEN"] == "{{ RUNPOD_SECRET_kaggle_api_token }}"
    assert f"https://{pod.id}-8888.proxy.runpod.net" in up.stdout
    assert "correct horse" not in up.stdout + up.stderr
