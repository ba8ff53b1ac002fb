"""Pods, GPU types, data centers and the user as GraphQL shows them (the fields
runpod-python 1.12.0 and runpodctl read; contract/graphql-schema.graphql has them all)."""

from __future__ import annotations

from .. import catalog
from ..models import Pod, now
from ..rest.pod_view import PRIVATE_IP

STOCK_WORDS = {catalog.HIGH: "High", catalog.MEDIUM: "Medium", catalog.LOW: "Low"}


def lowest_price(gpu: catalog.GpuType, spec: dict) -> dict:
    count = spec.get("gpuCount") or 1
    dc_id = spec.get("dataCenterId")
    community = spec.get("secureCloud") is False
    if community:
        free, stock_level, country = catalog.free_gpus(gpu, None, "COMMUNITY"), catalog.MEDIUM, None
    else:
        where = [dc_id] if dc_id else list(gpu.stock)
        free = max((catalog.free_gpus(gpu, dc) for dc in where), default=0)
        stock_level = catalog.level(free, 1)
        country = catalog.data_center(dc_id).country if dc_id else None
    price = catalog.list_price(gpu, "COMMUNITY" if community else "SECURE")
    enough = free >= count
    return {
        "gpuName": gpu.display_name,
        "gpuTypeId": gpu.id,
        "uninterruptablePrice": price if enough else None,
        "minimumBidPrice": round(price * 0.6, 3) if enough else None,
        "stockStatus": STOCK_WORDS.get(stock_level) if enough else None,
        "maxGpuCount": gpu.max_gpu_count,
        "maxUnreservedGpuCount": free,
        "availableGpuCounts": [n for n in (1, 2, 4, 8) if n <= free],
        "totalCount": 16,
        "rentedCount": 16 - free,
        "rentalPercentage": round((16 - free) / 16, 2),
        "minMemory": 31 * count,
        "minVcpu": 8 * count,
        "minDisk": 20,
        "minDownload": 500,
        "minUpload": 500,
        "supportPublicIp": True,
        "countryCode": country,
    }


def gpu_view(gpu: catalog.GpuType) -> dict:
    def lowest(info, input=None):  # noqa: A002 - the GraphQL argument name
        return lowest_price(gpu, input or {"gpuCount": 1})

    return {
        "id": gpu.id,
        "displayName": gpu.display_name,
        "manufacturer": "Nvidia",
        "memoryInGb": gpu.memory_gb,
        "cudaCores": gpu.cuda_cores,
        "maxGpuCount": gpu.max_gpu_count,
        "maxGpuCountSecureCloud": gpu.max_gpu_count,
        "maxGpuCountCommunityCloud": catalog.COMMUNITY_MAX_GPUS,
        "minPodGpuCount": 1,
        "secureCloud": True,
        "communityCloud": True,
        "securePrice": gpu.secure_price,
        "communityPrice": gpu.community_price,
        "secureSpotPrice": round(gpu.secure_price * 0.6, 3),
        "communitySpotPrice": round(gpu.community_price * 0.6, 3),
        "lowestPrice": lowest,
    }


def data_center_view(dc: catalog.DataCenter) -> dict:
    def gpu_availability(info, input=None):  # noqa: A002
        count = (input or {}).get("gpuCount") or 1
        rows = []
        for gpu in catalog.GPU_TYPES:
            free = catalog.free_gpus(gpu, dc.id)
            stock = STOCK_WORDS.get(catalog.level(free, count))
            names = {"displayName": gpu.display_name, "gpuTypeDisplayName": gpu.display_name}
            row = {"id": gpu.id, "gpuTypeId": gpu.id, "stockStatus": stock}
            rows.append({**row, **names, "available": stock is not None})
        return rows

    return {
        "id": dc.id,
        "name": dc.name,
        "location": dc.location,
        "region": dc.region,
        "listed": True,
        "storageSupport": bool(catalog.VOLUME_TYPES[dc.id]),
        "globalNetwork": dc.global_network,
        "compliance": list(dc.compliance),
        "gpuAvailability": gpu_availability,
    }


def volume_view(volume) -> dict:
    return {
        "id": volume.id,
        "name": volume.name,
        "size": volume.size,
        "dataCenterId": volume.data_center,
        "dataCenter": data_center_view(catalog.data_center(volume.data_center)),
    }


def _port(ip: str, private: int, public: int, kind: str) -> dict:
    is_public = ip == "127.0.0.1"
    return {
        "ip": ip,
        "isIpPublic": is_public,
        "privatePort": private,
        "publicPort": public,
        "type": kind,
    }


def runtime_view(pod: Pod) -> dict | None:
    if pod.status != "RUNNING" or pod.started_at is None:
        return None
    ports = []
    for index, spec in enumerate(pod.ports):
        number, _, kind = spec.partition("/")
        private = int(number)
        if kind == "http":
            ports.append(_port(PRIVATE_IP, private, private, "http"))
        elif private != 22 or (pod.ssh_port and pod.port_mapped):
            public = pod.ssh_port if private == 22 else 40000 + index
            ip = "127.0.0.1" if private != 22 or pod.port_public else PRIVATE_IP
            ports.append(_port(ip, private, public, "tcp"))
    gpus = [
        {"id": f"GPU-{pod.id}-{i}", "gpuUtilPercent": 0, "memoryUtilPercent": 0}
        for i in range(pod.gpu_count)
    ]
    uptime = int((now() - pod.started_at).total_seconds())
    container = {"cpuPercent": 0, "memoryPercent": 1}
    return {"uptimeInSeconds": uptime, "ports": ports, "gpus": gpus, "container": container}


def pod_view(pod: Pod, volume: dict | None) -> dict:
    gpu = catalog.gpu_type(pod.gpu_type_id)
    cost = 0.0 if pod.status == "EXITED" else round(pod.plan.price_per_gpu * pod.gpu_count, 4)
    runtime = runtime_view(pod)
    dc = catalog.data_center(pod.data_center) if pod.data_center else None
    machine = {
        "id": pod.machine_id,
        "podHostId": pod.pod_host_id,
        "gpuDisplayName": gpu.display_name,
        "gpuTypeId": pod.gpu_type_id,
        "gpuType": gpu_view(gpu),
        "dataCenterId": pod.data_center,
        "location": dc.location if dc else None,
        "secureCloud": pod.cloud_type == "SECURE",
        "supportPublicIp": True,
        "costPerHr": cost,
        "currentPricePerGpu": pod.plan.price_per_gpu,
        "listed": True,
    }
    return {
        "id": pod.id,
        "name": pod.name,
        "imageName": pod.image_name,
        "env": [f"{key}={value}" for key, value in pod.env.items()],
        "gpuCount": pod.gpu_count,
        "gpus": [{"id": f"GPU-{pod.id}-{i}", "podId": pod.id} for i in range(pod.gpu_count)],
        "costPerHr": cost,
        "adjustedCostPerHr": cost,
        "desiredStatus": pod.desired_status,
        "dockerArgs": pod.docker_args,
        "containerDiskInGb": pod.container_disk_gb,
        "volumeInGb": float(pod.volume_gb),
        "volumeMountPath": pod.volume_mount_path,
        "memoryInGb": float(31 * pod.gpu_count),
        "vcpuCount": float(8 * pod.gpu_count),
        "podType": "RESERVED",
        "ports": ",".join(pod.ports),
        "uptimeSeconds": runtime["uptimeInSeconds"] if runtime else 0,
        "lastStatusChange": pod.last_status_change,
        "locked": False,
        "machineId": pod.machine_id,
        "networkVolumeId": pod.network_volume_id,
        "networkVolume": volume,
        "runtime": runtime,
        "machine": machine,
    }
