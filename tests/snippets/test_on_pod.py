"""snippets/on-pod/*.sh: the one-line commands the pages tell a reader to type on the pod.

Each page shows the command first and the script it runs in a collapsed block below it. These
lines run the scripts of the guide's copy on the volume (/workspace/guide, put there by
clone-guide.sh). What the reader is promised: each line is one command that cannot close
their shell, runs the script it names from where clone-guide.sh put it, in the folder and
with the arguments (quoting included) the page explains. The scripts themselves are tested
by their own tests; the first evening's lines also run for real in test_evening.py.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_runpod.image import install_shims
from snippets import pod as pods
from tests import ROOT
from tests.snippets.evening import new_volume, start_pod, type_into_pod

FOLDER = ROOT / "snippets" / "on-pod"
GUIDE = "/workspace/guide/"
# line -> (script it runs, the folder it runs in, its arguments, environment it sets)
ON_POD = {
    "setup.sh": ("setup.sh", "/root", [], {}),
    "check-secrets.sh": ("check-secrets.sh", "/root", [], {}),
    "doctor.sh": ("doctor.sh", "/root", [], {}),
    "kaggle-download.sh": ("kaggle-download.sh", "/root", ["titanic"], {}),
    "kaggle-upload-dataset.sh": (
        "kaggle-upload-dataset.sh",
        "/root",
        ["/workspace/titanic/output/exp001", "taro/titanic-exp001", "5 fold"],
        {},
    ),
    "kaggle-upload-model.sh": (
        "kaggle-upload-model.sh",
        "/root",
        ["/workspace/titanic/output/exp001", "taro/titanic-model/pytorch/exp001", "5 fold"],
        {},
    ),
    "clone-private.sh": ("clone-private.sh", "/root", ["taro/titanic"], {}),
    "auto-stop-rehearsal.sh": ("auto-stop.sh", "/root", ["sleep", "5"], {"GRACE_SECONDS": "10"}),
    "auto-stop.sh": ("auto-stop.sh", "/root", ["python", "train.py", "--fold", "0"], {}),
    "train-tonight.sh": (
        "auto-stop.sh",
        "/workspace/titanic",
        [
            "bash",
            "/workspace/guide/snippets/train-and-upload.sh",
            "output/exp001",
            "taro/titanic-exp001",
            "timeout",
            "8h",
            "python",
            "train.py",
        ],
        {},
    ),
    "python-env-uv.sh": ("python-env-uv.sh", "/root", [], {"PROJECT": "titanic"}),
    "python-env-poetry.sh": ("python-env-poetry.sh", "/root", [], {"PROJECT": "titanic"}),
    "repair-venv.sh": ("repair-venv.sh", "/workspace/titanic", [], {}),
}
COMMAND = re.compile(r"^(?:cd (?P<cd>/\S+) && )?(?:(?P<env>[A-Z_]+=\S+) )?bash (?P<script>\S+)")


def lines() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(FOLDER.iterdir())}


def test_every_line_is_listed_here_with_what_it_must_do():
    assert sorted(lines()) == sorted(ON_POD)


@pytest.mark.parametrize("name", sorted(ON_POD))
def test_each_is_one_command_that_runs_a_script_of_the_guide(name):
    shebang, command, *rest = lines()[name].splitlines()
    assert shebang == "#!/usr/bin/env bash" and rest == [], "one command, nothing else"
    match = COMMAND.match(command)
    assert match and match["script"].startswith(GUIDE + "snippets/"), command
    # Every path into the guide's copy names a file of this repository.
    for path in re.findall(rf"{GUIDE}(\S+)", command):
        assert (ROOT / path).is_file(), f"{name}: {GUIDE}{path} is not in the repository"
    # Nothing a pasted line could close the reader's shell with.
    assert not re.search(r"(^|[;&|]\s*)(exit|set -e|exec)\b", command), command


RECORDER = """
    {{ printf 'ran %s in %s:' "$(basename "$0")" "$PWD"; for a in "$@"; do printf ' [%s]' "$a"; done
       printf ' GRACE_SECONDS=%s PROJECT=%s\\n' "${{GRACE_SECONDS:-}}" "${{PROJECT:-}}"; }} >>{log}
"""


def test_on_a_pod_each_line_runs_its_script_where_and_how_the_page_says(
    fake, ssh_keypair, tmp_path
):
    """The guide's scripts on the volume are recorders here: each line's call is compared."""
    key, public_key = ssh_keypair
    disk = new_volume()
    guide = fake.volume_dir(disk) / "guide" / "snippets"
    log = "/workspace/ran.log"
    scripts = {script for script, *_ in ON_POD.values()} | {"train-and-upload.sh"}
    install_shims(guide, dict.fromkeys(scripts, RECORDER.format(log=log)))
    (fake.volume_dir(disk) / "titanic").mkdir()
    pod = start_pod(disk, public_key)
    for name in sorted(ON_POD):
        typed = type_into_pod(pod, key, lines()[name])
        assert typed.shell_open, name
    ran = (fake.volume_dir(disk) / "ran.log").read_text().splitlines()
    expected = []
    for name in sorted(ON_POD):
        script, folder, args, env = ON_POD[name]
        arguments = "".join(f" [{arg}]" for arg in args)
        grace, project = env.get("GRACE_SECONDS", ""), env.get("PROJECT", "")
        expected.append(
            f"ran {script} in {folder}:{arguments} GRACE_SECONDS={grace} PROJECT={project}"
        )
    assert ran == expected


# --- the rehearsal: the countdown, and Ctrl+C keeps the pod ---------------------------------


def terminating_stand_ins(folder: Path, fake) -> dict[str, str]:
    """A pod's ways to end itself, both aimed at the fake: runpodctl, and the REST API that
    auto-stop.sh calls with the pod's key. Returns the environment they need."""
    install_shims(
        folder,
        {
            "runpodctl": f"""
        echo "$*" >>"{folder}/runpodctl.log"
        [[ "$1 $2" == "pod delete" ]] || exit 1
        cd "{ROOT}" && RUNPOD_API_BASE_URL="{fake.url}" RUNPOD_API_KEY="{fake.api_key}" \\
          exec "{sys.executable}" -m snippets.pod down "$3"
    """
        },
    )
    return {
        "RUNPOD_API_BASE_URL": fake.url,
        "RUNPOD_API_KEY": fake.api_key,
        "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
    }


def test_the_rehearsal_counts_down_and_ctrl_c_keeps_the_pod(fake, ssh_keypair, tmp_path):
    pod = start_pod(new_volume(), ssh_keypair[1])
    command = lines()["auto-stop-rehearsal.sh"].splitlines()[1]
    command = command.replace(GUIDE + "snippets/", f"{ROOT}/snippets/")
    env = {
        **os.environ,
        **terminating_stand_ins(tmp_path / "bin", fake),
        "RUNPOD_POD_ID": pod["id"],
        "WORKSPACE": str(tmp_path / "workspace"),
    }
    reader = subprocess.Popen(
        ["bash", "-c", command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    deadline = time.monotonic() + 60
    for line in reader.stdout:  # the countdown comes after `sleep 5`
        seen.append(line)
        if "10" in line and "Ctrl+C" in line:
            break
        assert time.monotonic() < deadline, seen
    else:
        pytest.fail(f"no countdown naming Ctrl+C: {seen}")
    os.killpg(reader.pid, signal.SIGINT)  # what Ctrl+C sends: the whole foreground group
    reader.wait(timeout=30)
    assert pod["id"] in fake.pods, "Ctrl+C did not keep the pod"
    assert pods.get_pod(pod["id"])["id"] == pod["id"]
    assert not (tmp_path / "bin" / "runpodctl.log").exists()


def test_the_lines_quote_arguments_as_the_page_explains():
    # "5 fold" is one note, not two arguments.
    command = lines()["kaggle-upload-dataset.sh"].splitlines()[1]
    assert shlex.split(command)[-1] == "5 fold"
