"""POST /graphql: every document is validated and executed by graphql-core against the
contract schema, so a query the real API would reject is rejected here too. (parse +
validate + execute_sync are graphql_sync's own steps; doing them apiece lets the validation of
a query text be cached, as clients poll with the same documents.)

Only the root fields the guide (and runpod-python 1.12.0) use have resolvers; any other root
field validates but then fails with a clear "not served by the fake" error. Errors follow
Runpod's shape: HTTP 200, {"errors": [{"message": ...}], "data": null}.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    build_schema,
    default_field_resolver,
    execute_sync,
    parse,
    validate,
)

from . import catalog, deploy, scheduler
from .faults import Faults
from .state import DomainError, Pod, State
from .timing import Timing

log = logging.getLogger("fake_runpod")
SCHEMA_FILE = Path(__file__).parent / "contract" / "graphql-schema.graphql"
STOCK_GPUS = catalog.FREE_GPUS

_schema = None


def schema():
    global _schema
    if _schema is None:
        _schema = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    return _schema


def root_fields(query: str) -> list[str]:
    """Root field names of a document, for the request log ([] when it does not parse)."""
    try:
        document = parse(query)
    except GraphQLError:
        return []
    return [
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if hasattr(selection, "name")
    ]


@lru_cache(maxsize=256)
def _checked(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parse and validate once per query text: clients poll with the same documents."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate(schema(), document))


def _field_resolver(source, info, **args):
    if info.parent_type.name in ("Query", "Mutation"):
        resolver = getattr(source, info.field_name, None)
        if resolver is None:
            raise DomainError(
                f"{info.parent_type.name}.{info.field_name} is not served by the fake Runpod "
                "(fake_runpod/); add a resolver if the guide needs it"
            )
        return resolver(**args)
    return default_field_resolver(source, info, **args)


class GraphQLAPI:
    def __init__(
        self,
        state: State,
        faults: Faults,
        start_delay: float,
        timing: Timing | None = None,
        stopping: threading.Event | None = None,
        timeout_sleep=lambda: 35.0,
    ) -> None:
        self.state = state
        self.faults = faults
        self.start_delay = start_delay
        self.timing = timing or Timing()
        self.stopping = stopping or threading.Event()  # set when the fake stops
        self.timeout_sleep = timeout_sleep  # seconds a create_pod:timeout holds the answer

    def execute(self, query: str, variables: dict | None, operation: str | None) -> dict:
        document, errors = _checked(query)
        if errors:
            return {"errors": [error.formatted for error in errors], "data": None}
        result = execute_sync(
            schema(),
            document,
            root_value=_Root(self),
            variable_values=variables,
            operation_name=operation,
            field_resolver=_field_resolver,
        )
        if result.errors:
            self._note_own_bugs(result.errors)
            return {"errors": [error.formatted for error in result.errors], "data": None}
        return {"data": result.data}

    def _note_own_bugs(self, errors) -> None:
        """A field error that is not a deliberate DomainError is the fake's own bug (a resolver
        crashed, or a view left a non-null field empty): record it so the fixture fails."""
        for error in errors:
            if error.path is not None and not isinstance(error.original_error, DomainError):
                message = f"GraphQL {'.'.join(map(str, error.path))}: {error.message}"
                log.error("fake Runpod bug: %s", message)
                with self.state.lock:
                    self.state.internal_errors.append(message)

    # --- views ---------------------------------------------------------------------------
    def gpu_view(self, gpu: catalog.GpuType) -> dict:
        def lowest_price(info, input=None):  # noqa: A002 - the GraphQL argument name
            return self.lowest_price(gpu, input or {"gpuCount": 1})

        return {
            "id": gpu.id,
            "displayName": gpu.display_name,
            "manufacturer": "Nvidia",
            "memoryInGb": gpu.memory_gb,
            "cudaCores": gpu.cuda_cores,
            "maxGpuCount": gpu.max_gpu_count,
            "maxGpuCountSecureCloud": gpu.max_gpu_count,
            "maxGpuCountCommunityCloud": min(gpu.max_gpu_count, 4),
            "minPodGpuCount": 1,
            "secureCloud": True,
            "communityCloud": True,
            "securePrice": gpu.secure_price,
            "communityPrice": gpu.community_price,
            "secureSpotPrice": round(gpu.secure_price * 0.6, 3),
            "communitySpotPrice": round(gpu.community_price * 0.6, 3),
            "oneWeekPrice": round(gpu.secure_price * 0.95, 3),
            "oneMonthPrice": round(gpu.secure_price * 0.9, 3),
            "threeMonthPrice": round(gpu.secure_price * 0.85, 3),
            "sixMonthPrice": round(gpu.secure_price * 0.8, 3),
            "oneYearPrice": round(gpu.secure_price * 0.75, 3),
            "lowestPrice": lowest_price,
        }

    def lowest_price(self, gpu: catalog.GpuType, spec: dict) -> dict:
        count = spec.get("gpuCount") or 1
        dc_id = spec.get("dataCenterId")
        if dc_id is not None and catalog.data_center(dc_id) is None:
            raise DomainError(f"Unknown data center id: {dc_id}")
        if spec.get("secureCloud") is False:
            price, stock, dc_id = gpu.community_price, catalog.COMMUNITY_STOCK, None
        else:
            price, stock, dc_id = catalog.secure_offer(gpu, dc_id)
        free = min(STOCK_GPUS.get(stock, 0), gpu.max_gpu_count)
        if count > free:
            price, stock = None, None
        return {
            "gpuName": gpu.display_name,
            "gpuTypeId": gpu.id,
            "uninterruptablePrice": price,
            "minimumBidPrice": None if price is None else round(price * 0.6, 3),
            "stockStatus": stock,
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
            "countryCode": None if dc_id is None else catalog.data_center(dc_id).country,
        }

    def data_center_view(self, dc: catalog.DataCenter) -> dict:
        def gpu_availability(info, input=None):  # noqa: A002
            spec = dict(input or {})
            count = spec.get("gpuCount") or 1
            rows = []
            for gpu in catalog.GPU_TYPES:
                _, stock = gpu.offers.get(dc.id, (None, None))
                available = stock is not None and count <= STOCK_GPUS[stock]
                rows.append(
                    {
                        "id": gpu.id,
                        "gpuTypeId": gpu.id,
                        "displayName": gpu.display_name,
                        "gpuTypeDisplayName": gpu.display_name,
                        "stockStatus": stock if available else None,
                        "available": available,
                    }
                )
            return rows

        return {
            "id": dc.id,
            "name": dc.name,
            "location": dc.location,
            "region": dc.region,
            "listed": True,
            "storageSupport": True,
            "globalNetwork": False,
            "s3apiEnabled": False,
            "compliance": list(dc.compliance),
            "pools": [],
            "gpuAvailability": gpu_availability,
        }

    def volume_view(self, volume_id: str | None) -> dict | None:
        volume = self.state.volume(volume_id) if volume_id else None
        if volume is None:
            return None
        return {
            "id": volume.id,
            "name": volume.name,
            "size": volume.size,
            "dataCenterId": volume.data_center,
            "dataCenter": self.data_center_view(catalog.data_center(volume.data_center)),
        }

    def pod_view(self, pod: Pod) -> dict:
        gpu = catalog.gpu_type(pod.gpu_type_id) if pod.gpu_type_id else None
        cost = round(pod.price_per_gpu * pod.gpu_count, 3)
        uptime = int(time.monotonic() - pod.started_at) if pod.started_at else 0
        runtime = None
        if pod.runtime_ports is not None:
            runtime = {
                "uptimeInSeconds": uptime,
                "ports": [dict(port) for port in pod.runtime_ports],
                "gpus": [
                    {"id": f"GPU-{pod.id}-{i}", "gpuUtilPercent": 0, "memoryUtilPercent": 0}
                    for i in range(pod.gpu_count)
                ],
                "container": {"cpuPercent": 0, "memoryPercent": 1},
            }
        dc = catalog.data_center(pod.data_center) if pod.data_center else None
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
            "dockerId": None,
            "containerDiskInGb": pod.container_disk_gb,
            "volumeInGb": float(pod.volume_gb),
            "volumeMountPath": pod.volume_mount_path,
            "volumeEncrypted": False,
            "memoryInGb": float(31 * pod.gpu_count),
            "vcpuCount": float(8 * pod.gpu_count),
            "gpuPowerLimitPercent": 100,
            "podType": "RESERVED",
            "port": None,
            "ports": pod.ports,
            "uptimeSeconds": uptime,
            "lastStatusChange": pod.last_status_change,
            "locked": False,
            "machineId": pod.machine_id,
            "networkVolumeId": pod.network_volume_id,
            "networkVolume": self.volume_view(pod.network_volume_id),
            "runtime": runtime,
            "machine": {
                "id": pod.machine_id,
                "podHostId": pod.pod_host_id,
                "gpuDisplayName": gpu.display_name if gpu else None,
                "gpuTypeId": pod.gpu_type_id,
                "gpuType": self.gpu_view(gpu) if gpu else None,
                "dataCenterId": pod.data_center,
                "location": dc.location if dc else None,
                "secureCloud": pod.cloud_type != "COMMUNITY",
                "supportPublicIp": True,
                "costPerHr": cost,
                "currentPricePerGpu": pod.price_per_gpu,
                "listed": True,
            },
        }

    def user_view(self) -> dict:
        with self.state.lock:
            pods = [self.pod_view(pod) for pod in self.state.pods.values()]
            volumes = [self.volume_view(v) for v in self.state.volumes]
            secrets = [
                {
                    "id": s.id,
                    "name": s.name,
                    "description": s.description,
                    "createdAt": s.created_at,
                }
                for s in self.state.secrets.values()
            ]
            pub_key = self.state.user_pub_key
        return {
            "id": "user_fake0000000000000000000",
            "email": "kaggler@example.com",
            "pubKey": pub_key,
            "pods": pods,
            "networkVolumes": volumes,
            "secrets": secrets,
            "clientBalance": 25.0,
            "currentSpendPerHr": round(sum(p["costPerHr"] for p in pods), 3),
            "spendLimit": 80,
            "underBalance": False,
            "minBalance": 0.0,
            "endpoints": [],
            "datacenters": [self.data_center_view(dc) for dc in catalog.DATA_CENTERS],
        }

    # --- pod creation --------------------------------------------------------------------
    def deploy(self, spec: dict) -> dict | None:
        """podFindAndDeployOnDemand. What the create meets first: a create_pod:... fault, or
        in realistic mode the next of scheduler.REALISTIC_CREATES."""
        if spec.get("templateId"):
            raise DomainError("templateId is not served by the fake Runpod; pass imageName")
        request = self._request(spec)
        with self.state.lock:  # the volume checked here must still exist when the pod is made
            deploy.check(self.state, request)
            outcome, hold = self._outcome()
            if outcome in scheduler.CREATE_ERRORS:
                raise DomainError(scheduler.CREATE_ERRORS[outcome])
            pod = deploy.create(self.state, self.faults, self.timing, self.start_delay, request)
            view = self.pod_view(pod)
        if outcome == "timeout":  # made; the answer comes after the client gave up
            self.stopping.wait(self.timeout_sleep() if hold is None else hold)
        return None if outcome == "null" else view

    @staticmethod
    def _request(spec: dict) -> deploy.PodRequest:
        gpu_id = spec.get("gpuTypeId") or (spec.get("gpuTypeIdList") or [None])[0]
        return deploy.PodRequest(
            name=spec.get("name") or "",
            image=spec.get("imageName") or "",
            gpu_id=gpu_id,
            count=1 if spec.get("gpuCount") is None else spec["gpuCount"],
            cloud=spec.get("cloudType") or "ALL",
            data_center=spec.get("dataCenterId"),
            volume_id=spec.get("networkVolumeId"),
            env={item["key"]: item["value"] for item in spec.get("env") or []},
            ports=(spec.get("ports") or "").replace(" ", ""),
            container_disk_gb=spec.get("containerDiskInGb") or 10,
            volume_gb=spec.get("volumeInGb") or 0,
            mount_path=spec.get("volumeMountPath"),
            docker_args=spec.get("dockerArgs") or "",
            allowed_cuda=spec.get("allowedCudaVersions"),
            start_ssh=bool(spec.get("startSsh")),
            terminate_after=spec.get("terminateAfter"),
        )

    def _outcome(self) -> tuple[str, float | None]:
        fault = self.faults.take("create_pod")
        if fault is not None:
            return fault.kind, fault.value
        if self.timing.realistic:
            outcome = scheduler.REALISTIC_CREATES[
                self.state.create_count % len(scheduler.REALISTIC_CREATES)
            ]
            self.state.create_count += 1
            return outcome, None
        return "ok", None

    def existing_pod(self, pod_id: str) -> Pod:
        with self.state.lock:
            pod = self.state.pods.get(pod_id)
        if pod is None:
            raise DomainError(f"Pod not found: {pod_id}")
        return pod


class _Root:
    """Root resolvers: one method per served Query/Mutation field."""

    def __init__(self, api: GraphQLAPI) -> None:
        self.api = api

    # Query
    def myself(self):
        return self.api.user_view()

    def pod(self, input=None):  # noqa: A002
        with self.api.state.lock:
            pod = self.api.state.pods.get((input or {}).get("podId"))
            return self.api.pod_view(pod) if pod else None

    def gpuTypes(self, input=None):  # noqa: A002, N802
        spec = input or {}
        wanted = set(spec.get("ids") or []) | ({spec["id"]} if spec.get("id") else set())
        return [
            self.api.gpu_view(gpu) for gpu in catalog.GPU_TYPES if not wanted or gpu.id in wanted
        ]

    def dataCenters(self):  # noqa: N802
        return [self.api.data_center_view(dc) for dc in catalog.DATA_CENTERS]

    # Mutation
    def podFindAndDeployOnDemand(self, input=None):  # noqa: A002, N802
        return self.api.deploy(dict(input or {}))

    def podStop(self, input):  # noqa: A002, N802
        pod = self.api.existing_pod(input["podId"])
        with self.api.state.lock:
            return self.api.pod_view(self.api.state.stop_pod(pod.id))

    def podResume(self, input):  # noqa: A002, N802
        pod = self.api.existing_pod(input["podId"])
        with self.api.state.lock:
            return self.api.pod_view(self.api.state.resume_pod(pod.id, input.get("gpuCount")))

    def podTerminate(self, input):  # noqa: A002, N802
        pod = self.api.existing_pod(input["podId"])
        self.api.state.terminate_pod(pod.id)
        return None

    def updateUserSettings(self, input=None):  # noqa: A002, N802
        with self.api.state.lock:
            self.api.state.user_pub_key = (input or {}).get("pubKey", "")
        return self.api.user_view()
