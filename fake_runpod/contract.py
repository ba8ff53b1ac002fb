"""The REST v2 contract: the trimmed Runpod OpenAPI document plus the hand-written secrets
fragment, merged into one document. Finds the operation for (method, path) and validates
request bodies and response bodies with jsonschema (OpenAPI 3.1 schemas are JSON Schema
2020-12)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACT_DIR = Path(__file__).parent / "contract"
DOC_URI = "urn:fake-runpod:rest-v2"


@cache
def document() -> dict:
    doc = json.loads((CONTRACT_DIR / "rest-v2-openapi.json").read_text(encoding="utf-8"))
    fragment = json.loads((CONTRACT_DIR / "secrets-v2-openapi.json").read_text(encoding="utf-8"))
    doc["paths"].update(fragment["paths"])
    for section, items in fragment["components"].items():
        doc["components"].setdefault(section, {}).update(items)
    return doc


@cache
def _registry() -> Registry:
    return Registry().with_resource(
        DOC_URI, Resource(contents=document(), specification=DRAFT202012)
    )


@cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=_registry())


def _deref(node: dict) -> tuple[dict, str | None]:
    ref = node.get("$ref")
    if ref is None:
        return node, None
    target = document()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target, ref.removeprefix("#")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pointer: str  # JSON pointer of the operation object in the document

    def request_errors(self, body) -> list[str]:
        op = document()["paths"][self.template][self.method]
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            return []
        pointer = f"{self.pointer}/requestBody/content/application~1json/schema"
        return [_message(error) for error in _validator(pointer).iter_errors(body)]

    def response_errors(self, status: int, content_type: str | None, body) -> list[str]:
        """Why this response breaks the contract ([] when it is fine)."""
        responses = document()["paths"][self.template][self.method]["responses"]
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            return [f"status {status} is not declared for {self.operation_id}"]
        response, ref = _deref(responses[key])
        base = ref or f"{self.pointer}/responses/{key}"
        content = response.get("content")
        if not content:
            return [] if body is None else [f"{status} must have no body"]
        if content_type not in content:
            return [f"content type {content_type} not declared for {status}: {list(content)}"]
        media = content_type.replace("/", "~1")
        pointer = f"{base}/content/{media}/schema"
        return [_message(error) for error in _validator(pointer).iter_errors(body)]


def _message(error) -> str:
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
    if isinstance(error.schema, dict) and error.schema.get("writeOnly"):
        # never echo a write-only value (a secret) back, not even in an error
        return f"{where}: invalid (fails '{error.validator}': {error.validator_value!r})"
    if error.validator == "type":
        return f"{where}: must be of type {error.validator_value!r}"
    return f"{where}: {error.message}"


@cache
def _routes() -> list[tuple[re.Pattern, str, dict]]:
    routes = []
    for template, item in document()["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template, item))
    return routes


def match(method: str, path: str) -> tuple[Operation | None, dict[str, str], bool]:
    """(operation, path params, path known). Operation is None for an unknown path/method."""
    method = method.lower()
    for pattern, template, item in _routes():
        found = pattern.match(path)
        if found:
            if method not in item:
                return None, {}, True
            pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1") + f"/{method}"
            return (
                Operation(method, template, item[method]["operationId"], pointer),
                found.groupdict(),
                True,
            )
    return None, {}, False
