"""snippets/watchdog.py: the pod's own time limit, armed in its start command.

What the reader is promised: a pod made by `pod up` deletes itself after --max-hours, even
when the computer that rented it is off; nothing is deleted earlier; the limit needs no key
in the request (the pod uses its own); the image still starts as usual (/start.sh).
"""

import shlex
import time

import pytest

from snippets import pod, volume, watchdog
from snippets.cli import SnippetError


def test_the_start_command_sleeps_deletes_and_starts_the_image_as_usual():
    command = watchdog.start_command(2, "runpod/pytorch:1.0.7-cu1281-torch291-ubuntu2404")
    argv = shlex.split(command)
    assert argv[:2] == ["bash", "-c"] and len(argv) == 3
    script = argv[2]
    assert script.startswith("(sleep 7200 && ") and script.endswith("& exec /start.sh")
    assert '-X DELETE "${RUNPOD_API_BASE_URL:-https://api.runpod.io}/v2/pods/$RUNPOD_POD_ID"' in (
        script
    )
    assert '"$RUNPOD_API_KEY" | curl' in script and "-H @-" in script  # never on curl's argv


def test_no_limit_keeps_the_images_own_start():
    assert watchdog.start_command(0, "anything/at:all") is None


@pytest.mark.parametrize("hours", [-0.5, 721, float("inf"), float("nan"), "3", None, True])
def test_hours_out_of_bounds_are_refused(hours):
    with pytest.raises(SnippetError, match="--max-hours"):
        watchdog.start_command(hours, "runpod/base:1")


def test_a_tiny_limit_is_raised_to_a_minute():
    assert "(sleep 60 " in watchdog.start_command(0.001, "runpod/base:1")


def test_on_a_fake_pod_the_pod_deletes_itself(fake, ssh_keypair, monkeypatch):
    """Nobody calls delete: the pod's start command does, with the pod's own key, and the
    volume with its files stays."""
    monkeypatch.setattr(watchdog, "MIN_SECONDS", 2)
    disk = volume.create_volume("kaggle-data", 10, "EU-RO-1")
    made = pod.deploy_pod(disk["id"], public_key=ssh_keypair[1], max_hours=2 / 3600)
    pod.wait_until_ready(made["id"], timeout=60, poll=0.1)  # /start.sh still ran: sshd is up
    assert made["id"] in fake.pods  # not before its time
    deadline = time.monotonic() + 60
    while made["id"] in fake.pods:
        assert time.monotonic() < deadline, "the watchdog did not delete the pod"
        time.sleep(0.1)
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert [r.path for r in deletes] == [f"/v2/pods/{made['id']}"]
    assert disk["id"] in fake.volumes
