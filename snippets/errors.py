"""What can go wrong when the snippets talk to Runpod, as types.

Every error carries the Japanese sentence a reader sees (its str()) and, for answers from
the API, the HTTP status and Runpod's own `detail` (English, for logs). Code that must
decide what happened (the replay's teardown, the sweeper, create_once) decides by type,
never by the wording of a message: rewording a message changes no behaviour.
"""

from snippets.cli import SnippetError


class ApiError(SnippetError):
    """Runpod's API answered with an error, or did not answer as Runpod would."""

    def __init__(self, message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class NotFound(ApiError):
    """404: there is no such pod, volume or secret (any more)."""


class Conflict(ApiError):
    """409: the name is taken, or the action does not fit the resource's state."""


class InUse(Conflict):
    """409 on a volume delete: a pod still uses the volume (for a moment after it ends)."""


class Retired(ApiError):
    """410: Runpod has switched this API off (REST v1, later GraphQL)."""


class RateLimited(ApiError):
    """429 that asks for a longer wait than the snippets are willing to make."""


class Unauthorized(ApiError):
    """401: the key is missing, mistyped or revoked."""


class Forbidden(ApiError):
    """403: the key is valid but may not do this (a read-only or scoped key)."""


class PaymentRequired(ApiError):
    """402: the balance cannot pay for what was asked; no other choice will work."""


class Invalid(ApiError):
    """400 or 422: Runpod refused the request itself; sending it again will not help."""


class NoCapacity(Invalid):
    """400 whose detail says no machine can take the pod right now: try another GPU."""


class Unavailable(ApiError):
    """No usable answer after the retries: 5xx, 408, Cloudflare 52x, timeouts, resets."""


class NotRunpod(ApiError):
    """Something else answered in Runpod's place: an HTML page (a proxy, a hotel Wi-Fi's
    login page, a wrong RUNPOD_API_BASE_URL) or JSON of another shape."""


class MaybeCreated(ApiError):
    """A create whose outcome is unknown: it may have been carried out (a lost answer, an
    interrupted request). Never to be sent again blindly; `candidates` are what the list
    showed that could be it."""

    def __init__(self, message: str, *, what: str, name: str, candidates=(), **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.what = what
        self.name = name
        self.candidates = list(candidates)


class PodFailed(SnippetError):
    """The pod ended, errored or never became ready; it may still bill until deleted."""

    def __init__(self, message: str, *, pod_id: str, status: str = "", log_lines=()) -> None:
        super().__init__(message)
        self.pod_id = pod_id
        self.status = status
        self.log_lines = list(log_lines)
