"""What the catalog says: GPU types with their list prices and, when asked, their stock per
data center and the CUDA versions their machines report; data centers with their tiers,
certifications and stock. The rules are the REST v2 OpenAPI's (listGpuTypes and its
parameters, GpuType, listDataCenters); the numbers are the fixed world of catalog.py, and the
CUDA versions are the machines of the fake's mode (the same ones the scheduler places on).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import catalog
from .image_tags import cuda_key


@dataclass
class GpuQuery:
    """listGpuTypes' parameters, parsed (server.py checked their form against the OpenAPI)."""

    availability: bool = False  # include=AVAILABILITY
    products: tuple[str, ...] = ()
    count: int = 1
    cloud: str = "SECURE"
    countries: tuple[str, ...] | None = None
    cuda_versions: tuple[str, ...] | None = None
    min_cuda: str | None = None


def _versions(query: GpuQuery, hosts: tuple[str, ...]) -> list[str]:
    """The CUDA versions of the machines that match the query's CUDA filter."""
    found = sorted(set(hosts), key=cuda_key)
    if query.cuda_versions is not None:
        found = [v for v in found if v in query.cuda_versions]
    if query.min_cuda is not None:  # a bare major ("12") means any release of it
        floor = cuda_key(query.min_cuda)
        found = [v for v in found if cuda_key(v)[: len(floor)] >= floor]
    return found


def _data_centers(gpu: catalog.GpuType, query: GpuQuery) -> list[catalog.DataCenter]:
    return [
        dc
        for dc in catalog.DATA_CENTERS
        if dc.id in gpu.stock and (query.countries is None or dc.country in query.countries)
    ]


def gpu_type(gpu: catalog.GpuType, query: GpuQuery, hosts: tuple[str, ...]) -> dict:
    item = {
        "id": gpu.id,
        "name": gpu.display_name,
        "pool": gpu.pool,
        "manufacturer": "NVIDIA",
        "memory": gpu.memory_gb,
        "secure": True,
        "community": True,
        "price": {"secure": gpu.secure_price, "community": gpu.community_price},
        "maxCount": {"secure": gpu.max_gpu_count, "community": catalog.COMMUNITY_MAX_GPUS},
    }
    if not query.availability:
        return item
    versions = _versions(query, hosts)
    pods = "POD" in query.products  # the fake keeps stock for pods only
    if query.cloud == "COMMUNITY":
        free = catalog.free_gpus(gpu, None, "COMMUNITY")
        overall = catalog.level(free, query.count) if versions and pods else catalog.NONE
        rows = []
    else:
        rows = [
            {
                "id": dc.id,
                "name": dc.name,
                "availability": catalog.level(catalog.free_gpus(gpu, dc.id), query.count)
                if versions and pods
                else catalog.NONE,
            }
            for dc in _data_centers(gpu, query)
        ]
        levels = [row["availability"] for row in rows]
        overall = max(levels, key=catalog.LEVELS.index, default=catalog.NONE)
    item["availability"] = overall
    if overall != catalog.NONE and rows:  # "omitted entirely when unavailable everywhere"
        item["dataCenters"] = rows
    item["cudaVersions"] = [
        {"version": version, "available": overall != catalog.NONE} for version in versions
    ]
    return item


def gpu_types(query: GpuQuery, hosts: tuple[str, ...]) -> list[dict]:
    """The list: with countryCodes, a GPU type sold in none of those countries drops out."""
    return [
        gpu_type(gpu, query, hosts)
        for gpu in catalog.GPU_TYPES
        if query.countries is None or _data_centers(gpu, query)
    ]


@dataclass
class DataCenterQuery:
    gpu_availability: bool = False
    regions: tuple[str, ...] | None = None  # OR
    volume_types: tuple[str, ...] | None = None  # AND
    compliance: tuple[str, ...] | None = None  # AND
    global_network: bool | None = None


def data_center(dc: catalog.DataCenter, query: DataCenterQuery) -> dict:
    item = {
        "id": dc.id,
        "name": dc.name,
        "region": dc.region,
        "globalNetwork": dc.global_network,
        "networkVolumeTypes": list(catalog.VOLUME_TYPES[dc.id]),
        "compliance": list(dc.compliance),
    }
    sold = [gpu for gpu in catalog.GPU_TYPES if dc.id in gpu.stock]
    if query.gpu_availability and sold:  # CPU_AVAILABILITY: the fake sells no CPU pods
        item["gpuAvailability"] = [
            {
                "id": gpu.id,
                "name": gpu.display_name,
                "availability": catalog.level(catalog.free_gpus(gpu, dc.id), 1),
            }
            for gpu in sold
        ]
    return item


def matches(dc: catalog.DataCenter, query: DataCenterQuery) -> bool:
    return (
        (query.regions is None or dc.region in query.regions)
        and set(query.volume_types or ()) <= set(catalog.VOLUME_TYPES[dc.id])
        and set(query.compliance or ()) <= set(dc.compliance)
        and (query.global_network is None or dc.global_network == query.global_network)
    )


def data_centers(query: DataCenterQuery) -> list[dict]:
    return [data_center(dc, query) for dc in catalog.DATA_CENTERS if matches(dc, query)]
