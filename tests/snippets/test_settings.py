"""snippets/settings.py: the key, the API's address and the read timeout, checked up front."""

import pytest

from snippets import settings
from snippets.cli import SnippetError


@pytest.mark.parametrize(
    "key", ["rpa_キー0123", "rpa key", "rpa_key\nX-Evil: 1", "rpa_\x7f", "ｒｐａ＿key"]
)
def test_a_key_no_http_header_can_carry_is_refused_without_showing_it(monkeypatch, key):
    monkeypatch.setenv("RUNPOD_API_KEY", key)
    with pytest.raises(SnippetError, match="使えない文字") as refused:
        settings.api_key()
    assert key.strip() not in str(refused.value)


def test_a_key_is_trimmed(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_KEY", "  rpa_ABC123\n")
    assert settings.api_key() == "rpa_ABC123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "https://api.runpod.io"),
        ("   ", "https://api.runpod.io"),
        ("https://api.runpod.io/", "https://api.runpod.io"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("http://localhost:8123/", "http://localhost:8123"),
        ("http://[::1]:8123", "http://[::1]:8123"),
        ("https://runpod.example.org:8443", "https://runpod.example.org:8443"),
    ],
)
def test_good_base_urls(monkeypatch, value, expected):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", value)
    assert settings.base_url() == expected


@pytest.mark.parametrize(
    "value",
    [
        "api.runpod.io",  # no scheme
        "ftp://api.runpod.io",
        "http://api.runpod.io",  # the key would cross the network in clear text
        "garbage ::::",
        "https://",
        "http://[::1",
        "http://127.0.0.1:99999",
        "https://api.runpod.io/v2",  # a path: REST calls would go to /v2/v2/...
        "https://api.runpod.io?x=1",
        "https://user:rpa_secret@api.runpod.io",
        "https://api runpod.io",
        "https://ランポッド.example",
    ],
)
def test_bad_base_urls_are_explained_without_echoing_them(monkeypatch, value):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", value)
    with pytest.raises(SnippetError, match="RUNPOD_API_BASE_URL の形が正しくありません") as bad:
        settings.base_url()
    assert "rpa_secret" not in str(bad.value)


def test_read_timeout_defaults_and_can_be_set(monkeypatch):
    monkeypatch.delenv(settings.READ_TIMEOUT_ENV, raising=False)
    assert settings.read_timeout(60) == 60
    monkeypatch.setenv(settings.READ_TIMEOUT_ENV, " 0.5 ")
    assert settings.read_timeout(60) == 0.5


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "3601"])
def test_bad_read_timeouts_are_refused(monkeypatch, value):
    monkeypatch.setenv(settings.READ_TIMEOUT_ENV, value)
    with pytest.raises(SnippetError, match="SNIPPETS_READ_TIMEOUT は 3600 までの正の秒数"):
        settings.read_timeout(60)
