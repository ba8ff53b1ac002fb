"""The replay's signals: SIGINT, SIGTERM and the wall-time alarm raise Interrupted into the
run, so its `finally` teardown runs; during the clean-up a second signal is only reported.
"""

from __future__ import annotations

import os
import signal


class Interrupted(BaseException):
    """Raised by the signal handlers so the `finally` teardown runs (BaseException: no
    `except Exception` on the way may swallow it). `status` is the exit status."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.status = status


_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)


def install(alarm_after: float) -> dict:
    """Handlers that raise Interrupted, and the alarm; returns the previous handlers."""
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in _SIGNALS}
    signal.setitimer(signal.ITIMER_REAL, max(1.0, alarm_after))
    return previous


def _raise_interrupted(signum, _frame):
    ignore()  # first thing: a second signal may not interrupt the clean-up
    if signum == signal.SIGALRM:
        raise Interrupted("wall-time budget (LIVE_MAX_MINUTES) used up", 1)
    name = signal.Signals(signum).name
    raise Interrupted(f"stopped by {name}", 130 if signum == signal.SIGINT else 143)


def ignore() -> None:
    """From now on (the clean-up) a signal is reported, never raised; the alarm is off."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    for signum in _SIGNALS:
        signal.signal(signum, _report_ignored)


def _report_ignored(signum, _frame):
    # os.write, not print: the signal may land while the main thread is inside a print to
    # stderr, and a buffered stream refuses a reentrant write (that would raise here).
    os.write(2, f"[live] {signal.Signals(signum).name} ignored: clean-up in progress\n".encode())
