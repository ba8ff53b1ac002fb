"""What a fake pod's image holds and what its start-up does, as an official Runpod image's.

Sources: runpod/containers, official-templates/base/Dockerfile (ENV lines, `CMD
["/start.sh"]`, the lines appended to root's .bashrc) and container-template/start.sh
(setup_ssh, start_jupyter, export_env_vars), commit 6990d37 (2026-07-29); the variables
Runpod sets: runpod/docs pods/templates/environment-variables.mdx (e979ee42).

- the container's environment: the image's ENV, the variables Runpod sets (with the pod's
  own pod-scoped RUNPOD_API_KEY), the pod's env with its secret references filled in;
- the main process is the pod's start command (`args`, split like a shell would), or the
  image's CMD, `/start.sh`. START_SH below is the fake's own script with the documented
  effects of the official one: with PUBLIC_KEY it goes to /root/.ssh/authorized_keys and
  sshd starts (the fake's sshd answers once the script has marked it up, after the steps
  below: a real sshd first makes four host keys); /etc/rp_environment gets
  `export NAME="value"` for each `printenv` line that starts like an upper-case variable (not
  PUBLIC_KEY); root's .bashrc gets the line that sources it; then the script sleeps
  forever. A start command that never runs /start.sh gives a pod without sshd and without
  /etc/rp_environment's content.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from .image import PIP_GUARD, guarded_path
from .image_tags import image_versions

# ENV of runpod/containers official-templates/base/Dockerfile (commit 6990d37).
IMAGE_ENV = {
    "SHELL": "/bin/bash",
    "PYTHONUNBUFFERED": "True",
    "DEBIAN_FRONTEND": "noninteractive",
    "RP_WORKSPACE": "/workspace",
    "HF_HOME": "/workspace/.cache/huggingface/",
    "VIRTUALENV_OVERRIDE_APP_DATA": "/workspace/.cache/virtualenv/",
    "PIP_CACHE_DIR": "/workspace/.cache/pip/",
    "UV_CACHE_DIR": "/workspace/.cache/uv/",
    "HF_HUB_ENABLE_HF_TRANSFER": "1",
    "HF_XET_HIGH_PERFORMANCE": "1",
    "PIP_BREAK_SYSTEM_PACKAGES": "1",
    "PIP_ROOT_USER_ACTION": "ignore",
    "TZ": "Etc/UTC",
}
IMAGE_CMD = ["/start.sh"]
# Where the fake keeps what a pod's start-up leaves for it (inside the pod).
POD_STATE = "/.fake-runpod/pod"
SSHD_STARTED = f"{POD_STATE}/sshd-started"

# root's ~/.bashrc in the image: Ubuntu's begins by returning from non-interactive shells;
# the official Dockerfile appends a banner. start.sh appends the `source` line at start-up.
BASHRC = """\
# ~/.bashrc: executed by bash(1) for non-login shells.

# If not running interactively, don't do anything
[ -z "$PS1" ] && return

cat /etc/runpod.txt 2>/dev/null
"""

# The fake's /start.sh (its own script; the effects are the official one's, listed above).
START_SH = f"""#!/bin/bash
# fake Runpod: the image's start script (what runpod/containers' start.sh does for a pod)
echo "Pod Started"
if [[ $PUBLIC_KEY ]]; then
    echo "Setting up SSH..."
    mkdir -p ~/.ssh
    echo "$PUBLIC_KEY" >> ~/.ssh/authorized_keys
    chmod 700 -R ~/.ssh
fi
if [[ $JUPYTER_PASSWORD ]]; then
    echo "Starting Jupyter Lab... (the fake Runpod starts none: nothing listens on 8888)"
fi
echo "Exporting environment variables..."
printenv | while IFS= read -r line; do
    [[ $line =~ ^[A-Z_][A-Z0-9_]*= && $line != PUBLIC_KEY* ]] || continue
    printf 'export %s="%s"\\n' "${{line%%=*}}" "${{line#*=}}"
done > /etc/rp_environment
grep -q 'source /etc/rp_environment' ~/.bashrc || echo 'source /etc/rp_environment' >> ~/.bashrc
# `service ssh start` ran above, with the keys; sshd answers once it has made its four host
# keys, after the lines above are done: the fake marks it up here.
[[ $PUBLIC_KEY ]] && : > {SSHD_STARTED}
echo "Start script(s) finished, Pod is ready to use."
exec sleep infinity
"""


def container_env(pod, env: dict[str, str], ssh_port: int | None) -> dict[str, str]:
    """The container's environment: image ENV, then Runpod's variables, then the pod's own
    (secret references already filled in)."""
    runpod_env = {
        "PATH": guarded_path(os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")),
        **PIP_GUARD,
        **IMAGE_ENV,
        "HOME": "/root",
        "HOSTNAME": pod.machine_id,
        "RUNPOD_POD_ID": pod.id,
        "RUNPOD_DC_ID": pod.data_center or "",
        "RUNPOD_POD_HOSTNAME": pod.pod_host_id,
        "RUNPOD_GPU_COUNT": str(pod.gpu_count),
        "RUNPOD_CPU_COUNT": str(8 * pod.gpu_count),
        "RUNPOD_PUBLIC_IP": "127.0.0.1",
        "RUNPOD_API_KEY": pod.api_key,  # pod-scoped: this pod only (server.py)
        **image_versions(pod.image_name),
    }
    if ssh_port:
        runpod_env["RUNPOD_TCP_PORT_22"] = str(ssh_port)
    if pod.network_volume_id:
        runpod_env["RUNPOD_VOLUME_ID"] = pod.network_volume_id
    return {**runpod_env, **env}


def start_command(docker_args: str) -> list[str]:
    """The container's main process: `args` split as a shell would, else the image's CMD.
    ValueError when it does not split (an unclosed quote) or holds a NUL byte."""
    if "\0" in docker_args:
        raise ValueError("a NUL byte")
    return shlex.split(docker_args) if docker_args.strip() else list(IMAGE_CMD)


def write_image_files(home: Path, state: Path) -> None:
    """What the image has before anything runs: root's .bashrc; an empty state folder."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".bashrc").write_text(BASHRC, encoding="utf-8")
    state.mkdir(parents=True, exist_ok=True)
