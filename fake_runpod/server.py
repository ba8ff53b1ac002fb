"""The fake's HTTP transport: one Handler per request. It stands for the network and the
proxy (faults, Cloudflare), the gateway (retired APIs, the key and its scope, the rate limit,
paths the OpenAPI has but the fake does not serve) and the contract (every query, body and
answer checked against the OpenAPI); the API layers (rest/, graphql/) do the rest.

Order for a request: Cloudflare refuses Python's default urllib User-Agent; a `rest:`/
`graphql:` fault answers instead of the API; a retired API answers 410; the key is checked
(the account's, or a pod's own pod-scoped key, else 401); the rate limit counts it; then
GraphQL, or REST: 404 for a path not in the OpenAPI, 405 for a method the path lacks, 501 for
an operation the fake does not serve, 403 for what a pod key may not do, 400/422 for a body or
query that breaks the contract, and the operation. `timeout:`, `lost:` and `rest_create:`
faults act on the answer of a request that was carried out (send.py).
"""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from . import contract, rest
from .errors import FakeError, Forbidden, Unprocessable
from .rest.problems import PROBLEM, problem
from .send import Sender
from .transport import CLOUDFLARE_1010, HTML, Reply, graphql_fault, rest_fault

log = logging.getLogger("fake_runpod")

# What a retired API answers (410 Gone, RFC 9457 problem as every v2 error). The dates are
# Runpod's (runpod/docs release-notes.mdx, api-reference/overview.mdx); the wording is the fake's.
RETIRED = {
    "v1": "REST API v1 was retired on 2026-11-15. Use REST API v2 (https://api.runpod.io/v2); "
    "see https://docs.runpod.io/api-reference-v2/migrate-from-v1",
    "graphql": "The GraphQL API has been retired. Use REST API v2 (https://api.runpod.io/v2); "
    "see https://docs.runpod.io/api-reference-v2/overview",
}
# What a pod's own RUNPOD_API_KEY may do, on its own pod only (a guess: FIDELITY.md)
POD_KEY_SCOPE = {"getPod", "getPodLogs", "deletePod", "podAction"}
POD_KEY_ACTIONS = {"stop", "restart", "terminate"}


def _json(status: int, body, content_type: str = "application/json", headers=None) -> Reply:
    return Reply(status, json.dumps(body).encode(), content_type, dict(headers or {}))


def _problem(status: int, detail: str, errors=None, headers=None) -> Reply:
    return _json(status, problem(status, detail, errors), PROBLEM, headers)


def _is_utf8(body) -> bool:
    """False when JSON text held an unpaired surrogate escape ("\\udcff"): valid JSON, but no
    text (the client sent bytes that were never UTF-8)."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def surface_of(path: str) -> str | None:
    """Which API a path belongs to: "rest" (v2), "graphql", "v1" (retired), or None."""
    if path == "/v1" or path.startswith("/v1/"):
        return "v1"
    return "graphql" if path == "/graphql" else "rest" if path.startswith("/v2/") else None


class Handler(BaseHTTPRequestHandler):
    fake = None  # the FakeRunpod (set on a subclass by fake.py)
    server_version = "fake-runpod/1"
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - never log requests (secret values)
        pass

    def do_GET(self):  # noqa: N802
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET  # noqa: N815

    def _handle(self) -> None:
        split = urlsplit(self.path)
        self.sender = Sender(self, split.path)
        try:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._route(split.path, parse_qs(split.query), raw)
        except Exception as error:  # the fake's own bug: say so with a 500, never hang up
            message = f"{self.command} {split.path}: {error!r}"
            log.exception("fake Runpod crashed serving %s", message)
            self.fake.backend.note_bug(f"crashed: {message}")
            if not self.sender.sent:
                body = "the fake Runpod crashed (its bug; see fake.internal_errors)"
                self.sender.send(_problem(500, body))
        finally:
            self.sender.finish()

    def _route(self, path: str, query: dict, raw: bytes) -> None:
        surface = surface_of(path)
        if surface is None:
            self.sender.send(_problem(404, "no such path"))
            return
        if self.headers.get("User-Agent", "").startswith("Python-urllib/"):
            self.sender.send(Reply(403, CLOUDFLARE_1010, HTML))
            return
        operation, params, allowed = contract.match(self.command, path)
        if self._fault_answers(surface, operation):
            return
        if surface == "v1" or (surface == "graphql" and self.fake.retired):
            self.sender.send(_problem(410, RETIRED[surface]))
            return
        principal = self._principal()
        if principal is None:
            if surface == "graphql":
                self.sender.send(_json(401, {"errors": [{"message": "Unauthorized"}]}))
            else:
                self.sender.send(_problem(401, "missing or invalid bearer token"))
            return
        limits, wait = self.fake.rate_limit.take()
        self.sender.headers.update(limits)
        if wait is not None:
            detail = "rate limit exceeded for the minute window"
            self.sender.send(_problem(429, detail, headers={"Retry-After": str(wait)}))
        elif surface == "graphql":
            self._graphql(principal, raw)
        else:
            self._rest(operation, params, allowed, principal, query, raw)

    def _fault_answers(self, surface: str, operation) -> bool:
        """Faults in front of the API. `timeout:`, `lost:` and `rest_create:` ones only mark
        the answer (the request is carried out first); `rest:`/`graphql:` ones answer now."""
        creates = surface == "rest" and operation is not None and operation.creates
        kinds = (surface, "rest_create") if creates else (surface,)
        faults = self.fake.faults
        timeout = faults.take("timeout", kinds)
        if timeout is not None:
            self.sender.delay = timeout.value if timeout.value is not None else -1.0
        self.sender.lost = faults.take("lost", kinds) is not None
        if creates:
            self.sender.after = faults.take("rest_create")
        if surface == "v1":
            return False
        fault = faults.take(surface)
        if fault is None:
            return False
        reply = graphql_fault(fault) if surface == "graphql" else rest_fault(fault, None)
        self.sender.send(reply, carried_out=False)
        return True

    def _principal(self) -> str | None:
        """ "account" for the account's key, the pod id for a pod's own key, else None."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        key = header.removeprefix("Bearer ")
        if key == self.fake.api_key:
            return "account"
        pod_id = self.fake.backend.pod_for_key(key) if key.startswith("rpa_POD") else None
        return None if pod_id is None else f"pod:{pod_id}"

    def _graphql(self, principal: str, raw: bytes) -> None:
        if self.command != "POST":
            body = {"errors": [{"message": "use POST for /graphql"}]}
            self.sender.send(_json(405, body, headers={"Allow": "POST"}))
            return
        if principal != "account":
            self.sender.send(_json(403, {"errors": [{"message": "access denied"}]}))
            return
        try:
            payload = json.loads(raw or b"null")
            query = payload["query"]
            if not isinstance(query, str) or not _is_utf8(payload):
                raise TypeError
        except (ValueError, TypeError, KeyError):
            body = {"errors": [{"message": "POST body must be JSON with a query"}], "data": None}
            self.sender.send(_json(400, body))
            return
        # graphql-core loads on the first GraphQL request: only the SDK compatibility tests
        # send one, and every fake (each test worker, each replay) would pay 0.2 s otherwise.
        from .graphql import GraphQLAPI, root_fields

        self.sender.fields = root_fields(query)
        api = GraphQLAPI(self.fake.backend, self.sender.hold)
        result = api.execute(query, payload.get("variables"), payload.get("operationName"))
        self.sender.send(_json(200, result))

    def _rest(self, operation, params, allowed, principal, query, raw) -> None:
        if operation is None:
            if allowed is None:
                detail = "no such path in Runpod's REST v2 OpenAPI (fake_runpod/contract)"
                self.sender.send(_problem(404, detail))
            else:
                detail = "The requested method is not allowed for this path."
                self.sender.send(_problem(405, detail, headers={"Allow": ", ".join(allowed)}))
            return
        if not rest.serves(operation.operation_id):
            detail = f"{operation.operation_id} is in Runpod's OpenAPI but not served by the fake"
            self.sender.send(_problem(501, detail))
            return
        try:
            call = self._call(operation, params, principal, query, raw)
            answer = rest.dispatch(operation.operation_id, call)
        except FakeError as error:
            self.sender.send(_problem(error.status, error.detail, error.errors))
            return
        self.sender.send_answer(operation, answer)

    def _call(self, operation, params, principal, query, raw) -> rest.Call:
        body = None
        if operation.method in ("post", "patch", "put"):
            try:
                body = json.loads(raw)
            except ValueError:
                raise FakeError("request body must be JSON") from None
            if not _is_utf8(body):
                raise FakeError("request body must be UTF-8 JSON (unpaired surrogate)")
        self._check_scope(operation, params, principal, body)
        parsed, errors = operation.query(query)
        errors += operation.request_errors(body) if body is not None else []
        if errors:
            raise Unprocessable("Request validation failed.", errors)
        stopping = self.fake.stopping
        return rest.Call(self.fake.backend, params, parsed, body, self.headers, stopping)

    def _check_scope(self, operation, params, principal, body) -> None:
        """A pod's own key: read, stop, restart and terminate its own pod; nothing else."""
        if principal == "account":
            return
        own = params.get("id") == principal.removeprefix("pod:")
        action = (body or {}).get("action") if isinstance(body, dict) else None
        allowed = operation.operation_id in POD_KEY_SCOPE and own
        if operation.operation_id == "podAction" and action not in POD_KEY_ACTIONS:
            allowed = False
        if not allowed:
            raise Forbidden("access denied")
