"""snippets/check-secrets.sh: says which secret env vars are set, never their values."""

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
    assert status(r.stdout, "RUNPOD_SECRET_kaggle_json").startswith("未設定")
    assert status(r.stdout, "GIT_USER_NAME") == "設定されています"
    assert status(r.stdout, "GIT_USER_EMAIL") == "設定されています"
    assert "OK: Kaggle のシークレットが使えます。" in r.stdout
    # Sandbox.run already checks the secret is absent; the git values too:
    assert "Taro" not in r.output and "t@example.com" not in r.output


def test_kaggle_json_alone_is_enough(pod: Sandbox) -> None:
    r = pod.run(CHECK, RUNPOD_SECRET_kaggle_json=KAGGLE_JSON)
    assert r.returncode == 0
    assert status(r.stdout, "RUNPOD_SECRET_kaggle_json") == "設定されています"
    assert status(r.stdout, "KAGGLE_API_TOKEN").startswith("未設定")
    assert status(r.stdout, "GIT_USER_NAME").startswith("未設定")


def test_nothing_set_fails(pod: Sandbox) -> None:
    r = pod.run(CHECK)
    assert r.returncode == 1
    assert status(r.stdout, "KAGGLE_API_TOKEN").startswith("未設定")
    assert status(r.stdout, "RUNPOD_SECRET_kaggle_json").startswith("未設定")
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
    ],
)
def test_unusable_values_fail(pod: Sandbox, value: str, expected: str) -> None:
    r = pod.run(CHECK, KAGGLE_API_TOKEN=value)
    assert r.returncode == 1
    assert status(r.stdout, "KAGGLE_API_TOKEN").startswith(expected)
    assert "RUNPOD_SECRET_kaggle_api_token" not in r.stdout  # the value is not echoed


def test_script_is_executable() -> None:
    assert CHECK.stat().st_mode & 0o111
