"""What a fake pod's start-up leaves in the pod, as an official Runpod image's does.

Sources: runpod/containers, official-templates/base/Dockerfile (ENV lines) and
container-template/start.sh (setup_ssh, export_env_vars), commit 6990d37 (2026-07-29);
the variables Runpod sets: docs.runpod.io/pods/templates/environment-variables
(runpod/docs pods/templates/environment-variables.mdx, commit e979ee42).

- the container's environment: the image's ENV, the variables Runpod sets, the pod's env
  with its secret references filled in;
- /root/.ssh/authorized_keys gets PUBLIC_KEY, and sshd starts, only when PUBLIC_KEY is set;
- /etc/rp_environment: `printenv`, only lines that start like an upper-case variable
  (`^[A-Z_][A-Z0-9_]*=`), not PUBLIC_KEY, each written as `export NAME="value"`; the line
  `source /etc/rp_environment` is appended to /root/.bashrc. An SSH session does not inherit
  the container's environment: a shell sees the pod env only by sourcing that file, and
  root's .bashrc (Ubuntu's) returns early when the shell is not interactive.
"""

from __future__ import annotations

import os
import re
import secrets
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
EXPORTED_LINE = re.compile(r"^[A-Z_][A-Z0-9_]*=")
# root's ~/.bashrc in the Ubuntu base image begins by returning from non-interactive shells;
# the official image appends the line that sources /etc/rp_environment after it.
BASHRC = """\
# ~/.bashrc: executed by bash(1) for non-login shells.

# If not running interactively, don't do anything
[ -z "$PS1" ] && return

source /etc/rp_environment
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
        "RUNPOD_API_KEY": f"rpa_POD{secrets.token_hex(16).upper()}",  # pod-scoped, not yours
        **image_versions(pod.image_name),
    }
    if ssh_port:
        runpod_env["RUNPOD_TCP_PORT_22"] = str(ssh_port)
    if pod.network_volume_id:
        runpod_env["RUNPOD_VOLUME_ID"] = pod.network_volume_id
    return {**runpod_env, **env}


def rp_environment(env: dict[str, str]) -> str:
    """/etc/rp_environment as start.sh writes it from `printenv`. A value with a line break
    is cut at it (the next line is read as a variable of its own if it looks like one), and
    a value with ", $ or ` is read differently when the file is sourced."""
    printed = "".join(f"{name}={value}\n" for name, value in env.items())
    lines = []
    for line in printed.split("\n")[:-1]:
        if EXPORTED_LINE.match(line) and not line.startswith("PUBLIC_KEY"):
            name, _, value = line.partition("=")
            lines.append(f'export {name}="{value}"\n')
    return "".join(lines)


def write_startup(etc: Path, home: Path, env: dict[str, str]) -> None:
    """The files start.sh leaves: authorized_keys (when PUBLIC_KEY is set), rp_environment
    and root's .bashrc."""
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "rp_environment").write_text(rp_environment(env), encoding="utf-8")
    (home / ".bashrc").write_text(BASHRC, encoding="utf-8")
    if env.get("PUBLIC_KEY"):
        ssh = home / ".ssh"
        ssh.mkdir(mode=0o700)
        (ssh / "authorized_keys").write_text(env["PUBLIC_KEY"] + "\n", encoding="utf-8")
