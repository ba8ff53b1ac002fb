"""REST v2 network volumes, secrets and container registry credentials."""

from __future__ import annotations

from ..errors import Unprocessable
from ..models import Registry, Secret, Volume, rfc3339
from .call import Answer, Call

SECRET_VALUE_LIMIT = 16 * 1024 * 1024  # bytes of UTF-8, strictly below (create-a-secret)
DESCRIPTION_LIMIT = 65535  # bytes of UTF-8


def volume_view(volume: Volume) -> dict:
    return {
        "id": volume.id,
        "name": volume.name,
        "size": volume.size,
        "dataCenter": volume.data_center,
        "type": volume.type,
    }


def secret_view(secret: Secret) -> dict:
    return {
        "id": secret.id,
        "name": secret.name,
        "description": secret.description,
        "createdAt": rfc3339(secret.created_at),
        "valueLastUpdatedAt": rfc3339(secret.value_updated_at),
    }


def registry_view(registry: Registry) -> dict:
    return {"id": registry.id, "name": registry.name}  # the credentials are write-only


# --- network volumes --------------------------------------------------------------------------
def list_volumes(call: Call) -> Answer:
    return Answer(200, {"networkVolumes": [volume_view(v) for v in call.backend.list_volumes()]})


def create_volume(call: Call) -> Answer:
    body = call.body
    backend = call.backend
    made = backend.create_volume(body["name"], body["size"], body["dataCenter"], body.get("type"))
    return Answer(201, volume_view(made))


def get_volume(call: Call) -> Answer:
    return Answer(200, volume_view(call.backend.volume(call.params["id"])))


def update_volume(call: Call) -> Answer:
    body = call.body
    changed = call.backend.update_volume(call.params["id"], body.get("name"), body.get("size"))
    return Answer(200, volume_view(changed))


def delete_volume(call: Call) -> Answer:
    call.backend.delete_volume(call.params["id"])
    return Answer(204)


# --- secrets ----------------------------------------------------------------------------------
def _check_value(body: dict) -> None:
    """The byte limits of the docs (the schema's maxLength counts characters)."""
    errors = []
    if "value" in body and len(body["value"].encode("utf-8")) >= SECRET_VALUE_LIMIT:
        errors.append("$.value: must be under 16 MiB")
    if len(body.get("description", "").encode("utf-8")) > DESCRIPTION_LIMIT:
        errors.append("$.description: must be at most 65535 bytes")
    if errors:
        raise Unprocessable("Request validation failed.", errors)


def list_secrets(call: Call) -> Answer:
    found = call.backend.list_secrets(call.query.get("name"))  # ?name=: that one, any case
    return Answer(200, {"secrets": [secret_view(secret) for secret in found]})


def create_secret(call: Call) -> Answer:
    _check_value(call.body)
    body = call.body
    made = call.backend.create_secret(body["name"], body["value"], body.get("description"))
    return Answer(201, secret_view(made))


def get_secret(call: Call) -> Answer:
    return Answer(200, secret_view(call.backend.secret(call.params["id"])))


def update_secret(call: Call) -> Answer:
    _check_value(call.body)
    return Answer(200, secret_view(call.backend.update_secret(call.params["id"], call.body)))


def delete_secret(call: Call) -> Answer:
    call.backend.delete_secret(call.params["id"])
    return Answer(204)


# --- container registry credentials -----------------------------------------------------------
def list_registries(call: Call) -> Answer:
    registries = call.backend.list_registries()
    return Answer(200, {"registries": [registry_view(r) for r in registries]})


def create_registry(call: Call) -> Answer:
    body = call.body
    made = call.backend.create_registry(body["name"], body["username"], body["password"])
    return Answer(201, registry_view(made))


def get_registry(call: Call) -> Answer:
    return Answer(200, registry_view(call.backend.registry(call.params["id"])))


def delete_registry(call: Call) -> Answer:
    call.backend.delete_registry(call.params["id"])
    return Answer(204)


HANDLERS = {
    "listNetworkVolumes": list_volumes,
    "createNetworkVolume": create_volume,
    "getNetworkVolume": get_volume,
    "updateNetworkVolume": update_volume,
    "deleteNetworkVolume": delete_volume,
    "listSecrets": list_secrets,
    "createSecret": create_secret,
    "getSecret": get_secret,
    "updateSecret": update_secret,
    "deleteSecret": delete_secret,
    "listRegistries": list_registries,
    "createRegistry": create_registry,
    "getRegistry": get_registry,
    "deleteRegistry": delete_registry,
}
