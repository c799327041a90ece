"""Domain errors raised by services, translated to API responses and form errors in one place."""


class ApplicationError(Exception):
    """A refusal a user can act on. ``message`` is Chinese; ``field_errors`` maps field names to messages."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field_errors: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        if code:
            self.code = code


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"


class Conflict(ApplicationError):
    """The record changed since it was shown, or another officer acted first."""

    status_code = 409
    code = "conflict"
