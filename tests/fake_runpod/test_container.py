"""A fake pod's container when a stop races its start (the pod is terminated while proot
comes up): start() never fails because of it and never leaves a process behind."""

from __future__ import annotations

import shutil
import threading

import pytest

from fake_runpod import container as container_module
from fake_runpod.container import Container, RootFS


@pytest.fixture
def make_container(tmp_path):
    rootfs = RootFS(tmp_path / "rootfs")

    def make() -> Container:
        folder = tmp_path / "pod"
        folder.mkdir()
        return Container(folder, rootfs, {}, {})

    return make


def test_a_stop_before_the_start_launches_nothing(make_container, monkeypatch):
    launched = []
    monkeypatch.setattr(container_module.subprocess, "Popen",
                        lambda *a, **k: launched.append(a))
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
