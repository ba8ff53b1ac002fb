"""What a REST handler gets (Call) and gives back (Answer)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..backend import Backend


@dataclass
class Call:
    backend: Backend
    params: dict[str, str]  # path parameters
    query: dict[str, Any]  # declared query parameters, parsed (contract.py)
    body: Any = None  # the JSON body, checked against the contract
    headers: Mapping[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)  # the fake stops


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON, or None for no body
    stream: Iterator[bytes] | None = None  # an event stream (text/event-stream)
    hold: float | None = None  # seconds to hold the answer back (create_pod:timeout)
    unchecked: bool = False  # a deliberate break of the contract (create_pod:null)


Handler = Callable[[Call], Answer]
