"""snippets/tmux.sh: tmux in five lines (start, leave, come back, scroll back, end).

What the reader is promised, on a pod of the fake Runpod over SSH: a training started in the
`train` session keeps running after the SSH session that started it has ended, and a later
session finds it and its output; the keys the page names are tmux's own defaults (Ctrl+b,
then d leaves; Ctrl+b, then [ scrolls back; q returns); the commands of lines 1 and 3 name
the same session and only need a terminal; line 5 ends it.

The fake's pods share this machine's /tmp, where tmux keeps its socket: each test gives tmux a
folder of its own (TMUX_TMPDIR), as a real pod's private /tmp would.
"""

from __future__ import annotations

import pytest

from tests.snippets.evening import new_volume, snippet, start_pod, type_into_pod

LINES = [line.split("#")[0].strip() for line in snippet("tmux.sh").splitlines()[1:]]


@pytest.fixture
def pod_shell(fake, ssh_keypair):
    key, public_key = ssh_keypair
    pod = start_pod(new_volume(), public_key)
    env = {"TMUX_TMPDIR": "/workspace/.tmux"}
    type_into_pod(pod, key, "mkdir -p /workspace/.tmux")

    def type_(text: str):
        return type_into_pod(pod, key, text, env)

    yield type_
    type_("tmux kill-server 2>/dev/null")


def test_five_lines_three_commands_and_two_keys():
    assert LINES == [
        "tmux new -s train",
        "",
        "tmux attach -t train",
        "",
        "tmux kill-session -t train",
    ]
    keys = [line for line in snippet("tmux.sh").splitlines() if line.startswith("# Ctrl+b")]
    assert [k.split()[3] for k in keys] == ["d", "["]


def test_training_in_tmux_outlives_the_ssh_session_and_can_be_read_later(pod_shell):
    # Line 1 is right and only wants a terminal to draw on (a reader's ssh has one)...
    tried = pod_shell(LINES[0])
    assert tried.stderr.strip() == "open terminal failed: not a terminal", tried.output
    # ...so here the same session is started detached.
    started = pod_shell("tmux new -d -s train 'for i in 1 2 3; do echo step $i; done; sleep 600'")
    assert started.shell_open, started.output
    # That SSH session has ended. A new one (the next `ssh`) finds the training running.
    later = pod_shell("tmux has-session -t train && tmux capture-pane -p -t train")
    assert later.stdout.split() == ["step", "1", "step", "2", "step", "3"], later.output
    # Line 3 comes back to this very session: it only wants a terminal.
    tried = pod_shell(LINES[2])
    assert tried.stderr.strip() == "open terminal failed: not a terminal", tried.output
    # Line 5 ends it.
    assert pod_shell(LINES[4]).shell_open
    gone = pod_shell("tmux has-session -t train && echo still there").output
    assert "still there" not in gone and ("can't find session" in gone or "no server" in gone)


def test_the_keys_the_page_names_are_tmux_defaults(pod_shell):
    pod_shell("tmux new -d -s train 'sleep 600'")
    bindings = pod_shell(
        "tmux show-options -g prefix; tmux list-keys -T prefix d;"
        " tmux list-keys -T prefix '['; tmux list-keys -T copy-mode q"
    ).stdout
    assert "prefix C-b" in bindings
    assert "-T prefix d detach-client" in " ".join(bindings.split())
    assert "-T prefix [ copy-mode" in " ".join(bindings.split())
    assert "-T copy-mode q send-keys -X cancel" in " ".join(bindings.split())
