"""snippets/clone-guide.sh: the guide's scripts onto the volume, then kept up to date.

What the reader is promised: pasted into a pod's terminal, the block puts the guide at
/workspace/guide (on the volume, so the next pod has it too) and, pasted again, brings it up
to date; whatever goes wrong, it says so in Japanese and the reader's shell stays open; a
folder of the reader's own at /workspace/guide is never touched. The URL is the site's
repo_url. Typed over SSH into pods of the fake Runpod, with this checkout as GitHub.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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

CLONE = snippet("clone-guide.sh")
DONE = "用意できました: /workspace/guide/snippets\n"


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    return guide_repository(tmp_path)


def test_the_guide_lands_on_the_volume_and_the_next_pod_updates_it(fake, ssh_keypair, upstream):
    key, public_key = ssh_keypair
    disk = new_volume()
    redirect = github_redirects({GUIDE_URL: f"file://{upstream}"})
    first = start_pod(disk, public_key)
    typed = type_into_pod(first, key, CLONE, redirect)
    assert typed.shell_open and typed.stdout == DONE, typed.output
    guide = fake.volume_dir(disk) / "guide" / "snippets"
    assert (guide / "auto-stop.sh").read_bytes() == (
        upstream / "snippets/auto-stop.sh"
    ).read_bytes()

    (upstream / "snippets" / "doctor.sh").write_text("echo v2\n")
    git("commit", "-q", "-am", "v2", cwd=upstream)
    second = start_pod(disk, public_key)
    again = type_into_pod(second, key, CLONE, redirect)
    assert again.shell_open and again.stdout == DONE, again.output
    assert (guide / "doctor.sh").read_text() == "echo v2\n"


@pytest.mark.parametrize("case", ["no network", "a folder of the reader's own"])
def test_a_failure_says_so_and_leaves_the_shell_open(fake, ssh_keypair, upstream, case):
    key, public_key = ssh_keypair
    disk = new_volume()
    if case == "no network":
        redirect = github_redirects({GUIDE_URL: "file:///nonexistent/guide"})
    else:
        redirect = github_redirects({GUIDE_URL: f"file://{upstream}"})
        mine = fake.volume_dir(disk) / "guide"
        mine.mkdir(parents=True)
        (mine / "notes.txt").write_text("the reader's own notes")
    typed = type_into_pod(start_pod(disk, public_key), key, CLONE, redirect)
    assert typed.shell_open, "the pasted block closed the reader's shell"
    assert typed.stdout == ""
    assert typed.stderr.splitlines()[-1] == (
        "エラー: /workspace/guide に置けませんでした。上の git のメッセージを確認してください。"
    )
    if case != "no network":
        assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_the_url_is_the_sites_repo_url() -> None:
    assert f"git clone --quiet --depth 1 {GUIDE_URL} /workspace/guide" in CLONE
