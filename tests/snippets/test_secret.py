"""snippets/secret.py: secrets through REST v2; the value never shows up anywhere."""

import io

import pytest

from snippets import secret
from snippets.api import SnippetError

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
