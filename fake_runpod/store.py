"""The account's storage and settings: network volumes, secrets, container registry
credentials and registered SSH keys, with the rules their pages state. backend.Backend is a
Store with pods on top; the lock is the backend's."""

from __future__ import annotations

import secrets as token
import shutil
import threading
from pathlib import Path

from . import catalog
from .errors import Conflict, InUse, Invalid, NotFound
from .models import Registry, Secret, Volume, now


def new_id(length: int = 10) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(token.choice(alphabet) for _ in range(length))


class Store:
    def __init__(self, root: Path, lock: threading.RLock) -> None:
        self.root = root
        self.lock = lock
        self.volumes: dict[str, Volume] = {}
        self.secrets: dict[str, Secret] = {}
        self.registries: dict[str, Registry] = {}
        self.ssh_keys: list[str] = []  # authorized_keys lines (PUT /v2/account/ssh-keys)

    # to be given by the subclass: which pods use a volume / a registry credential
    def volume_users(self, volume_id: str) -> list[str]:
        raise NotImplementedError

    def registry_users(self, registry_id: str) -> list[str]:
        raise NotImplementedError

    # --- network volumes --------------------------------------------------------------------
    def create_volume(self, name: str, size: int, dc_id: str, vtype: str | None) -> Volume:
        if catalog.data_center(dc_id) is None:
            raise Invalid(f"invalid data center: {dc_id}")
        tiers = catalog.VOLUME_TYPES[dc_id]
        if not tiers:
            raise Invalid(f"data center {dc_id} does not offer network volumes")
        vtype = vtype or tiers[0]  # the data center's default tier
        if vtype not in tiers:
            raise Invalid(f"data center {dc_id} does not offer {vtype} network volumes")
        with self.lock:
            volume_id = new_id()
            path = self.root / "volumes" / volume_id
            path.mkdir(parents=True)
            volume = Volume(volume_id, name, size, dc_id, vtype, path)
            self.volumes[volume_id] = volume
            return volume

    def volume(self, volume_id: str) -> Volume:
        with self.lock:
            found = self.volumes.get(volume_id)
        if found is None:
            raise NotFound("network volume not found")
        return found

    def list_volumes(self) -> list[Volume]:
        with self.lock:
            return list(self.volumes.values())

    def update_volume(self, volume_id: str, name: str | None, size: int | None) -> Volume:
        with self.lock:
            volume = self.volume(volume_id)
            if size is not None and size < volume.size:
                raise Invalid("network volume size can only be increased")
            volume.name = volume.name if name is None else name
            volume.size = volume.size if size is None else size
            return volume

    def delete_volume(self, volume_id: str) -> None:
        with self.lock:
            volume = self.volume(volume_id)
            users = self.volume_users(volume_id)
            if users:
                raise InUse(f"network volume is in use by pod(s): {', '.join(users)}")
            del self.volumes[volume_id]
            shutil.rmtree(volume.path, ignore_errors=True)

    # --- secrets ----------------------------------------------------------------------------
    def create_secret(self, name: str, value: str, description: str | None) -> Secret:
        with self.lock:
            # unique regardless of case: the list's ?name= filter matches case-insensitively
            # and returns "only the secret with this name" (api-reference-v2/account/list-secrets)
            if any(secret.name.lower() == name.lower() for secret in self.secrets.values()):
                raise Conflict(f"a secret named {name} already exists")
            moment = now()
            secret = Secret(new_id(), name, value, description, moment, moment)
            self.secrets[secret.id] = secret
            return secret

    def secret(self, secret_id: str) -> Secret:
        with self.lock:
            found = self.secrets.get(secret_id)
        if found is None:
            raise NotFound("secret not found")
        return found

    def list_secrets(self, name: str | None = None) -> list[Secret]:
        with self.lock:
            return [
                secret
                for secret in self.secrets.values()
                if name is None or secret.name.lower() == name.lower()
            ]

    def update_secret(self, secret_id: str, changes: dict) -> Secret:
        """PATCH: a new value (rotation) and/or a description ("" clears it)."""
        with self.lock:
            secret = self.secret(secret_id)
            if "value" in changes:
                secret.value, secret.value_updated_at = changes["value"], now()
            if "description" in changes:
                secret.description = changes["description"] or None
            return secret

    def delete_secret(self, secret_id: str) -> None:
        with self.lock:
            self.secret(secret_id)
            del self.secrets[secret_id]

    def secret_value(self, name: str) -> str | None:
        with self.lock:
            return next((s.value for s in self.secrets.values() if s.name == name), None)

    # --- container registry credentials -----------------------------------------------------
    def create_registry(self, name: str, username: str, password: str) -> Registry:
        with self.lock:
            registry = Registry(new_id(), name, username, password)
            self.registries[registry.id] = registry
            return registry

    def registry(self, registry_id: str) -> Registry:
        with self.lock:
            found = self.registries.get(registry_id)
        if found is None:
            raise NotFound("container registry credential not found")
        return found

    def list_registries(self) -> list[Registry]:
        with self.lock:
            return list(self.registries.values())

    def delete_registry(self, registry_id: str) -> None:
        """Refused (400, the OpenAPI's deleteRegistry) while a pod pulls its image with it."""
        with self.lock:
            self.registry(registry_id)
            users = self.registry_users(registry_id)
            if users:
                raise Invalid(f"registry credential is in use by pod(s): {', '.join(users)}")
            del self.registries[registry_id]

    # --- SSH keys ---------------------------------------------------------------------------
    def set_ssh_keys(self, keys: list[str]) -> list[str]:
        """A complete replacement; pods created afterwards with startSsh get them."""
        with self.lock:
            self.ssh_keys = [key.strip() for key in keys if key.strip()]
            return list(self.ssh_keys)

    def get_ssh_keys(self) -> list[str]:
        with self.lock:
            return list(self.ssh_keys)

    def clear_store(self) -> None:
        with self.lock:
            for volume in self.volumes.values():
                shutil.rmtree(volume.path, ignore_errors=True)
            self.volumes.clear()
            self.secrets.clear()
            self.registries.clear()
            self.ssh_keys = []
