"""GET /v2/pods/{id}/logs: the pod's log lines as Server-Sent Events (the OpenAPI's
getPodLogs): a backfill of the last `tail` lines (default 100, at most 5000), or the lines from
`since` or after `Last-Event-ID`, then every new line as it comes, for as long as the pod
exists. Each event: `id: TS/SEQ` and `data: {"ts", "source", "line"}`; `source` filters to
`system` (the host: pull, container start, why it failed) or `container` (its output).

The stream stays open like Runpod's: a client reads the backfill and stops when the stream
goes quiet (Runpod's own smoke tests wait for the socket to idle). It ends when the pod is
terminated or the fake stops.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from ..errors import Unprocessable
from ..models import LogLine, rfc3339
from ..podlogs import PodLog
from .call import Answer, Call

WAIT = 0.25  # seconds between looks at a quiet log (and at whether the fake stops)


def _event(index: int, line: LogLine) -> bytes:
    ts = rfc3339(line.at)
    data = json.dumps({"ts": ts, "source": line.source, "line": line.line})
    return f"id: {ts}/{index + 1:012d}\ndata: {data}\n\n".encode()


def _moment(text: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:  # RFC 3339 always has an offset
        raise Unprocessable(f"{what} must be an RFC 3339 time", [f"{what}: {text!r}"])
    return moment


def _backfill(log: PodLog, call: Call) -> tuple[list[tuple[int, LogLine]], int]:
    """The lines to send first, and the index to follow from."""
    source = call.query.get("source")
    every = log.since(0, source)
    end = len(log.since(0, None))
    resume = call.headers.get("Last-Event-ID")
    if resume:  # "TS/SEQ" (what this endpoint sends) or a bare timestamp
        stamp, _, seq = resume.partition("/")
        if seq.isdigit():
            return [(i, line) for i, line in every if i >= int(seq)], end
        after = _moment(stamp, "Last-Event-ID")
        return [(i, line) for i, line in every if line.at > after], end
    if call.query.get("since"):
        since = _moment(call.query["since"], "since")
        return [(i, line) for i, line in every if line.at >= since], end
    tail = call.query.get("tail", 100)
    return (every[-tail:] if tail else []), end


def _stream(log: PodLog, call: Call, first: list, index: int) -> Iterator[bytes]:
    for i, line in first:
        yield _event(i, line)
    source = call.query.get("source")
    while not call.stopping.is_set():
        if not log.wait(index, WAIT):
            continue
        for i, line in log.since(index, None):
            index = i + 1
            if source is None or line.source == source:
                yield _event(i, line)
        if log.closed and not log.since(index, None):
            return


def get_pod_logs(call: Call) -> Answer:
    log = call.backend.pod_log(call.params["id"])
    first, index = _backfill(log, call)
    return Answer(200, stream=_stream(log, call, first, index))


HANDLERS = {"getPodLogs": get_pod_logs}
