"""The Kaggle round trip: competition data onto the volume, the trained model back to Kaggle.

snippets/kaggle-download.sh, kaggle-upload-dataset.sh and kaggle-upload-model.sh run with
bash in a sandboxed pod, against a stand-in `kaggle` (tests/snippets/kaggle_stand_in.py)
that checks the arguments and files it gets the way Kaggle's CLI does and keeps what was
uploaded. What the reader is promised: the data lands unzipped in
/workspace/<competition>/input and is not downloaded again on the next pod; the model
folder becomes a private Dataset (or Model) and every later run adds a new version with
its note, so a Kaggle notebook can attach it; mistakes get a Japanese message.

Exit codes tell the truth (issue 18): an upload succeeds when the CLI prints the line with the
new item's URL, whatever words the names of the dataset or its files hold, so a retry never
adds a version for nothing; the download never deletes a file the competition shipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.snippets.setup_sandbox import ROOT, Sandbox

SNIPPETS = ROOT / "snippets"
DOWNLOAD = SNIPPETS / "kaggle-download.sh"
UPLOAD_DATASET = SNIPPETS / "kaggle-upload-dataset.sh"
UPLOAD_MODEL = SNIPPETS / "kaggle-upload-model.sh"
STAND_IN = Path(__file__).with_name("kaggle_stand_in.py")
TOKEN = "KGAT_0a1b2c3d4e5f60718293a4b5c6d7e8f9"
COMPETITION = {"train.csv": "id,target\n1,0\n2,1\n", "test.csv": "id\n3\n"}


class Kaggle:
    """Kaggle's side, as the stand-in keeps it."""

    def __init__(self, path: Path):
        self.path = path

    @property
    def state(self) -> dict:
        return json.loads(self.path.read_text())

    def write(self, **state) -> None:
        self.path.write_text(json.dumps({"token": TOKEN, **state}))


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path)
    sandbox.workspace.mkdir()
    sandbox.add_shim("kaggle", f'exec "$REAL_PYTHON3" "{STAND_IN}" "$@"')
    return sandbox


@pytest.fixture
def kaggle(pod: Sandbox) -> Kaggle:
    side = Kaggle(pod.state / "kaggle.json")
    side.write(competitions={"titanic": {"joined": True, "files": COMPETITION}})
    return side


def run(pod: Sandbox, script: Path, *args: str, **env: str):
    return pod.run(
        script, *args, KAGGLE_API_TOKEN=TOKEN, KAGGLE_STATE=str(pod.state / "kaggle.json"), **env
    )


# --- competition data onto the volume -----------------------------------------------------


def files_in(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.is_file()}


def test_download_unzips_the_data_into_input_on_the_volume(pod, kaggle):
    r = run(pod, DOWNLOAD, "titanic")
    assert r.returncode == 0, r.output
    data = pod.workspace / "titanic" / "input"
    # input/ holds exactly the competition's files: the zip was unzipped elsewhere, then removed.
    assert files_in(data) == COMPETITION
    assert sorted(p.name for p in (pod.workspace / "titanic").iterdir()) == [
        ".input-complete",
        "input",
    ]
    zips = pod.workspace / "titanic" / ".kaggle-download"
    assert pod.calls("kaggle") == [f"kaggle competitions download titanic -p {zips}"]
    assert r.stdout.splitlines()[-1] == f"用意できました: {data}"


def test_a_competition_file_named_like_the_zip_is_kept(pod, kaggle):
    shipped = {**COMPETITION, "titanic.zip": "a file the competition ships", ".input-complete": "x"}
    kaggle.write(competitions={"titanic": {"joined": True, "files": shipped}})
    data = pod.workspace / "titanic" / "input"
    data.mkdir(parents=True)
    (data / "notes.txt").write_text("the reader's own file")
    r = run(pod, DOWNLOAD, "titanic")
    assert r.returncode == 0, r.output
    assert files_in(data) == {**shipped, "notes.txt": "the reader's own file"}


def test_a_download_that_is_not_a_zip_lands_in_input(pod, kaggle):
    kaggle.write(
        competitions={
            "titanic": {"joined": True, "extension": "csv", "files": {"titanic.csv": "id\n1\n"}}
        }
    )
    assert run(pod, DOWNLOAD, "titanic").returncode == 0
    assert files_in(pod.workspace / "titanic" / "input") == {"titanic.csv": "id\n1\n"}


def test_a_zip_that_cannot_be_unzipped_is_not_marked_done_and_a_retry_finishes(pod, kaggle):
    kaggle.write(competitions={"titanic": {"joined": True, "corrupt": True, "files": COMPETITION}})
    r = run(pod, DOWNLOAD, "titanic")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1].startswith("エラー: 展開できませんでした。")
    assert not (pod.workspace / "titanic" / ".input-complete").exists()
    kaggle.write(competitions={"titanic": {"joined": True, "files": COMPETITION}})
    assert run(pod, DOWNLOAD, "titanic").returncode == 0
    assert files_in(pod.workspace / "titanic" / "input") == COMPETITION


def test_a_volume_marked_by_the_previous_version_of_the_script_is_not_downloaded_again(pod, kaggle):
    data = pod.workspace / "titanic" / "input"
    data.mkdir(parents=True)
    (data / ".download-complete").touch()
    r = run(pod, DOWNLOAD, "titanic")
    assert r.returncode == 0 and r.stdout.strip() == f"ダウンロード済みです: {data}"
    assert pod.calls("kaggle") == []


def test_the_next_pod_does_not_download_again(pod, kaggle):
    assert run(pod, DOWNLOAD, "titanic").returncode == 0
    r = run(pod, DOWNLOAD, "titanic")
    assert r.returncode == 0
    assert r.stdout.strip() == f"ダウンロード済みです: {pod.workspace / 'titanic' / 'input'}"
    assert len(pod.calls("kaggle")) == 1


def test_rules_not_accepted_gets_a_hint(pod, kaggle):
    kaggle.write(competitions={"titanic": {"joined": False, "files": COMPETITION}})
    r = run(pod, DOWNLOAD, "titanic")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == (
        "エラー: ダウンロードできませんでした。403 と出たら、コンペのページでルールに同意"
        "（Join Competition）してください。"
    )
    assert not (pod.workspace / "titanic" / ".input-complete").exists()


@pytest.mark.parametrize("name", ["", "Titanic", "titanic/../../etc", "-c", "titanic data"])
def test_a_bad_competition_name_is_refused(pod, kaggle, name):
    r = run(pod, DOWNLOAD, name)
    assert r.returncode == 1
    assert r.stderr.startswith("エラー: コンペ名を 1 つ指定してください。")
    assert pod.calls("kaggle") == []


def test_without_credentials_the_cli_says_so(pod, kaggle):
    r = pod.run(DOWNLOAD, "titanic", KAGGLE_STATE=str(pod.state / "kaggle.json"))
    assert r.returncode == 1
    assert "Authentication required" in r.stdout
    assert r.stderr.startswith("エラー: ダウンロードできませんでした。")


# --- the model back to Kaggle as a Dataset -------------------------------------------------


def model_folder(pod: Sandbox, weights: str) -> Path:
    folder = pod.workspace / "titanic" / "output" / "exp001"
    (folder / "checkpoints").mkdir(parents=True, exist_ok=True)
    (folder / "model.pt").write_text(weights)
    (folder / "checkpoints" / "fold0.pt").write_text(weights + "-fold0")
    return folder


def test_first_upload_creates_a_private_dataset_later_ones_add_versions(pod, kaggle):
    folder = model_folder(pod, "weights-v1")
    r = run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "baseline")
    assert r.returncode == 0, r.output
    dataset = kaggle.state["datasets"]["taro/titanic-exp001"]
    assert dataset["public"] is False
    (first,) = dataset["versions"]
    # Sub-folders go up too (zipped), the metadata file does not.
    assert first["files"] == {"model.pt": "weights-v1", "checkpoints/fold0.pt": "weights-v1-fold0"}
    assert json.loads((folder / "dataset-metadata.json").read_text()) == {
        "title": "titanic-exp001",
        "id": "taro/titanic-exp001",
        "licenses": [{"name": "CC0-1.0"}],
    }
    assert (
        "非公開の Dataset を作りました: https://www.kaggle.com/datasets/taro/titanic-exp001"
        in r.stdout
    )

    model_folder(pod, "weights-v2")
    r = run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "lr 1e-4")
    assert r.returncode == 0, r.output
    versions = kaggle.state["datasets"]["taro/titanic-exp001"]["versions"]
    assert [v["notes"] for v in versions] == ["", "lr 1e-4"]
    assert versions[1]["files"]["model.pt"] == "weights-v2"
    assert pod.calls("kaggle datasets create") == [f"kaggle datasets create -p {folder} -r zip"]
    assert pod.calls("kaggle datasets version") == [
        f"kaggle datasets version -p {folder} -m lr 1e-4 -r zip"
    ]


def test_a_folder_made_for_another_dataset_is_refused(pod, kaggle):
    folder = model_folder(pod, "w")
    assert run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "a").returncode == 0
    r = run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp002", "b")
    assert r.returncode == 1
    assert "の id が taro/titanic-exp002 ではありません" in r.stderr
    assert list(kaggle.state["datasets"]) == ["taro/titanic-exp001"]


def test_an_error_printed_with_exit_code_0_is_a_failure(pod, kaggle):
    # The real CLI prints "Dataset creation error: ..." and exits 0 when the title is taken.
    folder = model_folder(pod, "w")
    kaggle.write(datasets={})
    pod.add_shim(
        "kaggle",
        'if [[ "$2" == status ]]; then exit 1; fi\n'
        'echo "Dataset creation error: The requested title is already in use"; exit 0',
    )
    r = run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "a")
    assert r.returncode == 1
    assert (
        r.stderr.strip() == "エラー: Dataset を作れませんでした。上のメッセージを確認してください。"
    )


def test_words_like_error_in_names_do_not_fail_a_successful_upload(pod, kaggle):
    """A dataset named error-analysis holding oof_errors.csv: two runs, two versions, exit 0."""
    folder = pod.workspace / "titanic" / "output" / "error-analysis"
    folder.mkdir(parents=True)
    (folder / "oof_errors.csv").write_text("id,error\n1,0.5\n")
    for note in ("first", "second"):
        r = run(pod, UPLOAD_DATASET, str(folder), "taro/error-analysis", note)
        assert r.returncode == 0, r.output
    versions = kaggle.state["datasets"]["taro/error-analysis"]["versions"]
    assert [v["files"] for v in versions] == [{"oof_errors.csv": "id,error\n1,0.5\n"}] * 2
    assert r.stdout.splitlines()[-1] == (
        "新しいバージョンをアップロードしました: https://www.kaggle.com/datasets/taro/error-analysis"
    )


def test_a_model_named_error_with_an_error_log_uploads(pod, kaggle):
    folder = model_folder(pod, "w")
    (folder / "errors.log").write_text("no error\n")
    r = run(pod, UPLOAD_MODEL, str(folder), "taro/error-model/pytorch/errors", "a")
    assert r.returncode == 0, r.output
    (version,) = kaggle.state["variations"]["taro/error-model/pytorch/errors"]["versions"]
    assert version["files"]["errors.log"] == "no error\n"


SILENT = 'if [[ "$2" == status ]]; then exit 1; fi\n'


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        (SILENT + "exit 0", "Dataset を作れませんでした。"),
        (
            SILENT + 'echo "Traceback (most recent call last):" >&2; exit 1',
            "Dataset を作れませんでした。",
        ),
        (
            SILENT
            + 'echo "Your private Dataset is being created. Please check progress at "; exit 0',
            "Dataset を作れませんでした。",
        ),
    ],
    ids=["nothing printed", "a crash", "no URL"],
)
def test_without_the_url_line_an_upload_is_a_failure(pod, kaggle, cli, message):
    pod.add_shim("kaggle", cli)
    r = run(pod, UPLOAD_DATASET, str(model_folder(pod, "w")), "taro/titanic-exp001", "a")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == f"エラー: {message}上のメッセージを確認してください。"


def test_the_url_line_with_a_failing_exit_status_is_an_upload_with_a_warning(pod, kaggle):
    url = "https://www.kaggle.com/datasets/taro/titanic-exp001"
    pod.add_shim(
        "kaggle",
        SILENT + f'echo "Your private Dataset is being created. '
        f'Please check progress at {url}"; exit 1',
    )
    r = run(pod, UPLOAD_DATASET, str(model_folder(pod, "w")), "taro/titanic-exp001", "a")
    assert r.returncode == 0
    assert r.stdout.splitlines()[-1] == f"非公開の Dataset を作りました: {url}"
    assert "終了コード 1 で終わりましたが、アップロードは済んでいます" in r.stderr


def test_a_file_that_did_not_upload_fails_and_says_the_version_lacks_it(pod, kaggle):
    folder = model_folder(pod, "w")
    r = run(
        pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "a", KAGGLE_FAIL_UPLOADS="model.pt"
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "エラー: バージョンはできましたが、次のファイルが入っていません（model.pt）。"
        "もう一度実行すると、全部のファイルで新しいバージョンを作ります。"
    )
    assert run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "b").returncode == 0
    latest = kaggle.state["datasets"]["taro/titanic-exp001"]["versions"][-1]
    assert set(latest["files"]) == {"model.pt", "checkpoints/fold0.pt"}


def test_refused_tags_on_a_new_version_say_it_may_exist_not_to_retry(pod, kaggle):
    folder = model_folder(pod, "w")
    assert run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "a").returncode == 0
    meta = json.loads((folder / "dataset-metadata.json").read_text())
    (folder / "dataset-metadata.json").write_text(json.dumps({**meta, "keywords": ["invalid x"]}))
    r = run(pod, UPLOAD_DATASET, str(folder), "taro/titanic-exp001", "b")
    assert r.returncode == 1
    assert r.stderr.strip().startswith(
        "エラー: 無効なタグがありました。バージョンはできている可能性があります。"
        "https://www.kaggle.com/datasets/taro/titanic-exp001 で確かめてから"
    )
    assert len(kaggle.state["datasets"]["taro/titanic-exp001"]["versions"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("/no/such/folder", "taro/titanic-exp001", "a"),
            "アップロードするフォルダを指定してください",
        ),
        (("{folder}", "titanic-exp001", "a"), "2 つ目は <ユーザー名>/<Dataset名> です"),
        (("{folder}", "taro/short", "a"), "2 つ目は <ユーザー名>/<Dataset名> です"),
        (("{folder}", "taro/Titanic_Exp", "a"), "2 つ目は <ユーザー名>/<Dataset名> です"),
        (("{folder}", "taro/titanic-exp001", "  "), "3 つ目に、このバージョンのメモ"),
    ],
)
def test_bad_dataset_arguments_are_refused_before_any_upload(pod, kaggle, args, message):
    folder = model_folder(pod, "w")
    r = run(pod, UPLOAD_DATASET, *(a.format(folder=folder) for a in args))
    assert r.returncode == 1
    assert r.stderr.startswith(f"エラー: {message}")
    assert pod.calls("kaggle") == []


# --- the model back to Kaggle as a Model ----------------------------------------------------


def test_model_upload_creates_model_and_variation_then_versions(pod, kaggle):
    folder = model_folder(pod, "weights-v1")
    target = "taro/titanic-model/pytorch/exp001"
    r = run(pod, UPLOAD_MODEL, str(folder), target, "baseline")
    assert r.returncode == 0, r.output
    state = kaggle.state
    assert state["models"] == {"taro/titanic-model": {"private": True}}
    (first,) = state["variations"][target]["versions"]
    assert first["files"]["model.pt"] == "weights-v1"

    model_folder(pod, "weights-v2")
    r = run(pod, UPLOAD_MODEL, str(folder), target, "lr 1e-4")
    assert r.returncode == 0, r.output
    versions = kaggle.state["variations"][target]["versions"]
    assert [v["notes"] for v in versions] == ["", "lr 1e-4"]
    assert versions[1]["files"]["checkpoints/fold0.pt"] == "weights-v2-fold0"
    assert pod.calls("kaggle models create") != [] and len(pod.calls("kaggle models create")) == 1
    assert r.stdout.splitlines()[-1] == (
        "アップロードしました: https://www.kaggle.com/models/taro/titanic-model/pytorch/exp001/2"
    )


@pytest.mark.parametrize(
    "target", ["taro/titanic-model", "taro/titanic-model/pytorch", "a/b/c/d/e"]
)
def test_a_bad_model_path_is_refused(pod, kaggle, target):
    r = run(pod, UPLOAD_MODEL, str(model_folder(pod, "w")), target, "a")
    assert r.returncode == 1
    assert r.stderr.startswith(
        "エラー: 2 つ目は <ユーザー名>/<Model名>/<フレームワーク>/<バリエーション名> です"
    )


# --- the whole evening ---------------------------------------------------------------------


def test_round_trip_what_the_notebook_attaches_is_what_was_trained(pod, kaggle):
    assert run(pod, DOWNLOAD, "titanic").returncode == 0
    # "Training" on the pod: reads the data from the volume, writes the model next to it.
    train = pod.workspace / "titanic" / "input" / "train.csv"
    output = pod.workspace / "titanic" / "output" / "exp001"
    output.mkdir(parents=True)
    rows = len(train.read_text().splitlines()) - 1
    (output / "model.pt").write_text(f"trained on {rows} rows")
    assert run(pod, UPLOAD_DATASET, str(output), "taro/titanic-exp001", "first").returncode == 0
    # A Kaggle notebook attaches the dataset's latest version.
    latest = kaggle.state["datasets"]["taro/titanic-exp001"]["versions"][-1]
    assert latest["files"] == {"model.pt": "trained on 2 rows"}
