"""snippets/copy-code-scp.sh and copy-code-rsync.sh: the reader's code from their PC to a pod.

What the reader is promised: with the Host entry that pod-ssh-config.sh prints in their
~/.ssh/config, the scp line copies the code into /workspace/<competition> on the volume, and
the same line works in Windows PowerShell (nothing in it that PowerShell reads differently);
the rsync line sends only what changed and never the data, models, virtualenv or git folder.
Run from a reader's folder on this machine against a pod of the fake Runpod.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from snippets import pod as pods
from tests.snippets.evening import new_volume, snippet, start_pod

PLACEHOLDER = "runpod-your-pod-id"


@pytest.fixture
def reader(fake, ssh_keypair, tmp_path):
    """(the reader's shell environment with the pod in ~/.ssh/config, their code, the volume)."""
    key, public_key = ssh_keypair
    disk = new_volume()
    (fake.volume_dir(disk) / "titanic").mkdir()  # the data step made the competition folder
    pod = start_pod(disk, public_key)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    entry = pods.ssh_config_entry(pod, identity_file=str(key))
    (home / ".ssh" / "config").write_text(
        entry + "    StrictHostKeyChecking accept-new\n"
        f"    UserKnownHostsFile {home / '.ssh' / 'known_hosts'}\n"
    )
    code = tmp_path / "titanic"
    (code / "src").mkdir(parents=True)
    (code / "src" / "model.py").write_text("class Net: ...\n")
    (code / "train.py").write_text("print('train')\n")
    for skipped in ("input", "output", ".venv", ".git"):
        (code / skipped).mkdir()
        (code / skipped / "big.bin").write_text("not for the pod")
    env = dict(os.environ, HOME=str(home))
    alias = entry.splitlines()[0].removeprefix("Host ")
    return env, code, fake.volume_dir(disk) / "titanic", alias


def run_line(name: str, env: dict, cwd: Path, alias: str) -> subprocess.CompletedProcess:
    """The page's line with the reader's Host name. ssh finds ~/.ssh/config through the
    password database, not $HOME, so the test hands scp and rsync the same file with -F."""
    config = Path(env["HOME"]) / ".ssh" / "config"
    line = snippet(name).splitlines()[-1].replace(PLACEHOLDER, alias)
    line = line.replace("scp ", f"scp -F {config} ", 1)
    env = {**env, "RSYNC_RSH": f"ssh -F {config}"}
    return subprocess.run(
        ["bash", "-c", line], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_scp_copies_the_code_into_the_competition_folder(reader):
    env, code, remote, alias = reader
    done = run_line("copy-code-scp.sh", env, code, alias)
    assert done.returncode == 0, done.stderr
    assert tree(remote) == {"src/model.py": "class Net: ...\n", "train.py": "print('train')\n"}


def test_the_scp_line_reads_the_same_in_powershell():
    line = snippet("copy-code-scp.sh").splitlines()[-1]
    # PowerShell treats these differently from bash (variables, escapes, splatting, scripts).
    assert not re.search(r"[$`'\"@;&|(){}<>\\]", line), line
    assert line.split()[0] == "scp"  # Windows 10 and 11 ship OpenSSH's scp


@pytest.mark.skipif(
    shutil.which("rsync") is None, reason="rsync is not installed (apt-get install rsync)"
)
def test_rsync_sends_the_code_only_and_then_only_what_changed(reader):
    env, code, remote, alias = reader
    first = run_line("copy-code-rsync.sh", env, code, alias)
    assert first.returncode == 0, first.stderr
    assert tree(remote) == {"src/model.py": "class Net: ...\n", "train.py": "print('train')\n"}
    (code / "train.py").write_text("print('train v2')\n")
    second = run_line("copy-code-rsync.sh", env, code, alias)
    assert second.returncode == 0, second.stderr
    assert "train.py" in second.stdout and "model.py" not in second.stdout
    assert tree(remote)["train.py"] == "print('train v2')\n"
