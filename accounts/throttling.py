"""Rate limits: login attempts per client address (a cache counter) and API requests (DRF throttling).

Both count by the address ``povalleviation.request_context.client_ip`` gives, which honours
``X-Forwarded-For`` only from the configured reverse proxies, so a client cannot pick a fresh address
per request. The per-account lockout (django-axes) stops guessing one password; the per-address limit
stops one machine from trying many accounts.
"""
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from povalleviation.request_context import client_ip


def login_attempt_allowed(request) -> bool:
    """Count one login POST from the request's address; False once the address is over the limit.

    The window opens at the address's first attempt and lasts ``LOGIN_RATE_WINDOW_SECONDS`` (the counter's
    expiry is not renewed by later attempts), so no burst straddling a clock minute gets twice the limit.
    """
    key = f"login-rate:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=settings.LOGIN_RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.add(key, 1, timeout=settings.LOGIN_RATE_WINDOW_SECONDS)
        count = 1
    return count <= settings.LOGIN_RATE_LIMIT


class _ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request) or "unknown"


class ClientAddressAnonRateThrottle(_ClientAddressMixin, AnonRateThrottle):
    """Requests without a signed-in user, per client address."""


class ClientAddressUserRateThrottle(_ClientAddressMixin, UserRateThrottle):
    """Requests of a signed-in user (session or token), per user; anonymous ones per client address."""
