"""A pod as REST v2 shows it (the OpenAPI's Pod): what is known at each step of its life.

- `dataCenterId`, `cudaVersion` and `ssh.proxy`: null until a machine is assigned
  (PROVISIONING), kept while the pod is stopped ("a stopped pod keeps its machine assignment").
- `ssh.direct`: only while RUNNING with `22/tcp` in `ports` and a public port mapped for it.
- `ssh.proxy` names a reserved host (RFC 2606 `.invalid`), never Runpod's real proxy: a client
  that falls back to the proxy must not reach a live service from a test.
- `cost`: what the pod bills per hour, 0.0 when EXITED ("0.0 when EXITED or TERMINATED").
- `runtime`: null unless RUNNING.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from ..lifecycle import ACTIONS
from ..models import Pod, now, rfc3339

PROXY_HOST = "ssh.fake-runpod.invalid"
PRIVATE_IP = "10.0.0.2"


def endpoint(host: str, port: int, user: str) -> dict:
    flag = "" if port == 22 else f" -p {port}"
    return {"host": host, "port": port, "username": user, "command": f"ssh {user}@{host}{flag}"}


def direct(pod: Pod) -> dict | None:
    if pod.status != "RUNNING" or "22/tcp" not in pod.ports or not pod.ssh_port:
        return None
    if not (pod.port_mapped and pod.port_public):
        return None
    return endpoint("127.0.0.1", pod.ssh_port, "root")


def runtime_ports(pod: Pod) -> list[dict]:
    ports = []
    for index, spec in enumerate(pod.ports):
        number, _, kind = spec.partition("/")
        private = int(number)
        if kind == "http":  # proxied: https://{podId}-{port}.proxy.runpod.net on Runpod
            ports.append({"private": private, "public": private, "type": "http", "ip": PRIVATE_IP})
        elif private == 22 and pod.ssh_port:
            if pod.port_mapped:
                ip = "127.0.0.1" if pod.port_public else PRIVATE_IP
                ports.append({"private": 22, "public": pod.ssh_port, "type": "tcp", "ip": ip})
        else:  # mapped, but nothing of the fake listens behind it
            public = 40000 + index
            ports.append({"private": private, "public": public, "type": "tcp", "ip": "127.0.0.1"})
    return ports


def runtime(pod: Pod, at: datetime) -> dict | None:
    if pod.status != "RUNNING" or pod.started_at is None:
        return None
    return {
        "uptime": int((at - pod.started_at).total_seconds()),
        "gpus": [{"util": 0, "memoryUtil": 0} for _ in range(pod.gpu_count)],
        "cpu": {"util": 0},
        "memory": {"util": 1},
        "ports": runtime_ports(pod),
    }


def mounts(pod: Pod) -> dict:
    if pod.network_volume_id:
        return {"network": [{"volumeId": pod.network_volume_id, "path": pod.mount_path}]}
    if pod.volume_gb >= 10:  # PersistentMount.size has a 10 GB floor
        return {"persistent": {"size": pod.volume_gb, "path": pod.mount_path}}
    return {}


def global_networking(pod: Pod) -> dict:
    if not pod.global_networking:
        return {"enabled": False}
    octet = int(hashlib.sha256(pod.id.encode()).hexdigest()[:4], 16)
    return {
        "enabled": True,
        "ip": f"10.65.{octet // 256}.{octet % 256}",
        "internalDns": f"{pod.id}.runpod.internal",
    }


def view(pod: Pod) -> dict:
    """The Pod object (read the record once: the backend may move it on meanwhile)."""
    status = pod.status
    at = now()
    return {
        "id": pod.id,
        "name": pod.name,
        "status": status,
        "actions": list(ACTIONS.get(status, [])),
        "image": pod.image_name,
        "args": pod.docker_args,
        "disk": pod.container_disk_gb,
        "mounts": mounts(pod),
        "ports": list(pod.ports),
        "env": dict(pod.env),
        "registry": pod.registry_id,
        "gpu": {"id": pod.gpu_type_id, "count": pod.gpu_count},
        "cloud": pod.cloud_type,
        "dataCenterId": pod.data_center,
        "cudaVersion": pod.host_cuda,
        "ssh": {
            "proxy": endpoint(PROXY_HOST, 22, pod.pod_host_id) if pod.assigned else None,
            "direct": direct(pod),
        },
        "template": None,
        "cost": 0.0 if status == "EXITED" else round(pod.plan.price_per_gpu * pod.gpu_count, 4),
        "locked": False,
        "globalNetworking": global_networking(pod),
        "runtime": runtime(pod, at),
        "createdAt": rfc3339(pod.created_at),
        "startedAt": rfc3339(pod.started_at),
    }
