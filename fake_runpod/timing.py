"""How long things take on the fake, and how realistic mode stretches them.

Default mode is fast, for tests: a pod gets a machine after a third of `pod_start_delay`,
its runtime after `pod_start_delay`, and its sshd answers at once. Realistic mode
(FakeRunpod(realistic=True)) takes as long as Runpod does, multiplied by `time_scale` so that
a test can live through a ten-minute image pull in a second (time_scale=0.001).
terminateAfter and the billing meter always run on the scaled clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Seconds until the runtime appears: the image pull. A runpod/pytorch CUDA 12.8 image is
# about 12 GiB compressed and reports show pods waiting about 10-15 minutes for it
# (/work/shared/FACTS.md, 2026-11-29; the smoke tests allow 600 s, CREATE_TIMEOUT in
# runpod/containers tests/runpod_smoke/config.py). Other images: a smaller guess.
PULL_SECONDS = {"runpod/pytorch": 600.0}
OTHER_IMAGE_PULL_SECONDS = 180.0
# Seconds from create to a machine (PROVISIONING): a guess.
ASSIGN_SECONDS = 5.0
# Seconds from `service ssh start` to sshd's banner: start.sh makes four host keys first
# (runpod/containers container-template/start.sh). A guess.
SSHD_START_SECONDS = 5.0
# Seconds until a started (resumed) pod has its runtime again: the image is on the machine.
RESUME_SECONDS = 20.0
# Seconds a pod of the fault pod:exits runs before its start command ends by itself.
EXIT_SECONDS = 30.0


def check_scale(factor: float) -> float:
    if not (isinstance(factor, int | float) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"time_scale must be a positive number, not {factor!r}")
    if factor < 1e-6:
        raise ValueError(f"time_scale must be at least 1e-6, not {factor!r}")
    return factor


@dataclass
class Timing:
    realistic: bool = False
    time_scale: float = 1.0
    start_delay: float = 0.3  # default mode: seconds from create to runtime

    def __post_init__(self) -> None:
        check_scale(self.time_scale)

    def scaled(self, seconds: float) -> float:
        return seconds * self.time_scale

    def modelled(self, real_seconds: float) -> float:
        """Seconds of Runpod's time that real_seconds on this machine stand for."""
        return real_seconds / self.time_scale

    def assign(self) -> float:
        """Seconds from create to a machine."""
        return self.scaled(ASSIGN_SECONDS) if self.realistic else self.start_delay / 3

    def pull(self, image: str) -> float:
        """Seconds from a machine to the runtime: the image pull."""
        if not self.realistic:
            return self.start_delay - self.assign()
        repository = image.split(":", 1)[0]
        return self.scaled(PULL_SECONDS.get(repository, OTHER_IMAGE_PULL_SECONDS))

    def resume(self) -> float:
        return self.scaled(RESUME_SECONDS) if self.realistic else self.start_delay

    def sshd_start(self) -> float:
        return self.scaled(SSHD_START_SECONDS) if self.realistic else 0.0

    def exit_after(self) -> float:
        return self.scaled(EXIT_SECONDS) if self.realistic else self.start_delay
