"""What the network and the proxy in front of the API answer instead of the API: the
answers of the `rest:`, `rest_create:` and `graphql:` faults (faults.py), and Cloudflare's
pages. api.runpod.io sits behind Cloudflare (runpod/containers tests/runpod_smoke/api.py):
its 52x statuses and its 502 come as HTML pages, not JSON.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from email.utils import formatdate

from .faults import Fault
from .rest.problems import CLOUDFLARE, PROBLEM, problem, title

HTML = "text/html; charset=UTF-8"


def cloudflare_page(status: int) -> bytes:
    """A Cloudflare error page, shortened (error code = the status for 52x)."""
    words = CLOUDFLARE.get(status) or title(status)
    return (
        f"<!DOCTYPE html>\n<html><head><title>api.runpod.io | {status}: {words}</title></head>\n"
        f"<body><h1>{words}</h1><p>Error code {status}</p><p>Visit cloudflare.com for more "
        "information.</p><p>Cloudflare Ray ID: 8f0a1b2c3d4e5f60</p></body></html>\n"
    ).encode()


HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
# a 200 that is no API answer: Cloudflare's browser check ("Just a moment...")
HTML_200 = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>'
    b"<body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>\n"
)
# Cloudflare, in front of api.runpod.io, refuses Python's default urllib User-Agent with its
# error 1010 (runpod/containers tests/runpod_smoke/api.py); the page is shortened here.
CLOUDFLARE_1010 = (
    b"<!DOCTYPE html>\n<html><head><title>Access denied | api.runpod.io used Cloudflare to "
    b"restrict access</title></head>\n<body><h1>Error 1010</h1><h2>Access denied</h2>"
    b"<p>The owner of this website (api.runpod.io) has banned your access based on your "
    b"browser's signature.</p></body></html>\n"
)


@dataclass
class Reply:
    """An answer on the wire. `body` None with `drop` True: the connection is closed."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def retry_after(fault: Fault) -> dict[str, str]:
    """The Retry-After header a 429 fault asks for."""
    if fault.kind == "429_missing":
        return {}
    if fault.kind == "429_date":
        return {"Retry-After": formatdate(time.time() + 2, usegmt=True)}
    if fault.kind == "429_malformed":
        return {"Retry-After": "soon"}
    if fault.kind == "429_negative":
        return {"Retry-After": "-5"}
    seconds = 1 if fault.value is None else fault.value
    return {"Retry-After": f"{seconds:g}"}


def truncated(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]


def rest_fault(fault: Fault, answer: Reply | None) -> Reply:
    """The answer of a `rest:` fault (answer None: the request was not carried out) or of a
    `rest_create:` one (answer: the real answer of the create it carried out)."""
    kind = fault.kind
    if kind == "drop":
        return Reply(0, drop=True)
    if kind == "empty":
        return Reply(201, b"", "application/json")
    if kind == "html":
        return Reply(502, HTML_502, HTML)
    if kind == "html200":
        return Reply(200, HTML_200, HTML)
    if kind == "truncated":  # the answer's status, half its JSON
        if answer is not None and answer.body:
            return Reply(answer.status, truncated(answer.body), "application/json")
        return Reply(200, truncated(_stand_in()), "application/json")
    status = int(kind.partition("_")[0])
    if status in CLOUDFLARE:
        return Reply(status, cloudflare_page(status), HTML)
    headers = retry_after(fault) if status == 429 else {}
    detail = "rate limit exceeded for the minute window" if status == 429 else title(status)
    body = json.dumps(problem(status, detail.lower())).encode()
    return Reply(status, body, PROBLEM, headers)


def _stand_in() -> bytes:
    return json.dumps(problem(503, "service unavailable")).encode()


def graphql_fault(fault: Fault) -> Reply:
    if fault.kind == "html":
        return Reply(502, HTML_502, HTML)
    status = int(fault.kind)
    body = json.dumps({"errors": [{"message": title(status)}]}).encode()
    return Reply(status, body, "application/json", {"Retry-After": "1"} if status == 429 else {})
