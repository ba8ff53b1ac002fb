"""snippets/setup.sh run for real with bash, in a sandboxed fresh "pod".

What the reader is promised: one command sets up a new pod (tools at pinned
versions, the torchvision that matches the image's PyTorch, Kaggle credentials
readable only by them, git identity, caches on the volume); it can be run again
safely; a missing, unfilled or broken secret stops it with a Japanese message
naming the secret, leaving no half-written credential file (not even after a
killed run); the 2024 draft's lower-case variable name still works but says what
to rename it to; secrets never appear in the output. The download command fetches
only over https and runs the script only when its SHA-256 is the published one.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import ssl
import stat
import subprocess
import threading
import time
import tomllib
from functools import partial
from pathlib import Path

import pytest

from tests.site.pages import load_config
from tests.snippets.setup_sandbox import NON_ROOT_ID, ROOT, SETUP_SH, Sandbox, tree_snapshot

TOKEN = "KGAT_0123456789abcdef0123456789abcdef"
# Spaces, both quotes, $, backticks and a backslash: all must reach the file unchanged.
NASTY_TOKEN = 'KGAT tok\'en "with" $HOME `id` \\n $(echo pwned) end'
KAGGLE_JSON = json.dumps({"username": "kaggler taro", "key": "0123456789abcdef0123456789abcdef"})
NASTY_KAGGLE_JSON = json.dumps(
    {"username": "taro \"the\" 'kaggler' $USER", "key": "k`whoami`$(id)\\ 0123456789abcdef"}
)
STEPS = [f"[{i}/6]" for i in range(1, 7)]
PINS = "poetry==2.5.1 uv==0.13.9 kaggle==2.2.5"
PIP_INSTALL = "python3 -m pip install --quiet --root-user-action=ignore"
TORCH_INDEX = "https://download.pytorch.org/whl/cu128"
DOWNLOAD = ROOT / "snippets" / "commands" / "setup-download.sh"

# `python3 -m pip install` that installs what it is asked for: a dist-info per NAME==VERSION
# (an installed version whose public part matches is kept, as pip keeps 2.9.1+cu128 for
# torch==2.9.1). Everything else runs this machine's python3, like the fake image's shim.
PINNING_PYTHON3 = """
    if [[ "${1:-}" == "-m" && "${2:-}" == "pip" ]]; then
      printf 'python3' >>"$SHIM_LOG"; printf ' %s' "$@" >>"$SHIM_LOG"; echo >>"$SHIM_LOG"
      echo "$PIP_CACHE_DIR $UV_CACHE_DIR" >"$SHIM_STATE/pip-cache-env"
      [[ "${3:-}" == install ]] || exit 0
      for arg in "${@:4}"; do
        [[ "$arg" == *==* && "$arg" != -* ]] || continue
        name="${arg%%==*}" version="${arg#*==}"
        site="$SHIM_STATE/site"
        kept=("$site/$name-$version".dist-info "$site/$name-$version+"*.dist-info)
        if [[ -e "${kept[0]}" || -e "${kept[1]}" ]]; then continue; fi
        rm -rf "$SHIM_STATE/site/$name"-*.dist-info
        mkdir -p "$SHIM_STATE/site/$name-$version.dist-info"
        printf 'Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n' "$name" "$version" \\
          >"$SHIM_STATE/site/$name-$version.dist-info/METADATA"
      done
      exit 0
    fi
    if [[ "${SHIM_PYTHON_TOO_OLD:-}" == 1 && "${1:-}" == "-c" && "$2" == *version_info* ]]; then
      exit 1
    fi
    exec "$REAL_PYTHON3" "$@"
"""


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    sandbox = Sandbox(tmp_path)
    sandbox.add_shim("python3", PINNING_PYTHON3)
    return sandbox


def installed(pod: Sandbox, name: str, version: str) -> None:
    """A package the image already has, as importlib.metadata sees it."""
    folder = pod.state / "site" / f"{name}-{version}.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def kaggle_files(pod: Sandbox) -> list[str]:
    d = pod.home / ".kaggle"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def test_first_run_sets_up_the_pod(pod: Sandbox) -> None:
    r = pod.run(KAGGLE_API_TOKEN=TOKEN, GIT_USER_NAME="Taro Kaggle", GIT_USER_EMAIL="t@example.com")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""

    # One Japanese progress line per step, in order, then a closing line.
    lines = r.stdout.splitlines()
    step_lines = [line for line in lines if line.startswith("[")]
    assert [line[:5] for line in step_lines] == STEPS
    assert "インストールしています…" in step_lines[3]
    assert lines[-1] == "セットアップが終わりました。"

    # The token, exactly, readable only by the owner; nothing else left in ~/.kaggle.
    token_file = pod.home / ".kaggle" / "access_token"
    assert token_file.read_text() == TOKEN
    assert mode(token_file) == 0o600
    assert mode(pod.home / ".kaggle") == 0o700
    assert kaggle_files(pod) == ["access_token"]

    # git identity.
    gitconfig = (pod.home / ".gitconfig").read_text()
    assert "name = Taro Kaggle" in gitconfig and "email = t@example.com" in gitconfig

    # The sandbox's WORKSPACE is a plain folder, not a mounted volume: warned.
    assert f"注意: {pod.workspace} はボリュームではありません。" in r.stdout

    # Caches on the volume.
    assert (pod.workspace / ".cache" / "pip").is_dir()
    assert (pod.workspace / ".cache" / "uv").is_dir()

    # The tools: apt for fish/tmux/htop, pip for poetry/uv/kaggle 2.x.
    assert pod.calls("apt-get") == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends fish tmux htop",
    ]
    assert pod.calls("python3 -m pip") == [f"{PIP_INSTALL} {PINS}"]
    assert "PyTorch が入っていないので飛ばします" in r.stdout  # this machine has no torch
    assert pod.calls("apt ") == [] and pod.calls("pip") == []


def test_pip_runs_with_the_cache_on_the_volume(pod: Sandbox) -> None:
    assert pod.run(KAGGLE_API_TOKEN=TOKEN).returncode == 0
    cache = pod.workspace / ".cache"
    # What the pip shim saw in its environment.
    assert (pod.state / "pip-cache-env").read_text() == f"{cache}/pip {cache}/uv\n"


def test_no_warning_when_workspace_is_a_mounted_volume(pod: Sandbox) -> None:
    pod.add_shim("mountpoint", '[[ "$1" == -q && "$2" == "$WORKSPACE" ]]')
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0
    assert "ボリュームではありません" not in r.stdout


def test_second_run_succeeds_and_changes_nothing(pod: Sandbox) -> None:
    env = {"KAGGLE_API_TOKEN": TOKEN, "GIT_USER_NAME": "Taro", "GIT_USER_EMAIL": "t@example.com"}
    assert pod.run(**env).returncode == 0
    before = tree_snapshot(pod.home, pod.workspace)
    installs_before = pod.calls("apt-get") + pod.calls("python3")

    r = pod.run(**env)
    assert r.returncode == 0, r.stderr
    assert tree_snapshot(pod.home, pod.workspace) == before  # same files, modes, mtimes
    assert pod.calls("apt-get") + pod.calls("python3") == installs_before  # nothing reinstalled
    assert "変更なし" in r.stdout
    assert r.stdout.count("インストール済みなので飛ばします。") == 2


RENAME_WARNING = (
    "注意: 環境変数 RUNPOD_SECRET_kaggle_json は名前に小文字があるため、SSH や VS Code の"
    "ターミナルには届きません。Pod の環境変数を KAGGLE_API_TOKEN（おすすめ）か、"
    "KAGGLE_USERNAME と KAGGLE_KEY に変えてください。"
)


def test_the_drafts_lower_case_name_still_works_and_says_what_to_rename(pod: Sandbox) -> None:
    r = pod.run(RUNPOD_SECRET_kaggle_json=KAGGLE_JSON)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == RENAME_WARNING
    f = pod.home / ".kaggle" / "kaggle.json"
    assert f.read_text() == KAGGLE_JSON
    assert mode(f) == 0o600 and mode(f.parent) == 0o700
    assert kaggle_files(pod) == ["kaggle.json"]


def test_legacy_username_and_key_in_upper_case_variables(pod: Sandbox) -> None:
    r = pod.run(KAGGLE_USERNAME="kaggler taro", KAGGLE_KEY="0123456789abcdef0123456789abcdef")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # upper-case names: nothing to rename
    f = pod.home / ".kaggle" / "kaggle.json"
    assert json.loads(f.read_text()) == json.loads(KAGGLE_JSON)
    assert mode(f) == 0o600 and kaggle_files(pod) == ["kaggle.json"]


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"KAGGLE_USERNAME": "taro"}, "KAGGLE_KEY"),
        ({"KAGGLE_KEY": "0123456789abcdef"}, "KAGGLE_USERNAME"),
    ],
)
def test_half_of_the_legacy_pair_is_refused(pod: Sandbox, env: dict, missing: str) -> None:
    r = pod.run(**env)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"エラー: シークレット {missing} が設定されていません。Pod の環境変数を確認してください。"
    )
    assert kaggle_files(pod) == [] and pod.calls("apt-get") == []


def test_token_wins_over_the_legacy_forms(pod: Sandbox) -> None:
    r = pod.run(
        KAGGLE_API_TOKEN=TOKEN,
        KAGGLE_USERNAME="taro",
        KAGGLE_KEY="0123456789abcdef",
        RUNPOD_SECRET_kaggle_json=KAGGLE_JSON,
    )
    assert r.returncode == 0, r.stderr
    assert kaggle_files(pod) == ["access_token"]
    assert r.stderr == ""


@pytest.mark.parametrize(
    ("env_name", "value", "file_name"),
    [
        ("KAGGLE_API_TOKEN", NASTY_TOKEN, "access_token"),
        ("RUNPOD_SECRET_kaggle_json", NASTY_KAGGLE_JSON, "kaggle.json"),
    ],
)
def test_special_characters_round_trip_exactly(
    pod: Sandbox, env_name: str, value: str, file_name: str
) -> None:
    r = pod.run(**{env_name: value})
    assert r.returncode == 0, r.stderr
    assert (pod.home / ".kaggle" / file_name).read_text() == value
    assert "pwned" not in r.output  # nothing in the value was executed


def test_rotated_token_replaces_the_old_file(pod: Sandbox) -> None:
    assert pod.run(KAGGLE_API_TOKEN=TOKEN).returncode == 0
    r = pod.run(KAGGLE_API_TOKEN=TOKEN[::-1])
    assert r.returncode == 0
    assert (pod.home / ".kaggle" / "access_token").read_text() == TOKEN[::-1]
    assert "書き込みました" in r.stdout


def test_missing_secret_stops_before_installing(pod: Sandbox) -> None:
    r = pod.run()
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "エラー: シークレット KAGGLE_API_TOKEN (または KAGGLE_USERNAME と KAGGLE_KEY) が"
        "設定されていません。Pod の環境変数を確認してください。"
    )
    assert kaggle_files(pod) == []
    assert pod.calls("apt-get") == [] and pod.calls("python3") == []


UNFILLED = "置き換わっていません"
DEEP_ARRAY = "[" * 50_000 + "]" * 50_000  # one env string may hold at most 128 KiB
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000
NOT_JSON = "RUNPOD_SECRET_kaggle_json が JSON として読めません"
NOT_UTF8 = b"KGAT_\xff\xfe_0123456789abcdef"


@pytest.mark.parametrize(
    ("env_name", "value", "message"),
    [
        ("KAGGLE_API_TOKEN", "", "シークレット KAGGLE_API_TOKEN が空です"),
        ("KAGGLE_API_TOKEN", "  \n ", "シークレット KAGGLE_API_TOKEN が空です"),
        ("KAGGLE_API_TOKEN", "{{ RUNPOD_SECRET_kaggle_api_token }}", UNFILLED),
        # A reference left unfilled, whatever surrounds it.
        ("KAGGLE_API_TOKEN", "   {{ RUNPOD_SECRET_kaggle_api_token }}", UNFILLED),
        ("KAGGLE_API_TOKEN", "\t{{RUNPOD_SECRET_kaggle_api_token}}\n", UNFILLED),
        ("KAGGLE_API_TOKEN", "token={{ RUNPOD_SECRET_kaggle_api_token }} ", UNFILLED),
        ("KAGGLE_API_TOKEN", "KGAT_{{ RUNPOD_SECRET_a }}{{ RUNPOD_SECRET_b }}", UNFILLED),
        ("KAGGLE_API_TOKEN", "{{\n RUNPOD_SECRET_kaggle_api_token\n}}", UNFILLED),
        ("KAGGLE_API_TOKEN", "{{ RUNPOD_SECRET_kaggle_api_token", UNFILLED),  # cut short
        ("KAGGLE_API_TOKEN", "RUNPOD_SECRET_kaggle_api_token }}", UNFILLED),
        ("KAGGLE_API_TOKEN", "RUNPOD_SECRET_kaggle_api_token", UNFILLED),  # braces dropped
        ("KAGGLE_API_TOKEN", NOT_UTF8, "KAGGLE_API_TOKEN に UTF-8 でない文字があります"),
        ("RUNPOD_SECRET_kaggle_json", "", "シークレット RUNPOD_SECRET_kaggle_json が空です"),
        ("RUNPOD_SECRET_kaggle_json", " {{ RUNPOD_SECRET_kaggle_json }}", UNFILLED),
        (
            "RUNPOD_SECRET_kaggle_json",
            b'{"username": "taro", "key": "\xff0123456789abcdef"}',
            "RUNPOD_SECRET_kaggle_json に UTF-8 でない文字があります",
        ),
        (
            "RUNPOD_SECRET_kaggle_json",
            "username=taro key=0123456789abcdef0123",
            "RUNPOD_SECRET_kaggle_json が JSON として読めません",
        ),
        (
            "RUNPOD_SECRET_kaggle_json",
            '{"username": "taro", "key": "0123456789abcdef0123"',  # truncated copy
            "RUNPOD_SECRET_kaggle_json が JSON として読めません",
        ),
        ("RUNPOD_SECRET_kaggle_json", DEEP_ARRAY, NOT_JSON),
        ("RUNPOD_SECRET_kaggle_json", DEEP_OBJECT, NOT_JSON),
        (
            "RUNPOD_SECRET_kaggle_json",
            '{"username": "taro_the_kaggler_0123"}',
            "RUNPOD_SECRET_kaggle_json に username と key がありません",
        ),
        (
            "RUNPOD_SECRET_kaggle_json",
            '{"username": "taro", "key": ""}',
            "RUNPOD_SECRET_kaggle_json に username と key がありません",
        ),
        (
            "RUNPOD_SECRET_kaggle_json",
            '["taro_the_kaggler_0123", "0123456789abcdef0123"]',
            "RUNPOD_SECRET_kaggle_json に username と key がありません",
        ),
    ],
)
def test_bad_secret_stops_with_a_message_and_no_partial_file(
    pod: Sandbox, env_name: str, value: str | bytes, message: str
) -> None:
    r = pod.run(**{env_name: value})
    assert r.returncode == 1
    assert message in r.stderr
    errors = [line for line in r.stderr.splitlines() if not line.startswith("注意: ")]
    assert len(errors) == 1 and errors[0].startswith("エラー: ")  # one line, no traceback
    assert "Traceback" not in r.output
    assert kaggle_files(pod) == []  # no credential file, no temp file
    assert pod.calls("apt-get") == []


@pytest.mark.parametrize("env_name", ["KAGGLE_USERNAME", "KAGGLE_KEY"])
def test_unfilled_reference_in_the_legacy_pair_is_refused(pod: Sandbox, env_name: str) -> None:
    env = {"KAGGLE_USERNAME": "taro", "KAGGLE_KEY": "0123456789abcdef0123"}
    env[env_name] = " {{ RUNPOD_SECRET_kaggle_key }}"
    r = pod.run(**env)
    assert r.returncode == 1
    assert f"エラー: {env_name} がシークレットの値に置き換わっていません" in r.stderr
    assert kaggle_files(pod) == []


@pytest.mark.parametrize("file_name", ["access_token", "kaggle.json"])
@pytest.mark.parametrize("kind", ["folder", "link to a folder"])
def test_a_folder_where_the_credential_file_goes_is_an_error(
    pod: Sandbox, tmp_path: Path, file_name: str, kind: str
) -> None:
    kaggle_dir = pod.home / ".kaggle"
    kaggle_dir.mkdir()
    target = kaggle_dir / file_name
    if kind == "folder":
        target.mkdir()
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    env = (
        {"KAGGLE_API_TOKEN": TOKEN}
        if file_name == "access_token"
        else {"KAGGLE_USERNAME": "taro", "KAGGLE_KEY": "0123456789abcdef"}
    )
    r = pod.run(**env)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"エラー: {target} がファイルではありません（フォルダなど）。"
        "中を確認して消してから、もう一度実行してください。"
    )
    assert "書き込みました" not in r.stdout
    assert target.is_dir() and not any(target.iterdir())  # nothing moved into it
    assert kaggle_files(pod) == [file_name]  # and no temp file left next to it
    assert pod.calls("apt-get") == []


FULL_DISK = """
import builtins, errno, os

_open = builtins.open


def full_disk_open(file, mode="r", *args, **kwargs):
    handle = _open(file, mode, *args, **kwargs)
    if "w" in mode and ".setup-tmp." in os.fspath(file):
        def write(_data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        handle.write = write
    return handle


builtins.open = full_disk_open
"""

FULL_DISK_MESSAGE = (
    "エラー: ディスクがいっぱいで認証情報を書き込めません。df -h で空きを確認し、"
    "不要なファイルを消してから、もう一度実行してください。"
)


def test_a_full_disk_gets_a_japanese_message(pod: Sandbox) -> None:
    # A stand-in disk: every write to setup's temp file fails with ENOSPC, as a full one does.
    (pod.state / "site" / "sitecustomize.py").write_text(FULL_DISK)
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert r.stderr.strip() == FULL_DISK_MESSAGE
    assert kaggle_files(pod) == []
    assert pod.calls("apt-get") == []


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
            capture_output=True,
            timeout=10,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_a_really_full_disk_gets_the_same_message(pod: Sandbox) -> None:
    kaggle_dir = pod.home / ".kaggle"
    if not _mount_tmpfs(kaggle_dir, "16k"):
        pytest.skip("mounting a tmpfs needs root and CAP_SYS_ADMIN (the test above covers it)")
    try:
        fd = os.open(kaggle_dir / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            with pytest.raises(OSError, match="No space left"):
                while True:
                    os.write(fd, b"x" * 4096)
        finally:
            os.close(fd)
        r = pod.run(KAGGLE_API_TOKEN=TOKEN)
        assert r.returncode == 1
        assert r.stderr.strip() == FULL_DISK_MESSAGE
        assert sorted(p.name for p in kaggle_dir.iterdir()) == ["filler"]
    finally:
        subprocess.run(["umount", str(kaggle_dir)], check=True)


def test_a_failed_install_gets_a_japanese_message(pod: Sandbox) -> None:
    pod.add_shim(
        "apt-get", 'echo "E: You don\'t have enough free space in /var/cache." >&2; exit 100'
    )
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "エラー: パッケージをインストールできませんでした。ネットワークと、df -h でディスクの空きを"
        "確認してください。"
    )


def _start_and_hold_at_mv(pod: Sandbox) -> subprocess.Popen:
    """Start setup.sh; it stops right after writing the token's temp file (mv never returns)."""
    pod.add_shim(
        "mv",
        'echo $$ >"$SHIM_STATE/mv-pid.tmp"\n'
        '/bin/mv "$SHIM_STATE/mv-pid.tmp" "$SHIM_STATE/mv-pid"; exec sleep 600',
    )
    env = pod.base_env() | {"KAGGLE_API_TOKEN": TOKEN}
    proc = subprocess.Popen(
        ["bash", str(SETUP_SH)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # a terminal's foreground job: Ctrl+C is not ignored, even when this test run is a
        # background job (bash cannot trap a signal that was ignored when it started)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while not _is_sleeping(pod.state / "mv-pid"):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "setup.sh never reached mv"
        time.sleep(0.02)
    return proc


def _is_sleeping(pid_file: Path) -> bool:
    """The stand-in mv has become `sleep`. (Signalled earlier, while its shell still waited for
    /bin/mv, the shell would go on to the sleep, as bash does when the child it waited for did
    not die of SIGINT, and setup.sh would wait for it for ten minutes.)"""
    try:
        pid = pid_file.read_text().strip()
        return Path(f"/proc/{pid}/comm").read_text().strip() == "sleep"
    except OSError:
        return False


def test_a_token_left_by_a_killed_run_is_removed_by_the_next_run(pod: Sandbox) -> None:
    proc = _start_and_hold_at_mv(pod)
    os.killpg(proc.pid, signal.SIGKILL)  # no trap runs: the temp file stays
    proc.communicate(timeout=30)
    leftovers = [p for p in (pod.home / ".kaggle").iterdir() if p.name.startswith(".setup-tmp.")]
    assert len(leftovers) == 1 and leftovers[0].read_text() == TOKEN

    (pod.bin / "mv").unlink()
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0, r.stderr
    assert kaggle_files(pod) == ["access_token"]  # the leftover is gone


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupted_run_removes_its_temp_file(pod: Sandbox, sig: int, code: int) -> None:
    proc = _start_and_hold_at_mv(pod)
    # As a terminal's Ctrl+C (or a kill of the job) does: the signal goes to the whole
    # process group, so the stand-in mv dies of it too and bash runs its trap. (Signalling
    # bash alone and killing mv with SIGKILL raced: bash may take a child that did not die
    # of SIGINT as one that handled it, and exit 1 from the failed mv instead.)
    os.killpg(proc.pid, sig)
    proc.communicate(timeout=30)
    assert proc.returncode == code
    assert kaggle_files(pod) == []


def test_second_run_after_a_failed_first_run(pod: Sandbox) -> None:
    assert pod.run(RUNPOD_SECRET_kaggle_json="not json at all, sorry").returncode == 1
    r = pod.run(RUNPOD_SECRET_kaggle_json=KAGGLE_JSON)
    assert r.returncode == 0, r.stderr
    assert (pod.home / ".kaggle" / "kaggle.json").read_text() == KAGGLE_JSON
    assert kaggle_files(pod) == ["kaggle.json"]


def test_git_identity_is_skipped_with_a_note_when_unset(pod: Sandbox) -> None:
    r = pod.run(KAGGLE_API_TOKEN=TOKEN, GIT_USER_NAME="Taro")  # e-mail missing
    assert r.returncode == 0
    assert "GIT_USER_NAME / GIT_USER_EMAIL が未設定なので飛ばします。" in r.stdout
    assert not (pod.home / ".gitconfig").exists()


def test_home_not_writable(pod: Sandbox, tmp_path: Path) -> None:
    # We run as root, so permissions would not stop us: put HOME under a file.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = pod.run(HOME=str(blocker / "home"), KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert f"ホームフォルダ (HOME={blocker / 'home'}) に書き込めません" in r.stderr
    assert pod.calls("apt-get") == []


def test_home_unset(pod: Sandbox) -> None:
    r = pod.run(HOME="", KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert "ホームフォルダ (HOME=未設定) に書き込めません" in r.stderr


def test_workspace_not_creatable(pod: Sandbox, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-volume"
    blocker.write_text("")
    r = pod.run(WORKSPACE=str(blocker / "workspace"), KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert "にフォルダを作れません" in r.stderr


def test_non_root_user_is_told_to_use_root(pod: Sandbox) -> None:
    pod.add_shim("id", NON_ROOT_ID)
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert "root 権限が必要です" in r.stderr
    assert pod.calls("apt-get") == []


def test_old_python_is_refused(pod: Sandbox) -> None:
    r = pod.run(KAGGLE_API_TOKEN=TOKEN, SHIM_PYTHON_TOO_OLD="1")
    assert r.returncode == 1
    assert "Python 3.11 以上が必要です" in r.stderr
    assert pod.calls("python3 -m pip") == []


def test_kaggle_1x_is_upgraded(pod: Sandbox) -> None:
    # An image that ships kaggle 1.x (no token support) gets the pinned kaggle 2.x.
    for name, version in (("poetry", "2.5.1"), ("uv", "0.13.9"), ("kaggle", "1.7.4.5")):
        installed(pod, name, version)
    assert pod.run(KAGGLE_API_TOKEN=TOKEN).returncode == 0
    assert pod.calls("python3 -m pip install") == [f"{PIP_INSTALL} {PINS}"]


def test_every_tool_is_installed_at_its_pinned_version(pod: Sandbox) -> None:
    """A newer uv already on the pod is replaced by the pinned one; the pins are the versions
    data/facts.toml records (the drift job reports newer releases)."""
    installed(pod, "uv", "0.99.0")
    assert pod.run(KAGGLE_API_TOKEN=TOKEN).returncode == 0
    assert pod.calls("python3 -m pip install") == [f"{PIP_INSTALL} {PINS}"]
    facts = tomllib.loads((ROOT / "data" / "facts.toml").read_text(encoding="utf-8"))["fact"]
    pinned = {
        f["package"]: f["value"]
        for f in facts.values()
        if f["check"] == "pypi" and "snippets/setup.sh" in f.get("files", [])
    }
    assert PINS == " ".join(f"{name}=={pinned[name]}" for name in ("poetry", "uv", "kaggle"))
    assert f"PIP_PACKAGES=({PINS})" in SETUP_SH.read_text()


# --- torchvision: the recommended image has none -------------------------------------------

IMAGE = tomllib.loads((ROOT / "snippets" / "recommended_image.toml").read_text())


def test_setup_pins_the_torchvision_that_recommended_image_toml_names() -> None:
    text = SETUP_SH.read_text()
    wanted = IMAGE["torchvision"]
    assert f"TORCH_VERSION={wanted['torch']}\n" in text
    assert f"TORCHVISION_VERSION={wanted['version']}\n" in text
    assert f"TORCH_INDEX_URL={wanted['index_url']}\n" in text
    assert wanted["index_url"] == TORCH_INDEX
    assert wanted["torch"].startswith(IMAGE["image"]["torch"])
    assert "torch" + wanted["torch"].replace(".", "") in IMAGE["image"]["name"]


def test_the_matching_torchvision_is_installed_from_pytorchs_index(pod: Sandbox) -> None:
    installed(pod, "torch", "2.9.1+cu128")
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0, r.stderr
    assert pod.calls("python3 -m pip install")[-1] == (
        f"{PIP_INSTALL} --index-url {TORCH_INDEX} torch==2.9.1 torchvision==0.24.1"
    )
    assert "torchvision 0.24.1 を入れました（PyTorch 2.9.1 用）。" in r.stdout
    # The image's own PyTorch build stays; torchvision is there for the next run.
    site = sorted(p.name for p in (pod.state / "site").iterdir())
    assert "torch-2.9.1+cu128.dist-info" in site and "torchvision-0.24.1.dist-info" in site
    again = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert again.returncode == 0 and len(pod.calls("python3 -m pip install")) == 2
    assert again.stdout.count("インストール済みなので飛ばします。") == 3


def test_another_pytorch_gets_no_torchvision_from_us(pod: Sandbox) -> None:
    installed(pod, "torch", "2.8.0+cu128")
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0
    assert (
        "PyTorch 2.8.0 は推奨イメージの版（2.9.1）ではないので、torchvision は入れません。"
        in r.stdout
    )
    assert all("torchvision" not in call for call in pod.calls("python3 -m pip"))


def test_a_failed_torchvision_install_stops_with_a_japanese_message(pod: Sandbox) -> None:
    installed(pod, "torch", "2.9.1+cu128")
    pod.add_shim(
        "python3",
        PINNING_PYTHON3.replace(
            '[[ "${3:-}" == install ]] || exit 0',
            '[[ "${3:-}" == install ]] || exit 0\n[[ " $* " == *" --index-url "* ]] && exit 1',
        ),
    )
    r = pod.run(KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "エラー: torchvision をインストールできませんでした。ネットワークと、df -h で"
        "ディスクの空きを確認してください。"
    )


# --- snippets/commands/setup-download.sh -------------------------------------


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (curl trusts it through CURL_CA_BUNDLE)."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return key, cert


def serve(folder: Path, tls: tuple[Path, Path] | None, redirect_to: str | None = None):
    """Serve `folder` on 127.0.0.1 (over https when given a key and certificate)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if redirect_to:
                self.send_response(301)
                self.send_header("Location", redirect_to + self.path)
                self.end_headers()
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(Handler, directory=str(folder))
    )
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[1]), str(tls[0]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if tls else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the site's downloads/ folder, as the site build publishes it."""
    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    shutil.copyfile(SETUP_SH, site / "downloads" / "setup.sh")
    return site


@pytest.fixture
def guide_server(site_copy: Path, tls_cert):
    server, url = serve(site_copy, tls_cert)
    yield url
    server.shutdown()
    server.server_close()


def download(pod: Sandbox, url: str, cert: Path, **env) -> object:
    return pod.run(DOWNLOAD, GUIDE_URL=url, CURL_CA_BUNDLE=str(cert), **env)


def test_setup_download_fetches_checks_and_runs_setup(
    pod: Sandbox, guide_server, tls_cert, tmp_path: Path
):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    r = download(pod, guide_server, tls_cert[1], TMPDIR=str(tmpdir), KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0, r.stderr
    assert (pod.home / ".kaggle" / "access_token").read_text() == TOKEN
    assert "セットアップが終わりました。" in r.stdout
    assert list(tmpdir.iterdir()) == []  # the downloaded copy is removed afterwards


def test_the_published_sha256_is_the_setup_scripts() -> None:
    digest = hashlib.sha256(SETUP_SH.read_bytes()).hexdigest()
    found = re.findall(r"^  SETUP_SHA256=([0-9a-f]{64})$", DOWNLOAD.read_text(), re.MULTILINE)
    assert found == [digest], (
        f"snippets/setup.sh changed: set SETUP_SHA256={digest} in {DOWNLOAD.relative_to(ROOT)}"
    )


def test_a_script_that_is_not_the_published_one_is_not_run(
    pod: Sandbox, site_copy: Path, guide_server, tls_cert
):
    served = site_copy / "downloads" / "setup.sh"
    served.write_text(SETUP_SH.read_text() + 'touch "$HOME/tampered"\n')
    r = download(pod, guide_server, tls_cert[1], KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "エラー: ダウンロードした setup.sh が、公開している SHA-256 と"
        "一致しません。実行せずに止めます。"
    )
    assert not (pod.home / "tampered").exists() and not (pod.home / ".kaggle").exists()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/", "ftp://example.invalid/", "runpod-kaggle.github.io/guide/"]
)
def test_a_guide_url_that_is_not_https_is_refused(pod: Sandbox, url: str, tls_cert):
    r = download(pod, url, tls_cert[1], KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"エラー: GUIDE_URL は https:// で始まる URL にしてください（いまは {url}）。"
    )
    assert not (pod.home / ".kaggle").exists()


def test_a_redirect_to_plain_http_is_not_followed(pod: Sandbox, site_copy: Path, tls_cert):
    plain, plain_url = serve(site_copy, None)
    redirecting, url = serve(site_copy, tls_cert, redirect_to=plain_url.rstrip("/"))
    try:
        r = download(pod, url, tls_cert[1], KAGGLE_API_TOKEN=TOKEN)
    finally:
        for server in (plain, redirecting):
            server.shutdown()
            server.server_close()
    assert r.returncode != 0
    assert "Protocol" in r.stderr and "http" in r.stderr  # curl: protocol not allowed
    assert not (pod.home / ".kaggle").exists()


def test_setup_download_fails_on_http_error(pod: Sandbox, guide_server: str, tls_cert):
    r = download(pod, guide_server + "missing/", tls_cert[1])
    assert r.returncode != 0
    assert "404" in r.stderr
    assert not (pod.home / ".kaggle").exists()


def test_setup_download_default_url_is_the_sites_stable_url() -> None:
    site_url = load_config()["site_url"]
    assert site_url.startswith("https://")
    text = DOWNLOAD.read_text()
    assert f'GUIDE_URL="${{GUIDE_URL:-{site_url}}}"' in text
    assert '"${GUIDE_URL%/}/downloads/setup.sh"' in text


def test_setup_download_cannot_end_a_pasted_shell(tmp_path: Path) -> None:
    """Pasted into an interactive bash, a failure ends the ( ) block, not the reader's shell."""
    script = DOWNLOAD.read_text()
    lines = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "(" and lines[-1] == ")"
    session = subprocess.run(
        ["bash", "--norc", "-i"],
        input=(script + "\necho still-here $?\n").encode(),
        capture_output=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "GUIDE_URL": "http://not-https.invalid/",
        },
    )
    assert "still-here 1" in session.stdout.decode("utf-8", "replace")


# --- over SSH, on a pod of the fake Runpod ---------------------------------------------


def test_over_plain_ssh_the_token_is_read_from_rp_environment(fake, ssh_keypair, tmp_path):
    """`ssh pod 'bash setup.sh'` runs a non-interactive shell that never sources
    /etc/rp_environment, so the pod's env (the Secret) is not there: setup.sh reads its own
    variables from the file and writes the token. It takes nothing else from the file: PATH
    stays the caller's (here the shims, so nothing is installed on this machine)."""
    from fake_runpod.image import install_shims, shim_env
    from snippets import pod as pods
    from snippets import remote, secret, volume

    shims, state = tmp_path / "shims", tmp_path / "state"
    (state / "site").mkdir(parents=True)
    (state / "calls.log").touch()
    install_shims(shims)
    secret.create_secret("kaggle_api_token", TOKEN)
    disk = volume.create_volume("kaggle-data", 20, "EU-RO-1")
    created = pods.deploy_pod(
        disk["id"],
        public_key=ssh_keypair[1],
        env={"KAGGLE_API_TOKEN": "{{ RUNPOD_SECRET_kaggle_api_token }}"},
    )
    running = pods.wait_until_ready(created["id"], timeout=60, poll=0.2)
    exports = " ".join(f"{key}={value}" for key, value in shim_env(shims, state).items())
    command = f'test -z "${{KAGGLE_API_TOKEN:-}}" && PATH="{shims}:$PATH" {exports} bash -s'
    result = remote.run(running, command, ssh_keypair[0], stdin=SETUP_SH.read_text(), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "書き込みました: /root/.kaggle/access_token" in result.stdout
    token = remote.run(running, "cat /root/.kaggle/access_token", ssh_keypair[0])
    assert token.stdout == TOKEN
    assert TOKEN not in result.stdout + result.stderr
    installs = (state / "calls.log").read_text().splitlines()
    assert any(line.startswith("python3 -m pip install") for line in installs), installs
