"""snippets/check-secrets.sh: says which secret env vars are set, never their values.

Upper-case names are the ones that reach SSH and VS Code shells; the 2024 draft's
lower-case RUNPOD_SECRET_kaggle_json still counts, with a note saying what to rename.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.snippets.setup_sandbox import ROOT, Sandbox

CHECK = ROOT / "snippets" / "check-secrets.sh"
TOKEN = "KGAT_0123456789abcdef0123456789abcdef"
KAGGLE_JSON = json.dumps({"username": "kaggler taro", "key": "0123456789abcdef0123456789abcdef"})


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


def status(stdout: str, name: str) -> str:
    """The status text printed for one variable."""
    for line in stdout.splitlines():
        if line.split() and line.split()[0] == name:
            return line.split(None, 1)[1]
    raise AssertionError(f"{name} not reported:\n{stdout}")


def test_token_set(pod: Sandbox) -> None:
    r = pod.run(CHECK, KAGGLE_API_TOKEN=TOKEN, GIT_USER_NAME="Taro", GIT_USER_EMAIL="t@example.com")
    assert r.returncode == 0
    assert status(r.stdout, "KAGGLE_API_TOKEN") == "設定されています"
    assert "RUNPOD_SECRET_kaggle_json" not in r.output  # the old name is not advertised
    assert status(r.stdout, "GIT_USER_NAME") == "設定されています"
    assert status(r.stdout, "GIT_USER_EMAIL") == "設定されています"
    assert "OK: Kaggle のシークレットが使えます。" in r.stdout
    # Sandbox.run already checks the secret is absent; the git values too:
    assert "Taro" not in r.output and "t@example.com" not in r.output


RENAME = (
    "注意: RUNPOD_SECRET_kaggle_json は名前に小文字があるため、SSH や VS Code のターミナルには"
    "届きません。Pod の環境変数を KAGGLE_API_TOKEN（おすすめ）か、KAGGLE_USERNAME と KAGGLE_KEY に"
    "変えてください。"
)


def test_the_drafts_kaggle_json_name_is_enough_but_says_what_to_rename(pod: Sandbox) -> None:
    r = pod.run(CHECK, RUNPOD_SECRET_kaggle_json=KAGGLE_JSON)
    assert r.returncode == 0
    assert status(r.stdout, "RUNPOD_SECRET_kaggle_json") == "設定されています"
    assert status(r.stdout, "KAGGLE_API_TOKEN").startswith("未設定")
    assert status(r.stdout, "GIT_USER_NAME").startswith("未設定")
    assert r.stderr.strip() == RENAME


def test_legacy_username_and_key_together_are_enough(pod: Sandbox) -> None:
    r = pod.run(CHECK, KAGGLE_USERNAME="taro", KAGGLE_KEY="0123456789abcdef0123456789abcdef")
    assert r.returncode == 0
    assert status(r.stdout, "KAGGLE_USERNAME") == "設定されています"
    assert status(r.stdout, "KAGGLE_KEY") == "設定されています"
    assert r.stderr == ""


def test_half_of_the_legacy_pair_is_not_enough(pod: Sandbox) -> None:
    r = pod.run(CHECK, KAGGLE_KEY="0123456789abcdef0123456789abcdef")
    assert r.returncode == 1
    assert status(r.stdout, "KAGGLE_USERNAME").startswith("未設定")
    assert "エラー: Kaggle のシークレットがありません。" in r.stderr


def test_nothing_set_fails(pod: Sandbox) -> None:
    r = pod.run(CHECK)
    assert r.returncode == 1
    assert status(r.stdout, "KAGGLE_API_TOKEN").startswith("未設定")
    assert status(r.stdout, "KAGGLE_USERNAME").startswith("未設定")
    assert status(r.stdout, "KAGGLE_KEY").startswith("未設定")
    assert (
        r.stderr.strip()
        == "エラー: Kaggle のシークレットがありません。Pod の環境変数を確認してください。"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "空です"),
        ("   ", "空です"),
        ("{{ RUNPOD_SECRET_kaggle_api_token }}", "置き換わっていません"),
        ("   {{ RUNPOD_SECRET_kaggle_api_token }}", "置き換わっていません"),
        ("KGAT_{{RUNPOD_SECRET_kaggle_api_token}}\n", "置き換わっていません"),
        ("{{\n RUNPOD_SECRET_kaggle_api_token }}", "置き換わっていません"),
        ("{{ RUNPOD_SECRET_kaggle_api_token", "置き換わっていません"),
        ("RUNPOD_SECRET_kaggle_api_token", "置き換わっていません"),
        (b"KGAT_\xff\xfe0123456789abcdef", "UTF-8 でない文字があります"),
    ],
)
def test_unusable_values_fail(pod: Sandbox, value: str | bytes, expected: str) -> None:
    r = pod.run(CHECK, KAGGLE_API_TOKEN=value)
    assert r.returncode == 1
    assert status(r.stdout, "KAGGLE_API_TOKEN").startswith(expected)
    assert "RUNPOD_SECRET_kaggle_api_token" not in r.stdout  # the value is not echoed


def test_script_is_executable() -> None:
    assert CHECK.stat().st_mode & 0o111
