"""How long things take on the fake, and how realistic mode stretches them.

Default mode is fast, for tests: a pod gets its runtime after `pod_start_delay` seconds and
its SSH server answers at once. Realistic mode (FakeRunpod(realistic=True)) takes as long as
Runpod does, multiplied by `time_scale` so that a test can live through a ten-minute image
pull in a second (time_scale=0.001). terminateAfter is always honoured on the scaled clock.
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
# Seconds from the runtime to sshd's banner: start.sh starts nginx, makes four host keys,
# then `service ssh start` (runpod/containers container-template/start.sh). A guess.
SSHD_START_SECONDS = 5.0
# Seconds until a resumed pod has its runtime again (the image is on the machine). A guess.
RESUME_SECONDS = 20.0


def check_scale(factor: float) -> float:
    if not (isinstance(factor, int | float) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"time_scale must be a positive number, not {factor!r}")
    return factor


@dataclass
class Timing:
    realistic: bool = False
    time_scale: float = 1.0

    def __post_init__(self) -> None:
        check_scale(self.time_scale)

    def scaled(self, seconds: float) -> float:
        return seconds * self.time_scale

    def pull(self, image: str, start_delay: float) -> float:
        """Seconds from create to runtime."""
        if not self.realistic:
            return start_delay
        repository = image.split(":", 1)[0]
        return self.scaled(PULL_SECONDS.get(repository, OTHER_IMAGE_PULL_SECONDS))

    def resume(self, start_delay: float) -> float:
        return self.scaled(RESUME_SECONDS) if self.realistic else start_delay

    def sshd_start(self) -> float:
        return self.scaled(SSHD_START_SECONDS) if self.realistic else 0.0
