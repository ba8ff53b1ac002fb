"""A local, strict Runpod for offline tests: GraphQL + REST v2 + SSH pods + fault injection.

See README.md in this folder.
"""

from .faults import valid_faults
from .server import DEFAULT_API_KEY, FakeRunpod

__all__ = ["DEFAULT_API_KEY", "FakeRunpod", "valid_faults"]
