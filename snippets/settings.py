"""Where the snippets find Runpod: the API key, the API's address and how long to wait.

Each comes from an environment variable and is checked here, so a typo gets one clear
Japanese sentence instead of an error from deep inside requests.
"""

import math
import os
import re
from urllib.parse import urlsplit

from snippets.cli import SnippetError

DEFAULT_BASE_URL = "https://api.runpod.io"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")  # where plain http:// is allowed (the fake)
READ_TIMEOUT_ENV = "SNIPPETS_READ_TIMEOUT"


def api_key() -> str:
    """The key from RUNPOD_API_KEY (the SDK does not read it by itself)."""
    key = os.environ.get("RUNPOD_API_KEY", "").strip()
    if not key:
        raise SnippetError(
            "環境変数 RUNPOD_API_KEY が設定されていません。Runpod のコンソール"
            "（Settings → API Keys）で作ったキーを export RUNPOD_API_KEY=... で設定してください。"
        )
    if not re.fullmatch(r"[\x21-\x7e]+", key):  # an HTTP header carries ASCII only
        raise SnippetError(
            "RUNPOD_API_KEY に使えない文字（全角文字、空白、改行など）が含まれています。"
            "コンソールからキーをコピーし直して設定してください。"
        )
    return key


def base_url() -> str:
    """https://api.runpod.io, or the test server named by RUNPOD_API_BASE_URL: https://HOST
    [:PORT] only, or http:// to this machine (where the key never crosses a network)."""
    url = os.environ.get("RUNPOD_API_BASE_URL", "").strip().rstrip("/") or DEFAULT_BASE_URL
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname or "", parts.port  # .port raises on a bad port
    except ValueError:
        parts, host = urlsplit(""), ""
    allowed = parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS)
    extras = parts.username or parts.password or parts.path or parts.query or parts.fragment
    if not allowed or extras or not re.fullmatch(r"[A-Za-z0-9.:-]+", host):
        raise SnippetError(
            "RUNPOD_API_BASE_URL の形が正しくありません。ふつうは設定しないでください"
            f"（{DEFAULT_BASE_URL} を使います）。設定するなら https://ホスト名[:ポート] の形で、"
            "http:// は 127.0.0.1 と localhost だけに使えます。"
        )
    return url


def read_timeout(default: float) -> float:
    """Seconds to wait for an answer: SNIPPETS_READ_TIMEOUT when set (a slow link; tests that
    make the fake hold an answer back), else `default`."""
    raw = os.environ.get(READ_TIMEOUT_ENV, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= 3600:  # also refuses nan and inf
        raise SnippetError(f"{READ_TIMEOUT_ENV} は 3600 までの正の秒数（例: 60）にしてください。")
    return seconds
