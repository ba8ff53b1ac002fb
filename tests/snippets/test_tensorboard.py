"""snippets/tensorboard.sh: TensorBoard on the port the pod opens, reachable from outside.

What the reader is promised: the line starts TensorBoard in its own tmux session (it keeps
running after SSH ends) on port 6006, which the guide's pods open as an http port, so Runpod's
proxy address https://<pod id>-6006.proxy.runpod.net reaches it; it listens on every address
(0.0.0.0), as Runpod's proxy needs (pods/configuration/expose-ports), not only on the pod's
own loopback. Typed over SSH into a pod of the fake Runpod, with a stand-in `tensorboard`.

The test gives TensorBoard a free port instead of 6006 (tests run side by side on this
machine) and checks the address from 127.0.0.2: a server on 127.0.0.1 only would refuse it.
"""

from __future__ import annotations

import socket
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

from snippets import pod as pods
from tests import ROOT
from tests.snippets.evening import new_volume, snippet, stand_ins, start_pod, type_into_pod

LINE = snippet("tensorboard.sh").splitlines()[-1]
STAND_IN = Path(__file__).with_name("tensorboard_stand_in.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))  # noqa: S104
        return probe.getsockname()[1]


def test_the_port_is_the_http_port_the_pods_open():
    assert "--port 6006" in LINE and "--host 0.0.0.0" in LINE
    recommended = tomllib.loads((ROOT / "snippets/recommended_image.toml").read_text("utf-8"))
    assert "6006/http" in recommended["pod"]["ports"].split(",")
    pod = {"id": "abc123", "ports": recommended["pod"]["ports"].split(",")}  # REST v2: a list
    assert pods.proxy_urls(pod)[6006] == "https://abc123-6006.proxy.runpod.net"


def test_tensorboard_listens_on_every_address_and_outlives_the_ssh_session(
    fake, ssh_keypair, tmp_path
):
    key, public_key = ssh_keypair
    port = free_port()
    tools = stand_ins(
        tmp_path / "bin", {"tensorboard": f'exec "{sys.executable}" "{STAND_IN}" "$@"'}
    )
    pod = start_pod(new_volume(), public_key)
    env = {"TMUX_TMPDIR": "/workspace"}
    started = type_into_pod(pod, key, LINE.replace("--port 6006", f"--port {port}"), env, tools)
    assert started.shell_open and started.output == "", started.output
    try:
        deadline = time.monotonic() + 30
        while True:  # TensorBoard takes a moment to come up
            try:
                page = urllib.request.urlopen(f"http://127.0.0.2:{port}/", timeout=5).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "TensorBoard is not reachable from outside"
                time.sleep(0.1)
        assert b"TensorBoard" in page
        running = type_into_pod(pod, key, "tmux has-session -t tensorboard && echo running", env)
        assert running.stdout == "running\n"
    finally:
        type_into_pod(pod, key, "tmux kill-server", env)
