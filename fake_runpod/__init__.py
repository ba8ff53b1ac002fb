"""A local, strict Runpod for offline tests: REST v2 (+ GraphQL for the SDK compatibility
test) + SSH pods + fault injection. See README.md in this folder."""

from .fake import DEFAULT_API_KEY, FakeRunpod
from .faults import valid_faults

__all__ = ["DEFAULT_API_KEY", "FakeRunpod", "valid_faults"]
