"""snippets/train-and-upload.sh: train, then send the model to Kaggle before the pod ends.

What the reader is promised: the training command runs with its arguments in the current
folder; only a training that succeeded and saved a model is uploaded (as a new version of a
private Dataset whose note is the training command); a failure, a `timeout`, or a missing
model says so in Japanese and uploads nothing; a mistake that would only show after hours of
training (a bad dataset name, no Kaggle credentials, no such command) is refused before the
training starts. Run with bash in a sandboxed pod against the stand-in `kaggle`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.snippets.setup_sandbox import ROOT, Sandbox
from tests.snippets.test_kaggle_round_trip import STAND_IN, TOKEN

SCRIPT = ROOT / "snippets" / "train-and-upload.sh"
# A training run: reads nothing, saves a model into output/exp001, exits with $1.
TRAIN = """
    echo "train $*" >>"$SHIM_LOG"
    mkdir -p output/exp001 && echo "weights $*" >output/exp001/model.pt
    exit "${1:-0}"
"""


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path)
    (sandbox.workspace / "titanic").mkdir(parents=True)
    sandbox.add_shim("kaggle", f'exec "$REAL_PYTHON3" "{STAND_IN}" "$@"')
    sandbox.add_shim("train", TRAIN)
    sandbox.add_shim("hang", 'echo "hang" >>"$SHIM_LOG"; sleep 600')
    (sandbox.state / "kaggle.json").write_text(json.dumps({"token": TOKEN}))
    return sandbox


def train(pod: Sandbox, *args: str, **env: str | None):
    """The script, run from the reader's repository (/workspace/titanic) as the page says."""
    wrapper = pod.root / "from-the-repository.sh"
    wrapper.write_text(f'cd "$WORKSPACE/titanic" && exec bash "{SCRIPT}" "$@"\n')
    env = {"KAGGLE_API_TOKEN": TOKEN, "KAGGLE_STATE": str(pod.state / "kaggle.json"), **env}
    return pod.run(wrapper, *args, **env)


def uploaded(pod: Sandbox) -> dict:
    return json.loads((pod.state / "kaggle.json").read_text()).get("datasets", {})


def test_a_finished_training_is_uploaded_with_its_command_as_the_note(pod):
    r = train(pod, "output/exp001", "taro/titanic-exp001", "train", "0", "--fold", "0")
    assert r.returncode == 0, r.output
    assert pod.calls("train") == ["train 0 --fold 0"]
    (version,) = uploaded(pod)["taro/titanic-exp001"]["versions"]
    assert version["files"] == {"model.pt": "weights 0 --fold 0\n"}
    r = train(pod, "output/exp001", "taro/titanic-exp001", "train", "0", "--fold", "1")
    versions = uploaded(pod)["taro/titanic-exp001"]["versions"]
    assert versions[-1]["notes"] == "学習のコマンド: train 0 --fold 1"
    assert r.stdout.splitlines()[0] == "学習を始めます: train 0 --fold 1"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (("train", "3"), "学習が終了コード 3 で失敗しました。モデルはアップロードしません。"),
        (
            ("timeout", "0.5", "hang"),
            "学習が時間切れ（timeout）で止まりました。モデルはアップロードしません。",
        ),
        (
            ("true",),
            "学習は終わりましたが、output/exp001 にモデルがありません。保存先を確かめてください。",
        ),
    ],
    ids=["failed", "timed out", "no model"],
)
def test_nothing_is_uploaded_after_a_training_that_did_not_finish(pod, command, message):
    r = train(pod, "output/exp001", "taro/titanic-exp001", *command)
    assert r.returncode != 0
    assert r.stderr.splitlines()[-1] == f"エラー: {message}"
    assert uploaded(pod) == {}
    assert pod.calls("kaggle") == []


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("output/exp001", "taro/exp", "train"), {}, "2 つ目は <ユーザー名>/<Dataset名> です"),
        (
            ("output/exp001", "taro/titanic-exp001"),
            {},
            "モデルのフォルダ、<ユーザー名>/<Dataset名>",
        ),
        (
            ("output/exp001", "taro/titanic-exp001", "trian"),
            {},
            "学習のコマンド trian が見つかりません",
        ),
        (
            ("output/exp001", "taro/titanic-exp001", "train"),
            {"KAGGLE_API_TOKEN": None},
            "Kaggle の認証情報がありません",
        ),
    ],
    ids=["bad dataset", "no command", "misspelt command", "no credentials"],
)
def test_mistakes_are_refused_before_hours_of_training(pod, args, env, message):
    r = train(pod, *args, **env)
    assert r.returncode == 1
    assert r.stderr.startswith(f"エラー: {message}")
    assert pod.calls("train") == [] and pod.calls("kaggle") == []
