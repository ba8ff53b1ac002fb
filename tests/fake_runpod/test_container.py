"""A fake pod's container when a stop races its start (the pod is terminated while proot
comes up): start() never fails because of it and never leaves a process behind."""

from __future__ import annotations

import shutil
import threading

import pytest

from fake_runpod import container as container_module
from fake_runpod.container import Container, Launch, RootFS


@pytest.fixture
def make_container(tmp_path):
    rootfs = RootFS(tmp_path / "rootfs")

    def make() -> Container:
        folder = tmp_path / "pod"
        folder.mkdir()
        launch = Launch(["/start.sh"], lambda line: None, lambda status: None)
        return Container(folder, rootfs, {}, {}, launch)

    return make


def test_a_stop_before_the_start_launches_nothing(make_container, monkeypatch):
    launched = []
    monkeypatch.setattr(container_module.subprocess, "Popen", lambda *a, **k: launched.append(a))
    box = make_container()
    box.stop()
    shutil.rmtree(box.folder)  # what terminating a pod does right after stop()
    box.start()  # no FileNotFoundError for proot.log
    assert launched == []


def test_a_stop_while_proot_comes_up_ends_it_quietly(make_container, monkeypatch):
    box = make_container()
    real_select = container_module.select.select
    stopper = threading.Thread(target=lambda: (box.stop(), shutil.rmtree(box.folder)))

    def select_then_stop(*args):
        stopper.start()  # the pod is terminated while start() waits for "ready"
        stopper.join()
        return real_select(*args)

    monkeypatch.setattr(container_module.select, "select", select_then_stop)
    box.start()
    assert box._process is None and not box.folder.exists()


def test_the_main_process_output_and_end_reach_the_fake(tmp_path):
    """The container runs its start command; each line it prints and its exit status come
    back (how a pod's container log fills and how the fake sees a container exit)."""
    lines, ended = [], threading.Event()
    status = []
    launch = Launch(
        ["/bin/sh", "-c", "echo one; echo two >&2; exit 3"],
        lines.append,
        lambda code: (status.append(code), ended.set()),
    )
    folder, home = tmp_path / "pod", tmp_path / "home"
    folder.mkdir()
    home.mkdir()
    binds = {"/root": home}  # as a pod's: its own HOME
    box = Container(folder, RootFS(tmp_path / "rootfs"), binds, {"PATH": "/usr/bin:/bin"}, launch)
    box.start()
    try:
        assert ended.wait(20)
        assert (lines, status) == (["one", "two"], [3])
    finally:
        box.stop()
