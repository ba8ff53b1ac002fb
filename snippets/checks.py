"""Checks on what a reader typed, made before anything is sent to Runpod.

The SDK pastes values into GraphQL text without escaping, so quotes, backslashes, control
characters and braces must never reach it; names must not be blank; and text that is not
valid UTF-8 (bytes a terminal could not decode) is refused rather than sent.
"""

import re

from snippets.cli import SnippetError

# The one brace form allowed is a secret reference such as {{ RUNPOD_SECRET_kaggle_api_token }}.
SECRET_REFERENCE = re.compile(r"\{\{ *RUNPOD_SECRET_[A-Za-z_][A-Za-z0-9_.\-/]* *\}\}")
UNSAFE_CHARACTERS = re.compile(r'["\\{}\x00-\x1f\x7f]')
SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_utf8(what: str, value: str) -> str:
    """Refuse text with undecodable bytes (Python keeps them as lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise SnippetError(
            f"{what} に UTF-8 の文字として読めないバイトが含まれています。"
            "文字コードを UTF-8 にして、入力し直してください。"
        ) from None
    return value


def check_text(what: str, value: str) -> str:
    """Refuse characters that would break the SDK's GraphQL text (before any request)."""
    check_utf8(what, value)
    if UNSAFE_CHARACTERS.search(SECRET_REFERENCE.sub("", value)):
        raise SnippetError(
            f'{what} に使えない文字（" \\ 改行 {{ }}）が含まれています。'
            "{{ RUNPOD_SECRET_名前 }} の形のシークレット参照以外では使えません。"
        )
    return value


def check_name(what: str, value: str) -> str:
    """A name to create something with: safe text, not blank, no spaces around it."""
    check_text(what, value)
    if not value.strip():
        raise SnippetError(f"{what}が空です。名前を指定してください（例: kaggle-data）。")
    if value != value.strip():
        raise SnippetError(f"{what}の前後に空白は使えません: {value!r}")
    return value


def check_id(what: str, value: str) -> str:
    """IDs from Runpod are letters, digits, - and _ only."""
    if not SAFE_ID.fullmatch(value):
        raise SnippetError(f"{what} の形が正しくありません（英数字・-・_ のみ）:「{shown(value)}」")
    return value


def shown(text: str) -> str:
    """Text from the command line or from the account, safe to print on a terminal: control
    characters (escape sequences) and undecodable bytes are shown as \\x.. escapes."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)
