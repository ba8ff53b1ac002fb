"""Regenerate the trimmed contract files from the shared Runpod API snapshot.

Usage (from the repository root):
    .venv/bin/python fake_runpod/contract/extract.py [SHARED_DIR]

SHARED_DIR defaults to ../shared/runpod-api (relative to the repository root). Writes:
- graphql-schema.graphql: the whole reconstructed SDL with comments and descriptions stripped
  (the whole type system is kept so that a query for a real-but-unserved field validates and then
  gets a clear "not served by the fake" error, instead of a misleading validation error), plus
  the input fields runpodctl sends that the snapshot lacks (GRAPHQL_ADDITIONS).
- rest-v2-openapi.json: every path and method of the document (so that the fake answers 501,
  not 404, for what it does not serve); the operations the fake serves (SERVED) whole, with the
  components they reference, the others as their operationId only; no prose
  (description/summary/example/examples) and no code samples (x-codeSamples).
secrets-v2-openapi.json is NOT generated: it is written by hand (see SOURCE.md).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from graphql import build_ast_schema, parse, print_ast
from graphql.language import visit
from graphql.language.visitor import Visitor

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SERVED = (
    "getSshKeys",
    "updateSshKeys",
    "listPods",
    "createPod",
    "getPod",
    "deletePod",
    "getPodLogs",
    "podAction",
    "listNetworkVolumes",
    "createNetworkVolume",
    "getNetworkVolume",
    "updateNetworkVolume",
    "deleteNetworkVolume",
    "listRegistries",
    "createRegistry",
    "getRegistry",
    "deleteRegistry",
    "listGpuTypes",
    "getGpuType",
    "listDataCenters",
    "getDataCenter",
    "listPodBilling",
)
METHODS = ("get", "put", "post", "patch", "delete")
# runpodctl sends these in podFindAndDeployOnDemand (runpod/runpodctl 2e2df89,
# internal/api/graphql.go, CreatePodGQLInput); the 2025-09 snapshot of the type lacks them.
GRAPHQL_ADDITIONS = {
    "PodFindAndDeployOnDemandInput": "minCudaVersion: String compliance: [Compliance]",
}
PROSE_KEYS = {"description", "summary", "example", "examples", "x-codeSamples"}


class _DropDescriptions(Visitor):
    def enter(self, node, *_):
        if getattr(node, "description", None) is not None:
            return dataclasses.replace(node, description=None)  # AST nodes are frozen
        return None


def _add_fields(document):
    """GRAPHQL_ADDITIONS: extra input fields, appended to their types."""
    definitions = []
    for node in document.definitions:
        extra = GRAPHQL_ADDITIONS.get(getattr(getattr(node, "name", None), "value", None))
        if extra is not None:
            added = parse(f"input _ {{ {extra} }}", no_location=True).definitions[0].fields
            have = {field.name.value for field in node.fields}
            new = tuple(field for field in added if field.name.value not in have)
            node = dataclasses.replace(node, fields=(*node.fields, *new))
        definitions.append(node)
    return dataclasses.replace(document, definitions=tuple(definitions))


def trim_graphql(sdl: str) -> str:
    document = parse(sdl, no_location=True)  # comments are not part of the AST
    document = _add_fields(visit(document, _DropDescriptions()))
    build_ast_schema(document)  # fail here, not in the fake, if the SDL is broken
    return print_ast(document) + "\n"


def _strip_prose(node, in_properties: bool = False):
    if isinstance(node, dict):
        return {
            key: _strip_prose(value, in_properties=(key == "properties"))
            for key, value in node.items()
            # a schema property may itself be called "description": keep those
            if in_properties or key not in PROSE_KEYS
        }
    if isinstance(node, list):
        return [_strip_prose(item) for item in node]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def trim_openapi(doc: dict) -> dict:
    paths: dict[str, dict] = {}
    for path, item in doc["paths"].items():
        kept = {}
        for method, operation in item.items():
            if method not in METHODS:
                kept[method] = operation  # path-level parameters
            elif operation["operationId"] in SERVED:
                kept[method] = operation
            else:  # not served by the fake: answered 501
                kept[method] = {"operationId": operation["operationId"]}
        paths[path] = kept
    components: dict[str, dict] = {}
    pending = list(_refs(paths))
    # ErrorResponse is what every error of the fake uses, referenced or not
    pending.append("#/components/schemas/ErrorResponse")
    while pending:
        ref = pending.pop()
        _, _, section, name = ref.split("/", 3)
        if name in components.get(section, {}):
            continue
        target = doc["components"][section][name]
        components.setdefault(section, {})[name] = target
        pending.extend(_refs(target))
    trimmed = {
        "openapi": doc["openapi"],
        "info": {"title": doc["info"]["title"], "version": doc["info"]["version"]},
        "servers": doc["servers"],
        "security": doc["security"],
        "paths": paths,
        "components": {
            section: dict(sorted(items.items())) for section, items in sorted(components.items())
        },
    }
    return _strip_prose(trimmed)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else REPO.parent / "shared" / "runpod-api"
    sdl = (shared / "graphql-schema.graphql").read_text(encoding="utf-8")
    (HERE / "graphql-schema.graphql").write_text(trim_graphql(sdl), encoding="utf-8")
    doc = json.loads((shared / "rest-v2-openapi.json").read_text(encoding="utf-8"))
    (HERE / "rest-v2-openapi.json").write_text(
        json.dumps(trim_openapi(doc), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
