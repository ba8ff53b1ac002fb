"""REST v2's errors: RFC 9457 problem bodies `{title, status, detail[, errors]}`
(v2 OpenAPI ErrorResponse; api-reference-v2/migrate-from-v1, "RFC 9457 error objects")."""

from __future__ import annotations

from http import HTTPStatus

PROBLEM = "application/problem+json"
# Cloudflare's own statuses in front of api.runpod.io (no HTTPStatus phrase for them)
CLOUDFLARE = {
    520: "Web Server Returned an Unknown Error",
    522: "Connection Timed Out",
    524: "A Timeout Occurred",
}


def title(status: int) -> str:
    if status in CLOUDFLARE:
        return CLOUDFLARE[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(status: int, detail: str, errors: list[str] | None = None) -> dict:
    body = {"title": title(status), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return body
