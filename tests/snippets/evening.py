"""What the first evening's snippet tests share: a pod of the fake Runpod reached over SSH,
this checkout standing in for the guide's GitHub repository, and stand-in commands.

A reader types the page's commands into a shell on the pod. `type_into_pod` does the same:
the text goes to `bash -s` over SSH (the pod's /workspace is the volume), followed by a line
that proves the shell is still open afterwards. GitHub is this machine: git's own `insteadOf`
setting (passed in the environment, never written to a file) sends the page's literal
https://github.com/... URL to a local repository.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fake_runpod.image import install_shims
from snippets import pod as pods
from snippets import remote, volume
from tests import ROOT
from tests.site.pages import load_config

STILL_OPEN = "kgl: the shell is still open"
GUIDE_URL = load_config()["repo_url"]


@dataclass
class Typed:
    """What the reader saw after typing a command, and whether their shell survived."""

    stdout: str
    stderr: str
    shell_open: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def guide_repository(folder: Path) -> Path:
    """A git repository holding this checkout's snippets/, as GitHub would serve the guide."""
    repo = folder / "guide-upstream"
    shutil.copytree(
        ROOT / "snippets", repo / "snippets", ignore=shutil.ignore_patterns("__pycache__")
    )
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "guide", cwd=repo)
    return repo


def github_redirects(mapping: dict[str, str]) -> dict[str, str]:
    """Environment that makes git fetch each https:// URL of `mapping` from its local URL."""
    env = {"GIT_CONFIG_COUNT": str(len(mapping))}
    for number, (public, local) in enumerate(mapping.items()):
        env[f"GIT_CONFIG_KEY_{number}"] = f"url.{local}.insteadOf"
        env[f"GIT_CONFIG_VALUE_{number}"] = public
    return env


def stand_ins(folder: Path, commands: dict[str, str]) -> Path:
    """A folder of stand-in commands (bash bodies), to put first on the pod's PATH."""
    install_shims(folder, commands)
    return folder


def start_pod(volume_id: str, public_key: str, env: dict | None = None) -> dict:
    created = pods.deploy_pod(volume_id, public_key=public_key, env=env)
    return pods.wait_until_ready(created["id"], timeout=60, poll=0.2)


def new_volume() -> str:
    return volume.create_volume("kaggle-data", 20, "EU-RO-1")["id"]


def type_into_pod(
    pod: dict, key: Path, text: str, env: dict | None = None, path: Path | None = None
) -> Typed:
    """Type `text` into a login shell on the pod (env exported first, PATH prefixed)."""
    exports = [f"export {name}={shlex.quote(value)}" for name, value in (env or {}).items()]
    if path:
        exports.append(f'export PATH={shlex.quote(str(path))}:"$PATH"')
    script = "\n".join(
        ["source /etc/rp_environment 2>/dev/null", *exports, text, f"echo '{STILL_OPEN}'"]
    )
    done = remote.run(pod, "bash -s", key, stdin=script + "\n", check=False)
    lines = done.stdout.splitlines()
    shell_open = bool(lines) and lines[-1] == STILL_OPEN
    stdout = "\n".join(lines[:-1] if shell_open else lines)
    return Typed(stdout + ("\n" if stdout else ""), done.stderr, shell_open)


def snippet(name: str) -> str:
    """A snippet as the page shows it (what the reader copies)."""
    return (ROOT / "snippets" / name).read_text(encoding="utf-8")
