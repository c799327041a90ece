"""Keeps the current request's origin (IP address, user agent) for the audit trail, records refusals, and
gives every request an id (X-Request-ID) that its log lines and the Celery tasks it queues carry.

Services record who did what from where; they receive the actor explicitly and read the origin here,
so the same service called from a Celery task or a command records no address.

The client address is REMOTE_ADDR unless the connection comes from a configured reverse proxy
(settings.TRUSTED_PROXY_IPS): only then is X-Forwarded-For read (with django-ipware), skipping the
trusted proxies at its right end. A client can put anything in X-Forwarded-For; only our proxy's last
entry is known to be true.
"""
import contextvars
import ipaddress
import logging
import re
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ipware import get_client_ip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""


_NO_ORIGIN = RequestOrigin()
_current_origin: contextvars.ContextVar[RequestOrigin | None] = contextvars.ContextVar("current_origin", default=None)
# The id of the request (or of the request that queued the running task); "" outside both.
_current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_request_id", default="")
_current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
request_logger = logging.getLogger("povalleviation.requests")


def current_origin() -> RequestOrigin:
    return _current_origin.get() or _NO_ORIGIN


def current_request_id() -> str:
    return _current_request_id.get()


def bind_request_id(request_id: str):
    """Make ``request_id`` the current one (a Celery task restoring its request's id); returns a reset token."""
    return _current_request_id.set(str(request_id or ""))


def unbind_request_id(token):
    _current_request_id.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request) -> str:
    """X-Request-ID as sent by our own reverse proxy (TRUSTED_PROXY_IPS), if well formed; otherwise a new id."""
    sent = request.META.get("HTTP_X_REQUEST_ID", "").strip()
    if sent and from_trusted_proxy(request) and _REQUEST_ID_PATTERN.match(sent):
        return sent
    return new_request_id()


def _user_id(request):
    """The signed-in user's id if authentication already ran for this request; never queries the database."""
    user = request.__dict__.get("_cached_user")
    if user is None:
        wrapped = request.__dict__.get("user")
        user = getattr(wrapped, "_wrapped", wrapped)
    if getattr(user, "is_authenticated", False) is True:
        return user.pk
    return None


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id`` and ``path`` to every log record (empty outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current_request_id.get() or "-"
        request = _current_request.get()
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request) if request is not None else None
        if not hasattr(record, "path"):
            record.path = request.path if request is not None else ""
        return True


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS 中的 {entry!r} 不是有效的地址或网段。") from error
    return tuple(networks)


def _parse_ip(value) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip


def is_trusted_proxy(address) -> bool:
    """Whether ``address`` (text or ip_address) is one of settings.TRUSTED_PROXY_IPS (addresses or networks)."""
    ip = _parse_ip(address)
    if ip is None:
        return False
    networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXY_IPS", ()) or ()))
    return any(ip.version == network.version and ip in network for network in networks)


def from_trusted_proxy(request) -> bool:
    return is_trusted_proxy(request.META.get("REMOTE_ADDR", ""))


def client_ip(request) -> str | None:
    """The address of the client: REMOTE_ADDR, or, behind a trusted proxy, the right-most untrusted X-Forwarded-For hop."""
    remote = _parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not is_trusted_proxy(remote) or not request.META.get("HTTP_X_FORWARDED_FOR", "").strip():
        return str(remote)
    from python_ipware.modern.parsers import split_proxy_chain

    chain = split_proxy_chain(request.META["HTTP_X_FORWARDED_FOR"], True) or []
    if not chain:
        return str(remote)
    # Our own proxies append to the right; count those we trust, the hop before them is the client.
    trusted_hops = 0
    for hop in reversed(chain[1:]):
        if not is_trusted_proxy(hop):
            break
        trusted_hops += 1
    ip, _is_routable = get_client_ip(
        request, proxy_order="left-most", proxy_count=trusted_hops,
        request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False,
    )
    return ip or str(remote)


# ---------------------------------------------------------------- refusals (403/404) for the audit trail

def note_refusal(request, message: str = ""):
    """Mark this request as refused (403/404); the middleware records it once the response is made.

    Called by the error pages and the API's exception handler; the record is written after the view,
    outside any transaction the view opened (a refused request's own transaction may be rolled back).
    """
    if request is not None:
        request._refusal_message = str(message or "")[:200]


def _record_refusal(request, response):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or response.status_code not in (403, 404):
        return
    if request.path.startswith(settings.STATIC_URL or "/static/") or request.path == "/favicon.ico":
        return  # a browser's own fetches, not a refusal of anything the user asked for
    from povalleviation.audit import audit_record

    status = response.status_code
    message = getattr(request, "_refusal_message", "")
    summary = f"{'拒绝访问' if status == 403 else '未找到或不在工作范围内'}（{status}）：{request.method} {request.path}"
    try:
        audit_record(
            actor=user, action="access.denied", outcome="denied", summary=summary,
            changes={"path": request.path[:500], "method": request.method, "status": status, "message": message},
        )
    except Exception:  # the refusal is answered even if the record cannot be written
        logger.exception("拒绝访问的审计记录写入失败")


class RequestIdMiddleware:
    """Second in MIDDLEWARE (after TrustedProxyMiddleware): gives the request its id before anything can fail, so
    every response (a 400 for a bad Host header included) carries X-Request-ID and every log line the id; writes
    one log line per request (povalleviation.requests, INFO)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request.request_id = incoming_request_id(request)
        id_token, request_token = _current_request_id.set(request.request_id), _current_request.set(request)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
                extra={"method": request.method, "status": response.status_code, "duration_ms": duration_ms},
            )
            return response
        finally:
            _current_request.reset(request_token)
            _current_request_id.reset(id_token)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_origin.set(
            RequestOrigin(ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            response = self.get_response(request)
            _record_refusal(request, response)
            return response
        finally:
            _current_origin.reset(token)
