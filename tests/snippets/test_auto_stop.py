"""snippets/auto-stop.sh: when training ends, the pod deletes itself; files on the volume stay.

What the reader is promised: the training command runs with its arguments, its output goes
to the screen and to a log on the volume; when it ends, whether it worked or not, this very
pod (RUNPOD_POD_ID) is deleted through Runpod's REST API v2 with the pod's own key, which
never shows anywhere; what training wrote to /workspace is still there. Anything that would
make the delete impossible is refused before training starts; a delete that fails says, in
Japanese, that the GPU is still billing, and exits non-zero.

The pods are the fake Runpod's: the script runs inside them over SSH, as a reader's does.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from snippets import pod as pods
from snippets import remote, volume
from tests.snippets.setup_sandbox import ROOT, Sandbox

AUTO_STOP = ROOT / "snippets" / "auto-stop.sh"
# A training run: writes a checkpoint to the volume, prints to stdout and stderr, exits $1.
TRAIN = """#!/usr/bin/env bash
mkdir -p /workspace/comp/output
echo weights >/workspace/comp/output/model.pt
echo "train $*" >>/workspace/calls.log
echo "epoch 1 loss 0.5"
echo "warning from stderr" >&2
exit "${1:-0}"
"""


@pytest.fixture
def running(fake, ssh_keypair):
    """A fake pod on a fresh volume, ready for SSH, with a training script on the volume."""
    disk = volume.create_volume("kaggle-data", 10, "EU-RO-1")
    made = pods.deploy_pod(disk["id"], public_key=ssh_keypair[1], max_hours=0)
    ready = pods.wait_until_ready(made["id"], timeout=60, poll=0.1)
    kept = fake.volume_dir(disk["id"])
    (kept / "train.sh").write_text(TRAIN)
    (kept / "train.sh").chmod(0o755)
    return ready, kept


def run_in_pod(fake, running, ssh_keypair, args: str, env: str = "GRACE_SECONDS=0"):
    """bash auto-stop.sh ARGS inside the pod, with the pod's own environment."""
    pod, _ = running
    command = f". /etc/rp_environment && RUNPOD_API_BASE_URL={fake.url} {env} bash -s {args}"
    return remote.run(pod, command, ssh_keypair[0], stdin=AUTO_STOP.read_text(), check=False)


def wait_gone(fake, pod_id: str) -> bool:
    deadline = time.monotonic() + 30
    while pod_id in fake.pods and time.monotonic() < deadline:
        time.sleep(0.05)
    return pod_id not in fake.pods


@pytest.mark.parametrize("code", [0, 3])
def test_training_runs_then_the_pod_deletes_itself(fake, running, ssh_keypair, code):
    pod, kept = running
    done = run_in_pod(fake, running, ssh_keypair, f"/workspace/train.sh {code} '--fold 0'")
    assert wait_gone(fake, pod["id"]), "the pod is still there (and billing)"
    assert done.returncode in (code, 255)  # 255: the pod went away under the SSH session
    assert (kept / "calls.log").read_text() == f"train {code} --fold 0\n"
    assert (kept / "comp" / "output" / "model.pt").read_text() == "weights\n"
    (log,) = (kept / "logs").iterdir()
    assert log.read_text() == (
        f"epoch 1 loss 0.5\nwarning from stderr\n学習が終了コード {code} で終わりました。\n"
    )
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert [(r.path, r.status) for r in deletes] == [(f"/v2/pods/{pod['id']}", 204)]


def test_the_pods_key_never_shows(fake, running, ssh_keypair):
    pod, _ = running
    key = remote.run(pod, ". /etc/rp_environment && printenv RUNPOD_API_KEY", ssh_keypair[0])
    key = key.stdout.strip()
    assert key and key != fake.api_key  # the pod's own key, not the account's
    done = run_in_pod(fake, running, ssh_keypair, "/workspace/train.sh 0")
    assert key not in done.stdout + done.stderr
    assert wait_gone(fake, pod["id"])


def test_a_refused_key_says_the_gpu_is_still_billing(fake, running, ssh_keypair):
    pod, _ = running
    done = run_in_pod(
        fake,
        running,
        ssh_keypair,
        "/workspace/train.sh 0",
        env="GRACE_SECONDS=0 RUNPOD_API_KEY=rpa_not_valid_0000",
    )
    assert done.returncode == 3
    assert "Pod を削除できませんでした（HTTP 401）。GPU の課金が続いています。" in done.stderr
    assert "https://console.runpod.io/pods" in done.stderr
    assert pod["id"] in fake.pods


def test_the_grace_period_is_announced_before_the_delete(fake, running, ssh_keypair):
    pod, _ = running
    done = run_in_pod(fake, running, ssh_keypair, "/workspace/train.sh 0", env="GRACE_SECONDS=1")
    assert "1 秒後にこの Pod を削除します。やめるには Ctrl+C を押してください。" in done.stdout
    assert wait_gone(fake, pod["id"])


# --- refused before anything runs, on any machine ---------------------------------------------

ENV = {
    "RUNPOD_POD_ID": "abc123podid",
    "RUNPOD_API_KEY": "rpa_pod_key",
    "GRACE_SECONDS": "0",
    "RUNPOD_API_BASE_URL": "http://127.0.0.1:9",
}


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path)
    box.workspace.mkdir()
    box.add_shim("train", 'echo "train $*" >>"$SHIM_LOG"')
    return box


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), ENV, "学習のコマンドを続けて書いてください"),
        (("train",), {**ENV, "RUNPOD_POD_ID": ""}, "RUNPOD_POD_ID がありません"),
        (("train",), {**ENV, "RUNPOD_API_KEY": ""}, "RUNPOD_API_KEY がありません"),
        (("train",), {**ENV, "GRACE_SECONDS": "1m"}, "GRACE_SECONDS は 0〜3600 の整数"),
        (("train",), {**ENV, "GRACE_SECONDS": "-1"}, "GRACE_SECONDS は 0〜3600 の整数"),
        (("train",), {**ENV, "GRACE_SECONDS": "3601"}, "GRACE_SECONDS は 0〜3600 の整数"),
        (("train",), {**ENV, "GRACE_SECONDS": "99999999999"}, "GRACE_SECONDS は 0〜3600 の整数"),
        (
            ("python train.py",),
            ENV,
            "コマンド「python train.py」が見つかりません。Pod は削除していません",
        ),
        (("no-such-trainer", "--fold", "0"), ENV, "コマンド「no-such-trainer」が見つかりません"),
    ],
)
def test_nothing_runs_when_it_could_not_end_well(sandbox, args, env, message):
    r = sandbox.run(AUTO_STOP, *args, **env)
    assert r.returncode == 1
    assert r.stderr.startswith(f"エラー: {message}")
    assert sandbox.calls() == []  # no training, no delete


def test_without_curl_training_does_not_start(sandbox, tmp_path):
    tools = tmp_path / "no-curl"  # a PATH with what the script needs, except curl
    tools.mkdir()
    for tool in ("bash", "date", "dirname", "mkdir", "tee", "sync", "sleep"):
        (tools / tool).symlink_to(shutil.which(tool))
    r = sandbox.run(AUTO_STOP, "train", **{**ENV, "PATH": f"{sandbox.bin}:{tools}"})
    assert r.returncode == 1 and "curl が見つかりません" in r.stderr
    assert sandbox.calls() == []


def test_an_unreachable_api_says_the_gpu_is_still_billing(sandbox):
    # The real curl, told not to retry (its last --retry wins): the script's own five tries
    # with backoff would make this test wait half a minute for the same outcome.
    sandbox.add_shim("curl", f'exec {shutil.which("curl")} "$@" --retry 0')
    r = sandbox.run(AUTO_STOP, "train", **ENV)  # 127.0.0.1:9: nothing listens
    assert r.returncode == 3
    assert "HTTP 応答なし" in r.stderr and "課金が続いています" in r.stderr
    assert sandbox.calls() == ["train "]  # it trained, then could not delete
