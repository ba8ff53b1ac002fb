"""snippets/doctor.sh: one line per check with its fix, on healthy and broken fake pods.

What the reader is promised: run on a pod, it says whether the volume is at /workspace and
writable, the GPU is visible, the host driver is new enough for the image's CUDA, PyTorch
can use the GPU, torchvision is there and built for the same PyTorch and CUDA, Kaggle accepts
the credentials and there is disk space left; each problem gets one line with the fix, and
the exit status says whether anything needs fixing. No check waits forever: every outside
command has a time limit (DOCTOR_TIMEOUT), and one that hangs is reported as such.

The GPU side of a pod is played by stand-ins (this machine has no GPU): `nvidia-smi`, a
`torch` package on PYTHONPATH, `df` and `kaggle`. The volume's mount is told by a stand-in
`mountpoint` that answers "mounted" only where the volume's own marker file is visible.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from fake_runpod.image import install_shims
from snippets import pod as pods
from snippets import remote, secret, volume
from tests.snippets.setup_sandbox import ROOT, Sandbox

DOCTOR = ROOT / "snippets" / "doctor.sh"
TOKEN = "KGAT_doctor_0123456789abcdef0123456789"
MARKER = ".kgl-volume-marker"

STAND_INS = {
    # Mounted = the volume's marker is visible at the path asked about.
    "mountpoint": '[[ "$1" == -q && -f "$2/' + MARKER + '" ]]',
    # GPU_COUNT GPUs on a host whose driver supports up to DRIVER_CUDA.
    "nvidia-smi": """
        if [[ "${GPU_COUNT:-1}" == 0 ]]; then echo "No devices were found"; exit 6; fi
        if [[ "${1:-}" == -L ]]; then
          for ((i = 0; i < ${GPU_COUNT:-1}; i++)); do
            echo "GPU $i: NVIDIA GeForce RTX 4090 (UUID: GPU-0000000$i)"
          done
        else
          echo "| NVIDIA-SMI 570.86  Driver Version: 570.86  CUDA Version: ${DRIVER_CUDA:-12.8} |"
        fi
    """,
    # Free space in KiB for / and for anything else (the volume).
    "df": """
        path="${!#}"
        avail="${VOLUME_FREE_KB:-52428800}"
        if [[ "$path" == / ]]; then avail="${ROOT_FREE_KB:-20971520}"; fi
        echo "Filesystem 1024-blocks Used Available Capacity Mounted on"
        echo "overlay 104857600 0 $avail 1% $path"
    """,
}


def kaggle_stand_in(token: str, failure: str = "") -> str:
    """`kaggle competitions list` succeeds only with the expected token in the env."""
    return f"""
        [[ "$1 $2" == "competitions list" ]] || exit 2
        {failure}
        if [[ "${{KAGGLE_API_TOKEN:-}}" == '{token}' ]]; then echo "ref deadline"; exit 0; fi
        echo "Authentication required to call the Kaggle API."; exit 1
    """


def torch_stand_in(site: Path, available: bool = True, cuda: str = "12.8") -> None:
    package = site / "torch"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(
        textwrap.dedent(f"""
            __version__ = "2.9.1+cu{cuda.replace(".", "")}"

            class version:
                cuda = "{cuda}"

            class cuda:
                @staticmethod
                def is_available():
                    return {available}
        """)
    )
    torchvision_stand_in(site)


def torchvision_stand_in(
    site: Path, version: str = "0.24.1", cuda: str = "12.8", torch: str = "2.9.1", body: str = ""
) -> None:
    """torchvision as pip installs it: the package, and metadata naming the torch it needs."""
    package = site / "torchvision"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(
        f"{body}\n__version__ = '{version}+cu{cuda.replace('.', '')}'\n"
        f"class version:\n    cuda = '{cuda}'\n"
    )
    for old in site.glob("torchvision-*.dist-info"):
        shutil.rmtree(old)
    meta = site / f"torchvision-{version}.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: torchvision\nVersion: {version}\n"
        f"Requires-Dist: numpy\nRequires-Dist: torch=={torch}\nRequires-Dist: pillow\n"
    )


@pytest.fixture
def pod(tmp_path: Path) -> Sandbox:
    """A healthy pod: volume mounted, one GPU, a new driver, torch, Kaggle, disk space."""
    sandbox = Sandbox(tmp_path)
    sandbox.workspace.mkdir()
    (sandbox.workspace / MARKER).touch()
    sandbox.add_shim("kaggle", kaggle_stand_in(TOKEN))
    for name, body in STAND_INS.items():
        sandbox.add_shim(name, body)
    torch_stand_in(sandbox.state / "site")
    return sandbox


HEALTHY_ENV = {"KAGGLE_API_TOKEN": TOKEN, "CUDA_VERSION": "12.8.1"}


def lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line[:4] in ("OK  ", "NG  ", "--  ")]


def test_a_healthy_pod_is_all_ok(pod: Sandbox) -> None:
    r = pod.run(DOCTOR, **HEALTHY_ENV)
    assert r.returncode == 0, r.output
    assert lines(r.stdout) == [
        f"OK  ボリューム: {pod.workspace} にボリュームがつながっていて、書き込めます",
        "OK  GPU: 1 枚見えています（NVIDIA GeForce RTX 4090）",
        "OK  ドライバー: CUDA 12.8 まで対応（イメージは CUDA 12.8）",
        "OK  PyTorch 2.9.1+cu128: GPU を使えます（CUDA 12.8 用）",
        "OK  torchvision 0.24.1+cu128: PyTorch 2.9.1 と CUDA 12.8 に合っています",
        "OK  Kaggle: 認証できました",
        "OK  ディスク（コンテナ）: / の空きは 20.0 GB です",
        f"OK  ディスク（ボリューム）: {pod.workspace} の空きは 50.0 GB です",
    ]
    assert r.stdout.splitlines()[-1] == "すべて OK です。"
    assert sorted(p.name for p in pod.workspace.iterdir()) == [MARKER]  # probe removed


def _unmount(pod: Sandbox, env: dict) -> None:
    (pod.workspace / MARKER).unlink()


def _no_workspace(pod: Sandbox, env: dict) -> None:
    env["WORKSPACE"] = str(pod.root / "no-such-volume")


def _drop(name: str):
    return lambda pod, env: (pod.bin / name).unlink()


def _env(**values):
    return lambda pod, env: env.update(values)


def _no_torch(pod: Sandbox, env: dict) -> None:
    (pod.state / "site" / "torch" / "__init__.py").write_text("raise ImportError('no torch')\n")


def _torch_without_gpu(pod: Sandbox, env: dict) -> None:
    torch_stand_in(pod.state / "site", available=False)


def _torchvision(**kwargs):
    return lambda pod, env: torchvision_stand_in(pod.state / "site", **kwargs)


def _no_torchvision(pod: Sandbox, env: dict) -> None:
    shutil.rmtree(pod.state / "site" / "torchvision")
    for meta in (pod.state / "site").glob("torchvision-*.dist-info"):
        shutil.rmtree(meta)


def _kaggle_offline(pod: Sandbox, env: dict) -> None:
    pod.add_shim("kaggle", kaggle_stand_in(TOKEN, 'echo "ConnectionError: timed out"; exit 1'))


# case -> (break the pod, the NG line's start, a piece of its fix)
BROKEN = {
    "volume not mounted": (
        _unmount,
        "NG  ボリューム: {ws} にボリュームがつながっていません",
        "ネットワークボリュームを選んで Pod を作り直してください",
    ),
    "no volume folder": (
        _no_workspace,
        "NG  ボリューム: {root}/no-such-volume がありません",
        "Pod を作るときにしかつなげません",
    ),
    "no GPU at all": (_drop("nvidia-smi"), "NG  GPU: nvidia-smi がありません", "GPU を選んで"),
    "zero GPUs": (_env(GPU_COUNT="0"), "NG  GPU: 見えません", "新しく作り直してください"),
    "old host driver": (
        _env(DRIVER_CUDA="12.4"),
        "NG  ドライバー: このマシンは CUDA 12.4 まで、イメージは CUDA 12.8 が必要です",
        "CUDA 12.8 以上に対応したマシンで作り直してください",
    ),
    "no PyTorch": (
        _no_torch,
        "NG  PyTorch: python3 で import torch できません",
        "推奨イメージ（runpod/pytorch）",
    ),
    "PyTorch without GPU": (
        _torch_without_gpu,
        "NG  PyTorch 2.9.1+cu128: GPU を使えません",
        "PyTorch の CUDA がドライバーより新しいと使えません",
    ),
    "no torchvision": (
        _no_torchvision,
        "NG  torchvision: 入っていません（推奨イメージには入っていません）",
        "セットアップスクリプト（setup.sh）を実行し直してください",
    ),
    "torchvision for another PyTorch": (
        _torchvision(version="0.23.0", torch="2.8.0"),
        "NG  torchvision 0.23.0+cu128: PyTorch 2.8.0 用で、入っている PyTorch 2.9.1 と合いません",
        "torchvision だけを pip install すると",
    ),
    "torchvision for another CUDA": (
        _torchvision(cuda="13.0"),
        "NG  torchvision 0.24.1+cu130: CUDA 13.0 用で、PyTorch の CUDA 12.8 と合いません",
        "setup.sh",
    ),
    "torchvision that cannot load": (
        _torchvision(body="raise RuntimeError('operator torchvision::nms does not exist')"),
        "NG  torchvision: import torchvision が失敗します（PyTorch と版が合っていません）",
        "setup.sh",
    ),
    "no kaggle command": (_drop("kaggle"), "NG  Kaggle: kaggle コマンドがありません", "setup.sh"),
    "wrong Kaggle token": (
        _env(KAGGLE_API_TOKEN="KGAT_wrong_token_0000000000000000"),
        "NG  Kaggle: 認証できません",
        "Secrets の KAGGLE_API_TOKEN を確かめ",
    ),
    "Kaggle unreachable": (_kaggle_offline, "NG  Kaggle: API を呼べません", "ネットワーク"),
    "container disk full": (
        _env(ROOT_FREE_KB="524288"),
        "NG  ディスク（コンテナ）: / の空きが 0.5 GB しかありません",
        "大きなファイルは",
    ),
    "volume nearly full": (
        _env(VOLUME_FREE_KB="1048576"),
        "NG  ディスク（ボリューム）: {ws} の空きが 1.0 GB しかありません",
        "ボリュームを増やしてください（減らすことはできません）",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_problem_gets_one_line_with_its_fix(pod: Sandbox, case: str) -> None:
    breaks, start, fix = BROKEN[case]
    env = dict(HEALTHY_ENV)
    breaks(pod, env)
    r = pod.run(DOCTOR, **env)
    assert r.returncode == 1, r.output
    start = start.format(ws=pod.workspace, root=pod.root)
    (bad,) = [line for line in lines(r.stdout) if line.startswith("NG  ")]
    assert bad.startswith(start), bad
    assert " → " in bad and fix in bad.split(" → ", 1)[1]
    assert r.stdout.splitlines()[-1] == "直すところが 1 件あります。上の NG の行を見てください。"
    assert "Traceback" not in r.output and r.stderr == ""


HANG = "exec sleep 600"


def _hang(name: str):
    return lambda pod, env: pod.add_shim(name, HANG)


def _torch_hangs(pod: Sandbox, env: dict) -> None:
    (pod.state / "site" / "torch" / "__init__.py").write_text("import time\ntime.sleep(600)\n")


# A stuck outside command -> the NG line that says so. DOCTOR_TIMEOUT=1 keeps the wait short.
HANGS = {
    "nvidia-smi": (_hang("nvidia-smi"), "NG  GPU: nvidia-smi が 1 秒たっても応答しません"),
    "import torch": (_torch_hangs, "NG  PyTorch: 1 秒たっても import torch が終わりません"),
    "kaggle": (_hang("kaggle"), "NG  Kaggle: 1 秒たっても API の答えが返りません"),
    "mountpoint": (_hang("mountpoint"), "NG  ボリューム: {ws} の確認が 1 秒で終わりません"),
}


@pytest.mark.parametrize("case", HANGS, ids=list(HANGS))
def test_a_command_that_hangs_is_reported_not_waited_for(pod: Sandbox, case: str) -> None:
    breaks, line = HANGS[case]
    env = dict(HEALTHY_ENV, DOCTOR_TIMEOUT="1")
    breaks(pod, env)
    r = pod.run(DOCTOR, **env)  # Sandbox.run fails the test if this takes over 60 s
    assert r.returncode == 1, r.output
    (bad,) = [found for found in lines(r.stdout) if found.startswith("NG  ")]
    assert bad.startswith(line.format(ws=pod.workspace) + " → "), bad
    assert r.stdout.splitlines()[-1] == "直すところが 1 件あります。上の NG の行を見てください。"


def test_a_stuck_disk_is_not_waited_for(pod: Sandbox) -> None:
    pod.add_shim("df", HANG)
    r = pod.run(DOCTOR, **HEALTHY_ENV, DOCTOR_TIMEOUT="1")
    assert "--  ディスク（コンテナ）: / の空きを読めません" in lines(r.stdout)
    assert f"--  ディスク（ボリューム）: {pod.workspace} の空きを読めません" in lines(r.stdout)


OUTSIDE_COMMANDS = ("nvidia-smi", "kaggle", "df", "mountpoint", "stat", "bash")
PLAIN_STRING = re.compile(r'"(?:[^"$]|\$(?!\())*"')  # "..." holding no $( ): text, not a command


def test_every_outside_command_runs_under_the_time_limit() -> None:
    """Each call of a command that can hang (GPU driver, network, network disk, Python
    importing from the volume) goes through `limited` (timeout DOCTOR_TIMEOUT); `command -v`
    only looks a name up. Messages for the reader may name the commands."""
    calls = 0
    for number, line in enumerate(DOCTOR.read_text().splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        python = re.search(r'"\$PYTHON" -', line)
        code = PLAIN_STRING.sub('""', line.split(" # ")[0])
        found = [
            m.start()
            for c in OUTSIDE_COMMANDS
            for m in re.finditer(rf"(?<![\w./-]){re.escape(c)}(?![\w-])", code)
        ]
        starts = [(code, at) for at in found] + ([(line, python.start())] if python else [])
        for text, at in starts:
            before = text[:at].rstrip()
            assert before.endswith(("limited", "command -v")), f"doctor.sh:{number}: {line}"
            calls += 1
    assert calls >= 9  # nvidia-smi x2, python, kaggle, df, mountpoint, stat x2, bash


def test_without_a_gpu_the_driver_is_not_compared(pod: Sandbox) -> None:
    env = dict(HEALTHY_ENV, GPU_COUNT="0")
    r = pod.run(DOCTOR, **env)
    assert "--  ドライバー: GPU が見えないため、比べられません" in r.stdout


def test_an_image_without_cuda_version_skips_the_driver_check(pod: Sandbox) -> None:
    r = pod.run(DOCTOR, KAGGLE_API_TOKEN=TOKEN)
    assert r.returncode == 0
    assert "--  ドライバー: イメージかドライバーの CUDA のバージョンが分からないため" in r.stdout


def test_everything_broken_counts_every_problem(pod: Sandbox) -> None:
    (pod.workspace / MARKER).unlink()
    (pod.bin / "kaggle").unlink()
    r = pod.run(DOCTOR, **HEALTHY_ENV, GPU_COUNT="0", ROOT_FREE_KB="1024")
    assert r.returncode == 1
    assert [line[:4] for line in lines(r.stdout)].count("NG  ") == 4
    assert "直すところが 4 件あります。" in r.stdout


# --- over SSH, on a pod of the fake Runpod ---------------------------------------------


def test_on_a_fake_pod_over_ssh(fake, ssh_keypair, tmp_path: Path) -> None:
    """The reader's way: an SSH login shell, the token from a Secret, the volume at /workspace."""
    stand_ins = tmp_path / "stand-ins"
    install_shims(stand_ins, {**STAND_INS, "kaggle": kaggle_stand_in(TOKEN)})
    torch_stand_in(tmp_path / "site")

    secret.create_secret("kaggle_api_token", TOKEN)
    disk = volume.create_volume("kaggle-data", 20, "EU-RO-1")
    (fake.volume_dir(disk["id"]) / MARKER).touch()
    created = pods.deploy_pod(
        disk["id"],
        public_key=ssh_keypair[1],
        env={"KAGGLE_API_TOKEN": "{{ RUNPOD_SECRET_kaggle_api_token }}"},
    )
    running = pods.wait_until_ready(created["id"], timeout=60, poll=0.2)

    # What an interactive SSH or VS Code shell has: /etc/rp_environment, sourced by ~/.bashrc.
    command = (
        f'source /etc/rp_environment && PATH="{stand_ins}:$PATH" PYTHONPATH="{tmp_path / "site"}" '
        "bash -s"
    )
    result = remote.run(running, command, ssh_keypair[0], stdin=DOCTOR.read_text(), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result.stdout) == [
        "OK  ボリューム: /workspace にボリュームがつながっていて、書き込めます",
        "OK  GPU: 1 枚見えています（NVIDIA GeForce RTX 4090）",
        "OK  ドライバー: CUDA 12.8 まで対応（イメージは CUDA 12.8）",
        "OK  PyTorch 2.9.1+cu128: GPU を使えます（CUDA 12.8 用）",
        "OK  torchvision 0.24.1+cu128: PyTorch 2.9.1 と CUDA 12.8 に合っています",
        "OK  Kaggle: 認証できました",
        "OK  ディスク（コンテナ）: / の空きは 20.0 GB です",
        "OK  ディスク（ボリューム）: /workspace の空きは 50.0 GB です",
    ]
    assert TOKEN not in result.stdout + result.stderr
    assert sorted(p.name for p in fake.volume_dir(disk["id"]).iterdir()) == [MARKER]
