"""snippets/setup.sh run for real with bash, in a sandboxed fresh "pod".

What the reader is promised: one command sets up a new pod (tools, Kaggle
credentials readable only by them, git identity, caches on the volume); it can
be run again safely; a missing or broken secret stops it with a Japanese
message naming the secret, leaving no half-written credential file; secrets
never appear in the output.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import stat
import subprocess
import threading
from functools import partial
from pathlib import Path

import pytest

from tests.snippets.setup_sandbox import NON_ROOT_ID, ROOT, SETUP_SH, Sandbox, tree_snapshot

TOKEN = "KGAT_0123456789abcdef0123456789abcdef"
# Spaces, both quotes, $, backticks and a backslash: all must reach the file unchanged.
NASTY_TOKEN = 'KGAT tok\'en "with" $HOME `id` \\n $(echo pwned) end'
KAGGLE_JSON = json.dumps({"username": "kaggler taro", "key": "0123456789abcdef0123456789abcdef"})
NASTY_KAGGLE_JSON = json.dumps(
    {"username": "taro \"the\" 'kaggler' $USER", "key": "k`whoami`$(id)\\ 0123456789abcdef"}
)
STEPS = [f"[{i}/5]" for i in range(1, 6)]


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


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
    assert pod.calls("python3 -m pip") == [
        "python3 -m pip install --quiet --root-user-action=ignore poetry uv kaggle>=2"
    ]
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


def test_kaggle_json_fallback(pod: Sandbox) -> None:
    r = pod.run(RUNPOD_SECRET_kaggle_json=KAGGLE_JSON)
    assert r.returncode == 0, r.stderr
    f = pod.home / ".kaggle" / "kaggle.json"
    assert f.read_text() == KAGGLE_JSON
    assert mode(f) == 0o600 and mode(f.parent) == 0o700
    assert kaggle_files(pod) == ["kaggle.json"]


def test_token_wins_over_kaggle_json(pod: Sandbox) -> None:
    r = pod.run(KAGGLE_API_TOKEN=TOKEN, RUNPOD_SECRET_kaggle_json=KAGGLE_JSON)
    assert r.returncode == 0, r.stderr
    assert kaggle_files(pod) == ["access_token"]


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
    assert "KAGGLE_API_TOKEN" in r.stderr and "RUNPOD_SECRET_kaggle_json" in r.stderr
    assert r.stderr.startswith("エラー: シークレット")
    assert kaggle_files(pod) == []
    assert pod.calls("apt-get") == [] and pod.calls("python3") == []


@pytest.mark.parametrize(
    ("env_name", "value", "message"),
    [
        ("KAGGLE_API_TOKEN", "", "シークレット KAGGLE_API_TOKEN が空です"),
        ("KAGGLE_API_TOKEN", "  \n ", "シークレット KAGGLE_API_TOKEN が空です"),
        ("KAGGLE_API_TOKEN", "{{ RUNPOD_SECRET_kaggle_api_token }}", "置き換わっていません"),
        ("RUNPOD_SECRET_kaggle_json", "", "シークレット RUNPOD_SECRET_kaggle_json が空です"),
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
    pod: Sandbox, env_name: str, value: str, message: str
) -> None:
    r = pod.run(**{env_name: value})
    assert r.returncode == 1
    assert message in r.stderr
    assert r.stderr.startswith("エラー: ")
    assert "Traceback" not in r.stderr
    assert kaggle_files(pod) == []  # no credential file, no temp file
    assert pod.calls("apt-get") == []


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
    # An image that ships kaggle 1.x (no token support) gets kaggle 2.x.
    for name, version in (("poetry", "2.5.1"), ("uv", "0.13.8"), ("kaggle", "1.7.4.5")):
        d = pod.state / "site" / f"{name}-{version}.dist-info"
        d.mkdir()
        (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    assert pod.run(KAGGLE_API_TOKEN=TOKEN).returncode == 0
    assert len(pod.calls("python3 -m pip install")) == 1


def test_shell_snippets_are_shellcheck_clean() -> None:
    shellcheck = ROOT / ".venv" / "bin" / "shellcheck"
    names = ["setup.sh", "check-secrets.sh", "python-env-poetry.sh", "python-env-uv.sh"]
    names += ["repair-venv.sh", "commands/setup-download.sh"]
    scripts = [ROOT / "snippets" / name for name in names]
    proc = subprocess.run([str(shellcheck), *map(str, scripts)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


# --- snippets/commands/setup-download.sh -------------------------------------


@pytest.fixture
def guide_server(tmp_path: Path):
    """Serve a copy of the site's downloads/ folder on 127.0.0.1."""
    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    shutil.copyfile(SETUP_SH, site / "downloads" / "setup.sh")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_setup_download_fetches_and_runs_setup(pod: Sandbox, guide_server: str, tmp_path: Path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    script = ROOT / "snippets" / "commands" / "setup-download.sh"
    r = pod.run(script, GUIDE_URL=guide_server, TMPDIR=str(tmpdir), KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0, r.stderr
    assert (tmpdir / "setup.sh").read_bytes() == SETUP_SH.read_bytes()
    assert (pod.home / ".kaggle" / "access_token").read_text() == TOKEN
    assert "セットアップが終わりました。" in r.stdout


def test_setup_download_fails_on_http_error(pod: Sandbox, guide_server: str, tmp_path: Path):
    script = ROOT / "snippets" / "commands" / "setup-download.sh"
    r = pod.run(script, GUIDE_URL=guide_server + "missing/", TMPDIR=str(tmp_path))
    assert r.returncode != 0
    assert "404" in r.stderr
    assert not (pod.home / ".kaggle").exists()


def test_setup_download_default_url_is_the_sites_stable_url() -> None:
    site_url = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "mkdocs.yml").read_text().splitlines()
        if line.startswith("site_url:")
    )
    text = (ROOT / "snippets" / "commands" / "setup-download.sh").read_text()
    assert f'GUIDE_URL="${{GUIDE_URL:-{site_url}}}"' in text
    assert '"${GUIDE_URL%/}/downloads/setup.sh"' in text
    assert os.access(ROOT / "snippets" / "commands" / "setup-download.sh", os.R_OK)
