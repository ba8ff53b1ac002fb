"""REST v2 catalog: GPU types (with availability on request) and data centers.

The parameters' rules are the OpenAPI's: `product` is required with include=AVAILABILITY and
valid only with it, `count`, `cloud`, `countryCodes`, `cudaVersions` and `minCudaVersion` are
valid only with it (400 either way), `cudaVersions` and `minCudaVersion` exclude each other
(400); a malformed value is a 422 (server.py, from the parameters' schemas).
"""

from __future__ import annotations

from .. import availability, catalog
from ..errors import Invalid, NotFound
from .call import Answer, Call

NEEDS_INCLUDE = ("product", "count", "cloud", "countryCodes", "cudaVersions", "minCudaVersion")


def _gpu_query(call: Call) -> availability.GpuQuery:
    query = call.query
    wanted = "AVAILABILITY" in (query.get("include") or [])
    if wanted and not query.get("product"):
        raise Invalid("product is required with include=AVAILABILITY (POD, CLUSTER, SERVERLESS)")
    if not wanted:
        given = [name for name in NEEDS_INCLUDE if name in query]
        if given:
            raise Invalid(f"{', '.join(given)}: valid only with include=AVAILABILITY")
    if "cudaVersions" in query and "minCudaVersion" in query:
        raise Invalid("cudaVersions and minCudaVersion are mutually exclusive")
    countries = query.get("countryCodes")
    versions = query.get("cudaVersions")
    return availability.GpuQuery(
        availability=wanted,
        products=tuple(query.get("product") or ()),
        count=query.get("count", 1),
        cloud=query.get("cloud", "SECURE"),
        countries=tuple(countries) if countries is not None else None,
        cuda_versions=tuple(versions) if versions is not None else None,
        min_cuda=query.get("minCudaVersion"),
    )


def list_gpu_types(call: Call) -> Answer:
    gpus = availability.gpu_types(_gpu_query(call), call.backend.hosts())
    return Answer(200, {"gpus": gpus})


def get_gpu_type(call: Call) -> Answer:
    gpu = catalog.gpu_type(call.params["id"])
    if gpu is None:
        raise NotFound(f"GPU type not found: {call.params['id']}")
    return Answer(200, availability.gpu_type(gpu, _gpu_query(call), call.backend.hosts()))


def _dc_query(call: Call) -> availability.DataCenterQuery:
    query = call.query

    def optional(name: str) -> tuple | None:
        return tuple(query[name]) if name in query else None

    return availability.DataCenterQuery(
        gpu_availability="GPU_AVAILABILITY" in (query.get("include") or []),
        regions=optional("regions"),
        volume_types=optional("networkVolumeTypes"),
        compliance=optional("compliance"),
        global_network=query.get("globalNetwork"),
    )


def list_data_centers(call: Call) -> Answer:
    return Answer(200, {"dataCenters": availability.data_centers(_dc_query(call))})


def get_data_center(call: Call) -> Answer:
    dc = catalog.data_center(call.params["id"])
    if dc is None:
        raise NotFound(f"data center not found: {call.params['id']}")
    return Answer(200, availability.data_center(dc, _dc_query(call)))


HANDLERS = {
    "listGpuTypes": list_gpu_types,
    "getGpuType": get_gpu_type,
    "listDataCenters": list_data_centers,
    "getDataCenter": get_data_center,
}
