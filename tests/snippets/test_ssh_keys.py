"""snippets/ssh_keys.py: the account's registered SSH keys (GET /v2/account/ssh-keys).

What the reader is promised: `check` says whether the key on their machine is the one
Runpod puts into console-made pods (the comment after the key may differ), and `list`
shows the registered keys without printing them whole.
"""

import pytest

from snippets import api, ssh_keys


@pytest.fixture
def key_file(ssh_keypair, tmp_path):
    path = tmp_path / "id_ed25519.pub"
    path.write_text(ssh_keypair[1] + "\n")
    return path


def register(*keys):
    api.rest("PUT", "/v2/account/ssh-keys", {"keys": list(keys)})


def test_check_finds_the_key_whatever_its_comment(fake, ssh_keypair, key_file, capsys):
    kind, blob, _ = ssh_keypair[1].split(" ", 2)
    register(f"{kind} {blob} laptop@home")
    assert ssh_keys.main(["check", "--public-key-file", str(key_file)]) == 0
    assert "登録済みです" in capsys.readouterr().out


def test_check_says_where_to_register_a_missing_key(fake, key_file, capsys):
    register()
    assert ssh_keys.main(["check", "--public-key-file", str(key_file)]) == 1
    err = capsys.readouterr().err
    assert "登録されていません" in err and "https://console.runpod.io/user/settings" in err


def test_list_shows_each_key_by_its_end_and_comment(fake, ssh_keypair, capsys):
    kind, blob, _ = ssh_keypair[1].split(" ", 2)
    register(f"{kind} {blob} laptop@home")
    assert ssh_keys.main(["list"]) == 0
    out = capsys.readouterr().out
    assert out == f"{kind} …{blob[-12:]} laptop@home\n" and blob not in out


def test_no_keys_says_how_to_add_one(fake, capsys):
    register()
    assert ssh_keys.main(["list"]) == 0
    assert "登録済みの公開鍵はありません" in capsys.readouterr().out


def test_a_private_key_is_refused_before_any_request(fake, ssh_keypair, capsys):
    assert ssh_keys.main(["check", "--public-key-file", str(ssh_keypair[0])]) == 1
    assert "秘密鍵" in capsys.readouterr().err
    assert fake.requests == []


def test_keys_in_another_shape_are_not_taken_for_none(fake, monkeypatch, capsys):
    monkeypatch.setattr(ssh_keys, "rest", lambda *args, **kwargs: {"keys": "ssh-ed25519 AAAA"})
    assert ssh_keys.main(["list"]) == 1
    assert "応答の形が想定と違います" in capsys.readouterr().err
