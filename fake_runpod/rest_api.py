"""REST v2 handlers, one per operationId of the contract (contract.py routes and validates).

Each handler gets (path params, query params, body) and returns (status, body or None).
Errors are raised as RestError and rendered as the contract's ErrorResponse.
"""

from __future__ import annotations

from http import HTTPStatus

from . import catalog
from .state import DomainError, State

SECRET_VALUE_LIMIT = 16 * 1024 * 1024  # bytes of UTF-8, strictly below
DESCRIPTION_LIMIT = 65535  # bytes of UTF-8


class RestError(Exception):
    def __init__(self, status: int, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def problem(status: int, detail: str, errors: list[str] | None = None) -> dict:
    title = TITLES.get(status) or _phrase(status)
    body = {"title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Operations:
    """Serves OpenAPI operations by name: a method per operationId."""

    def handle(self, operation_id: str, params: dict, query: dict, body) -> tuple[int, object]:
        handler = getattr(self, operation_id, None)
        if handler is None:
            raise RestError(404, f"{operation_id} is not served by the fake Runpod")
        try:
            return handler(params, query, body)
        except DomainError as error:
            raise RestError(400, str(error)) from None


class RestAPI(Operations):
    def __init__(self, state: State) -> None:
        self.state = state

    # --- network volumes -----------------------------------------------------------------
    def _volume(self, volume_id: str):
        volume = self.state.volume(volume_id)
        if volume is None:
            raise RestError(404, "network volume not found")
        return volume

    def listNetworkVolumes(self, params, query, body):  # noqa: N802
        with self.state.lock:
            volumes = [volume.rest() for volume in self.state.volumes.values()]
        return 200, {"networkVolumes": volumes}

    def createNetworkVolume(self, params, query, body):  # noqa: N802
        volume = self.state.create_volume(
            body["name"], body["size"], body["dataCenter"], body.get("type")
        )
        return 201, volume.rest()

    def getNetworkVolume(self, params, query, body):  # noqa: N802
        return 200, self._volume(params["id"]).rest()

    def updateNetworkVolume(self, params, query, body):  # noqa: N802
        with self.state.lock:
            volume = self._volume(params["id"])
            if "size" in body and body["size"] < volume.size:
                raise RestError(400, "network volume size can only be increased")
            volume.name = body.get("name", volume.name)
            volume.size = body.get("size", volume.size)
            return 200, volume.rest()

    def deleteNetworkVolume(self, params, query, body):  # noqa: N802
        self._volume(params["id"])
        self.state.delete_volume(params["id"])
        return 204, None

    # --- secrets -------------------------------------------------------------------------
    def _secret(self, secret_id: str):
        with self.state.lock:
            secret = self.state.secrets.get(secret_id)
        if secret is None:
            raise RestError(404, "secret not found")
        return secret

    @staticmethod
    def _check_value(body) -> None:
        """The byte limits of the docs (the schema's maxLength counts characters)."""
        errors = []
        if "value" in body and len(body["value"].encode("utf-8")) >= SECRET_VALUE_LIMIT:
            errors.append("$.value: must be under 16 MiB")
        if len(body.get("description", "").encode("utf-8")) > DESCRIPTION_LIMIT:
            errors.append("$.description: must be at most 65535 bytes")
        if errors:
            raise RestError(422, "Request validation failed.", errors)

    def listSecrets(self, params, query, body):  # noqa: N802
        wanted = (query.get("name") or [None])[0]  # ?name=: that one only, in any case
        with self.state.lock:
            secrets = [
                secret.rest()
                for secret in self.state.secrets.values()
                if wanted is None or secret.name.lower() == wanted.lower()
            ]
        return 200, {"secrets": secrets}

    def createSecret(self, params, query, body):  # noqa: N802
        self._check_value(body)
        try:
            secret = self.state.create_secret(body["name"], body["value"], body.get("description"))
        except DomainError as error:
            raise RestError(409, str(error)) from None
        return 201, secret.rest()

    def getSecret(self, params, query, body):  # noqa: N802
        return 200, self._secret(params["id"]).rest()

    def updateSecret(self, params, query, body):  # noqa: N802
        self._check_value(body)
        self._secret(params["id"])
        return 200, self.state.update_secret(params["id"], body).rest()

    def deleteSecret(self, params, query, body):  # noqa: N802
        with self.state.lock:
            self._secret(params["id"])
            del self.state.secrets[params["id"]]
        return 204, None

    # --- catalog -------------------------------------------------------------------------
    def listGpuTypes(self, params, query, body):  # noqa: N802
        include = _csv(query.get("include"))
        products = _csv(query.get("product"))
        if bool(include) != bool(products):
            raise RestError(
                400, "product is required with include=AVAILABILITY, and only valid with it"
            )
        gpus = []
        for gpu in catalog.GPU_TYPES:
            item = {
                "id": gpu.id,
                "name": gpu.display_name,
                "pool": gpu.pool,
                "manufacturer": "NVIDIA",
                "memory": gpu.memory_gb,
                "secure": True,
                "community": True,
                "price": {"secure": gpu.secure_price, "community": gpu.community_price},
                "maxCount": {"secure": gpu.max_gpu_count, "community": min(4, gpu.max_gpu_count)},
            }
            if include:
                levels = [_level(stock) for _, stock in gpu.offers.values()]
                item["availability"] = max(levels, key=_LEVELS.index)
                item["dataCenters"] = [
                    {"id": dc, "name": dc, "availability": _level(stock)}
                    for dc, (_, stock) in gpu.offers.items()
                ]
            gpus.append(item)
        return 200, {"gpus": gpus}

    def listDataCenters(self, params, query, body):  # noqa: N802
        return 200, {
            "dataCenters": [
                {
                    "id": dc.id,
                    "name": dc.name,
                    "region": dc.region,
                    "globalNetwork": False,
                    "networkVolumeTypes": list(catalog.VOLUME_TYPES[dc.id]),
                    "compliance": list(dc.compliance),
                }
                for dc in catalog.DATA_CENTERS
            ]
        }


_LEVELS = ["NONE", "LOW", "MEDIUM", "HIGH"]


def _level(stock: str | None) -> str:
    return "NONE" if stock is None else stock.upper()


def _csv(values: list[str] | None) -> list[str]:
    return [v for value in values or [] for v in value.split(",") if v]
