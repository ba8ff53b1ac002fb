"""Typed refusals of the fake's backend, each carrying the HTTP status REST v2 answers with
(moto's exceptions.py). The API layers render them: REST as a problem body with this status,
GraphQL as an error with the same message. The message is what the client sees, in Runpod's
words where Runpod's are known (see FIDELITY.md)."""

from __future__ import annotations

# Runpod's own words for a create it cannot place (runpodctl#189; runpod/containers
# tests/runpod_smoke UNAVAILABLE_RE and TRANSIENT_RE, 6990d37).
NO_CAPACITY = (
    "There are no longer any instances available with the requested specifications. "
    "Please refresh and try again."
)
NO_RESOURCES = (
    "This machine does not have the resources to deploy your pod. Please try a different machine"
)
TRANSIENT = "Something went wrong. Please try again later or contact support."


class FakeError(Exception):
    """A request the real API refuses. `status` is the REST v2 answer."""

    status = 400

    def __init__(self, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class Invalid(FakeError):
    """The request breaks a rule the OpenAPI states in prose (400)."""


class Unprocessable(FakeError):
    """The request does not match the contract (422, with one line per violation)."""

    status = 422


class NoCapacity(FakeError):
    """Nothing can place the pod: 400 with Runpod's detail (createPod: "400 covers both")."""


class Transient(FakeError):
    """Runpod's own failure ("Something went wrong"); nothing was made."""

    status = 500


class PaymentRequired(FakeError):
    status = 402


class Forbidden(FakeError):
    status = 403


class NotFound(FakeError):
    status = 404


class Conflict(FakeError):
    status = 409


class InUse(Conflict):
    """A volume or registry credential that a pod still uses."""


class NotServed(FakeError):
    """In the OpenAPI, but the fake does not serve it (501): never read as "already gone"."""

    status = 501
