"""The fake's fixed world: data centers, GPU types with their list prices, stock per data
center, the CUDA versions the machines report, network volume tiers.

Deterministic on purpose: tests and pages can rely on "the cheapest GPU in EU-RO-1 under
$0.30" always being the same. Ids and display names are the real Runpod ones; prices are
only roughly realistic. A pod is billed its GPU type's list price (`price.secure` or
`price.community` of `GET /v2/catalog/gpus`) times its GPU count, in every data center.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DataCenter:
    id: str
    name: str
    location: str
    region: str  # a DataCenterRegion value (GraphQL and REST use the same names)
    country: str  # ISO 3166-1 alpha-2
    compliance: tuple[str, ...] = ()
    global_network: bool = False


@dataclass(frozen=True)
class GpuType:
    id: str
    display_name: str
    memory_gb: int
    pool: str
    secure_price: float  # list price, $/GPU/h
    community_price: float
    max_gpu_count: int = 8
    cuda_cores: int = 0
    stock: dict[str, str] = field(default_factory=dict)  # data center -> HIGH/MEDIUM/LOW/NONE


GDPR, ISO_27001, ISO_14001, SOC2 = "GDPR", "ISO_IEC_27001", "ISO_14001", "SOC_2_TYPE_2"
DATA_CENTERS: tuple[DataCenter, ...] = (
    DataCenter("EU-RO-1", "EU Romania 1", "Romania", "EUROPE", "RO", (GDPR, ISO_27001), True),
    DataCenter("US-KS-2", "US Kansas 2", "United States", "NORTH_AMERICA", "US", (SOC2,), True),
    DataCenter("EU-SE-1", "EU Sweden 1", "Sweden", "EUROPE", "SE", (GDPR, ISO_14001)),
    DataCenter("CA-MTL-1", "CA Montreal 1", "Canada", "NORTH_AMERICA", "CA", (SOC2,)),
    DataCenter("US-TX-3", "US Texas 3", "United States", "NORTH_AMERICA", "US"),  # no volumes
)

# AvailabilityLevel values (REST v2); how many GPUs of a type a data center still has free
HIGH, MEDIUM, LOW, NONE = "HIGH", "MEDIUM", "LOW", "NONE"
LEVELS = (NONE, LOW, MEDIUM, HIGH)
FREE_GPUS = {HIGH: 8, MEDIUM: 4, LOW: 2, NONE: 0}

# gpu id -> stock level in EU-RO-1, US-KS-2, EU-SE-1, CA-MTL-1, US-TX-3 (None: not sold there)
_STOCK_ROWS: dict[str, tuple[str | None, ...]] = {
    "NVIDIA RTX A4000": (HIGH, MEDIUM, LOW, HIGH, HIGH),
    "NVIDIA RTX A5000": (MEDIUM, HIGH, NONE, LOW, None),
    "NVIDIA GeForce RTX 3090": (LOW, MEDIUM, HIGH, NONE, None),
    "NVIDIA GeForce RTX 4090": (HIGH, HIGH, MEDIUM, LOW, None),
    "NVIDIA RTX A6000": (MEDIUM, LOW, HIGH, NONE, None),
    "NVIDIA L4": (NONE, HIGH, NONE, MEDIUM, None),
    "NVIDIA A100 80GB PCIe": (LOW, MEDIUM, NONE, LOW, None),
}
_STOCK = {
    gpu: {dc.id: level for dc, level in zip(DATA_CENTERS, row, strict=True) if level}
    for gpu, row in _STOCK_ROWS.items()
}

GPU_TYPES: tuple[GpuType, ...] = tuple(
    GpuType(gpu_id, display, memory, pool, secure, community, max_count, cores, _STOCK[gpu_id])
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

# Community Cloud: one stock level per GPU type, not tied to a data center in the fake.
COMMUNITY_STOCK = MEDIUM
COMMUNITY_MAX_GPUS = 4

# The CUDA version each machine behind an offer reports, in the order the scheduler tries
# them. Default mode: every machine reports 12.8. Realistic mode: an old driver first.
DEFAULT_HOSTS = ("12.8",)
REALISTIC_HOSTS = ("12.4", "12.8", "13.0")
OLD_DRIVER = "12.4"  # the machine of the fault pod:old_driver

# Network volume tiers per data center with $/GB/month; the first is the data center's
# default, what a create without "type" gets. Standard is $0.07 (under 1 TB, docs
# storage/network-volumes); high-performance costs more and varies by data center, the
# numbers are the fake's. US-TX-3 has no network volumes at all.
VOLUME_TIERS: dict[str, dict[str, float]] = {
    "EU-RO-1": {"HIGH_PERFORMANCE": 0.14, "STANDARD": 0.07},
    "US-KS-2": {"STANDARD": 0.07, "HIGH_PERFORMANCE": 0.16},
    "EU-SE-1": {"STANDARD": 0.07},
    "CA-MTL-1": {"STANDARD": 0.07},
    "US-TX-3": {},
}
VOLUME_TYPES: dict[str, tuple[str, ...]] = {dc: tuple(t) for dc, t in VOLUME_TIERS.items()}

# Disk prices, $/GB/month (docs pods/pricing, "Storage pricing"): container disk while the
# pod runs; a pod's own volume disk while it runs, and twice that while it is stopped.
CONTAINER_DISK_PRICE = 0.10
VOLUME_DISK_PRICE = {"running": 0.10, "stopped": 0.20}
HOURS_PER_MONTH = 730

# The account's balance (GraphQL myself.clientBalance): a reader's first $10 top-up. A create
# needs an hour's worth of the pod's cost ("at least one hour's worth of credits", docs
# pods/pricing): 8 x A100 ($13.12/h) is refused with 402.
BALANCE = 10.0


def data_center(dc_id: str) -> DataCenter | None:
    return next((dc for dc in DATA_CENTERS if dc.id == dc_id), None)


def gpu_type(gpu_id: str) -> GpuType | None:
    return next((gpu for gpu in GPU_TYPES if gpu.id == gpu_id), None)


def list_price(gpu: GpuType, cloud: str) -> float:
    return gpu.community_price if cloud == "COMMUNITY" else gpu.secure_price


def free_gpus(gpu: GpuType, dc_id: str | None, cloud: str = "SECURE") -> int:
    """GPUs of this type still free in a data center (Community: anywhere)."""
    if cloud == "COMMUNITY":
        return min(FREE_GPUS[COMMUNITY_STOCK], COMMUNITY_MAX_GPUS)
    return FREE_GPUS[gpu.stock.get(dc_id, NONE)] if dc_id else 0


def level(free: int, count: int) -> str:
    """The AvailabilityLevel a client asking for `count` GPUs sees, from the GPUs free."""
    if free < count:
        return NONE
    return next(lvl for lvl in (HIGH, MEDIUM, LOW) if free >= FREE_GPUS[lvl])
