"""POST /graphql (normal mode only; retired mode answers 410 in server.py): every document is
validated and executed by graphql-core against the contract schema, so a query the real API
would reject is rejected here too. (parse + validate + execute_sync are graphql_sync's own
steps; doing them apiece lets the validation of a query text be cached, as clients poll with
the same documents.)

Only the root fields runpod-python 1.12.0 (and runpodctl's create) use have resolvers
(resolvers.py); any other root field validates but then fails with a clear "not served by the
fake" error. Errors follow Runpod's shape: HTTP 200, {"errors": [{"message": ...}], "data":
null}. A backend refusal (errors.FakeError) becomes such an error with the same message.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    build_schema,
    default_field_resolver,
    execute_sync,
    parse,
    validate,
)

from ..errors import FakeError, NotServed
from .resolvers import Root

log = logging.getLogger("fake_runpod")
SCHEMA_FILE = Path(__file__).parent.parent / "contract" / "graphql-schema.graphql"


@lru_cache(maxsize=1)
def schema():
    return build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


def root_fields(query: str) -> list[str]:
    """Root field names of a document, for the request log ([] when it does not parse)."""
    try:
        document = parse(query)
    except GraphQLError:
        return []
    return [
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if hasattr(selection, "name")
    ]


@lru_cache(maxsize=256)
def _checked(query: str) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parse and validate once per query text: clients poll with the same documents."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate(schema(), document))


def _field_resolver(source, info, **args):
    if info.parent_type.name in ("Query", "Mutation"):
        resolver = getattr(source, info.field_name, None)
        if resolver is None:
            raise NotServed(
                f"{info.parent_type.name}.{info.field_name} is not served by the fake Runpod "
                "(fake_runpod/); add a resolver if the guide needs it"
            )
        return resolver(**args)
    return default_field_resolver(source, info, **args)


class GraphQLAPI:
    def __init__(self, backend, hold) -> None:
        self.backend = backend
        self.hold = hold  # hold(seconds or None): wait before answering (create_pod:timeout)

    def execute(self, query: str, variables: dict | None, operation: str | None) -> dict:
        document, errors = _checked(query)
        if errors:
            return {"errors": [error.formatted for error in errors], "data": None}
        root = Root(self.backend)
        result = execute_sync(
            schema(),
            document,
            root_value=root,
            variable_values=variables,
            operation_name=operation,
            field_resolver=_field_resolver,
        )
        if root.held is not None:
            self.hold(root.held)
        if result.errors:
            self._note_own_bugs(result.errors)
            return {"errors": [error.formatted for error in result.errors], "data": None}
        return {"data": result.data}

    def _note_own_bugs(self, errors) -> None:
        """A field error that is not a deliberate refusal is the fake's own bug (a resolver
        crashed, or a view left a non-null field empty): record it so the fixture fails."""
        for error in errors:
            if error.path is not None and not isinstance(error.original_error, FakeError):
                message = f"GraphQL {'.'.join(map(str, error.path))}: {error.message}"
                log.error("fake Runpod bug: %s", message)
                self.backend.note_bug(message)
