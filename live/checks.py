"""What the guide promises on a pod, checked over SSH: one function per step of the guide.

The commands are the guide's own files under snippets/, uploaded and run as a reader runs
them; what differs on the fake (recording shims for apt and pip, no GPU) comes from the
target, so these functions read the same for both.
"""

from __future__ import annotations

import hashlib
import json
import time

from live import probe
from live.report import StepFailed
from live.run import SNIPPETS, Run

MARKER = "kgl-live-marker"
WORKSPACE = "${WORKSPACE:-/workspace}"
VENV = f'"{WORKSPACE}/{probe.PROJECT}/.venv"'


def run_setup(run: Run, pod: dict) -> str:
    """snippets/setup.sh on the pod; returns its name in the pod's HOME."""
    script = run.put(pod, SNIPPETS / "setup.sh")
    run.sh(pod, f"{run.target.setup_prefix(pod, run.scratch.path)}bash {script}")
    return script


# Mode, inode, nanosecond time and hash of the token file: a rewrite shows in one of them.
# python3 (every image the guide uses has it), not coreutils' stat: same answer everywhere.
INSPECT_CREDENTIAL_FILE = (
    "import hashlib, os; p = os.path.expanduser('~/.kaggle/access_token'); s = os.stat(p); "
    "print(format(s.st_mode & 0o777, 'o'), s.st_ino, s.st_mtime_ns, "
    "hashlib.sha256(open(p, 'rb').read()).hexdigest())"
)


def token_file_state(run: Run, pod: dict) -> dict:
    """What ~/.kaggle/access_token is now (its value never leaves the pod, only its hash)."""
    _, out, _ = run.sh(pod, "python3 -", stdin=INSPECT_CREDENTIAL_FILE)
    mode, inode, mtime, digest = out.split()[-4:]
    return {"mode": mode, "inode": inode, "mtime": mtime, "sha256": digest}


def setup_first(run: Run, pod: dict) -> dict:
    run_setup(run, pod)
    token_file = token_file_state(run, pod)
    tools, rehearsal = run.target.check_tools(run.sh, pod, run.scratch.path, True)
    run.note(f"{tools}; token file mode {token_file['mode']}", rehearsal)
    return token_file


def setup_again(run: Run, pod: dict, token_file: dict) -> None:
    run_setup(run, pod)
    again = token_file_state(run, pod)
    if again != token_file:
        raise StepFailed(f"token file changed on the second run: {token_file} -> {again}")
    tools, rehearsal = run.target.check_tools(run.sh, pod, run.scratch.path, False)
    run.note(f"{tools}; token file unchanged", rehearsal)


def kaggle_auth(run: Run, pod: dict, token_file: dict) -> None:
    check = run.put(pod, SNIPPETS / "check-secrets.sh")
    run.sh(pod, f"bash {check}")
    _, digest, _ = run.sh(pod, 'printf %s "$KAGGLE_API_TOKEN" | sha256sum')
    if digest.split()[0] != hashlib.sha256(run.token.encode()).hexdigest():
        raise StepFailed("KAGGLE_API_TOKEN in the pod differs from the stored secret")
    if token_file["mode"] != "600" or token_file["sha256"] != digest.split()[0]:
        raise StepFailed(
            f"~/.kaggle/access_token: mode {token_file['mode']}, content must equal the secret"
        )
    run.note("token set, equal to the secret by sha256, file mode 600, not printed")


def versions(run: Run, pod: dict) -> None:
    """python3, torch with its CUDA, and the GPU, against snippets/recommended_image.toml."""
    _, python, _ = run.sh(pod, "python3 --version")
    torch_code, torch, _ = run.sh(
        pod,
        "python3 -c 'import torch; print(torch.__version__, "
        "torch.version.cuda, torch.cuda.is_available())'",
        check=False,
    )
    smi_code, smi, _ = run.sh(
        pod, "nvidia-smi --query-gpu=name,driver_version --format=csv,noheader", check=False
    )
    seen = {
        "python": python,
        "torch": torch.strip(),
        "torch_code": torch_code,
        "smi": smi.strip(),
        "smi_code": smi_code,
    }
    run.note(*run.target.judge_versions(seen, run.image))


def inspect_env(run: Run, pod: dict) -> dict:
    """What the project's venv imports and has installed (probe.INSPECT, run on the pod)."""
    _, out, _ = run.sh(pod, f"{VENV}/bin/python -", stdin=probe.INSPECT)
    inspection = probe.read_inspection(out)
    if inspection.get("mark") != run.run_id:
        raise StepFailed(
            f"the env imports probe {inspection.get('mark')!r}, not this run's "
            f"{run.run_id}: {inspection['problems']}"
        )
    if inspection["problems"]:
        raise StepFailed(
            "the env on the volume is not what was installed (changed or "
            f"reinstalled): {inspection['problems'][:5]}"
        )
    return inspection


def build_env(run: Run, pod: dict) -> dict:
    """snippets/python-env-uv.sh on a tiny project on the volume; its dependency is a probe
    wheel made for this run, so an import proves which env answered."""
    wheel = probe.wheel(run.scratch.path, run.run_id)
    run.put(pod, wheel, wheel.name)
    pyproject = run.scratch.path / "pyproject.toml"
    pyproject.write_text(probe.project_toml(wheel.name, from_pypi=run.target.from_pypi))
    run.put(pod, pyproject, "kgl-pyproject.toml")
    script = run.put(pod, SNIPPETS / "python-env-uv.sh")
    run.sh(
        pod,
        f'd="{WORKSPACE}/{probe.PROJECT}" && mkdir -p "$d/wheels" && '
        f'mv {wheel.name} "$d/wheels/" && mv kgl-pyproject.toml "$d/pyproject.toml"',
    )
    _, out, _ = run.sh(pod, f"{run.target.env_prefix()}PROJECT={probe.PROJECT} bash {script}")
    if "venv:" not in out:
        raise StepFailed(f"python-env-uv.sh did not report the venv: {out[-300:]}")
    inspection = inspect_env(run, pod)
    run.note(
        f"imports kgl_live_probe ({inspection['prefix']}); {len(inspection['dists'])} "
        f"distribution(s) on the volume, fingerprint {probe.fingerprint(inspection)[:12]}"
    )
    return inspection


def write_marker(run: Run, pod: dict) -> None:
    run.sh(pod, f'printf %s {run.run_id} > "{WORKSPACE}/{MARKER}"')
    run.note(f"$WORKSPACE/{MARKER} = {run.run_id}")


def check_marker(run: Run, pod: dict) -> None:
    """Pod 2 sees pod 1's marker on the volume, and is a fresh machine (new HOME)."""
    _, seen, _ = run.sh(pod, f'cat "{WORKSPACE}/{MARKER}"')
    if seen.strip() != run.run_id:
        raise StepFailed(f"marker reads {seen.strip()!r}, expected {run.run_id}")
    code, _, _ = run.sh(pod, "test -e kgl-setup.sh", check=False)
    if code == 0:
        raise StepFailed("pod 2 still has pod 1's HOME: not a fresh pod")
    run.note("marker found; HOME is fresh")


def check_env_again(run: Run, pod: dict, first: dict) -> None:
    """Pod 2 runs setup.sh (as every new pod does), then the same env script offline:
    uv must change nothing, and what is installed must be pod 1's, by content."""
    run_setup(run, pod)
    script = run.put(pod, SNIPPETS / "python-env-uv.sh")
    _, out, err = run.sh(
        pod, f"{run.target.env_prefix()}UV_OFFLINE=1 PROJECT={probe.PROJECT} bash {script}"
    )
    changes = probe.uv_changes(out + err)
    if changes:
        raise StepFailed(f"the env on the volume was reinstalled on pod 2: uv says {changes}")
    again = inspect_env(run, pod)
    if probe.fingerprint(again) != probe.fingerprint(first):
        raise StepFailed(
            "what is installed on the volume changed on pod 2 (reinstalled): "
            f"{sorted(set(again['dists'].items()) ^ set(first['dists'].items()))}"
        )
    run.note(
        f"imports kgl_live_probe ({again['prefix']}); offline uv sync installed nothing; "
        f"the same {len(again['dists'])} distribution(s) by content"
    )


# torch and torchvision from the pod's python3 (setup.sh installs the torchvision that
# matches the image's torch), then a matmul on the GPU: the result checked against the CPU,
# the time taken after a warm-up, synchronised. One JSON line; a failed import is reported,
# not raised, so the judge can say what was missing.
GPU_SIZE = 2048
GPU_CHECK = f"""
import json, time
out = {{"size": {GPU_SIZE}}}
try:
    started = time.perf_counter()
    import torch, torchvision
    out.update(import_seconds=time.perf_counter() - started, torch=torch.__version__,
               torchvision=torchvision.__version__, cuda=torch.version.cuda,
               available=torch.cuda.is_available())
    if out["available"]:
        a = torch.randn({GPU_SIZE}, {GPU_SIZE}, device="cuda")
        b = torch.randn({GPU_SIZE}, {GPU_SIZE}, device="cuda")
        (a @ b).sum().item()
        torch.cuda.synchronize()
        started = time.perf_counter()
        c = a @ b
        torch.cuda.synchronize()
        out["matmul_seconds"] = time.perf_counter() - started
        out["device"] = torch.cuda.get_device_name(0)
        expected = a[:8].cpu().double() @ b[:, :8].cpu().double()
        out["matmul_close"] = bool(torch.allclose(c[:8, :8].cpu().double(), expected,
                                                  rtol=1e-2, atol=1e-1))
        # torchvision's own CUDA kernels: a torchvision built for another torch fails here.
        boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]],
                             dtype=torch.float32, device="cuda")
        scores = torch.tensor([0.9, 0.8, 0.7], device="cuda")
        out["nms_kept"] = torchvision.ops.nms(boxes, scores, 0.5).tolist()
except Exception as error:
    out["error"] = f"{{type(error).__name__}}: {{error}}"
print("KGL_GPU_CHECK " + json.dumps(out))
"""


def gpu_check(run: Run, pod: dict) -> None:
    """`import torchvision` and a small matmul on `cuda`, timed (the report's `gpu_check`)."""
    _, out, _ = run.sh(pod, "python3 -", stdin=GPU_CHECK)
    line = next((x for x in out.splitlines() if x.startswith("KGL_GPU_CHECK ")), None)
    if line is None:
        raise StepFailed(f"the GPU check printed no result: {out[-300:]!r}")
    seen = json.loads(line.split(" ", 1)[1])
    record, detail, rehearsal = run.target.judge_gpu(seen)
    run.report.gpu_check = record
    run.note(detail, rehearsal)


# What pod 2 runs in place of a reader's training: quick, and a command that exists (the
# script refuses one that does not before it starts).
AUTO_STOP_COMMAND = "python3 -c 'print(\"kgl-live: training stand-in done\")'"
AUTO_STOP_GRACE = 1  # seconds (real time, on the fake too); the reader's default is 60
AUTO_STOP_SLACK = 30  # seconds for the script's own work: the command, sync, curl


def auto_stop(run: Run, pod: dict) -> None:
    """snippets/auto-stop.sh as a reader runs it: the pod ends itself with its own key once
    the command is done. The replay only watches the pod leave RUNNING (the SSH session goes
    with it, so the script runs detached and its output stays on the volume)."""
    from snippets import errors
    from snippets.pod import get_pod

    script = run.put(pod, SNIPPETS / "auto-stop.sh")
    log = f'"{WORKSPACE}/kgl-auto-stop.out"'
    run.sh(
        pod,
        f"GRACE_SECONDS={AUTO_STOP_GRACE} nohup bash {script} {AUTO_STOP_COMMAND} "
        f">{log} 2>&1 </dev/null &",
    )
    started = time.monotonic()
    deadline = started + run.timeout(run.s.gone_timeout) + AUTO_STOP_GRACE + AUTO_STOP_SLACK
    while True:
        try:
            status = get_pod(pod["id"])["status"]
        except errors.NotFound:
            status = "gone"
        if status != "RUNNING":
            break
        if time.monotonic() >= deadline:
            _, said, _ = run.sh(pod, f"tail -n 5 {log}", check=False)
            raise StepFailed(
                f"the pod is still RUNNING: auto-stop.sh did not end it; it "
                f"said: {said.strip()[-600:]!r}"
            )
        time.sleep(run.poll())
    waited = (time.monotonic() - started) / run.target.time_scale
    run.note(
        f"auto-stop.sh ran the command, then the pod ended itself with its own key: "
        f"{status} after {waited:.0f} s (grace {AUTO_STOP_GRACE} s)"
    )
