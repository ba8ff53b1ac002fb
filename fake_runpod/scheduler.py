"""Where a new pod lands: the offer (data center, price), the machine and its CUDA driver,
and the answers Runpod gives when it cannot place one.

Every machine reports the CUDA version of its driver. An image built for a newer CUDA does
not start there (see state.py); `allowedCudaVersions` keeps the scheduler to machines that
report one of those versions, exactly (REST v2 OpenAPI, CreateGpuConfig.allowedCudaVersions:
"Matching is exact, so a version no machine reports yields a capacity error").

In realistic mode (FakeRunpod(realistic=True)) every offer has an old-driver machine first,
so a create that does not constrain CUDA lands on it, and creates meet Runpod's capacity
and transient answers in a fixed, repeating order (REALISTIC_CREATES).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import catalog
from .image_tags import cuda_key
from .state import DomainError

# The other answers seen from Runpod's pod create (runpod/containers tests/runpod_smoke/pod.py,
# UNAVAILABLE_RE and TRANSIENT_RE, commit 6990d37).
NO_RESOURCES = (
    "This machine does not have the resources to deploy your pod. Please try a different machine"
)
TRANSIENT = "Something went wrong. Please try again later or contact support."

# CUDA versions of the machines behind each offer, in the order the scheduler tries them.
DEFAULT_HOSTS = ("12.8",)
REALISTIC_HOSTS = ("12.4", "12.8", "13.0")
OLD_DRIVER = "12.4"  # the host of the fault pod:old_driver

# What the k-th create meets in realistic mode (then the list starts again): one of each of
# Runpod's refusals within the first four creates, so a replay with two pods meets them all.
REALISTIC_CREATES = ("no_resources", "transient", "ok", "null", "ok", "ok")
CREATE_ERRORS = {
    "no_capacity": catalog.NO_CAPACITY,
    "no_resources": NO_RESOURCES,
    "transient": TRANSIENT,
}


@dataclass(frozen=True)
class Placement:
    price: float
    data_center: str | None
    cloud: str
    host_cuda: str


def place(
    gpu: catalog.GpuType,
    count: int,
    *,
    data_center: str | None,
    cloud: str,
    with_volume: bool,
    allowed_cuda: list[str] | None,
    hosts: tuple[str, ...],
    min_cuda: str | None = None,
) -> Placement:
    """The cheapest in-stock offer with a machine whose CUDA version is allowed (one of
    allowed_cuda exactly, and at least min_cuda)."""
    allowed = set(allowed_cuda or ())
    host = next(
        (
            cuda
            for cuda in hosts
            if (not allowed or cuda in allowed)
            and (min_cuda is None or cuda_key(cuda) >= cuda_key(min_cuda))
        ),
        None,
    )
    if host is not None and cloud in ("SECURE", "ALL"):
        offers = sorted(
            (offer_price, offer_dc)
            for offer_dc, (offer_price, stock) in gpu.offers.items()
            if (data_center is None or offer_dc == data_center)
            and count <= catalog.FREE_GPUS.get(stock, 0)
        )
        if offers:
            price, dc_id = offers[0]
            return Placement(price, dc_id, "SECURE", host)
    if host is not None and cloud in ("COMMUNITY", "ALL") and not with_volume and not data_center:
        return Placement(gpu.community_price, None, "COMMUNITY", host)
    raise DomainError(catalog.NO_CAPACITY)
