"""snippets/pod_checks.py (through `python -m snippets.pod up`): what cannot work is refused
before anything is sent to Runpod.

What the reader is promised: a mistyped option, a port list without SSH, an env value that
SSH shells would mangle, a private key or a file that is no public key, each gets one
Japanese line naming the mistake, and not a single request goes out (nothing is rented).
"""

import pytest

from snippets import pod, pod_checks
from snippets.cli import SnippetError


@pytest.fixture
def key_files(ssh_keypair):
    private_key, _ = ssh_keypair
    return private_key, f"{private_key}.pub"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--ports", "6006/http"], "22/tcp（SSH）がありません"),
        (["--ports", "22/tcp,0/http"], "番号は 1〜65535"),
        (["--ports", "22/tcp,70000/tcp"], "番号は 1〜65535"),
        (["--ports", "22/tcp,22/tcp"], "同じポートが 2 回"),
        (["--ports", "22/tcp;rm"], "ポートの形"),
        (["--ports", ""], "ポートの形"),
        (["--gpu-count", "0"], "GPU の数は 1〜8"),
        (["--gpu-count", "9"], "GPU の数は 1〜8"),
        (["--max-price", "-1"], "0 より大きい数"),
        (["--max-price", "nan"], "0 より大きい数"),
        (["--max-hours", "-1"], "--max-hours は 0〜720"),
        (["--name", ""], "Pod 名が空です"),
        (["--name", " kaggle"], "前後に空白"),
        (["--env", "1X=v"], "環境変数名 '1X'"),
        (["--env", "NOVALUE"], "KEY=VALUE の形"),
        (["--env", "X={{ RUNPOD_SECRET_x }"], "シークレット参照の形"),
        (["--image", 'evil"image'], "イメージ名 に使えない文字"),
        (["--image", " "], "イメージ名が空です"),
    ],
)
def test_bad_options_are_refused_before_any_request(fake, key_files, capsys, option, message):
    assert pod.main(["up", "--volume", "v1", "--public-key-file", key_files[1], *option]) == 1
    err = capsys.readouterr().err
    assert message in err and err.startswith("エラー: ") and err.count("\n") == 1
    assert fake.requests == []


@pytest.mark.parametrize("value", ['say "hi"', "C:\\path", "two\nlines", "$HOME", "`id`"])
def test_env_values_ssh_shells_would_mangle_are_refused_unshown(fake, key_files, capsys, value):
    argv = ["up", "--volume", "v1", "--public-key-file", key_files[1], "--env", f"X={value}"]
    assert pod.main(argv) == 1
    err = capsys.readouterr().err
    assert "環境変数 X の値 に使えない文字" in err and "/etc/rp_environment" in err
    assert value not in err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "公開鍵のファイルではありません"),
        (b"\n  \n", "公開鍵のファイルではありません"),
        (b"ssh-ed25519 AAAA\xff\xfe me", "公開鍵のファイルではありません"),
        (b"ssh-ed25519 AAAA a\nssh-ed25519 AAAB b\n", "公開鍵のファイルではありません"),
        (b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "秘密鍵が指定されています"),
        (b"-----BEGIN OPENSSH PRIVATE KEY-----", "秘密鍵が指定されています"),
        (b"hello world", "SSH の公開鍵の形ではありません"),
        (b"x" * 20000, "公開鍵のファイルではありません"),
    ],
)
def test_a_file_that_is_no_public_key_is_refused(fake, tmp_path, capsys, content, message):
    key = tmp_path / "key.pub"
    key.write_bytes(content)
    assert pod.main(["up", "--volume", "v1", "--public-key-file", str(key)]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("{tmp}", "ふつうのファイルではありません"),
        ("/proc/self/mem", "を読めません"),
        ("{tmp}/none.pub", "ssh-keygen -t ed25519"),
    ],
)
def test_a_folder_an_unreadable_or_a_missing_key_file_is_refused(
    fake, tmp_path, capsys, path, message
):
    key = path.format(tmp=tmp_path)
    assert pod.main(["up", "--volume", "v1", "--public-key-file", key]) == 1
    assert message in capsys.readouterr().err
    assert fake.requests == []


def test_fifty_env_vars_at_most(fake):
    fifty = {f"V{i}": "x" for i in range(50)}
    assert pod_checks.check_env(fifty) == fifty
    with pytest.raises(SnippetError, match="環境変数は 50 個までです（指定: 51 個）"):
        pod_checks.check_env({**fifty, "ONE_MORE": "x"})


def test_secret_names_are_read_from_the_references():
    env = {"A": "{{ RUNPOD_SECRET_kaggle_api_token }}", "B": "x{{RUNPOD_SECRET_b.c}}y", "C": "v"}
    assert pod_checks.secret_names(env) == {"kaggle_api_token", "b.c"}


@pytest.mark.parametrize("path", ['~/.ssh/my"key', "a\nb", "   "])
def test_an_identity_file_that_cannot_go_in_quotes_is_refused(path):
    with pytest.raises(SnippetError):
        pod_checks.check_identity_file(path)


def test_a_windows_key_path_is_kept_as_written():
    path = "C:\\Users\\taro\\.ssh\\id_ed25519"
    assert pod_checks.check_identity_file(path) == path
