"""`python -m fake_runpod` (make fake) stops when told, whatever it is serving.

A harness stops the fake with SIGTERM or SIGINT. Python runs signal handlers in the main
thread, but the kernel may hand a process signal to any thread; the fake has many (HTTP,
one SSH listener per pod, its sessions). These tests deliver the signal to one of those
threads on purpose (tgkill), and also start the fake with SIGINT ignored, as a shell does
for a background job: both left the old fake waiting forever.
"""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests import ROOT
from tests.fake_runpod.helpers import pod_body, ssh_argv, wait_for

TGKILL = {"x86_64": 234, "aarch64": 131}.get(platform.machine())  # Linux syscall numbers
STOP_WITHIN = 2.0  # seconds, on a machine with a free core (it takes about 0.2 s)


def stop_deadline() -> float:
    """STOP_WITHIN, stretched by how busy the machine is: a run of the suite in parallel on
    two cores slows every process down alike. A hang (the bug) outlasts any deadline."""
    return STOP_WITHIN * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def signal_a_thread(pid: int, signum: int) -> None:
    """Send a signal to one thread of `pid` that is not its main thread (the newest one)."""
    threads = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(TGKILL, pid, threads[-1], signum) == 0, os.strerror(ctypes.get_errno())


def started_fake(ignore_sigint: bool = False) -> tuple[subprocess.Popen, dict[str, str]]:
    def ignore():  # what a non-interactive shell does to a job started with &
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen(
        [sys.executable, "-m", "fake_runpod"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore if ignore_sigint else None,
    )
    printed = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(2))
    return proc, printed


@pytest.fixture
def serving_fake(monkeypatch, ssh_keypair):
    """A `python -m fake_runpod` with a running pod and an open SSH session into it."""
    made: list[subprocess.Popen] = []

    def start(ignore_sigint: bool = False) -> subprocess.Popen:
        proc, printed = started_fake(ignore_sigint)
        made.append(proc)
        url = printed["RUNPOD_API_BASE_URL"] + "/v2/pods"
        headers = {"Authorization": f"Bearer {printed['RUNPOD_API_KEY']}"}
        key, public = ssh_keypair
        body = pod_body(ports=["22/tcp"], env={"PUBLIC_KEY": public})
        pod_id = requests.post(url, json=body, headers=headers, timeout=10).json()["id"]

        def direct():
            pod = requests.get(f"{url}/{pod_id}", headers=headers, timeout=10).json()
            return pod["ssh"]["direct"]

        port = wait_for(direct)["port"]
        deadline = time.monotonic() + 20  # sshd may answer a moment after the runtime
        while True:  # until a session is being served
            argv = ssh_argv(key, port, "echo in; sleep 30")
            session = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            made.append(session)
            if session.stdout.readline() == b"in\n":
                return proc
            assert time.monotonic() < deadline, "no SSH session into the fake's pod"
            time.sleep(0.2)

    yield start
    for proc in made:  # only what this test started
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def assert_stops(proc: subprocess.Popen) -> None:
    deadline = stop_deadline()
    try:
        code = proc.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the fake was still running {deadline:.1f} s after the signal")
    assert code == 0
    assert "Traceback" not in proc.stderr.read()


@pytest.mark.skipif(TGKILL is None, reason="tgkill syscall number unknown on this machine")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_caught_by_a_server_thread_stops_the_fake(serving_fake, signum):
    proc = serving_fake()
    signal_a_thread(proc.pid, signum)
    assert_stops(proc)


def test_sigint_stops_a_fake_started_in_the_background(serving_fake):
    proc = serving_fake(ignore_sigint=True)
    proc.send_signal(signal.SIGINT)
    assert_stops(proc)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_starting_up_is_no_traceback(signum):
    proc, _ = started_fake()  # the signal comes while it is still printing
    proc.send_signal(signum)
    assert_stops(proc)
