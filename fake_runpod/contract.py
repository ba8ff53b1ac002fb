"""The REST v2 contract: the trimmed Runpod OpenAPI document plus the hand-written secrets
fragment, merged into one document. Finds the operation for (method, path), parses and checks
query parameters and request bodies, and checks the fake's own answers, with jsonschema
(OpenAPI 3.1 schemas are JSON Schema 2020-12)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACT_DIR = Path(__file__).parent / "contract"
DOC_URI = "urn:fake-runpod:rest-v2"
METHODS = ("get", "put", "post", "patch", "delete")


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


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        target = document()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _declared(schema: dict) -> set[str]:
    """Every property a schema declares, through $ref, allOf/anyOf/oneOf and if/then."""
    schema = _resolve(schema)
    names = set(schema.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            names |= _declared(part)
    for key in ("then", "else"):
        if key in schema:
            names |= _declared(schema[key])
    return names


def _where(error) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)


def messages(errors) -> list[str]:
    """One line per violation, as v2's `errors` (`$: additional properties 'bogus' not
    allowed`). `unevaluatedProperties` is reported only for properties no part of the schema
    declares: jsonschema also names a declared property whose value failed its own check,
    which would be a second, wrong line about the same mistake."""
    lines = []
    for error in errors:
        if error.validator == "unevaluatedProperties":
            unknown = sorted(set(error.instance) - _declared(error.schema))
            if unknown:
                names = ", ".join(repr(name) for name in unknown)
                lines.append(f"{_where(error)}: additional properties {names} not allowed")
            continue
        if isinstance(error.schema, dict) and error.schema.get("writeOnly"):
            # never echo a write-only value (a secret) back, not even in an error
            rule = f"'{error.validator}': {error.validator_value!r}"
            lines.append(f"{_where(error)}: invalid (fails {rule})")
        elif error.validator == "type":
            lines.append(f"{_where(error)}: must be of type {error.validator_value!r}")
        else:
            lines.append(f"{_where(error)}: {error.message}")
    return lines


def _parse_value(schema: dict, raw: list[str]):
    """A query parameter's value from its text: comma lists (style form, explode false),
    integers, booleans; ValueError when the text is not of that kind."""
    kind = schema.get("type")
    if kind == "array":
        return [item for value in raw for item in value.split(",")]
    text = raw[-1]
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    return text


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pointer: str  # JSON pointer of the operation object in the document

    @property
    def spec(self) -> dict:
        return document()["paths"][self.template][self.method]

    @property
    def creates(self) -> bool:
        return self.method == "post" and self.operation_id.startswith("create")

    def query(self, raw: dict[str, list[str]]) -> tuple[dict, list[str]]:
        """The declared query parameters, parsed, and the lines of what is malformed."""
        parsed, errors = {}, []
        for index, parameter in enumerate(self.spec.get("parameters", [])):
            parameter = _resolve(parameter)
            name = parameter["name"]
            if parameter["in"] != "query" or name not in raw:
                continue
            schema = _resolve(parameter["schema"])
            try:
                value = _parse_value(schema, raw[name])
            except ValueError:
                errors.append(f"query.{name}: must be of type {schema.get('type')!r}")
                continue
            pointer = f"{self.pointer}/parameters/{index}"
            if "$ref" in self.spec["parameters"][index]:
                pointer = self.spec["parameters"][index]["$ref"].removeprefix("#")
            found = _validator(f"{pointer}/schema").iter_errors(value)
            errors += [line.replace("$", f"query.{name}", 1) for line in messages(found)]
            parsed[name] = value
        return parsed, errors

    def request_errors(self, body) -> list[str]:
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            return []
        pointer = f"{self.pointer}/requestBody/content/application~1json/schema"
        return messages(_validator(pointer).iter_errors(body))

    def response_errors(self, status: int, content_type: str | None, body) -> list[str]:
        """Why this answer breaks the contract ([] when it is fine)."""
        responses = self.spec["responses"]
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            return [f"status {status} is not declared for {self.operation_id}"]
        ref = responses[key].get("$ref")
        response = _resolve(responses[key])
        base = ref.removeprefix("#") if ref else f"{self.pointer}/responses/{key}"
        content = response.get("content")
        if not content:
            return [] if body is None else [f"{status} must have no body"]
        if content_type not in content:
            return [f"content type {content_type} not declared for {status}: {list(content)}"]
        if content_type == "text/event-stream":
            return []  # a stream: its events are checked where they are made (rest/logs.py)
        media = content_type.replace("/", "~1")
        return messages(_validator(f"{base}/content/{media}/schema").iter_errors(body))


@cache
def _routes() -> list[tuple[re.Pattern, str, dict]]:
    routes = []
    # literal paths first: /v2/registries/delegations is not /v2/registries/{id}
    for template, item in sorted(document()["paths"].items(), key=lambda p: "{" in p[0]):
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template, item))
    return routes


def match(method: str, path: str) -> tuple[Operation | None, dict[str, str], list[str] | None]:
    """(operation, path params, methods of the path). The operation is None for an unknown
    path (methods None) or a method the path does not have (methods lists those it has)."""
    method = method.lower()
    for pattern, template, item in _routes():
        found = pattern.match(path)
        if found:
            allowed = [m.upper() for m in METHODS if m in item]
            if method not in item:
                return None, {}, allowed
            pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1") + f"/{method}"
            operation = Operation(method, template, item[method]["operationId"], pointer)
            params = {name: unquote(value) for name, value in found.groupdict().items()}
            return operation, params, allowed
    return None, {}, None
