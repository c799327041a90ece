"""Web hardening middleware: trusted proxies, Permissions-Policy, request body limits, malformed input.

``TrustedProxyMiddleware`` comes first in MIDDLEWARE, so everything after it (``SECURE_PROXY_SSL_HEADER`` in
``request.is_secure()``, the client IP of the audit trail) sees forwarding headers only when the request came
from a configured reverse proxy. ``RequestLimitsMiddleware`` refuses bodies above the limit of the path before
anything reads them, and requests whose path or query holds a NUL byte (PostgreSQL cannot store one).
"""
import functools
import ipaddress
import json
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import Resolver404, resolve

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_REAL_IP")

# Powerful browser features the application never uses: denied to the pages and anything they embed.
DENIED_FEATURES = (
    "accelerometer", "ambient-light-sensor", "autoplay", "battery", "camera", "display-capture", "encrypted-media",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)

# A multipart body carries the file plus field names, boundaries and the CSRF token.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024


def _household_import_limit():
    return settings.IMPORT_MAX_FILE_BYTES


def _evidence_limit():
    return settings.EVIDENCE_MAX_BYTES


def _report_verify_limit():
    return settings.REPORT_VERIFY_MAX_UPLOAD_BYTES


# The views that accept a file, by URL name, with the largest file each accepts. Every other request body is
# limited to settings.REQUEST_BODY_MAX_BYTES.
UPLOAD_LIMITS = {
    "household_imports:upload": _household_import_limit,
    "api:imports-list": _household_import_limit,
    "funds:import": _household_import_limit,
    "report_verify:verify_upload": _report_verify_limit,
    "oversight:item_action": _evidence_limit,
    "api:rectification-item-progress": _evidence_limit,
}


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS 中的 {entry!r} 不是有效的地址或网段。") from error
    return networks


class TrustedProxyMiddleware:
    """Drop X-Forwarded-* and X-Real-IP unless the connection comes from a trusted proxy (settings.TRUSTED_PROXY_IPS)."""

    def __init__(self, get_response):
        self.get_response = get_response
        _networks(tuple(settings.TRUSTED_PROXY_IPS))  # a malformed entry refuses to start

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXY_IPS)))

    def __call__(self, request):
        if not self.is_trusted(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDING_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _refusal(request, status: int, code: str, message: str) -> HttpResponse:
    """The API's error shape under /api/, a plain Chinese page elsewhere."""
    if request.path_info.startswith("/api/"):
        body = {"detail": message, "code": code, "errors": {}}
        return HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    page = (f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{message}</title></head>'
            f"<body><h1>{message}</h1></body></html>")
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def body_limit(path_info: str) -> int:
    """The largest request body accepted at this path, in bytes."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return settings.REQUEST_BODY_MAX_BYTES
    upload_limit = UPLOAD_LIMITS.get(match.view_name)
    if upload_limit is None:
        return settings.REQUEST_BODY_MAX_BYTES
    return upload_limit() + MULTIPART_OVERHEAD_BYTES


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


class RequestLimitsMiddleware:
    """413 for a body above the path's limit (judged from Content-Length, before reading it); 400 for NUL bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return _refusal(request, 400, "invalid_characters", "请求地址或查询参数中含有非法字符（空字符）。")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(request, 400, "invalid_content_length", "请求头 Content-Length 无效。")
        limit = body_limit(request.path_info)
        if length > limit:
            return _refusal(request, 413, "request_too_large", f"提交的内容过大（上限 {size_text(limit)}），请求已被拒绝。")
        return self.get_response(request)
