"""Sending one answer: the contract check of the fake's own REST answers, what the
`timeout:`, `lost:` and `rest_create:` faults do to the answer of a request that was carried
out, the request log, and Server-Sent Events streams."""

from __future__ import annotations

import json
import logging

from .faults import Fault
from .models import LoggedRequest
from .rest.call import Answer
from .rest.problems import PROBLEM, problem
from .transport import HTML, HTML_502, Reply, rest_fault

log = logging.getLogger("fake_runpod")
SSE_HEADERS = {"Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}


class Sender:
    def __init__(self, handler, path: str) -> None:
        self.handler = handler
        self.fake = handler.fake
        self.path = path
        self.generation = self.fake.generation
        self.headers: dict[str, str] = {}  # sent with every answer (RateLimit)
        self.fields: list[str] = []  # GraphQL root fields, for the request log
        self.delay: float | None = None  # timeout: hold the answer (-1: timeout_sleep)
        self.lost = False  # lost: replace the answer by a proxy's 502 page
        self.after: Fault | None = None  # rest_create: answer the carried-out create so
        self.sent = False

    def hold(self, seconds: float | None) -> None:
        """Hold the answer back (create_pod:timeout); -1 means the fake's timeout_sleep."""
        self.delay = seconds

    def send_answer(self, operation, answer: Answer) -> None:
        """A REST handler's answer: checked against the contract, then sent."""
        if answer.hold is not None:
            self.delay = answer.hold
        if answer.stream is not None:
            self._stream(answer)
            return
        content_type = "application/json" if answer.body is not None else None
        if answer.status >= 400:
            content_type = PROBLEM
        broken = (
            []
            if answer.unchecked
            else operation.response_errors(answer.status, content_type, answer.body)
        )
        if broken:  # the fake broke the contract: fail loudly rather than teach clients wrong
            message = f"{operation.operation_id} -> {answer.status}: {broken}"
            log.error("fake Runpod contract violation: %s", message)
            self.fake.backend.note_bug(message)
            body = problem(500, f"fake Runpod broke its contract: {message}")
            self.send(Reply(500, json.dumps(body).encode(), PROBLEM))
            return
        if answer.body is None and not answer.unchecked:
            reply = Reply(answer.status)
        else:  # (create_pod:null answers a JSON null)
            data = json.dumps(answer.body).encode()
            reply = Reply(answer.status, data, content_type or "application/json")
        if self.after is not None:  # rest_create: the create happened; its answer is this
            reply = rest_fault(self.after, reply)
        self.send(reply)

    def send(self, reply: Reply, carried_out: bool = True) -> None:
        if carried_out and self.lost:  # the work is done; the client gets a proxy's 502
            reply = Reply(502, HTML_502, HTML)
        if carried_out and self.delay is not None:  # done; the answer comes too late
            seconds = self.fake.timeout_sleep if self.delay < 0 else self.delay
            if self.fake.stopping.wait(seconds) or self.fake.generation != self.generation:
                return  # the fake stopped, or reset() happened meanwhile: no answer
        self.sent = True
        self._log(reply.status)  # before answering: a client that saw it finds it logged
        if reply.drop:
            self.handler.close_connection = True
            return
        self._head(reply.status, reply.content_type, {**self.headers, **reply.headers})
        self.handler.send_header("Content-Length", str(len(reply.body)))
        self.handler.end_headers()
        self._write(reply.body)

    def _stream(self, answer: Answer) -> None:
        self.sent = True
        self._log(answer.status)
        self._head(answer.status, "text/event-stream", {**self.headers, **SSE_HEADERS})
        self.handler.end_headers()
        try:
            for chunk in answer.stream:
                if not self._write(chunk):
                    break
        finally:
            answer.stream.close()
            # the stream's end is the connection's (no length): close it, whatever the
            # "Connection: keep-alive" header the OpenAPI asks for made the server plan
            self.handler.close_connection = True

    def _head(self, status: int, content_type: str | None, headers: dict) -> None:
        self.handler.send_response(status)
        if content_type:
            self.handler.send_header("Content-Type", content_type)
        for key, value in headers.items():
            self.handler.send_header(key, value)

    def _write(self, data: bytes) -> bool:
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
            return True
        except OSError:  # the client gave up (its timeout fired, or it read enough)
            return False

    def _log(self, status: int) -> None:
        entry = LoggedRequest(self.handler.command, self.path, self.fields, status)
        with self.fake.log_lock:
            if self.fake.generation == self.generation:
                self.fake.request_log.append(entry)

    def finish(self) -> None:
        if not self.sent:  # no answer at all (dropped, or stopped during a held answer)
            self._log(0)
