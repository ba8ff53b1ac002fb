"""snippets/clone-guide.sh: the guide's scripts onto the volume, then kept up to date.

Run with bash in the sandboxed pod against a local git repository standing in for GitHub;
the default URL must be the repo_url that mkdocs.yml gives every page.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.site.pages import load_config
from tests.snippets.setup_sandbox import ROOT, Sandbox

SCRIPT = ROOT / "snippets" / "clone-guide.sh"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def upstream(tmp_path: Path) -> Path:
    repo = tmp_path / "upstream"
    (repo / "snippets").mkdir(parents=True)
    (repo / "snippets" / "doctor.sh").write_text("echo v1\n")
    git("init", "-q", "-b", "main", cwd=repo)
    git("-c", "user.name=t", "-c", "user.email=t@e", "add", ".", cwd=repo)
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "v1", cwd=repo)
    return repo


def test_clone_then_update(tmp_path: Path) -> None:
    pod = Sandbox(tmp_path)
    repo = upstream(tmp_path)
    env = {"GUIDE_REPO": f"file://{repo}"}
    first = pod.run(SCRIPT, **env)
    assert first.returncode == 0, first.stderr
    copy = pod.workspace / "guide" / "snippets" / "doctor.sh"
    assert copy.read_text() == "echo v1\n"
    assert (
        first.stdout.strip()
        == f"スクリプトはここにあります: {pod.workspace / 'guide' / 'snippets'}"
    )

    (repo / "snippets" / "doctor.sh").write_text("echo v2\n")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-am", "v2", cwd=repo)
    again = pod.run(SCRIPT, **env)
    assert again.returncode == 0, again.stderr
    assert copy.read_text() == "echo v2\n"


def test_the_default_url_is_the_sites_repo_url() -> None:
    repo_url = load_config()["repo_url"]
    assert f'GUIDE_REPO="${{GUIDE_REPO:-{repo_url}}}"' in SCRIPT.read_text()
