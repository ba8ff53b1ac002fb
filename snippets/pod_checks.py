"""Checks on a pod request, made before anything is sent to Runpod (snippets/pod.py).

A pod that cannot work is never created: without 22/tcp nobody can log in, a value that
/etc/rp_environment would mangle breaks every SSH shell, and a private key must never leave
the reader's machine.
"""

import re
from pathlib import Path

from snippets.checks import SECRET_REFERENCE, check_env_value, check_text, shown
from snippets.cli import SnippetError

PORT = re.compile(r"([0-9]{1,5})/(tcp|http)")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# An OpenSSH public key line: type, base64 blob, optional comment.
PUBLIC_KEY = re.compile(
    r"(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|"
    r"sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?"
)
KEY_FILE_LIMIT = 16 * 1024  # bytes; a public key is a few hundred
MAX_ENV_VARS = 50  # Runpod's limit per pod (pods/templates/environment-variables.mdx)
SECRET_NAME = re.compile(r"\{\{ *RUNPOD_SECRET_([A-Za-z0-9_.\-/]+) *\}\}")


def check_ports(ports: str) -> str:
    """Like 22/tcp,6006/http: numbers 1-65535, each once, and 22/tcp for SSH."""
    items = ports.split(",")
    for item in items:
        found = PORT.fullmatch(item)
        if not found or not 1 <= int(found[1]) <= 65535:
            raise SnippetError(
                f"ポートの形が正しくありません（例: 22/tcp,6006/http、番号は 1〜65535）:"
                f"「{shown(ports)}」"
            )
    if len(set(items)) != len(items):
        raise SnippetError(f"同じポートが 2 回書かれています:「{shown(ports)}」")
    if "22/tcp" not in items:
        raise SnippetError(
            "ポートに 22/tcp（SSH）がありません。SSH や VS Code で Pod に入るのに必要です"
            f"（例: 22/tcp,6006/http）。指定:「{shown(ports)}」"
        )
    return ports


def check_env(env: dict) -> dict:
    """At most 50 variables; names of letters, digits and _; values that reach SSH shells
    unchanged (secret references such as {{ RUNPOD_SECRET_kaggle_api_token }} allowed)."""
    if len(env) > MAX_ENV_VARS:
        raise SnippetError(f"環境変数は {MAX_ENV_VARS} 個までです（指定: {len(env)} 個）。")
    for key, value in env.items():
        if not ENV_NAME.fullmatch(key):
            raise SnippetError(
                f"環境変数名 {shown(key)!r} は英数字と _ だけで、数字以外で始めてください。"
            )
        check_env_value(f"環境変数 {key} の値", value)
        if "{{" in SECRET_REFERENCE.sub("", value) or "}}" in SECRET_REFERENCE.sub("", value):
            raise SnippetError(
                f"環境変数 {key} の値のシークレット参照の形が正しくありません"
                "（例: {{ RUNPOD_SECRET_kaggle_api_token }}）。"
            )
    return env


def secret_names(env: dict) -> set[str]:
    """The secret names an env refers to: {{ RUNPOD_SECRET_name }} -> name."""
    return {name for value in env.values() for name in SECRET_NAME.findall(value)}


def check_public_key(key: str) -> str:
    """One OpenSSH public key line (what ssh-keygen writes to the .pub file)."""
    if "PRIVATE KEY" in key:
        raise SnippetError(
            "秘密鍵が指定されています。秘密鍵は手元の PC から出さないでください。"
            "公開鍵（.pub で終わるファイル）を指定してください。"
        )
    if not PUBLIC_KEY.fullmatch(key):
        raise SnippetError(
            "SSH の公開鍵の形ではありません（ssh-ed25519 AAAA... の 1 行）。"
            "ssh-keygen -t ed25519 で作った .pub ファイルを指定してください。"
        )
    return check_text("公開鍵", key)


def read_public_key(path: str) -> str:
    """The public key in the file at path, checked."""
    file = Path(path).expanduser()
    try:
        if file.exists() and not file.is_file():
            raise SnippetError(f"{shown(path)} はふつうのファイルではありません（フォルダなど）。")
        with file.open("rb") as handle:
            data = handle.read(KEY_FILE_LIMIT + 1)
    except FileNotFoundError:
        raise SnippetError(
            f"公開鍵 {shown(path)} がありません。ssh-keygen -t ed25519 で鍵を作るか、"
            "--public-key-file で場所を指定してください。"
        ) from None
    except OSError as error:
        raise SnippetError(f"公開鍵 {shown(path)} を読めません（{error.strerror}）。") from None
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        text = None
    if text and "PRIVATE KEY" in text:
        check_public_key(text)  # says: a private key never leaves your machine
    if not text or len(data) > KEY_FILE_LIMIT or "\n" in text:
        raise SnippetError(
            f"{shown(path)} は公開鍵のファイルではありません（空、大きすぎる、UTF-8 でない、"
            "または 2 行以上）。ssh-keygen -t ed25519 で作った .pub ファイルを指定してください。"
        )
    return check_public_key(text)


def check_identity_file(path: str) -> str:
    """A private key path for an ssh config line: printed in double quotes, so it may hold
    spaces, but not a double quote or a line break."""
    check_text("秘密鍵のパス", path.replace("\\", "/"))
    if not path.strip():
        raise SnippetError("秘密鍵のパスが空です。")
    return path
