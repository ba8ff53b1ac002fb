"""Move a model folder to Google Cloud Storage and back, to keep the volume small.

    python -m snippets.gcs_offload upload   LOCAL_DIR gs://BUCKET/PREFIX
    python -m snippets.gcs_offload download gs://BUCKET/PREFIX LOCAL_DIR

Resumable: a file already on the other side with the same size and checksum
(MD5, or CRC32C for objects without one) is skipped, so after an interrupted
transfer just run the same command again. Credentials come from the usual
Google places (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
from pathlib import Path

import google_crc32c
import requests
from google.api_core import exceptions as gexc
from google.auth.exceptions import DefaultCredentialsError, TransportError
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from snippets.cli import JapaneseArgumentParser, SnippetError, run_cli

# gs://bucket/prefix: bucket names are 3-63 lowercase letters, digits, - _ .
GS_URL = re.compile(r"^gs://([a-z0-9][a-z0-9._-]{1,61}[a-z0-9])(?:/(.*))?$")
CHUNK = 1024 * 1024
RETRY_SECONDS = 120.0  # how long a call keeps retrying an unreachable GCS (the library's default)


def retry():
    return DEFAULT_RETRY.with_timeout(RETRY_SECONDS)


class OffloadError(SnippetError):
    """A problem the reader can fix; the message is for them (Japanese)."""


def parse_gs_url(url: str) -> tuple[str, str]:
    """'gs://bucket/a/b/' -> ('bucket', 'a/b'). The prefix may be empty."""
    m = GS_URL.match(url)
    if not m:
        raise OffloadError(f"gs:// の URL として読めません: {url} (例: gs://my-bucket/models/exp1)")
    return m.group(1), (m.group(2) or "").strip("/")


def file_checksums(path: Path) -> tuple[str, str]:
    """(md5, crc32c) of a file, base64-encoded the way GCS reports them."""
    md5, crc = hashlib.md5(usedforsecurity=False), google_crc32c.Checksum()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            md5.update(block)
            crc.update(block)
    return base64.b64encode(md5.digest()).decode(), base64.b64encode(crc.digest()).decode()


def same_content(path: Path, blob: storage.Blob) -> bool:
    """Does the local file match the object? Size first (cheap), then a checksum."""
    if not path.is_file() or path.stat().st_size != blob.size:
        return False
    md5, crc32c = file_checksums(path)
    # Composite objects have no MD5; every object has a CRC32C.
    return md5 == blob.md5_hash if blob.md5_hash else crc32c == blob.crc32c


def remote_objects(bucket: storage.Bucket, prefix: str) -> dict[str, storage.Blob]:
    """Objects under prefix, keyed by their path relative to it."""
    start = f"{prefix}/" if prefix else ""
    return {
        blob.name[len(start) :]: blob
        for blob in bucket.list_blobs(prefix=start, retry=retry())
        if not blob.name.endswith("/")  # "folder" placeholders from the console
    }


def upload(client: storage.Client, local_dir: Path, url: str) -> tuple[int, int]:
    """Upload every file under local_dir; returns (uploaded, skipped)."""
    bucket_name, prefix = parse_gs_url(url)
    if not local_dir.is_dir():
        raise OffloadError(f"フォルダが見つかりません: {local_dir}")
    bucket = client.bucket(bucket_name)
    existing = remote_objects(bucket, prefix)
    uploaded = skipped = 0
    for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(local_dir).as_posix()
        if rel in existing and same_content(path, existing[rel]):
            print(f"スキップ (同じものがあります): {rel}")
            skipped += 1
            continue
        print(f"アップロード: {rel}")
        name = f"{prefix}/{rel}" if prefix else rel
        # checksum="md5": GCS verifies the bytes it received and refuses a mismatch.
        bucket.blob(name).upload_from_filename(str(path), checksum="md5", retry=retry())
        uploaded += 1
    return uploaded, skipped


def download(client: storage.Client, url: str, local_dir: Path) -> tuple[int, int]:
    """Download every object under the prefix; returns (downloaded, skipped)."""
    bucket_name, prefix = parse_gs_url(url)
    objects = remote_objects(client.bucket(bucket_name), prefix)
    if not objects:
        raise OffloadError(f"{url} にファイルがありません。URL を確認してください。")
    root = local_dir.resolve()
    downloaded = skipped = 0
    for rel, blob in sorted(objects.items()):
        path = (root / rel).resolve()
        if not path.is_relative_to(root):  # an object named "../x" must not escape
            raise OffloadError(f"フォルダの外を指すオブジェクト名です: {blob.name}")
        if same_content(path, blob):
            print(f"スキップ (同じものがあります): {rel}")
            skipped += 1
            continue
        print(f"ダウンロード: {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        # checksum="md5": a corrupted download raises instead of leaving bad bytes.
        blob.download_to_filename(str(path), checksum="md5", retry=retry())
        downloaded += 1
    return downloaded, skipped


def build_parser() -> argparse.ArgumentParser:
    parser = JapaneseArgumentParser(
        prog="python -m snippets.gcs_offload",
        description="モデルのフォルダを Google Cloud Storage に置いたり、取り戻したりします。"
        "同じサイズとチェックサムのファイルは飛ばすので、途中で止まっても同じコマンドで再開できます。",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{upload,download}")
    up = sub.add_parser("upload", help="フォルダを GCS にアップロードします")
    up.add_argument("local_dir", type=Path, help="アップロードするフォルダ")
    up.add_argument("url", help="置き場所 (例: gs://my-bucket/models/exp1)")
    down = sub.add_parser("download", help="GCS からフォルダにダウンロードします")
    down.add_argument("url", help="取り出す場所 (例: gs://my-bucket/models/exp1)")
    down.add_argument("local_dir", type=Path, help="保存先のフォルダ")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def transfer() -> None:
        parse_gs_url(args.url)  # check the URL before contacting Google
        try:
            client = storage.Client()
            if args.command == "upload":
                done, skipped = upload(client, args.local_dir, args.url)
                print(f"完了: アップロード {done} 件、スキップ {skipped} 件")
            else:
                done, skipped = download(client, args.url, args.local_dir)
                print(f"完了: ダウンロード {done} 件、スキップ {skipped} 件")
        except KeyboardInterrupt:
            print(
                "途中で止めました。同じコマンドをもう一度実行すると、続きから再開します。",
                file=sys.stderr,
            )
            raise
        except Exception as error:  # noqa: BLE001 - each kind is explained just below
            raise explained(error, args.url) from None

    return run_cli(transfer)


def explained(error: Exception, url: str) -> SnippetError:
    """The reader's sentence for what went wrong talking to Google or writing files."""
    if isinstance(error, SnippetError):
        return error
    if isinstance(error, DefaultCredentialsError):
        return OffloadError(
            "Google の認証情報が見つかりません。サービスアカウントの JSON のパスを"
            " GOOGLE_APPLICATION_CREDENTIALS に設定してください。"
        )
    if isinstance(error, gexc.NotFound):
        return OffloadError(f"バケットが見つかりません: {url}")
    if isinstance(error, gexc.Forbidden):
        return OffloadError(f"{url} を読み書きする権限がありません。")
    if isinstance(error, NotADirectoryError | IsADirectoryError | FileExistsError):
        return OffloadError(
            f"同じ名前のファイルとフォルダがぶつかっています（{error.filename}）。"
            "保存先のフォルダを空のものにするか、別の場所を指定してください。"
        )
    if isinstance(
        error, requests.RequestException | TransportError | gexc.GoogleAPIError | ConnectionError
    ):
        return OffloadError(
            "Google Cloud Storage に接続できないか、エラーが返りました。ネットワークを確かめて、"
            "同じコマンドをもう一度実行してください（終わったファイルは飛ばします）。"
        )
    if isinstance(error, OSError) and not isinstance(error, ConnectionError):
        return OffloadError(f"ファイルを読み書きできません（{error.strerror}: {error.filename}）。")
    raise error


if __name__ == "__main__":
    sys.exit(main())
