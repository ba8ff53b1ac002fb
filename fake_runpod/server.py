"""FakeRunpod: the HTTP front (GraphQL + REST v2) and the object tests drive.

HTTP is the standard library's ThreadingHTTPServer: no extra dependency, starts and stops in
milliseconds, one thread per request (so a slow or sleeping request never blocks the others),
and it is plenty for a test double that serves a few requests per test.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import paramiko

from . import contract
from .faults import Faults
from .graphql_api import GraphQLAPI, root_fields
from .rest_api import RestAPI, RestError, problem
from .rest_pods import RestPods
from .state import LoggedRequest, State
from .timing import Timing, check_scale

log = logging.getLogger("fake_runpod")

DEFAULT_API_KEY = "rpa_FAKERUNPODTESTKEY0000000000000000000000000000"
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)

# Cloudflare, in front of api.runpod.io, refuses Python's default urllib User-Agent with its
# error 1010 (runpod/containers tests/runpod_smoke/api.py); the page is shortened here.
CLOUDFLARE_1010 = (
    "<!DOCTYPE html>\n<html><head><title>Access denied | api.runpod.io used Cloudflare to "
    "restrict access</title></head>\n<body><h1>Error 1010</h1><h2>Access denied</h2>"
    "<p>The owner of this website (api.runpod.io) has banned your access based on your "
    "browser's signature.</p></body></html>\n"
)


# What a retired API answers (410 Gone, RFC 9457 problem as every v2 error). The dates are
# Runpod's (runpod/docs release-notes.mdx, api-reference/overview.mdx); the wording is the fake's.
RETIRED = {
    "v1": "REST API v1 was retired on 2026-11-15. Use REST API v2 (https://api.runpod.io/v2); "
    "see https://docs.runpod.io/api-reference-v2/migrate-from-v1",
    "graphql": "The GraphQL API has been retired. Use REST API v2 (https://api.runpod.io/v2); "
    "see https://docs.runpod.io/api-reference-v2/overview",
}


class FakeRunpod:
    """A local Runpod on 127.0.0.1. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        pod_start_delay: float = 0.3,
        faults: str | None = None,
        *,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        timeout_sleep: float = 35.0,
        realistic: bool = False,
        time_scale: float = 1.0,
        retired: bool = False,
    ) -> None:
        self.api_key = api_key
        # retired: GraphQL answers 410 Gone, as after Runpod switches it off (REST v1 always does)
        self.retired = retired
        self.timeout_sleep = timeout_sleep  # > the runpod SDK's 30 s request timeout
        self._defaults = (pod_start_delay, timeout_sleep)  # what reset() goes back to
        self.faults = Faults()
        self.faults.set(faults)  # ValueError on an unknown fault, before anything starts
        # realistic: Runpod's timings, mixed CUDA drivers, its capacity and transient errors
        self.timing = Timing(realistic, time_scale)  # ValueError on a bad time_scale
        self._time_scale = time_scale
        self._port = port
        self._root = Path(tempfile.mkdtemp(prefix="fake-runpod-"))
        # ECDSA: generating it is instant (RSA would cost a noticeable part of a second)
        self.host_key = paramiko.ECDSAKey.generate()
        self.state = State(self._root, self.host_key, self._refuse_ssh, self.timing)
        self._stopping = threading.Event()
        self.graphql = GraphQLAPI(
            self.state,
            self.faults,
            pod_start_delay,
            self.timing,
            self._stopping,
            lambda: self.timeout_sleep,
        )
        self.pod_start_delay = pod_start_delay
        self.rest = RestAPI(self.state)
        self.rest_pods = RestPods(self.state, self.graphql)
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeRunpod:
        if self._stopping.is_set():
            raise RuntimeError("a stopped FakeRunpod cannot be restarted; make a new one")
        handler = type("Handler", (_Handler,), {"fake": self})
        self._http = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes requests sleeping in a timeout fault
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        self.state.clear()
        shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> FakeRunpod:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what tests use ------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._http is None:
            raise RuntimeError("the fake Runpod is not running; call start() first")
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def realistic(self) -> bool:
        return self.timing.realistic

    @property
    def time_scale(self) -> float:
        """The factor on every modelled duration (realistic pulls, sshd start-up,
        terminateAfter); a test may change it."""
        return self.timing.time_scale

    @time_scale.setter
    def time_scale(self, factor: float) -> None:
        self.timing.time_scale = check_scale(factor)

    @property
    def pod_start_delay(self) -> float:
        """Seconds from create (or resume) to runtime; a test may change it, reset() restores."""
        return self.graphql.start_delay

    @pod_start_delay.setter
    def pod_start_delay(self, seconds: float) -> None:
        self.graphql.start_delay = seconds

    def set_faults(self, spec: str | None) -> None:
        self.faults.set(spec)

    def reset(self) -> None:
        """Forget pods (their SSH servers stop), volumes, secrets, faults and the request log;
        pod_start_delay, timeout_sleep and time_scale go back to their constructor values."""
        self.faults.clear()
        self.state.clear()
        self.pod_start_delay, self.timeout_sleep = self._defaults
        self.time_scale = self._time_scale

    @property
    def requests(self) -> list[LoggedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def internal_errors(self) -> list[str]:
        """Contract violations by the fake itself (should always be empty)."""
        with self.state.lock:
            return list(self.state.internal_errors)

    @property
    def pods(self):
        return self.state.pods

    @property
    def volumes(self):
        return self.state.volumes

    @property
    def secrets(self):
        return self.state.secrets

    def volume_dir(self, volume_id: str) -> Path:
        return self.state.volumes[volume_id].path

    def _refuse_ssh(self) -> bool:
        return self.faults.take("ssh", ("refuse",)) is not None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeRunpod
    server_version = "fake-runpod/1"
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - never log requests (secret values)
        pass

    def do_GET(self):  # noqa: N802
        self._dispatch()

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def do_PATCH(self):  # noqa: N802
        self._dispatch()

    def do_DELETE(self):  # noqa: N802
        self._dispatch()

    def do_PUT(self):  # noqa: N802
        self._dispatch()

    # --- plumbing ------------------------------------------------------------------------
    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        path = split.path
        self._fields: list[str] = []
        self._status = 0
        self._answer_delay = 0.0
        self._answer_lost = False
        self._generation = self.fake.state.generation
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if path == "/graphql":
                surface = "graphql"
            elif path.startswith("/v2/"):
                surface = "rest"
            elif path == "/v1" or path.startswith("/v1/"):
                surface = "v1"
            else:
                self._json(
                    404,
                    {"title": "Not Found", "status": 404, "detail": "no such path"},
                    "application/problem+json",
                )
                return
            if self.headers.get("User-Agent", "").startswith("Python-urllib/"):
                self._send(403, CLOUDFLARE_1010.encode(), "text/html; charset=UTF-8")
                return
            if self._injected_fault(surface):
                return
            if surface == "v1" or (surface == "graphql" and self.fake.retired):
                self._json(410, problem(410, RETIRED[surface]), "application/problem+json")
                return
            if self.headers.get("Authorization", "") != f"Bearer {self.fake.api_key}":
                if surface == "graphql":
                    self._json(401, {"errors": [{"message": "Unauthorized"}]})
                else:
                    self._json(
                        401,
                        problem(401, "missing or invalid bearer token"),
                        "application/problem+json",
                    )
                return
            if surface == "graphql" and self.command != "POST":
                self._json(
                    405, {"errors": [{"message": "use POST for /graphql"}]}, extra={"Allow": "POST"}
                )
            elif surface == "graphql":
                self._graphql(raw)
            else:
                self._rest(path, parse_qs(split.query), raw)
        except Exception as error:  # the fake's own bug: say so with a 500, never hang up
            self._crashed(f"{self.command} {path}: {error!r}")
        finally:
            if not self._status:  # no answer at all (stopped during a held-back answer)
                self._log(0)

    def _crashed(self, message: str) -> None:
        log.exception("fake Runpod crashed serving %s", message)
        with self.fake.state.lock:
            self.fake.state.internal_errors.append(f"crashed: {message}")
        if not self._status:
            body = problem(500, "the fake Runpod crashed (its bug; see fake.internal_errors)")
            self._json(500, body, "application/problem+json")

    def _injected_fault(self, surface: str) -> bool:
        """Faults in front of the API. A lost answer (`timeout:`, `lost:`) is not one of them:
        the request is served first and only its answer is held back or replaced (_send), as
        when a proxy or the network loses the answer to a create that Runpod did carry out."""
        kinds: tuple[str, ...] = (surface,)
        if surface == "rest" and self.command == "POST":
            kinds = (surface, "rest_create")  # a fault only for creates (REST POSTs)
        timeout = self.fake.faults.take("timeout", kinds)
        if timeout is not None:
            self._answer_delay = (
                timeout.value if timeout.value is not None else self.fake.timeout_sleep
            )
        self._answer_lost = self.fake.faults.take("lost", kinds) is not None
        fault = self.fake.faults.take(surface)
        if fault is None:
            return False
        if fault.kind == "html":
            self._send(502, HTML_502.encode(), "text/html; charset=UTF-8")
        elif surface == "graphql":
            status = int(fault.kind)
            self._json(
                status,
                {"errors": [{"message": HTTPStatus(status).phrase}]},
                extra={"Retry-After": "1"} if status == 429 else None,
            )
        else:
            status = int(fault.kind)
            self._json(
                status,
                problem(status, HTTPStatus(status).phrase.lower()),
                "application/problem+json",
                extra={"Retry-After": "1"} if status == 429 else None,
            )
        return True

    def _graphql(self, raw: bytes) -> None:
        try:
            payload = json.loads(raw or b"null")
            query = payload["query"]
            if not isinstance(query, str) or not _is_utf8(payload):
                raise TypeError
        except (ValueError, TypeError, KeyError):
            self._json(
                400, {"errors": [{"message": "POST body must be JSON with a query"}], "data": None}
            )
            return
        self._fields = root_fields(query)
        result = self.fake.graphql.execute(
            query, payload.get("variables"), payload.get("operationName")
        )
        self._json(200, result)

    def _rest(self, path: str, query: dict, raw: bytes) -> None:
        operation, params, known = contract.match(self.command, path)
        if operation is None:
            status = 405 if known else 404
            detail = (
                "method not allowed"
                if known
                else "no such path in the fake Runpod's contract (fake_runpod/contract)"
            )
            self._json(status, problem(status, detail), "application/problem+json")
            return
        body = None
        try:
            if operation.method in ("post", "patch", "put"):
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise RestError(400, "request body must be JSON") from None
                if not _is_utf8(body):
                    raise RestError(400, "request body must be UTF-8 JSON (unpaired surrogate)")
                errors = operation.request_errors(body)
                if errors:
                    raise RestError(422, "Request validation failed.", errors)
            pods = operation.template.startswith("/v2/pods")
            api = self.fake.rest_pods if pods else self.fake.rest
            status, answer = api.handle(operation.operation_id, params, query, body)
            content_type = "application/json" if answer is not None else None
        except RestError as error:
            status, answer = error.status, problem(error.status, error.detail, error.errors)
            content_type = "application/problem+json"
        broken = operation.response_errors(status, content_type, answer)
        if broken:
            # the fake broke the contract: fail loudly rather than teach clients wrong things
            message = f"{operation.operation_id} -> {status}: {broken}"
            log.error("fake Runpod contract violation: %s", message)
            with self.fake.state.lock:
                self.fake.state.internal_errors.append(message)
            status, answer = 500, problem(500, f"fake Runpod broke its contract: {message}")
            content_type = "application/problem+json"
        if answer is None:
            self._send(status, b"", None)
        else:
            self._json(status, answer, content_type)

    def _json(self, status: int, body, content_type: str = "application/json", extra=None) -> None:
        self._send(status, json.dumps(body).encode(), content_type, extra)

    def _log(self, status: int) -> None:
        with self.fake.state.lock:
            if self.fake.state.generation != self._generation:
                return
            self.fake.state.requests.append(
                LoggedRequest(self.command, urlsplit(self.path).path, self._fields, status)
            )

    def _send(self, status: int, data: bytes, content_type: str | None, extra=None) -> None:
        if self._answer_lost:  # the work is done; the client gets a proxy's 502 instead
            self._answer_lost = False
            status, data, content_type, extra = 502, HTML_502.encode(), "text/html", None
        if self._answer_delay:  # the work is done; the answer comes too late for the client
            if self.fake._stopping.wait(self._answer_delay):
                return
            if self.fake.state.generation != self._generation:
                self._status = -1  # reset() happened meanwhile: this request is from the past
                return
        # log before answering: a client that saw the answer also sees it in fake.requests
        self._status = status
        self._log(status)
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (e.g. its timeout fired while the answer was held back)


def _is_utf8(body) -> bool:
    """False when JSON text held an unpaired surrogate escape ("\\udcff"): valid JSON, but no
    text (the client sent bytes that were never UTF-8)."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
