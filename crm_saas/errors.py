"""Domain errors: values a user can act on.

Services raise these; the API error handler and the page views turn them into a 4xx response or a
form error carrying the same message, so a caller always learns what to change.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class NotFoundError(DomainError):
    status_code = 404
    default_code = "not_found"


class PermissionDeniedError(DomainError):
    status_code = 403
    default_code = "permission_denied"


class ConflictError(DomainError):
    status_code = 409
    default_code = "conflict"


class ServiceUnavailableError(DomainError):
    status_code = 503
    default_code = "unavailable"


class TooManyRequestsError(DomainError):
    status_code = 429
    default_code = "throttled"
