"""snippets/gcs_offload.py against a local GCS emulator (gcp-storage-emulator).

Promises checked: a folder goes up and comes back byte for byte; an interrupted
upload or download resumes, skipping (and saying so) what is already there;
bad input gets a Japanese message and a non-zero exit.
"""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ROOT
from tests.lazy import lazy_module

# google-cloud-storage takes 0.5 s to import: loaded by the worker that runs these tests,
# not by every worker at collection (the snippet imports it too).
gcs_offload = lazy_module("snippets.gcs_offload")
gexc = lazy_module("google.api_core.exceptions")
storage = lazy_module("google.cloud.storage")

BUCKET = "kaggle-models"


@pytest.fixture(scope="session")
def gcs_server():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    from gcp_storage_emulator.server import create_server

    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def gcs(gcs_server, monkeypatch) -> storage.Bucket:
    """An empty bucket on the emulator; returns it for direct checks."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_server)
    bucket = storage.Client().bucket(BUCKET)
    for blob in bucket.list_blobs():
        blob.delete()
    return bucket


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A model folder: nested files, an empty file, and one big enough (9 MiB) that
    the client switches to a resumable (chunked) upload."""
    d = tmp_path / "model"
    (d / "fold0").mkdir(parents=True)
    (d / "fold0" / "weights.bin").write_bytes(os.urandom(9 * 1024 * 1024))
    (d / "fold0" / "config.json").write_text('{"lr": 0.001}')
    (d / "tokenizer.txt").write_text("トークナイザー\n")
    (d / "empty.log").write_bytes(b"")
    return d


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_round_trip_is_byte_for_byte(gcs, model_dir: Path, tmp_path: Path, capsys) -> None:
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/exp1/"]) == 0
    assert sorted(b.name for b in gcs.list_blobs()) == [
        "exp1/empty.log",
        "exp1/fold0/config.json",
        "exp1/fold0/weights.bin",
        "exp1/tokenizer.txt",
    ]
    assert "完了: アップロード 4 件、スキップ 0 件" in capsys.readouterr().out

    back = tmp_path / "back"
    assert gcs_offload.main(["download", f"gs://{BUCKET}/exp1", str(back)]) == 0
    assert files_of(back) == files_of(model_dir)
    assert "完了: ダウンロード 4 件、スキップ 0 件" in capsys.readouterr().out


def test_bucket_root_without_prefix(gcs, model_dir: Path, tmp_path: Path) -> None:
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}"]) == 0
    assert "fold0/config.json" in [b.name for b in gcs.list_blobs()]
    assert gcs_offload.main(["download", f"gs://{BUCKET}", str(tmp_path / "back")]) == 0
    assert files_of(tmp_path / "back") == files_of(model_dir)


def test_interrupted_upload_resumes_and_skips_what_is_there(
    gcs, model_dir: Path, monkeypatch, capsys
) -> None:
    # The connection drops after two files.
    real_upload = storage.Blob.upload_from_filename
    calls = []

    def flaky_upload(self, *args, **kwargs):
        if len(calls) == 2:
            raise ConnectionError("network went away")
        calls.append(self.name)
        return real_upload(self, *args, **kwargs)

    monkeypatch.setattr(storage.Blob, "upload_from_filename", flaky_upload)
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/exp1"]) == 1
    assert "同じコマンドをもう一度実行してください" in capsys.readouterr().err
    monkeypatch.setattr(storage.Blob, "upload_from_filename", real_upload)
    capsys.readouterr()

    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/exp1"]) == 0
    out = capsys.readouterr().out
    assert calls == ["exp1/empty.log", "exp1/fold0/config.json"]
    assert "スキップ (同じものがあります): empty.log" in out
    assert "スキップ (同じものがあります): fold0/config.json" in out
    assert "アップロード: fold0/weights.bin" in out and "アップロード: tokenizer.txt" in out
    assert "完了: アップロード 2 件、スキップ 2 件" in out


def test_changed_file_of_same_size_is_uploaded_again(gcs, model_dir: Path, capsys) -> None:
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/exp1"]) == 0
    (model_dir / "fold0" / "config.json").write_text('{"lr": 0.002}')  # same size
    capsys.readouterr()
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/exp1"]) == 0
    out = capsys.readouterr().out
    assert "アップロード: fold0/config.json" in out
    assert "完了: アップロード 1 件、スキップ 3 件" in out
    assert gcs.blob("exp1/fold0/config.json").download_as_bytes() == b'{"lr": 0.002}'


def test_download_resumes_and_repairs_partial_files(
    gcs, model_dir: Path, tmp_path: Path, capsys
) -> None:
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/exp1"]) == 0
    back = tmp_path / "back"
    assert gcs_offload.main(["download", f"gs://{BUCKET}/exp1", str(back)]) == 0
    # A cut-off download, and a file of the right size with wrong bytes.
    weights = back / "fold0" / "weights.bin"
    weights.write_bytes(weights.read_bytes()[:1000])
    (back / "tokenizer.txt").write_bytes(b"x" * len((model_dir / "tokenizer.txt").read_bytes()))
    capsys.readouterr()

    assert gcs_offload.main(["download", f"gs://{BUCKET}/exp1", str(back)]) == 0
    out = capsys.readouterr().out
    assert "ダウンロード: fold0/weights.bin" in out and "ダウンロード: tokenizer.txt" in out
    assert "スキップ (同じものがあります): fold0/config.json" in out
    assert "完了: ダウンロード 2 件、スキップ 2 件" in out
    assert files_of(back) == files_of(model_dir)


def test_console_folder_placeholders_are_ignored(gcs, tmp_path: Path) -> None:
    gcs.blob("exp1/").upload_from_string(b"")  # what "create folder" in the console makes
    gcs.blob("exp1/a.txt").upload_from_string(b"a")
    assert gcs_offload.main(["download", f"gs://{BUCKET}/exp1", str(tmp_path / "back")]) == 0
    assert files_of(tmp_path / "back") == {"a.txt": b"a"}


def test_object_without_md5_is_compared_by_crc32c(gcs, tmp_path: Path) -> None:
    # Composite objects (made by parallel uploads) carry only a CRC32C.
    f = tmp_path / "part.bin"
    f.write_bytes(b"some model bytes")
    _, crc32c = gcs_offload.file_checksums(f)
    blob = gcs.blob("exp1/part.bin")
    blob._properties.update({"size": str(f.stat().st_size), "crc32c": crc32c})
    assert blob.md5_hash is None
    assert gcs_offload.same_content(f, blob)
    blob._properties["crc32c"] = "AAAAAA=="
    assert not gcs_offload.same_content(f, blob)


def test_object_name_escaping_the_folder_is_refused(gcs, tmp_path: Path, monkeypatch, capsys):
    # Real GCS allows an object named "exp1/../../evil.sh"; the emulator does
    # not store such names, so the listing is replaced here.
    evil = gcs.blob("exp1/../../evil.sh")
    monkeypatch.setattr(
        gcs_offload, "remote_objects", lambda bucket, prefix: {"../../evil.sh": evil}
    )
    code = gcs_offload.main(["download", f"gs://{BUCKET}/exp1", str(tmp_path / "back" / "inner")])
    assert code == 1
    assert "フォルダの外を指すオブジェクト名です" in capsys.readouterr().err
    assert not (tmp_path / "evil.sh").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["upload", "{missing}", f"gs://{BUCKET}/x"], "フォルダが見つかりません"),
        (["upload", "{model}", "s3://bucket/x"], "gs:// の URL として読めません: s3://bucket/x"),
        (["upload", "{model}", "gs://Bad_Bucket/x"], "gs:// の URL として読めません"),
        (["download", "gs:/bucket", "{out}"], "gs:// の URL として読めません"),
        (["download", f"gs://{BUCKET}/nothing-here", "{out}"], "にファイルがありません"),
        (["upload", "{model}", "gs://no-such-bucket/x"], "バケットが見つかりません"),
        (["download", "gs://no-such-bucket/x", "{out}"], "バケットが見つかりません"),
    ],
)
def test_bad_input_gets_a_japanese_message(
    gcs, model_dir: Path, tmp_path: Path, capsys, argv: list[str], message: str
) -> None:
    paths = {"missing": tmp_path / "nope", "model": model_dir, "out": tmp_path / "out"}
    argv = [a.format(**paths) for a in argv]
    assert gcs_offload.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: ") and message in err
    assert not (tmp_path / "out").exists()


def test_permission_denied_gets_a_japanese_message(gcs, model_dir: Path, monkeypatch, capsys):
    def forbidden(self, *args, **kwargs):
        raise gexc.Forbidden("caller does not have storage.objects.list access")

    monkeypatch.setattr(storage.Bucket, "list_blobs", forbidden)
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/x"]) == 1
    assert "を読み書きする権限がありません" in capsys.readouterr().err


def test_a_file_where_a_folder_must_go_is_explained(gcs, model_dir: Path, tmp_path: Path, capsys):
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/clash"]) == 0
    out = tmp_path / "out"
    out.mkdir()
    first = sorted(p for p in model_dir.rglob("*") if p.is_file())
    nested = next((p for p in first if len(p.relative_to(model_dir).parts) > 1), None)
    assert nested is not None, "the model folder fixture has a sub-folder"
    (out / nested.relative_to(model_dir).parts[0]).write_text("a file, not a folder")
    capsys.readouterr()
    assert gcs_offload.main(["download", f"gs://{BUCKET}/clash", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: 同じ名前のファイルとフォルダがぶつかっています")
    assert err.count("\n") == 1


def test_storage_that_cannot_be_reached_is_explained(model_dir: Path, monkeypatch, capsys):
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.setattr("snippets.gcs_offload.RETRY_SECONDS", 1.0)  # not two minutes
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/x"]) == 1
    err = capsys.readouterr().err
    assert "Google Cloud Storage に接続できないか" in err and "Traceback" not in err


def test_ctrl_c_says_the_same_command_resumes(gcs, model_dir: Path, monkeypatch, capsys):
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(storage.Blob, "upload_from_filename", interrupted)
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/x"]) == 130
    err = capsys.readouterr().err
    assert "続きから再開します" in err and err.endswith("中断しました。\n")


def test_missing_google_credentials(model_dir: Path, tmp_path: Path, monkeypatch, capsys):
    # A pod without GOOGLE_APPLICATION_CREDENTIALS (and no metadata server lookup).
    for name in ("STORAGE_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/x"]) == 1
    assert "GOOGLE_APPLICATION_CREDENTIALS" in capsys.readouterr().err


def test_help_is_japanese() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "snippets.gcs_offload", "--help"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "モデルのフォルダを Google Cloud Storage に置いたり" in proc.stdout
    assert "フォルダを GCS にアップロードします" in proc.stdout


def test_runs_as_a_module(gcs, model_dir: Path, monkeypatch, capsys) -> None:
    # Run it fresh, as `python -m` does (it may not be imported yet: tests/lazy.py).
    monkeypatch.delitem(sys.modules, "snippets.gcs_offload", raising=False)
    monkeypatch.setattr(sys, "argv", ["gcs_offload", "upload", str(model_dir), f"gs://{BUCKET}/m"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("snippets.gcs_offload", run_name="__main__")
    assert exit_info.value.code == 0
    assert "完了: アップロード 4 件" in capsys.readouterr().out


def test_a_file_that_cannot_be_written_is_explained(
    gcs, model_dir: Path, tmp_path, monkeypatch, capsys
):
    assert gcs_offload.main(["upload", str(model_dir), f"gs://{BUCKET}/full"]) == 0

    def disk_full(self, filename, *args, **kwargs):
        raise OSError(28, "No space left on device", filename)

    monkeypatch.setattr(storage.Blob, "download_to_filename", disk_full)
    capsys.readouterr()
    assert gcs_offload.main(["download", f"gs://{BUCKET}/full", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("エラー: ファイルを読み書きできません（No space left on device")


def test_a_mistake_of_our_own_is_not_hidden_behind_a_sentence():
    from snippets.gcs_offload import explained

    with pytest.raises(RuntimeError):  # a bug must show itself, not pass for the network
        explained(RuntimeError("a bug"), "gs://b/x")
