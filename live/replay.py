"""Replay the guide on a pod, then destroy everything: `python -m live.replay`.

    --target real   rents a real pod on api.runpod.io (needs RUNPOD_API_KEY; the only code
                    in the project allowed to talk to the real API). `make live`.
    --target fake   starts the local fake Runpod (fake_runpod) and runs the same code
                    against it: an offline rehearsal. `make live-local`.

Only the reader-facing `snippets` package touches Runpod, so the replay proves the code the
pages show. Every resource is named `kgl-live-<run id>...`; teardown runs in `finally`, also
on SIGINT/SIGTERM and when the wall-time budget runs out (signal handlers raise into it), and
ends by asking the API whether anything with this run's name is left (`leaked`).
Anything that survives a SIGKILL is found by `python -m live.sweep`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from live import naming
from live.report import Redactor, Report, StepFailed

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
REAL_API = "https://api.runpod.io"
VOLUME_PRICE_PER_GB_MONTH = 0.07  # docs.runpod.io/storage/network-volumes (under 1 TB)
HOURS_PER_MONTH = 730
MARKER = "kgl-live-marker"
PROJECT = "kgl-live-project"  # folder on the volume for the Python env check

# Step name -> what it checks. The order is the replay's order; page_steps.yml maps pages to
# these names (a test keeps the two in sync).
CHECKS: dict[str, str] = {
    "preflight": "API key present; worst-case cost (max price x max wall time + volume) under "
                 "the cap; ssh tools present",
    "secret_create": "a per-run dummy Kaggle token is stored as a Runpod secret and the API "
                     "response does not echo it",
    "volume_create": "a network volume of the smallest allowed size is created",
    "pod1_deploy": "the cheapest GPU under the max price is rented with the recommended image, "
                   "the volume and the secret, falling back over GPU types and data centers",
    "pod1_ready": "the pod gets a runtime with a public SSH port that accepts the run's key",
    "setup_first": "snippets/setup.sh succeeds on a fresh pod and writes the Kaggle token file",
    "setup_again": "snippets/setup.sh succeeds a second time and leaves the token file as is",
    "kaggle_auth": "snippets/check-secrets.sh finds the Kaggle token without printing it; the "
                   "pod's token equals the stored secret (by hash); token file mode 600",
    "versions": "python3, CUDA and torch in the pod match snippets/recommended_image.toml",
    "python_env": "snippets/python-env-uv.sh builds the project environment on the volume",
    "marker_write": "a marker with the run id is written to the volume",
    "pod1_terminate": "pod 1 is terminated and leaves the pod list",
    "pod2_deploy": "a second pod starts on the same volume",
    "pod2_ready": "pod 2 accepts SSH",
    "pod2_marker": "pod 2 is a fresh machine (new HOME) and sees pod 1's marker on the volume",
    "pod2_env": "the environment on the volume imports its packages on pod 2 without "
                "reinstalling",
    "pod2_terminate": "pod 2 is terminated and leaves the pod list",
    "pods_cleanup": "no pod with this run's name is left (terminates leftovers)",
    "volume_delete": "the run's network volume is deleted",
    "secret_delete": "the run's secret is deleted",
    "leak_check": "the API lists no pod, volume or secret with this run's name",
}

SKIP_MESSAGE = (
    "RUNPOD_API_KEY が設定されていないため、実機での再現 (make live) を飛ばしました。"
    "オフラインのリハーサルは make live-local で実行できます。\n"
    "Skipped the live replay (make live): RUNPOD_API_KEY is not set. "
    "Run the offline rehearsal with make live-local."
)


class Interrupted(BaseException):
    """Raised by the signal handlers so the `finally` teardown runs (BaseException: no
    `except Exception` on the way may swallow it)."""


@dataclass
class Settings:
    target: str
    max_cost: float
    max_price: float
    max_wall_seconds: float
    teardown_margin: float
    ready_timeout: float
    gone_timeout: float
    poll: float
    volume_gb: int
    data_centers: list[str]
    gpu_tries: int

    @classmethod
    def from_env(cls, target: str, env: dict | None = None) -> Settings:
        env = os.environ if env is None else env
        real = target == "real"

        def num(name: str, default: float) -> float:
            return float(env.get(name) or default)

        return cls(
            target=target,
            max_cost=num("LIVE_MAX_COST", 0.25),
            max_price=num("LIVE_MAX_PRICE", 0.50),
            max_wall_seconds=num("LIVE_MAX_MINUTES", 20 if real else 2) * 60,
            # The wall-time alarm fires this long before the budget, to leave time to clean up.
            teardown_margin=num("LIVE_TEARDOWN_MARGIN", 180 if real else 15),
            ready_timeout=num("LIVE_READY_TIMEOUT", 600 if real else 15),
            gone_timeout=num("LIVE_GONE_TIMEOUT", 120 if real else 10),
            poll=num("LIVE_POLL", 5 if real else 0.2),
            volume_gb=int(num("LIVE_VOLUME_GB", 10)),  # REST v2 minimum
            data_centers=(env.get("LIVE_DATA_CENTERS")
                          or "EU-RO-1,US-KS-2,EU-SE-1,CA-MTL-1").split(","),
            gpu_tries=int(num("LIVE_GPU_TRIES", 3)),
        )

    def budget(self) -> dict:
        return {"max_cost_usd": self.max_cost, "max_price_per_hour": self.max_price,
                "max_wall_seconds": self.max_wall_seconds}


def volume_cost(size_gb: float, seconds: float) -> float:
    return size_gb * VOLUME_PRICE_PER_GB_MONTH / HOURS_PER_MONTH * seconds / 3600


def version_prefix(text: str) -> str | None:
    """'Python 3.12.3' -> '3.12.3'; '2.8.0+cu128' -> '2.8.0'."""
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", text or "")
    return match.group(1) if match else None


def same_minor(observed: str | None, expected: str) -> bool:
    """'3.12.3' matches '3.12'; '3.120' does not."""
    return observed is not None and (observed == expected or observed.startswith(expected + "."))


def probe_wheel(folder: Path, run_id: str) -> Path:
    """A minimal pure-Python wheel whose module holds the run id (built by hand: a wheel is
    a zip with METADATA, WHEEL and a RECORD of sha256 hashes)."""
    import base64
    import zipfile

    info = "kgl_live_probe-1.0.0.dist-info"
    files = {
        "kgl_live_probe/__init__.py": f'MARK = "{run_id}"\n',
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: kgl-live-probe\nVersion: 1.0.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: kgl-live\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / "kgl_live_probe-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def project_toml(wheel_name: str, real: bool) -> str:
    """The project python-env-uv.sh builds: the probe, plus a PyPI package on the real run."""
    deps = '"kgl-live-probe", "six"' if real else '"kgl-live-probe"'
    offline = "" if real else "no-index = true\n"
    return (f'[project]\nname = "{PROJECT}"\nversion = "0"\nrequires-python = ">=3.11"\n'
            f"dependencies = [{deps}]\n\n[tool.uv]\npackage = false\n{offline}\n"
            f'[tool.uv.sources]\nkgl-live-probe = {{ path = "wheels/{wheel_name}" }}\n')


@dataclass
class Resources:
    """What this run created, with start times for the cost estimate."""
    secret_id: str | None = None
    volume: dict | None = None
    volume_started: float = 0.0
    pods: dict[str, dict] = field(default_factory=dict)  # id -> {"pod", "price", "started"}
    spent: float = 0.0  # dollars of pods and volumes already gone


class Replay:
    def __init__(self, settings: Settings, report: Report, redactor: Redactor) -> None:
        self.s = settings
        self.report = report
        self.redactor = redactor
        self.run_id = report.run_id
        self.res = Resources()
        self.keydir = Path(tempfile.mkdtemp(prefix="kgl-live-key-"))
        self.identity = self.keydir / "id_ed25519"
        self.token = ""
        self.env_state: dict = {}
        # Imported late: the target decides RUNPOD_API_BASE_URL before the snippets run.
        from snippets import api, pod, pricing, remote, secret, volume

        self.api, self.pod, self.pricing = api, pod, pricing
        self.remote, self.secret, self.volume = remote, secret, volume
        self.image = api.load_recommended()

    # ---- helpers -------------------------------------------------------------------------
    def name(self, role: str | None = None) -> str:
        return naming.resource_name(self.run_id, role)

    def mine(self, name: str | None) -> bool:
        parsed = naming.parse_name(name)
        return parsed is not None and parsed[0] == self.run_id

    def sh(self, pod: dict, command: str, check: bool = True) -> tuple[int, str, str]:
        """Run a command on a pod with snippets.remote, as the reader's terminal would.
        Runpod's images keep the pod env for SSH shells in /etc/rp_environment."""
        wrapped = f"[ -r /etc/rp_environment ] && . /etc/rp_environment; {command}"
        done = self.remote.run(pod, wrapped, str(self.identity), check=False)
        out, err = (x.decode("utf-8", "replace") if isinstance(x, bytes) else (x or "")
                    for x in (done.stdout, done.stderr))
        if self.token and (self.token in out or self.token in err):
            raise StepFailed(f"the secret value appeared in the output of: {command}")
        if check and done.returncode != 0:
            raise StepFailed(f"`{command}` exited {done.returncode}: "
                             f"{self.redactor.scrub((err or out)[-800:])}")
        return done.returncode, out, err

    def put(self, pod: dict, snippet: str) -> str:
        """Upload snippets/<snippet> into the pod's HOME; returns the remote name."""
        remote_name = f"kgl-{Path(snippet).name}"
        self.remote.upload(pod, str(SNIPPETS / snippet), remote_name, str(self.identity))
        return remote_name

    def worst_case(self, price: float) -> float:
        wall = self.s.max_wall_seconds
        return price * wall / 3600 + volume_cost(self.s.volume_gb, wall)

    def update_cost(self) -> None:
        now = time.monotonic()
        cost = self.res.spent
        for held in self.res.pods.values():
            cost += held["price"] * (now - held["started"]) / 3600
        if self.res.volume:
            cost += volume_cost(self.s.volume_gb, now - self.res.volume_started)
        self.report.estimated_cost_usd = cost

    # ---- resources -----------------------------------------------------------------------
    def create_volume(self, data_center: str) -> dict:
        made = self.volume.create_volume(self.name("vol"), self.s.volume_gb, data_center)
        self.res.volume, self.res.volume_started = made, time.monotonic()
        return made

    def drop_volume(self, tries: int = 3) -> None:
        """Delete the run's volume. Runpod may refuse for a moment after the last pod on it
        was terminated, so a refusal is retried a few times."""
        if not self.res.volume:
            return
        for attempt in range(tries):
            try:
                self.volume.delete_volume(self.res.volume["id"])
                break
            except self.api.SnippetError:
                if attempt == tries - 1:
                    raise
                time.sleep(self.s.poll * 2)
        self.res.spent += volume_cost(self.s.volume_gb, time.monotonic() - self.res.volume_started)
        self.res.volume = None

    def gpu_candidates(self, data_center: str) -> list[dict]:
        """The cheapest in-stock GPUs under the max price in a data center, cheapest first
        (at most gpu_tries). API errors propagate: only "nothing fits" means move on."""
        offers = self.pricing.gpu_prices(data_center)
        return [o for o in offers if o["price"] <= self.s.max_price][: self.s.gpu_tries]

    def deploy(self, gpu: dict, role: str, public_key: str) -> dict:
        price = float(gpu["price"])
        if self.worst_case(price) > self.s.max_cost:
            raise StepFailed(f"{gpu['id']} at ${price}/h could cost ${self.worst_case(price):.3f}"
                             f" > cap ${self.s.max_cost}: not deploying")
        made = self.pod.deploy_pod(
            self.res.volume["id"], gpu_type_id=gpu["id"], max_price=self.s.max_price,
            env=self.secret.secret_env("KAGGLE_API_TOKEN", self.name("kaggle")),
            name=self.name(role), public_key=public_key, image=self.image["image"]["name"])
        self.res.pods[made["id"]] = {"pod": made, "price": price, "started": time.monotonic()}
        return made

    def deploy_with_fallback(self, role: str, public_key: str, data_centers: list[str]) -> dict:
        attempts: list[str] = []
        for data_center in data_centers:
            if self.res.volume is None or self.res.volume.get("dataCenter") != data_center:
                # Volumes live in one data center: follow the capacity with a new one.
                self.drop_volume()
                self.create_volume(data_center)
                attempts.append(f"volume moved to {data_center}")
            candidates = self.gpu_candidates(data_center)
            if not candidates:
                attempts.append(f"{data_center}: no GPU in stock under ${self.s.max_price}/h")
            for gpu in candidates:
                try:
                    made = self.deploy(gpu, role, public_key)
                except self.api.NoCapacityError as error:  # anything else fails the step
                    attempts.append(f"{data_center}/{gpu['id']}: {error}")
                    continue
                if role == "pod1":
                    r = self.report
                    r.gpu_type, r.gpu_name = gpu["id"], gpu.get("displayName") or gpu["id"]
                    r.data_center, r.price_per_hour = data_center, float(gpu["price"])
                detail = f"{gpu['id']} in {data_center} at ${gpu['price']}/h"
                self.report.steps[f"{role}_deploy"].detail = "; ".join([*attempts, detail])
                return made
        raise StepFailed("no capacity anywhere: " + "; ".join(attempts))

    def ready(self, made: dict, role: str) -> dict:
        running = self.pod.wait_until_ready(made["id"], timeout=self.s.ready_timeout,
                                            poll=self.s.poll)
        self.res.pods[made["id"]]["pod"] = running
        host, port = self.pod.ssh_endpoint(running)
        self.sh(running, "true")
        self.report.steps[f"{role}_ready"].detail = f"SSH {host}:{port} accepts the run's key"
        return running

    def terminate(self, pod_id: str) -> None:
        self.pod.terminate_pod(pod_id)
        held = self.res.pods.pop(pod_id, None)
        if held:
            self.res.spent += held["price"] * (time.monotonic() - held["started"]) / 3600
        deadline = time.monotonic() + self.s.gone_timeout
        while any(p.get("id") == pod_id for p in self.pod.list_pods()):
            if time.monotonic() > deadline:
                raise StepFailed(f"pod {pod_id} is still listed {self.s.gone_timeout:.0f}s "
                                 "after terminate")
            time.sleep(self.s.poll)

    # ---- the guide, step by step ---------------------------------------------------------
    def run(self) -> None:
        r = self.report
        with r.step("preflight") as st:
            self.redactor.add(self.api.api_key())  # raises SnippetError without a key
            worst = self.worst_case(self.s.max_price)
            if worst > self.s.max_cost:
                raise StepFailed(f"worst case ${worst:.3f} exceeds the cap ${self.s.max_cost}")
            missing = [tool for tool in ("ssh", "ssh-keygen", "scp") if not shutil.which(tool)]
            if missing:
                raise StepFailed(f"missing tools: {', '.join(missing)}")
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", self.name(),
                            "-f", str(self.identity)], check=True, stdout=subprocess.DEVNULL)
            st.detail = (f"worst case ${worst:.3f} <= cap ${self.s.max_cost} "
                         f"({self.s.max_wall_seconds / 60:.0f} min at ${self.s.max_price}/h)")
        public_key = self.identity.with_suffix(".pub").read_text().strip()

        with r.step("secret_create") as st:
            self.token = "KGAT_" + secrets.token_hex(16)  # a dummy Kaggle token, new each run
            self.redactor.add(self.token)
            made = self.secret.create_secret(self.name("kaggle"), self.token,
                                             description="kgl-live dummy Kaggle token")
            self.res.secret_id = made["id"]
            if self.token in repr(made):
                raise StepFailed("the API echoed the secret value")
            st.detail = f"secret {made.get('name')}"

        with r.step("volume_create") as st:
            made = self.create_volume(self.s.data_centers[0])
            st.detail = f"{made.get('size')} GB in {made.get('dataCenter')}"

        with r.step("pod1_deploy"):
            pod1 = self.deploy_with_fallback("pod1", public_key, self.s.data_centers)
        with r.step("pod1_ready"):
            pod1 = self.ready(pod1, "pod1")

        setup = token_file = None
        with r.step("setup_first") as st:
            setup = self.put(pod1, "setup.sh")
            self.sh(pod1, f"{self.setup_prefix(pod1)}bash {setup}")
            token_file = self.token_file_state(pod1)
            tools = self.check_tools(pod1, st, first=True)
            st.detail = f"{tools}; token file mode {token_file['mode']}"
        with r.step("setup_again") as st:
            self.sh(pod1, f"{self.setup_prefix(pod1)}bash {setup}")
            again = self.token_file_state(pod1)
            if again != token_file:
                raise StepFailed(f"token file changed on the second run: {token_file} -> {again}")
            tools = self.check_tools(pod1, st, first=False)
            st.detail = f"{tools}; token file unchanged"

        with r.step("kaggle_auth") as st:
            check = self.put(pod1, "check-secrets.sh")
            self.sh(pod1, f"bash {check}")
            _, digest, _ = self.sh(pod1, 'printf %s "$KAGGLE_API_TOKEN" | sha256sum')
            if digest.split()[0] != hashlib.sha256(self.token.encode()).hexdigest():
                raise StepFailed("KAGGLE_API_TOKEN in the pod differs from the stored secret")
            if token_file["mode"] != "600" or token_file["sha256"] != digest.split()[0]:
                raise StepFailed(f"~/.kaggle/access_token: mode {token_file['mode']}, "
                                 "content must equal the secret")
            st.detail = "token set, equal to the secret by sha256, file mode 600, not printed"

        with r.step("versions") as st:
            self.check_versions(pod1, st)

        with r.step("python_env") as st:
            self.build_env(pod1, st)

        with r.step("marker_write") as st:
            self.sh(pod1, f'printf %s {self.run_id} > "${{WORKSPACE:-/workspace}}/{MARKER}"')
            st.detail = f"$WORKSPACE/{MARKER} = {self.run_id}"

        with r.step("pod1_terminate"):
            self.terminate(pod1["id"])

        with r.step("pod2_deploy"):
            pod2 = self.deploy_with_fallback("pod2", public_key, [self.res.volume["dataCenter"]])
        with r.step("pod2_ready"):
            pod2 = self.ready(pod2, "pod2")

        with r.step("pod2_marker") as st:
            _, seen, _ = self.sh(pod2, f'cat "${{WORKSPACE:-/workspace}}/{MARKER}"')
            if seen.strip() != self.run_id:
                raise StepFailed(f"marker reads {seen.strip()!r}, expected {self.run_id}")
            code, _, _ = self.sh(pod2, f"test -e {setup}", check=False)
            if code == 0:
                raise StepFailed("pod 2 still has pod 1's HOME: not a fresh pod")
            st.detail = "marker found; HOME is fresh"

        with r.step("pod2_env") as st:
            self.check_env_again(pod2, st)

        with r.step("pod2_terminate"):
            self.terminate(pod2["id"])

    def setup_prefix(self, pod: dict) -> str:
        """On the fake, the pod is this machine: apt and pip are replaced by the recording
        shims of fake_runpod.image (a fresh set per pod, like a fresh image), so the
        rehearsal never installs anything on the host. Nothing on a real pod."""
        if self.s.target != "fake":
            return ""
        from fake_runpod.image import install_shims, shim_env

        root = self.keydir / "pods" / pod["id"]
        shims, state = root / "shims", root / "state"
        if not shims.exists():
            (state / "site").mkdir(parents=True)
            (state / "calls.log").touch()
            install_shims(shims)
        exports = " ".join(f"{key}={value}" for key, value in shim_env(shims, state).items())
        return f'export PATH={shims}:"$PATH" {exports}; '

    def check_tools(self, pod: dict, st, first: bool) -> str:
        """What setup.sh promises besides the token: fish, tmux, htop, and kaggle 2.x with
        poetry and uv; installed once (the second run installs nothing)."""
        if self.s.target == "fake":
            st.rehearsal = True
            log = (self.keydir / "pods" / pod["id"] / "state" / "calls.log").read_text()
            installs = [line for line in log.splitlines()
                        if line.startswith(("apt-get install", "python3 -m pip install"))]
            if first and len(installs) != 2:
                raise StepFailed(f"expected one apt-get and one pip install, saw {installs}")
            if not first and len(installs) != 2:
                raise StepFailed(f"the second run installed again: {installs}")
            return f"rehearsal: apt/pip shims saw {len(installs)} install call(s)"
        _, out, _ = self.sh(pod, "command -v fish tmux htop && python3 -c 'import importlib."
                                 "metadata as m; print(m.version(\"kaggle\"), m.version(\"uv\"), "
                                 "m.version(\"poetry\"))'")
        kaggle = out.strip().splitlines()[-1].split()[0]
        if int(kaggle.split(".")[0]) < 2:
            raise StepFailed(f"kaggle {kaggle} installed; the guide needs kaggle 2.x")
        return f"fish, tmux, htop present; kaggle/uv/poetry {out.strip().splitlines()[-1]}"

    def token_file_state(self, pod: dict) -> dict:
        _, out, _ = self.sh(pod, 'f="$HOME/.kaggle/access_token"; stat -c "%a %Y" "$f" '
                                 '&& sha256sum < "$f"')
        first, second = out.strip().splitlines()[:2]
        mode, mtime = first.split()
        return {"mode": mode, "mtime": mtime, "sha256": second.split()[0]}

    def check_versions(self, pod: dict, st) -> None:
        want = self.image["image"]
        _, out, _ = self.sh(pod, "python3 --version")
        python = version_prefix(out)
        torch_code, torch_out, _ = self.sh(
            pod, "python3 -c 'import torch; print(torch.__version__, torch.version.cuda, "
                 "torch.cuda.is_available())'", check=False)
        smi_code, smi_out, _ = self.sh(
            pod, "nvidia-smi --query-gpu=name,driver_version --format=csv,noheader", check=False)
        seen = (f"python {python}; torch/cuda: {torch_out.strip() or 'none'}; "
                f"nvidia-smi: {smi_out.strip() or 'none'}")
        if self.s.target == "fake":
            # The fake pod is this machine: no GPU, no torch. The rehearsal checks that the
            # commands run over SSH and their output parses, against what the fake reports.
            local = version_prefix(subprocess.run(
                ["python3", "--version"], capture_output=True, text=True,
                env={"PATH": os.environ.get("PATH", "")}).stdout)
            if python is None or python != local:
                raise StepFailed(f"python over SSH {python!r} != local python3 {local!r}")
            st.rehearsal = True
            st.detail = (f"rehearsal: {seen}; the real run expects python {want['python']}, "
                         f"cuda {want['cuda']}, torch {want['torch']}")
            return
        torch_ver, cuda, available = (torch_out.split() + [None, None, None])[:3]
        problems = []
        if not same_minor(python, want["python"]):
            problems.append(f"python {python} != {want['python']}")
        if torch_code != 0 or not same_minor(version_prefix(torch_ver), want["torch"]):
            problems.append(f"torch {torch_ver} != {want['torch']}")
        if not same_minor(cuda, want["cuda"]):
            problems.append(f"torch CUDA {cuda} != {want['cuda']}")
        if available != "True" or smi_code != 0:
            problems.append("no GPU visible (torch.cuda.is_available / nvidia-smi)")
        if problems:
            raise StepFailed("; ".join(problems) + f" (seen: {seen})")
        st.detail = seen

    def env_prefix(self) -> str:
        """On the fake, uv comes from this project's own .venv (the fake pod is this machine
        and setup.sh's pip install was a shim there) and may not touch the network."""
        if self.s.target != "fake":
            return ""
        return (f"export PATH={Path(sys.executable).parent}:\"$PATH\" UV_OFFLINE=1 "
                "UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1; ")

    def build_env(self, pod: dict, st) -> None:
        """snippets/python-env-uv.sh on a tiny project on the volume. Its one dependency is a
        probe wheel made for this run (so an import proves which env it is); the real run
        also pulls a small package from PyPI, as a reader's first `uv sync` does."""
        wheel = probe_wheel(self.keydir, self.run_id)
        self.remote.upload(pod, str(wheel), wheel.name, str(self.identity))
        pyproject = self.keydir / "pyproject.toml"
        pyproject.write_text(project_toml(wheel.name, real=self.s.target == "real"))
        self.remote.upload(pod, str(pyproject), "kgl-pyproject.toml", str(self.identity))
        script = self.put(pod, "python-env-uv.sh")
        self.sh(pod, f'd="${{WORKSPACE:-/workspace}}/{PROJECT}" && mkdir -p "$d/wheels" && '
                     f'mv {wheel.name} "$d/wheels/" && mv kgl-pyproject.toml "$d/pyproject.toml"')
        _, out, _ = self.sh(pod, f"{self.env_prefix()}PROJECT={PROJECT} bash {script}")
        if "venv:" not in out:
            raise StepFailed(f"python-env-uv.sh did not report the venv: {out[-300:]}")
        self.env_state = self.probe(pod)
        st.detail = f"{self.env_state['import']}; .venv on the volume"

    def probe(self, pod: dict) -> dict:
        """Import the probe with the project's venv; fingerprint what is installed."""
        venv = f'"${{WORKSPACE:-/workspace}}/{PROJECT}/.venv"'
        _, out, _ = self.sh(pod, f"{venv}/bin/python -c 'import kgl_live_probe as p, sys; "
                                 f"print(p.MARK, sys.prefix)'")
        mark, prefix = out.split()[:2]
        if mark != self.run_id:
            raise StepFailed(f"the env imports probe {mark!r}, not this run's {self.run_id}")
        _, listing, _ = self.sh(pod, f"cd {venv} && find lib -name '*.dist-info' -o -name "
                                     "'__init__.py' -path '*kgl_live_probe*' | sort | "
                                     "xargs stat -c '%n %Y %i'")
        if "kgl_live_probe-1.0.0.dist-info" not in listing:
            raise StepFailed(f"the probe is not installed in the env: {listing[-300:]}")
        return {"import": f"imports kgl_live_probe ({prefix})", "files": listing}

    def check_env_again(self, pod: dict, st) -> None:
        """Pod 2 runs setup.sh (as every new pod does), then the same env script offline:
        the env must import and nothing may be reinstalled (same files, same times)."""
        setup = self.put(pod, "setup.sh")
        self.sh(pod, f"{self.setup_prefix(pod)}bash {setup}")
        before = self.probe(pod)
        script = self.put(pod, "python-env-uv.sh")
        self.sh(pod, f"{self.env_prefix()}UV_OFFLINE=1 PROJECT={PROJECT} bash {script}")
        after = self.probe(pod)
        if not (self.env_state["files"] == before["files"] == after["files"]):
            raise StepFailed("the env on the volume changed on pod 2 (reinstalled)")
        st.detail = f"{after['import']}; offline uv sync reinstalled nothing"

    # ---- teardown ------------------------------------------------------------------------
    def teardown(self) -> None:
        """Runs whatever happened before. Each part is its own step, so one failure does not
        stop the others; everything is looked up by this run's name as well, to catch
        resources created by a call that failed before returning."""
        r = self.report
        with contextlib.suppress(Exception), r.step("pods_cleanup") as st:
            leftovers = {p["id"] for p in self.pod.list_pods() if self.mine(p.get("name"))}
            leftovers |= set(self.res.pods)
            for pod_id in sorted(leftovers):
                self.terminate(pod_id)
            st.detail = f"terminated {len(leftovers)} leftover pod(s)"
        with contextlib.suppress(Exception), r.step("volume_delete") as st:
            self.drop_volume()
            others = [v for v in self.volume.list_volumes() if self.mine(v.get("name"))]
            for extra in others:
                self.volume.delete_volume(extra["id"])
            st.detail = "deleted" + (f" (+{len(others)} found by name)" if others else "")
        with contextlib.suppress(Exception), r.step("secret_delete") as st:
            ids = {s["id"] for s in self.secret.list_secrets() if self.mine(s.get("name"))}
            if self.res.secret_id:
                ids.add(self.res.secret_id)
            for secret_id in sorted(ids):
                self.secret.delete_secret(secret_id)
            st.detail = f"deleted {len(ids)} secret(s)"
        with contextlib.suppress(Exception), r.step("leak_check") as st:
            r.leaked = self.leftovers()
            if r.leaked:
                raise StepFailed(f"still listed: {r.leaked}")
            st.detail = "no pod, volume or secret with this run's name"
        self.update_cost()
        shutil.rmtree(self.keydir, ignore_errors=True)

    def leftovers(self) -> list[dict]:
        found = []
        for kind, items in (("pod", self.pod.list_pods()), ("volume", self.volume.list_volumes()),
                            ("secret", self.secret.list_secrets())):
            found += [{"kind": kind, "id": str(item.get("id")), "name": str(item.get("name"))}
                      for item in items if self.mine(item.get("name"))]
        return found


# ---- running it ---------------------------------------------------------------------------
def _raise_interrupted(signum, _frame):
    if signum == signal.SIGALRM:
        raise Interrupted("wall-time budget (LIVE_MAX_MINUTES) used up")
    raise Interrupted(f"stopped by {signal.Signals(signum).name}")


def _ignore_during_teardown(signum, _frame):
    print(f"[live] {signal.Signals(signum).name} ignored: teardown in progress",
          file=sys.stderr, flush=True)


def run_replay(settings: Settings, run_id: str | None = None, report_file: Path | None = None,
               *, use_signals: bool = False,
               on_step: Callable[[str], None] | None = None) -> tuple[int, dict]:
    """Run one replay against whatever RUNPOD_API_BASE_URL/RUNPOD_API_KEY say; returns
    (exit status, report). With use_signals (the CLI), SIGINT/SIGTERM and a wall-time alarm
    raise Interrupted into the teardown. on_step(name) is called as each step starts (tests
    use it to inject a fault into one step)."""
    redactor = Redactor()
    redactor.add(os.environ.get("RUNPOD_API_KEY"))
    run_id = run_id or naming.new_run_id()
    from snippets.api import load_recommended

    report = Report.new(run_id, settings.target, load_recommended()["image"]["name"],
                        settings.budget(), CHECKS, redactor)
    report.on_step = on_step
    redactor.say(f"run {naming.resource_name(run_id)} target={settings.target}")
    replay = Replay(settings, report, redactor)

    handlers = {}
    if use_signals:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            handlers[signum] = signal.signal(signum, _raise_interrupted)
        signal.setitimer(signal.ITIMER_REAL,
                         max(1.0, settings.max_wall_seconds - settings.teardown_margin))
    status = 0
    try:
        replay.run()
    except Interrupted as stop:
        redactor.say(f"{stop}: tearing down")
        report.mark_interrupted(str(stop))
        status = 130 if "SIGINT" in str(stop) else 143 if "SIGTERM" in str(stop) else 1
    except Exception as error:  # the failed step is already recorded
        redactor.say(f"replay stopped: {type(error).__name__}")
    finally:
        if use_signals:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for signum in handlers:  # a second Ctrl-C must not cut the teardown short
                signal.signal(signum, _ignore_during_teardown)
        try:
            report.on_step = None
            replay.teardown()
            path, data = report.write(report_file)
        finally:
            for signum, previous in handlers.items():
                signal.signal(signum, previous)
    redactor.say(f"report {path}: {data['outcome']}"
                 + (f", failed step {data['failed_step']}" if data["failed_step"] else "")
                 + f", {data['wall_seconds']} s, ${data['estimated_cost_usd']}, "
                   f"leaked {len(data['leaked'])}")
    if data["outcome"] != "passed" and status == 0:
        status = 1
    return status, data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m live.replay",
                                     description="Replay the guide on a pod, then destroy it.")
    parser.add_argument("--target", choices=["real", "fake"], required=True)
    parser.add_argument("--fake-url", help="use an already running fake Runpod at this URL "
                        "(key from RUNPOD_API_KEY) instead of starting one")
    parser.add_argument("--run-id", default=os.environ.get("LIVE_RUN_ID") or None,
                        help="run id to use (UTC timestamp + suffix; default: env LIVE_RUN_ID "
                        "or a new one); the workflow picks one so its sweep job finds this run")
    args = parser.parse_args(argv)
    if args.run_id and not naming.is_run_id(args.run_id):
        parser.error(f"bad --run-id {args.run_id!r}")
    settings = Settings.from_env(args.target)

    if args.target == "real":
        if not os.environ.get("RUNPOD_API_KEY"):
            print(SKIP_MESSAGE)
            return 0
        base = os.environ.get("RUNPOD_API_BASE_URL")
        if base and base.rstrip("/") != REAL_API:
            print(f"--target real は {REAL_API} だけを使います (RUNPOD_API_BASE_URL={base})。\n"
                  f"--target real talks to {REAL_API} only; unset RUNPOD_API_BASE_URL.",
                  file=sys.stderr)
            return 2
        os.environ["RUNPOD_API_BASE_URL"] = REAL_API
        return run_replay(settings, args.run_id, use_signals=True)[0]

    if args.fake_url:
        os.environ["RUNPOD_API_BASE_URL"] = args.fake_url
        return run_replay(settings, args.run_id, use_signals=True)[0]
    from fake_runpod import FakeRunpod

    fake = FakeRunpod(faults=os.environ.get("FAKE_RUNPOD_FAULTS") or None).start()
    try:
        os.environ["RUNPOD_API_BASE_URL"] = fake.url
        os.environ["RUNPOD_API_KEY"] = fake.api_key
        return run_replay(settings, args.run_id, use_signals=True)[0]
    finally:
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
