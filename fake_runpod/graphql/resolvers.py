"""The GraphQL root fields the fake serves: what runpod-python 1.12.0 sends for create_pod
(GPU), get_pod(s), stop_pod, resume_pod, terminate_pod, get_gpus, get_gpu, get_user and
update_user_settings, and runpodctl's podFindAndDeployOnDemand."""

from __future__ import annotations

from .. import catalog
from ..errors import Invalid
from ..models import PodRequest
from .views import data_center_view, gpu_view, pod_view, volume_view


def pod_request(spec: dict) -> PodRequest:
    """podFindAndDeployOnDemand's input as a PodRequest (the backend checks the rules)."""
    if spec.get("templateId"):
        raise Invalid("templateId is not served by the fake Runpod; pass imageName")
    gpu_id = spec.get("gpuTypeId") or (spec.get("gpuTypeIdList") or [None])[0]
    ports = (spec.get("ports") or "").replace(" ", "")
    return PodRequest(
        name=spec.get("name") or "",
        image=spec.get("imageName") or "",
        gpu_id=gpu_id,
        count=1 if spec.get("gpuCount") is None else spec["gpuCount"],
        cloud=spec.get("cloudType") or "ALL",
        data_centers=[spec["dataCenterId"]] if spec.get("dataCenterId") else [],
        volume_id=spec.get("networkVolumeId"),
        env={item["key"]: item["value"] for item in spec.get("env") or []},
        ports=[port for port in ports.split(",") if port],
        container_disk_gb=spec.get("containerDiskInGb") or 10,
        volume_gb=spec.get("volumeInGb") or 0,
        mount_path=spec.get("volumeMountPath"),
        docker_args=spec.get("dockerArgs") or "",
        allowed_cuda=spec.get("allowedCudaVersions") or None,
        min_cuda=spec.get("minCudaVersion"),
        start_ssh=bool(spec.get("startSsh")),
        start_jupyter=bool(spec.get("startJupyter")),
        registry_id=spec.get("containerRegistryAuthId"),
        global_networking=bool(spec.get("globalNetwork")),
        compliance=list(spec.get("compliance") or []),
        terminate_after=spec.get("terminateAfter"),
    )


class Root:
    """Root resolvers: one method per served Query/Mutation field."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.held: float | None = None  # create_pod:timeout: hold the answer this long

    def _pod(self, pod) -> dict:
        volume = None
        if pod.network_volume_id in self.backend.volumes:
            volume = volume_view(self.backend.volume(pod.network_volume_id))
        return pod_view(pod, volume)

    # Query
    def myself(self):
        backend = self.backend
        pods = [self._pod(pod) for pod in backend.list_pods()]
        return {
            "id": "user_fake0000000000000000000",
            "email": "kaggler@example.com",
            "pubKey": "\n".join(backend.get_ssh_keys()),
            "pods": pods,
            "networkVolumes": [volume_view(volume) for volume in backend.list_volumes()],
            "secrets": [
                {"id": s.id, "name": s.name, "description": s.description}
                for s in backend.list_secrets()
            ],
            "clientBalance": catalog.BALANCE,
            "currentSpendPerHr": round(sum(pod["costPerHr"] for pod in pods), 3),
            "spendLimit": 80,
            "underBalance": False,
            "minBalance": 0.0,
            "endpoints": [],
            "datacenters": [data_center_view(dc) for dc in catalog.DATA_CENTERS],
        }

    def pod(self, input=None):  # noqa: A002
        wanted = (input or {}).get("podId")
        found = [pod for pod in self.backend.list_pods() if pod.id == wanted]
        return self._pod(found[0]) if found else None

    def gpuTypes(self, input=None):  # noqa: A002, N802
        spec = input or {}
        wanted = set(spec.get("ids") or []) | ({spec["id"]} if spec.get("id") else set())
        return [gpu_view(gpu) for gpu in catalog.GPU_TYPES if not wanted or gpu.id in wanted]

    def dataCenters(self):  # noqa: N802
        return [data_center_view(dc) for dc in catalog.DATA_CENTERS]

    # Mutation
    def podFindAndDeployOnDemand(self, input=None):  # noqa: A002, N802
        created = self.backend.create_pod(pod_request(dict(input or {})))
        if created.answer == "timeout":
            self.held = created.hold if created.hold is not None else -1.0
        return None if created.answer == "null" else self._pod(created.pod)

    def podStop(self, input):  # noqa: A002, N802
        return self._pod(self.backend.stop_pod(input["podId"]))

    def podResume(self, input):  # noqa: A002, N802
        return self._pod(self.backend.resume_pod(input["podId"], input.get("gpuCount")))

    def podTerminate(self, input):  # noqa: A002, N802
        self.backend.terminate_pod(input["podId"])
        return None

    def updateUserSettings(self, input=None):  # noqa: A002, N802
        self.backend.set_ssh_keys(((input or {}).get("pubKey") or "").splitlines())
        return self.myself()
