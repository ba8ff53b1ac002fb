"""snippets/pod_api.py: a pod's log as Runpod streams it (Server-Sent Events), read best
effort: what the stream says is kept, anything odd in it is skipped, a stream that cannot be
read gives no lines instead of an error (the log only explains; it never decides)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from snippets import pod_api


@pytest.fixture
def stream(monkeypatch):
    """A server that answers the log endpoint with `stream.status` and `stream.body`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = server.body.encode()
            self.send_response(server.status)
            self.send_header(
                "Content-Type",
                "text/event-stream" if server.status == 200 else "application/problem+json",
            )
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True  # the stream ends: reading stops at once

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status, server.body = 200, ""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RUNPOD_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_log_reader")
    yield server
    server.shutdown()
    server.server_close()


def event(line_json: str, event_id: str = "") -> str:
    return (f"id: {event_id}\n" if event_id else "") + f"data: {line_json}\n\n"


def test_lines_are_kept_in_order_with_their_id(stream):
    stream.body = event('{"ts": "t1", "source": "system", "line": "pulling"}', "t1/1") + event(
        '{"ts": "t2", "source": "system", "line": "done"}'
    )
    assert pod_api.pod_logs("p1") == [
        {"id": "t1/1", "ts": "t1", "line": "pulling"},
        {"id": "t2", "ts": "t2", "line": "done"},
    ]


def test_odd_events_are_skipped_and_escapes_defused(stream):
    stream.body = (
        ": a comment\n\n"
        + event("{not json")
        + event('{"ts": "t", "no": "line"}')
        + event('["a list"]')
        + event('{"ts": "t3", "line": "red\\u001b[31m"}', "t3")
    )
    assert pod_api.pod_logs("p1") == [{"id": "t3", "ts": "t3", "line": "red\\x1b[31m"}]


def test_a_long_log_is_cut_at_the_limit(stream, monkeypatch):
    monkeypatch.setattr(pod_api, "LOG_MAX_LINES", 3)
    stream.body = "".join(event(f'{{"ts": "t{i}", "line": "l{i}"}}', f"t{i}") for i in range(9))
    assert [e["line"] for e in pod_api.pod_logs("p1")] == ["l0", "l1", "l2"]


@pytest.mark.parametrize("status", [404, 501, 503])
def test_a_log_that_cannot_be_read_gives_no_lines(stream, status):
    stream.status, stream.body = status, '{"title": "x", "status": 404, "detail": "no"}'
    assert pod_api.pod_logs("p1") == []


def test_an_unreachable_log_gives_no_lines(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RUNPOD_API_KEY", "rpa_log_reader")
    assert pod_api.pod_logs("p1") == []
