"""The fake's fixed world: data centers, GPU types, per-data-center prices and stock.

Deterministic on purpose: tests and pages can rely on "the cheapest GPU in EU-RO-1 under
$0.30" always being the same. Ids and display names are the real Runpod ones; prices are
Secure Cloud $/GPU/h and only roughly realistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DataCenter:
    id: str
    name: str
    location: str
    region: str  # a DataCenterRegion enum value (GraphQL and REST use the same names)
    country: str
    compliance: tuple[str, ...] = ()


@dataclass(frozen=True)
class GpuType:
    id: str
    display_name: str
    memory_gb: int
    pool: str
    secure_price: float  # the list price; per-data-center prices are in OFFERS
    community_price: float
    max_gpu_count: int = 8
    cuda_cores: int = 0
    offers: dict[str, tuple[float, str | None]] = field(default_factory=dict)


DATA_CENTERS: tuple[DataCenter, ...] = (
    DataCenter("EU-RO-1", "EU-RO-1", "Romania", "EUROPE", "RO", ("GDPR", "ISO_IEC_27001")),
    DataCenter("US-KS-2", "US-KS-2", "United States", "NORTH_AMERICA", "US", ("SOC_2_TYPE_2",)),
    DataCenter("EU-SE-1", "EU-SE-1", "Sweden", "EUROPE", "SE", ("GDPR", "ISO_14001")),
    DataCenter("CA-MTL-1", "CA-MTL-1", "Canada", "NORTH_AMERICA", "CA", ("SOC_2_TYPE_2",)),
    DataCenter("US-TX-3", "US-TX-3", "United States", "NORTH_AMERICA", "US"),  # no volumes
)

# stockStatus values as Runpod reports them; None = not offered / no capacity there.
HIGH, MEDIUM, LOW = "High", "Medium", "Low"
# how many GPUs a stock level still has free (LowestPrice.maxUnreservedGpuCount)
FREE_GPUS = {HIGH: 8, MEDIUM: 4, LOW: 2}

# gpu id -> data center -> (Secure Cloud $/GPU/h, stockStatus)
_OFFERS: dict[str, dict[str, tuple[float, str | None]]] = {
    "NVIDIA RTX A4000": {
        "EU-RO-1": (0.25, HIGH),
        "US-KS-2": (0.26, MEDIUM),
        "EU-SE-1": (0.25, LOW),
        "CA-MTL-1": (0.27, HIGH),
        "US-TX-3": (0.28, HIGH),
    },
    "NVIDIA RTX A5000": {
        "EU-RO-1": (0.27, MEDIUM),
        "US-KS-2": (0.29, HIGH),
        "EU-SE-1": (0.28, None),
        "CA-MTL-1": (0.29, LOW),
    },
    "NVIDIA GeForce RTX 3090": {
        "EU-RO-1": (0.46, LOW),
        "US-KS-2": (0.43, MEDIUM),
        "EU-SE-1": (0.44, HIGH),
        "CA-MTL-1": (0.46, None),
    },
    "NVIDIA GeForce RTX 4090": {
        "EU-RO-1": (0.69, HIGH),
        "US-KS-2": (0.59, HIGH),
        "EU-SE-1": (0.69, MEDIUM),
        "CA-MTL-1": (0.74, LOW),
    },
    "NVIDIA RTX A6000": {
        "EU-RO-1": (0.49, MEDIUM),
        "US-KS-2": (0.49, LOW),
        "EU-SE-1": (0.52, HIGH),
        "CA-MTL-1": (0.49, None),
    },
    "NVIDIA L4": {
        "EU-RO-1": (0.43, None),
        "US-KS-2": (0.39, HIGH),
        "EU-SE-1": (0.43, None),
        "CA-MTL-1": (0.41, MEDIUM),
    },
    "NVIDIA A100 80GB PCIe": {
        "EU-RO-1": (1.64, LOW),
        "US-KS-2": (1.64, MEDIUM),
        "EU-SE-1": (1.74, None),
        "CA-MTL-1": (1.69, LOW),
    },
}

GPU_TYPES: tuple[GpuType, ...] = tuple(
    GpuType(gpu_id, display, memory, pool, secure, community, max_count, cores, _OFFERS[gpu_id])
    for gpu_id, display, memory, pool, secure, community, max_count, cores in (
        ("NVIDIA RTX A4000", "RTX A4000", 16, "AMPERE_16", 0.25, 0.17, 8, 6144),
        ("NVIDIA RTX A5000", "RTX A5000", 24, "AMPERE_24", 0.27, 0.16, 8, 8192),
        ("NVIDIA GeForce RTX 3090", "RTX 3090", 24, "AMPERE_24", 0.46, 0.22, 4, 10496),
        ("NVIDIA GeForce RTX 4090", "RTX 4090", 24, "ADA_24", 0.69, 0.34, 8, 16384),
        ("NVIDIA RTX A6000", "RTX A6000", 48, "AMPERE_48", 0.49, 0.33, 8, 10752),
        ("NVIDIA L4", "L4", 24, "ADA_24", 0.43, 0.24, 8, 7424),
        ("NVIDIA A100 80GB PCIe", "A100 PCIe", 80, "AMPERE_80", 1.64, 1.19, 8, 6912),
    )
)

# Network volume tiers per data center with $/GB/month; the first is the data center's
# default, what a create without "type" gets. Standard is $0.07 (under 1 TB, docs
# storage/network-volumes); high-performance costs more and varies by data center, the
# numbers are the fake's. EU-RO-1 defaults to high-performance (as the console's toggle
# does where it is offered); US-TX-3 has no network volumes at all.
VOLUME_TIERS: dict[str, dict[str, float]] = {
    "EU-RO-1": {"HIGH_PERFORMANCE": 0.14, "STANDARD": 0.07},
    "US-KS-2": {"STANDARD": 0.07, "HIGH_PERFORMANCE": 0.16},
    "EU-SE-1": {"STANDARD": 0.07},
    "CA-MTL-1": {"STANDARD": 0.07},
    "US-TX-3": {},
}
VOLUME_TYPES: dict[str, tuple[str, ...]] = {dc: tuple(t) for dc, t in VOLUME_TIERS.items()}

# Community Cloud offers are not tied to a data center in the fake.
COMMUNITY_STOCK = MEDIUM

NO_CAPACITY = (
    "There are no longer any instances available with the requested specifications. "
    "Please refresh and try again."
)


def data_center(dc_id: str) -> DataCenter | None:
    return next((dc for dc in DATA_CENTERS if dc.id == dc_id), None)


def gpu_type(gpu_id: str) -> GpuType | None:
    return next((gpu for gpu in GPU_TYPES if gpu.id == gpu_id), None)


def secure_offer(gpu: GpuType, dc_id: str | None) -> tuple[float | None, str | None, str | None]:
    """(price, stockStatus, data center) of the cheapest in-stock Secure offer.

    With dc_id: that data center only. (None, None, None) when nothing is in stock.
    """
    offers = [
        (price, stock, dc)
        for dc, (price, stock) in gpu.offers.items()
        if stock is not None and (dc_id is None or dc == dc_id)
    ]
    if not offers:
        return None, None, None
    return min(offers, key=lambda offer: (offer[0], offer[2]))
