"""Where the replay runs: the real Runpod, or the local fake. Everything that differs between
the two lives here, so the step script (live/guide.py) is the same for both.

A target says how to reach the API, how long Runpod's own waits take on its clock (the fake
runs them faster by its time scale; the settings stay those of a real night), what the
pod's image offers (on the fake, apt and pip are recording shims and there is no GPU), and
so what the tool and version checks can prove there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from live.cost import Plan
from live.judging import describe, gpu_record, same_minor, version_prefix, version_problems
from live.report import StepFailed

REAL_API = "https://api.runpod.io"
# The fake's default clock for `make live-local`: a ten-minute image pull takes 3 s.
REHEARSAL_TIME_SCALE = 0.005
# On the fake, commands run on this machine and the API answers at once: these seconds are
# real time, added to the fake's scaled waits to make the rehearsal's wall-time budget.
REHEARSAL_SECONDS = 40.0
REHEARSAL_TEARDOWN_SECONDS = 15.0
MIN_POLL = 0.05
FAKE_OVERHEAD_SECONDS = 2.0  # added to each scaled wait: the fake's real-time work

Shell = Callable[..., tuple[int, str, str]]  # Run.sh(pod, command, check=True, stdin=None)


class RealTarget:
    """api.runpod.io with the key in RUNPOD_API_KEY: the only code allowed to spend money."""

    name = "real"
    time_scale = 1.0
    from_pypi = True  # the probe project also pulls a package from PyPI, as a reader does

    def can_ask(self) -> bool:
        """Whether the API can be asked anything (a key is there)."""
        return bool(os.environ.get("RUNPOD_API_KEY", "").strip())

    def connect(self, scratch) -> None:
        base = os.environ.get("RUNPOD_API_BASE_URL")
        if base and base.rstrip("/") != REAL_API:
            raise TargetError(
                f"--target real は {REAL_API} だけを使います（RUNPOD_API_BASE_URL="
                f"{base}）。RUNPOD_API_BASE_URL を外してください。"
            )
        os.environ["RUNPOD_API_BASE_URL"] = REAL_API

    def close(self) -> None:
        pass

    def timeout(self, seconds: float) -> float:
        """How long to wait, on this target's clock, for what takes Runpod `seconds`."""
        return seconds

    def poll(self, seconds: float) -> float:
        return seconds

    def wall(self, plan: Plan) -> tuple[float, float]:
        """(seconds the run may take, seconds of it kept for the teardown)."""
        return plan.worst_seconds, plan.settings.teardown_margin

    def watchdog_hours(self, seconds_left: float) -> float:
        """A pod's max_hours when the run has seconds_left (this machine's clock): the
        watchdog sleeps in the pod in real time, on the fake too. Never 0 (that is "no
        limit" to deploy_pod): at least a minute."""
        from snippets import watchdog

        return max(seconds_left, watchdog.MIN_SECONDS) / 3600

    def setup_prefix(self, pod: dict, folder: Path) -> str:
        return ""

    def env_prefix(self) -> str:
        return ""

    def check_tools(self, sh: Shell, pod: dict, folder: Path, first: bool) -> tuple[str, bool]:
        """What setup.sh promises besides the token: fish, tmux, htop, kaggle 2.x, uv, poetry."""
        _, out, _ = sh(
            pod,
            "command -v fish tmux htop && python3 -c 'import importlib."
            'metadata as m; print(m.version("kaggle"), m.version("uv"), '
            'm.version("poetry"))\'',
        )
        versions = out.strip().splitlines()[-1]
        if int(versions.split()[0].split(".")[0]) < 2:
            raise StepFailed(f"kaggle {versions.split()[0]} installed; the guide needs kaggle 2.x")
        return f"fish, tmux, htop present; kaggle/uv/poetry {versions}", False

    def judge_versions(self, seen: dict, want: dict) -> tuple[str, bool]:
        """python, torch and its CUDA as snippets/recommended_image.toml says, and a GPU."""
        torch_version, cuda, available = (seen["torch"].split() + [None, None, None])[:3]
        problems = []
        if not same_minor(version_prefix(seen["python"]), want["python"]):
            problems.append(f"python {version_prefix(seen['python'])} != {want['python']}")
        if seen["torch_code"] != 0 or not same_minor(version_prefix(torch_version), want["torch"]):
            problems.append(f"torch {torch_version} != {want['torch']}")
        if not same_minor(cuda, want["cuda"]):
            problems.append(f"torch CUDA {cuda} != {want['cuda']}")
        if available != "True" or seen["smi_code"] != 0:
            problems.append("no GPU visible (torch.cuda.is_available / nvidia-smi)")
        if problems:
            raise StepFailed("; ".join(problems) + f" (seen: {describe(seen)})")
        return describe(seen), False

    def judge_gpu(self, seen: dict) -> tuple[dict, str, bool]:
        """torch and torchvision import, CUDA is there, the matmul equals the CPU's and
        torchvision's CUDA kernel (nms) answers: (the report's gpu_check, detail, False)."""
        problems = [seen["error"]] if seen.get("error") else []
        if not problems and not seen.get("available"):
            problems.append("torch.cuda.is_available() is False")
        if not problems and not seen.get("matmul_close"):
            problems.append("the matmul on cuda does not equal the CPU's")
        if not problems and seen.get("nms_kept") != [0, 2]:
            problems.append(f"torchvision.ops.nms on cuda kept {seen.get('nms_kept')}, not [0, 2]")
        problems += [] if problems else version_problems(seen)
        if problems:
            raise StepFailed("; ".join(problems) + f" (seen: {seen})")
        record = gpu_record(seen, rehearsal=False)
        return (
            record,
            (
                f"torch {seen['torch']} + torchvision {seen['torchvision']} (CUDA {seen['cuda']}) "
                f"imported in {seen['import_seconds']:.1f} s; {seen['size']}x{seen['size']} "
                f"matmul on {seen['device']} in {seen['matmul_seconds'] * 1000:.1f} ms, equal to "
                "the CPU's; torchvision.ops.nms ran on cuda"
            ),
            False,
        )


class FakeTarget(RealTarget):
    """The local fake Runpod (fake_runpod): started here in its realistic mode, or one
    already running at `url`. Runpod's waits are scaled by the fake's time scale."""

    name = "fake"
    from_pypi = False  # offline: uv installs the probe from a local wheel only

    old_api_calls: list[str] | None = None  # known only for a fake started here

    def __init__(
        self,
        url: str | None = None,
        time_scale: float | None = None,
        faults: str | None = None,
        *,
        rehearsal_seconds: float = REHEARSAL_SECONDS,
        teardown_seconds: float = REHEARSAL_TEARDOWN_SECONDS,
    ) -> None:
        self.url, self.faults, self.fake = url, faults, None
        self.time_scale = time_scale or (1.0 if url else REHEARSAL_TIME_SCALE)
        self.rehearsal_seconds, self.teardown_seconds = rehearsal_seconds, teardown_seconds
        self._installs: dict[str, list[str]] = {}  # pod id -> what setup.sh's first run did
        self._real_sleep = None

    def can_ask(self) -> bool:
        return self.url is None or super().can_ask()  # a fake started here has its own key

    def connect(self, scratch) -> None:
        self._scale_api_waits()
        if self.url:
            os.environ["RUNPOD_API_BASE_URL"] = self.url
            return
        from fake_runpod import FakeRunpod

        try:  # retired mode: the old APIs answer 410, as they will on the real service
            self.fake = FakeRunpod(
                faults=self.faults, realistic=True, time_scale=self.time_scale, retired=True
            )
        except ValueError as error:  # a bad FAKE_RUNPOD_FAULTS
            raise TargetError(f"FAKE_RUNPOD_FAULTS が読めません: {error}") from None
        if scratch is not None:  # pod homes hold the token: removed even if we are killed
            scratch.also_remove(self.fake.state.root)
        self.fake.start()
        os.environ["RUNPOD_API_BASE_URL"] = self.fake.url
        os.environ["RUNPOD_API_KEY"] = self.fake.api_key

    def close(self) -> None:
        if self._real_sleep is not None:
            from snippets import api

            api.sleep, self._real_sleep = self._real_sleep, None
        if self.fake is not None:
            self.old_api_calls = self.fake.old_api_requests
            self.fake.stop()
            self.fake = None

    def _scale_api_waits(self) -> None:
        """The snippets' own waits for Runpod (backoff, Retry-After, a lost create's list
        lag) are Runpod's time: on the fake's clock, as the pulls are."""
        from snippets import api

        self._real_sleep = api.sleep
        api.sleep = lambda seconds: self._real_sleep(seconds * self.time_scale)

    def timeout(self, seconds: float) -> float:
        # The fake's own work (starting a pod's container, an SSH handshake) is real time.
        return seconds * self.time_scale + FAKE_OVERHEAD_SECONDS

    def poll(self, seconds: float) -> float:
        return max(seconds * self.time_scale, MIN_POLL)

    def wall(self, plan: Plan) -> tuple[float, float]:
        waits = plan.runpod_wait_seconds * self.time_scale + 4 * FAKE_OVERHEAD_SECONDS
        return waits + self.rehearsal_seconds, self.teardown_seconds

    def setup_prefix(self, pod: dict, folder: Path) -> str:
        """The pod is this machine: apt and pip are the recording shims of fake_runpod.image
        (a fresh set per pod, like a fresh image), so nothing is installed on the host."""
        from fake_runpod.image import install_shims, shim_env

        root = folder / "pods" / pod["id"]
        shims, state = root / "shims", root / "state"
        if not shims.exists():
            (state / "site").mkdir(parents=True)
            (state / "calls.log").touch()
            install_shims(shims)
        exports = " ".join(f"{key}={value}" for key, value in shim_env(shims, state).items())
        return f'export PATH={shims}:"$PATH" {exports}; '

    def env_prefix(self) -> str:
        """uv from this project's own .venv (setup.sh's pip install was a shim), offline."""
        return (
            f'export PATH={Path(sys.executable).parent}:"$PATH" UV_OFFLINE=1 '
            "UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1; "
        )

    def check_tools(self, sh: Shell, pod: dict, folder: Path, first: bool) -> tuple[str, bool]:
        """The first run installs the apt packages (and the pip ones, unless this machine's
        python3 already has them); the second run installs nothing more."""
        log = (folder / "pods" / pod["id"] / "state" / "calls.log").read_text()
        installs = [
            line
            for line in log.splitlines()
            if line.startswith(("apt-get install", "python3 -m pip install"))
        ]
        apt = [line for line in installs if line.startswith("apt-get")]
        if first:
            if len(apt) != 1 or len(installs) > 2:
                raise StepFailed(f"expected one apt-get and at most one pip install: {installs}")
            self._installs[pod["id"]] = installs
        elif installs != self._installs.get(pod["id"]):
            raise StepFailed(f"the second run installed again: {installs}")
        return f"rehearsal: apt/pip shims saw {len(installs)} install call(s)", True

    def judge_versions(self, seen: dict, want: dict) -> tuple[str, bool]:
        """No GPU and no torch here, and python3 is this machine's: the commands must run
        over SSH and their answers parse; what they must say is the real run's to check."""
        if version_prefix(seen["python"]) is None:
            raise StepFailed(f"no python3 version in the pod's answer: {seen['python']!r}")
        return (
            f"rehearsal: {describe(seen)}; the real run expects python {want['python']}, "
            f"cuda {want['cuda']}, torch {want['torch']}"
        ), True

    def judge_gpu(self, seen: dict) -> tuple[dict, str, bool]:
        """No GPU here, and torch only if this machine has it: the check must run over SSH
        and answer; what it must say is the real run's to check."""
        found = seen.get("error") or f"torch {seen.get('torch')}, cuda {seen.get('available')}"
        return (
            gpu_record(seen, rehearsal=True),
            (
                f"rehearsal: the GPU check ran over SSH and answered ({found}); the real run needs "
                "torch with CUDA, torchvision, a matmul on cuda and torchvision's nms on cuda"
            ),
            True,
        )


class TargetError(RuntimeError):
    """The target cannot be reached as asked (Japanese message)."""
