"""snippets/auto-stop.sh: the pod ends itself when training ends, files on the volume stay.

What the reader is promised: the training command runs with its arguments and its output
goes to the screen and to a log on the volume; when it ends, whether it worked or not,
`runpodctl` is asked to terminate this very pod (RUNPOD_POD_ID), with the command of
runpodctl 2.x or, on an older runpodctl, 1.x; what the training wrote to /workspace is
still there; anything missing is refused before training starts, and a failed terminate
says, in Japanese, that the GPU is still billing.

`runpodctl` is a stand-in on PATH that records its arguments (the sandbox's shim log).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_runpod.image import install_shims
from snippets import pod as pods
from snippets import remote, volume
from tests.snippets.setup_sandbox import ROOT, Sandbox

AUTO_STOP = ROOT / "snippets" / "auto-stop.sh"
POD_ID = "abc123podid"

RUNPODCTL_2 = """
    printf 'runpodctl' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
    [[ "$1 $2" == "pod delete" && -n "$3" ]] || { echo "Error: unknown command" >&2; exit 1; }
    echo "{\\"deleted\\": true, \\"id\\": \\"$3\\"}"
"""
RUNPODCTL_1 = """
    printf 'runpodctl' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
    [[ "$1 $2" == "remove pod" && -n "$3" ]] || { echo "Error: unknown command $1" >&2; exit 1; }
    echo "pod \\"$3\\" removed"
"""
RUNPODCTL_BROKEN = """
    printf 'runpodctl' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
    echo "Error: api key not configured" >&2; exit 1
"""
# A training run: writes a checkpoint to the volume, logs to the shim log, exits with $1.
TRAIN = """
    echo "train $*" >>"$SHIM_LOG"
    mkdir -p "$WORKSPACE/comp/output"
    echo weights >"$WORKSPACE/comp/output/model.pt"
    echo "epoch 1 loss 0.5"
    echo "warning from stderr" >&2
    exit "${1:-0}"
"""


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path)
    sandbox.workspace.mkdir()
    sandbox.add_shim("runpodctl", RUNPODCTL_2)
    sandbox.add_shim("train", TRAIN)
    return sandbox


ENV = {"RUNPOD_POD_ID": POD_ID, "GRACE_SECONDS": "0"}


def logs(pod: Sandbox) -> list[Path]:
    folder = pod.workspace / "logs"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("code", [0, 3])
def test_the_pod_is_terminated_after_training_whatever_its_result(pod: Sandbox, code: int):
    r = pod.run(AUTO_STOP, "train", str(code), "--fold 0", **ENV)
    assert r.returncode == code, r.output
    # Training first, with its arguments intact, then exactly one terminate of this pod.
    assert pod.calls() == [f"train {code} --fold 0", f"runpodctl pod delete {POD_ID}"]
    # The checkpoint is on the volume; the training output is on screen and in the log.
    assert (pod.workspace / "comp" / "output" / "model.pt").read_text() == "weights\n"
    (log,) = logs(pod)
    assert log.read_text() == (
        f"epoch 1 loss 0.5\nwarning from stderr\n学習が終了コード {code} で終わりました。\n"
    )
    assert "epoch 1 loss 0.5" in r.stdout
    assert r.stdout.splitlines()[-1] == "Pod の終了を Runpod に伝えました。まもなく接続が切れます。"


def test_an_older_runpodctl_gets_its_own_command(pod: Sandbox):
    pod.add_shim("runpodctl", RUNPODCTL_1)
    r = pod.run(AUTO_STOP, "train", **ENV)
    assert r.returncode == 0, r.output
    assert pod.calls("runpodctl") == [
        f"runpodctl pod delete {POD_ID}",
        f"runpodctl remove pod {POD_ID}",
    ]


def test_a_failed_terminate_says_the_gpu_is_still_billing(pod: Sandbox):
    pod.add_shim("runpodctl", RUNPODCTL_BROKEN)
    r = pod.run(AUTO_STOP, "train", **ENV)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == (
        "エラー: Pod を終了できませんでした。GPU の課金が続いています。"
        "コンソールの Pods から終了してください。"
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), ENV, "学習のコマンドを続けて書いてください"),
        (("train",), {"GRACE_SECONDS": "0"}, "RUNPOD_POD_ID がありません"),
        (("train",), dict(ENV, GRACE_SECONDS="1m"), "GRACE_SECONDS は 0 以上の整数"),
    ],
)
def test_nothing_runs_when_the_pod_could_not_be_ended(pod, args, env, message):
    r = pod.run(AUTO_STOP, *args, **env)
    assert r.returncode == 1
    assert r.stderr.startswith(f"エラー: {message}")
    assert pod.calls() == []  # no training, no terminate


def test_without_runpodctl_training_does_not_start(pod: Sandbox):
    (pod.bin / "runpodctl").unlink()
    r = pod.run(AUTO_STOP, "train", **ENV)
    assert r.returncode == 1
    assert "runpodctl が見つかりません" in r.stderr
    assert pod.calls() == []


def test_the_grace_period_is_announced_before_the_terminate(pod: Sandbox):
    r = pod.run(AUTO_STOP, "train", **dict(ENV, GRACE_SECONDS="1"))
    assert "1 秒後にこの Pod を終了します。やめるには Ctrl+C を押してください。" in r.stdout
    assert pod.calls("runpodctl") == [f"runpodctl pod delete {POD_ID}"]


def test_auto_stop_is_shellcheck_clean() -> None:
    shellcheck = ROOT / ".venv" / "bin" / "shellcheck"
    proc = subprocess.run([str(shellcheck), str(AUTO_STOP)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


# --- over SSH, on a pod of the fake Runpod -----------------------------------------------


def test_on_a_fake_pod_the_pod_ends_and_the_volume_keeps_the_files(fake, ssh_keypair, tmp_path):
    """The whole recipe: train, then the pod terminates itself; the volume keeps the model.

    The stand-in runpodctl records its arguments and terminates the pod through the fake's
    API, as the real one does through Runpod's.
    """
    calls = tmp_path / "runpodctl.log"
    stand_ins = tmp_path / "stand-ins"
    install_shims(stand_ins, {"runpodctl": f"""
        echo "$*" >>"{calls}"
        [[ "$1 $2" == "pod delete" ]] || exit 1
        cd "{ROOT}" && RUNPOD_API_BASE_URL="{fake.url}" RUNPOD_API_KEY="{fake.api_key}" \\
          exec "{sys.executable}" -m snippets.pod down "$3"
    """})  # fmt: skip
    disk = volume.create_volume("kaggle-data", 20, "EU-RO-1")
    created = pods.deploy_pod(disk["id"], public_key=ssh_keypair[1])
    running = pods.wait_until_ready(created["id"], timeout=60, poll=0.2)

    train = "mkdir -p /workspace/comp/output && echo weights >/workspace/comp/output/model.pt"
    command = (
        f'source /etc/rp_environment && PATH="{stand_ins}:$PATH" GRACE_SECONDS=0 '
        f"bash -s bash -c '{train} && echo trained'"
    )
    remote.run(running, command, ssh_keypair[0], stdin=AUTO_STOP.read_text(), check=False)

    deadline = time.monotonic() + 30
    while fake.pods and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.pods == {}, "the pod is still there (and billing)"
    assert calls.read_text() == f"pod delete {created['id']}\n"  # this pod, by its own id
    kept = fake.volume_dir(disk["id"])
    assert (kept / "comp" / "output" / "model.pt").read_text() == "weights\n"
    (log,) = (kept / "logs").iterdir()
    assert log.read_text() == "trained\n学習が終了コード 0 で終わりました。\n"
