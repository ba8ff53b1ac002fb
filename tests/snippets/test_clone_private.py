"""snippets/clone-private.sh: the reader's private GitHub repository onto the volume.

What the reader is promised: with a GitHub token kept in Runpod Secrets and handed to the pod
as GITHUB_TOKEN={{ RUNPOD_SECRET_github_token }}, the page's one line clones the repository
to /workspace/<name>; on the next pod (same volume, fresh home folder) the same line brings
it up to date; the token is written to no file and shown in no output; a wrong or missing
token is said in Japanese without git waiting for a password. Typed over SSH into pods of the
fake Runpod; GitHub is a local git server that answers only to the token.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from snippets import secret
from tests.snippets.evening import (
    GUIDE_URL,
    git,
    github_redirects,
    guide_repository,
    new_volume,
    snippet,
    start_pod,
    type_into_pod,
)
from tests.snippets.github_stand_in import github

TOKEN = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
LINE = snippet("on-pod/clone-private.sh")
CLONE_GUIDE = snippet("clone-guide.sh")
REFERENCE = {"GITHUB_TOKEN": "{{ RUNPOD_SECRET_github_token }}"}


@pytest.fixture
def repositories(tmp_path: Path) -> tuple[Path, Path]:
    """(the bare repository GitHub holds, a working copy of it to push from)."""
    bare = tmp_path / "github" / "taro" / "titanic.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    work = tmp_path / "laptop" / "titanic"
    work.mkdir(parents=True)
    (work / "train.py").write_text("print('v1')\n")
    git("init", "-q", "-b", "main", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "v1", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    return bare, work


def files_holding(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def test_clone_then_pull_on_the_next_pod_and_the_token_stays_out_of_files(
    fake, ssh_keypair, tmp_path, repositories
):
    key, public_key = ssh_keypair
    bare, work = repositories
    secret.create_secret("github_token", TOKEN)
    disk = new_volume()
    with github(tmp_path / "github", TOKEN) as server:
        redirect = github_redirects(
            {GUIDE_URL: f"file://{guide_repository(tmp_path)}", "https://github.com/": server.url}
        )
        first = start_pod(disk, public_key, env=REFERENCE)
        assert type_into_pod(first, key, CLONE_GUIDE, redirect).shell_open
        typed = type_into_pod(first, key, LINE, redirect)
        assert typed.stdout.splitlines()[-1] == "クローンしました: /workspace/titanic", typed.output
        kept = fake.volume_dir(disk) / "titanic"
        assert (kept / "train.py").read_text() == "print('v1')\n"

        (work / "train.py").write_text("print('v2')\n")
        git("commit", "-q", "-am", "v2", cwd=work)
        git("push", "-q", str(bare), "main", cwd=work)
        second = start_pod(disk, public_key, env=REFERENCE)  # a fresh HOME, the same volume
        again = type_into_pod(second, key, LINE, redirect)
        assert again.stdout.splitlines()[-1] == "最新にしました: /workspace/titanic", again.output
        assert (kept / "train.py").read_text() == "print('v2')\n"
        assert any(header.startswith("Basic ") for header in server.seen)

    assert files_holding(fake.volume_dir(disk), TOKEN) == []
    assert TOKEN not in typed.output + again.output
    assert "$GITHUB_TOKEN" in (kept / ".git" / "config").read_text()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "エラー: GITHUB_TOKEN がありません。"),
        (
            {"GITHUB_TOKEN": "github_pat_not_the_right_one"},
            "エラー: クローンできませんでした。トークンにこのリポジトリの Contents の読み取り権限",
        ),
    ],
    ids=["no token", "a wrong token"],
)
def test_a_missing_or_wrong_token_says_so_without_waiting_for_a_password(
    fake, ssh_keypair, tmp_path, repositories, env, message
):
    key, public_key = ssh_keypair
    disk = new_volume()
    with github(tmp_path / "github", TOKEN) as server:
        redirect = github_redirects(
            {GUIDE_URL: f"file://{guide_repository(tmp_path)}", "https://github.com/": server.url}
        )
        pod = start_pod(disk, public_key, env=env or None)
        assert type_into_pod(pod, key, CLONE_GUIDE, redirect).shell_open
        typed = type_into_pod(pod, key, LINE, redirect)
    assert typed.shell_open  # a script run with bash: its exit never closes the reader's shell
    assert typed.stderr.splitlines()[-1].startswith(message), typed.output
    assert not (fake.volume_dir(disk) / "titanic").exists()
