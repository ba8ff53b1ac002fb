"""The account's rate limit: `RateLimit` and `RateLimit-Policy` headers on every
authenticated answer, and a 429 with `Retry-After` past an optional quota (the OpenAPI's
TooManyRequestsError: "per-user rate limit", windows minute/hour/day, headers per the IETF
ratelimit-headers draft: `"minute";r=REMAINING;t=RESET`, `"minute";q=QUOTA;w=WINDOW`).

Runpod does not publish its quotas (the OpenAPI's example shows 60/min, 3000/h, 50000/day).
The fake's default policy is far above what a test sends, so that the headers are there but
never stop anyone; `FakeRunpod(rate_limit=N)` (CLI `--rate-limit N`) enforces N requests a
minute. Windows are fixed, on this machine's clock (not scaled), and start at the first request.
"""

from __future__ import annotations

import math
import threading
import time

WINDOWS = (("minute", 60), ("hour", 3600), ("day", 86400))
DEFAULT_QUOTAS = {"minute": 6000, "hour": 300000, "day": 5000000}


class RateLimit:
    def __init__(self, per_minute: int | None = None) -> None:
        self.quotas = dict(DEFAULT_QUOTAS)
        if per_minute is not None:
            if per_minute < 1:
                raise ValueError(f"rate_limit must be at least 1 request a minute: {per_minute}")
            self.quotas["minute"] = per_minute
            self.quotas["hour"] = min(self.quotas["hour"], per_minute * 60)
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}
        self._used: dict[str, int] = {}

    def reset(self) -> None:
        with self._lock:
            self._started.clear()
            self._used.clear()

    def _roll(self, clock: float) -> None:
        for name, length in WINDOWS:
            if name not in self._started or clock - self._started[name] >= length:
                self._started[name] = clock
                self._used[name] = 0

    def take(self) -> tuple[dict[str, str], int | None]:
        """Count one request: (headers, None) or, past a quota, (headers, seconds to wait)."""
        clock = time.monotonic()
        with self._lock:
            self._roll(clock)
            over = [name for name, _ in WINDOWS if self._used[name] >= self.quotas[name]]
            if not over:
                for name, _ in WINDOWS:
                    self._used[name] += 1
            headers = self._headers(clock)
        if not over:
            return headers, None
        length = dict(WINDOWS)[over[0]]
        wait = math.ceil(self._started[over[0]] + length - clock)
        return headers, max(1, wait)

    def _headers(self, clock: float) -> dict[str, str]:
        live, policy = [], []
        for name, length in WINDOWS:
            remaining = max(0, self.quotas[name] - self._used[name])
            reset = max(0, math.ceil(self._started[name] + length - clock))
            live.append(f'"{name}";r={remaining};t={reset}')
            policy.append(f'"{name}";q={self.quotas[name]};w={length}')
        return {"RateLimit": ", ".join(live), "RateLimit-Policy": ", ".join(policy)}
