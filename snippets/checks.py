"""Checks on what a reader typed, made before anything is sent to Runpod.

Names are kept to plain text (no quotes, backslashes, braces or control characters: they
end up in shell commands, ssh configs and terminals); names must not be blank; text that
is not valid UTF-8 (bytes a terminal could not decode) is refused rather than sent. Values
of a pod's environment variables must survive /etc/rp_environment (see check_env_value).
"""

import re

from snippets.cli import SnippetError

# The one brace form allowed is a secret reference such as {{ RUNPOD_SECRET_kaggle_api_token }}.
SECRET_REFERENCE = re.compile(r"\{\{ *RUNPOD_SECRET_[A-Za-z_][A-Za-z0-9_.\-/]* *\}\}")
UNSAFE_CHARACTERS = re.compile(r'["\\{}\x00-\x1f\x7f]')
# Runpod's official images write every upper-case variable into /etc/rp_environment as
# export NAME="VALUE" (runpod/containers container-template/start.sh), which SSH and VS Code
# shells source: inside double quotes, $ and backticks are executed, and " and \ break it.
MANGLED_IN_RP_ENVIRONMENT = re.compile(r'["$`\\\x00-\x1f\x7f]')
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
    """Refuse quotes, backslashes, braces and control characters (before any request)."""
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


def check_env_value(what: str, value: str) -> str:
    """A value that /etc/rp_environment carries unchanged into SSH and VS Code shells."""
    check_utf8(what, value)
    if MANGLED_IN_RP_ENVIRONMENT.search(SECRET_REFERENCE.sub("", value)):
        raise SnippetError(
            f'{what} に使えない文字（" $ ` \\ 改行など）が含まれています。Runpod の公式イメージは'
            "環境変数を /etc/rp_environment に書き、SSH や VS Code のシェルがそれを読み込むとき、"
            "これらの文字は壊れるか、コマンドとして実行されてしまいます。"
        )
    return value
