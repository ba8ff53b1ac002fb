"""The fake's contract files: reproducible from the shared snapshot, and complete for what the
fake serves."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import parse, validate

from fake_runpod import contract, rest
from fake_runpod.graphql import schema
from tests import ROOT
from tests.fake_runpod.sdk import runpod

CONTRACT = ROOT / "fake_runpod" / "contract"
# The project's snapshot of Runpod's published files sits beside the repository when a
# maintainer has it; CI has only the trimmed copies.
SHARED = ROOT.parent / "shared" / "runpod-api"
SERVED = runpy.run_path(str(CONTRACT / "extract.py"))["SERVED"]


def extract(source: Path, tmp_path: Path) -> Path:
    """Run a copy of extract.py on `source`; returns the folder it wrote into."""
    copy = tmp_path / "contract"
    copy.mkdir()
    script = copy / "extract.py"
    script.write_text((CONTRACT / "extract.py").read_text())
    subprocess.run([sys.executable, str(script), str(source)], check=True, cwd=tmp_path)
    return copy


def test_the_committed_files_are_what_extract_makes_of_them(tmp_path):
    """Runs everywhere: trimming the committed files again changes nothing, so they are
    exactly extract.py's output (no hand edits, nothing left to strip)."""
    copy = extract(CONTRACT, tmp_path)
    for name in ("graphql-schema.graphql", "rest-v2-openapi.json"):
        assert (copy / name).read_text() == (CONTRACT / name).read_text(), name


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the shared Runpod API snapshot")
def test_extract_regenerates_the_committed_files_from_the_snapshot(tmp_path):
    copy = extract(SHARED, tmp_path)
    for name in ("graphql-schema.graphql", "rest-v2-openapi.json"):
        assert (copy / name).read_text() == (CONTRACT / name).read_text(), name


def test_contract_files_carry_no_prose():
    rest = json.loads((CONTRACT / "rest-v2-openapi.json").read_text())

    def keys(node, inside_properties=False):
        if isinstance(node, dict):
            for key, value in node.items():
                if not inside_properties:
                    yield key
                yield from keys(value, key == "properties")
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    assert not {"description", "summary", "example", "examples", "x-codeSamples"} & set(keys(rest))
    shared = json.loads((SHARED / "rest-v2-openapi.json").read_text()) if SHARED.is_dir() else None
    if shared is not None:  # every path and method of Runpod's document, nothing more
        methods = {
            p: sorted(m for m in item if m in contract.METHODS)
            for p, item in shared["paths"].items()
        }
        assert {
            p: sorted(m for m in item if m in contract.METHODS) for p, item in rest["paths"].items()
        } == methods
    unserved = [
        op
        for item in rest["paths"].values()
        for m, op in item.items()
        if m in contract.METHODS and op["operationId"] not in SERVED
    ]
    assert unserved and all(list(op) == ["operationId"] for op in unserved)
    sdl = (CONTRACT / "graphql-schema.graphql").read_text()
    assert '"' not in sdl and "#" not in sdl


def test_secrets_fragment_is_marked_as_hand_written():
    fragment = json.loads((CONTRACT / "secrets-v2-openapi.json").read_text())
    assert "Written by hand from the docs pages" in fragment["info"]["x-written-from"]
    create = fragment["components"]["schemas"]["CreateSecretRequest"]
    assert create["additionalProperties"] is False
    assert create["properties"]["name"]["pattern"] == r"^[a-zA-Z_][a-zA-Z0-9_.\-/]*$"
    assert create["properties"]["value"]["writeOnly"] is True
    assert "value" not in fragment["components"]["schemas"]["Secret"]["properties"]


def test_every_served_rest_operation_has_a_handler_and_nothing_else_has():
    operations = {
        op["operationId"]
        for item in contract.document()["paths"].values()
        for method, op in item.items()
        if method in contract.METHODS
    }
    secrets = {"listSecrets", "createSecret", "getSecret", "updateSecret", "deleteSecret"}
    assert set(rest.HANDLERS) == set(SERVED) | secrets
    assert set(rest.HANDLERS) < operations
    assert {"updatePod", "listCpuTypes", "listTemplates", "listBilling"} <= operations - set(
        rest.HANDLERS
    )


def test_the_graphql_schema_has_what_runpodctl_sends():
    """runpodctl's create sends minCudaVersion and compliance (internal/api/graphql.go)."""
    document = parse(
        'mutation { podFindAndDeployOnDemand(input: {name: "n", imageName: "i", '
        'gpuTypeId: "g", minCudaVersion: "12.8", compliance: [GDPR, SOC_2_TYPE_2]}) { id } }'
    )
    assert validate(schema(), document) == []


# The SDK's own documents, made when the test runs (the SDK is loaded on first use: sdk.py).
SDK_DOCUMENTS = {
    "deploy": lambda: runpod.api.mutations.pods.generate_pod_deployment_mutation(
        "n",
        "img",
        "NVIDIA RTX A4000",
        "SECURE",
        True,
        True,
        "EU-RO-1",
        None,
        1,
        0,
        10,
        1,
        1,
        "",
        "22/tcp",
        "/workspace",
        {"A": "b"},
        None,
        "vol",
        ["12.8"],
        None,
        None,
        None,
    ),
    "stop": lambda: runpod.api.mutations.pods.generate_pod_stop_mutation("p"),
    "resume": lambda: runpod.api.mutations.pods.generate_pod_resume_mutation("p", 1),
    "terminate": lambda: runpod.api.mutations.pods.generate_pod_terminate_mutation("p"),
    "pods": lambda: runpod.api.queries.pods.QUERY_POD,
    "pod": lambda: runpod.api.queries.pods.generate_pod_query("p"),
    "gpu types": lambda: runpod.api.queries.gpus.QUERY_GPU_TYPES,
    "gpu": lambda: runpod.api.queries.gpus.generate_gpu_query("NVIDIA RTX A4000", 2),
    "user": lambda: runpod.api.queries.user.QUERY_USER,
}


@pytest.mark.parametrize("document", SDK_DOCUMENTS)
def test_sdk_documents_validate_against_the_schema(document):
    assert validate(schema(), parse(SDK_DOCUMENTS[document]())) == []
