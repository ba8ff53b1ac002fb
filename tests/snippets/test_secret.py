"""snippets/secret.py: secrets through REST v2; the value never shows up anywhere."""

import io
import os
import subprocess
import sys

import pytest

from snippets import api, secret
from snippets.cli import SnippetError
from tests import ROOT

TOKEN = "KGAT_0123456789abcdef"


def test_create_reads_the_value_from_stdin_and_never_prints_it(fake, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    assert secret.main(["create", "--name", "kaggle_api_token"]) == 0
    (stored,) = fake.secrets.values()
    assert (stored.name, stored.value) == ("kaggle_api_token", TOKEN)
    out, err = capsys.readouterr()
    assert stored.id in out
    assert TOKEN not in out + err


def test_create_asks_with_a_hidden_prompt_on_a_terminal(fake, monkeypatch, capsys):
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", terminal)
    monkeypatch.setattr("getpass.getpass", lambda prompt: TOKEN)
    assert secret.main(["create", "--name", "kaggle_api_token", "--description", "Kaggle"]) == 0
    (stored,) = fake.secrets.values()
    assert (stored.value, stored.description) == (TOKEN, "Kaggle")
    assert TOKEN not in "".join(capsys.readouterr())


def test_the_value_is_not_an_option():
    with pytest.raises(SystemExit):
        secret.main(["create", "--name", "x", "--value", TOKEN])


def test_functions_list_and_delete(fake, capsys):
    created = secret.create_secret("hf_token", "hf_abc", "Hugging Face")
    assert "hf_abc" not in str(created)
    assert [s["name"] for s in secret.list_secrets()] == ["hf_token"]

    assert secret.main(["list"]) == 0
    assert f"{created['id']}  hf_token  Hugging Face" in capsys.readouterr().out

    assert secret.main(["delete", created["id"]]) == 0
    assert fake.secrets == {}
    secret.create_secret("plain", "v")
    assert secret.main(["list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("  plain")


def test_deleting_an_unknown_secret_is_explained(fake, capsys):
    assert secret.main(["delete", "nosuchsecret"]) == 1
    assert "シークレット nosuchsecret が見つかりません" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name", ["runpod_token", "RUNPOD", "1abc", "has space", 'q"uote', "x" * 192]
)
def test_bad_names_are_refused_before_any_request(fake, name):
    with pytest.raises(SnippetError, match="は使えません"):
        secret.create_secret(name, "value")
    assert fake.requests == []


def test_empty_value_is_refused(fake, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert secret.main(["create", "--name", "kaggle_api_token"]) == 1
    assert "値が空です" in capsys.readouterr().err
    assert fake.requests == []


def test_env_prints_the_reference_for_pod_up(capsys):
    assert secret.main(["env", "KAGGLE_API_TOKEN", "kaggle_api_token"]) == 0
    assert capsys.readouterr().out == "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}\n"
    assert secret.secret_env("HF_TOKEN", "hf.token") == {"HF_TOKEN": "{{ RUNPOD_SECRET_hf.token }}"}


@pytest.mark.parametrize("env_name", ["1ABC", "A-B", 'A"'])
def test_env_refuses_bad_variable_names(env_name):
    with pytest.raises(SnippetError, match="環境変数名"):
        secret.secret_env(env_name, "kaggle_api_token")


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        secret.main(["--help"])
    assert "シークレット" in capsys.readouterr().out


def run_secret(args, stdin: bytes, **env):
    """python -m snippets.secret ARGS, as a reader runs it, with the value on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "snippets.secret", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=30,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("locale", [{}, {"LC_ALL": "C", "LANG": "C"}])
def test_a_value_that_is_not_utf8_is_refused_in_one_line(fake, locale):
    done = run_secret(["create", "--name", "kaggle_api_token"], b"\xff\xfeKGAT_s3cr3t\n", **locale)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err == (
        "エラー: シークレットの値が UTF-8 のテキストではありません。"
        "ファイルの文字コードを UTF-8 にしてから渡してください。\n"
    )
    assert b"s3cr3t" not in done.stdout + done.stderr
    assert fake.secrets == {} and not [r for r in fake.requests if r.method == "POST"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("a\x00b", "NUL 文字"), ("x" * (16 * 1024 * 1024), "大きすぎます"), ("bad\udcff", "UTF-8")],
)
def test_values_runpod_cannot_keep_are_refused_before_any_request(fake, value, message):
    with pytest.raises(SnippetError, match=message) as refused:
        secret.create_secret("tok", value)
    assert value[:3] not in str(refused.value)
    assert fake.requests == []


def test_a_description_that_is_too_long_is_refused(fake):
    with pytest.raises(SnippetError, match="説明が長すぎます"):
        secret.create_secret("tok", "v", "説" * 30000)  # 90,000 bytes of UTF-8
    assert fake.requests == []


def test_a_name_in_use_is_refused_and_the_old_value_kept(fake):
    secret.create_secret("kaggle_api_token", "KGAT_old")
    done = run_secret(["create", "--name", "kaggle_api_token"], b"KGAT_new\n")
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.startswith("エラー: シークレット「kaggle_api_token」はすでにあります")
    assert err.count("\n") == 1 and b"KGAT_" not in done.stdout + done.stderr
    (kept,) = fake.secrets.values()
    assert kept.value == "KGAT_old"


@pytest.mark.parametrize("fault", ["timeout:rest_create=65", "lost:rest_create"])
def test_a_lost_answer_shows_the_secret_and_never_makes_a_second(fake, fault):
    fake.set_faults(fault)  # the secret is stored; its answer never reaches the reader
    done = run_secret(
        ["create", "--name", "kaggle_api_token"], f"{TOKEN}\n".encode(), SNIPPETS_READ_TIMEOUT="0.5"
    )
    (made,) = fake.secrets.values()
    assert (made.name, made.value) == ("kaggle_api_token", TOKEN)
    err = done.stderr.decode()
    assert done.returncode == 1 and f"一覧に新しく現れた ID: {made.id}" in err
    assert TOKEN.encode() not in done.stdout + done.stderr
    assert len([r for r in fake.requests if r.method == "POST"]) <= 1


@pytest.mark.parametrize(
    "value", ['{"username": "taro", "key": "abc"}', "pa$$", "`id`", "a\\b", "two\nlines"]
)
def test_values_rp_environment_would_mangle_are_refused_with_the_reason(fake, value):
    with pytest.raises(SnippetError, match="/etc/rp_environment") as refused:
        secret.create_secret("tok", value)
    assert value not in str(refused.value)
    assert "API トークン（KGAT_ で始まる 1 行）" in str(refused.value)
    assert fake.requests == []


def test_list_shows_odd_names_and_descriptions_safely(fake, capsys):
    body = {"name": "tok", "value": "v", "description": "line one\nline two\x1b[2J"}
    api.rest("POST", "/v2/account/secrets", body, create=True)
    assert secret.main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("  tok  line one\\x0aline two\\x1b[2J\n") and "\x1b" not in out


def test_a_secret_gone_by_the_time_the_delete_arrives_counts_as_deleted(fake, monkeypatch):
    made = secret.create_secret("kaggle_api_token", "KGAT_value_0123")
    real = secret.rest

    def delete_lost_then_gone(method, path, *args, **kwargs):
        if method == "DELETE":  # our delete was carried out; its retry found nothing
            real(method, path, *args, **kwargs)
            from snippets import errors

            raise errors.NotFound("gone", status=404)
        return real(method, path, *args, **kwargs)

    monkeypatch.setattr(secret, "rest", delete_lost_then_gone)
    secret.delete_secret(made["id"])
    assert fake.secrets == {}
