"""REST v2: one handler per served operationId. server.py routes a request to its operation
(contract.py), checks its query and body against the OpenAPI and who may call it, then calls
`dispatch`; a handler parses what it needs, calls the backend and renders the answer. A
backend refusal (errors.FakeError) becomes a problem body with its status (problems.py).
"""

from __future__ import annotations

from . import account, catalog, logs, pods, storage
from .call import Answer, Call, Handler

HANDLERS: dict[str, Handler] = {
    **account.HANDLERS,
    **catalog.HANDLERS,
    **logs.HANDLERS,
    **pods.HANDLERS,
    **storage.HANDLERS,
}


def serves(operation_id: str) -> bool:
    return operation_id in HANDLERS


def dispatch(operation_id: str, call: Call) -> Answer:
    return HANDLERS[operation_id](call)


__all__ = ["HANDLERS", "Answer", "Call", "dispatch", "serves"]
