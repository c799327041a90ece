"""Keeps the current request's origin (IP address, user agent) for the audit trail.

Services record who did what from where; they receive the actor explicitly and read the origin here,
so the same service called from a Celery task or a command records no address.
"""
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""


_NO_ORIGIN = RequestOrigin()
_current_origin: contextvars.ContextVar[RequestOrigin | None] = contextvars.ContextVar("current_origin", default=None)


def current_origin() -> RequestOrigin:
    return _current_origin.get() or _NO_ORIGIN


def client_ip(request) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_origin.set(
            RequestOrigin(ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            _current_origin.reset(token)
