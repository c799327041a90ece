"""Request guards of the sign-in security: login rate limit, session timeouts, the second factor, no-store.

Order (settings.MIDDLEWARE, after the request context, so a sign-out here is audited with the address):
rate limit → OTPMiddleware → timeouts → second factor → no-store. The password-change guard comes after the
second factor and lets the second-factor pages through.
"""
from abc import ABC, abstractmethod

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.otp import has_confirmed_device, requires_second_factor
from accounts.throttling import login_attempt_allowed

LAST_ACTIVITY_KEY = "security_last_activity"
LOGIN_AT_KEY = "security_login_at"
IDLE_MESSAGE = "长时间未操作，已自动退出，请重新登录。"
ABSOLUTE_MESSAGE = "登录已超过 12 小时，已自动退出，请重新登录。"
# A session's last activity is written at most this often (a write per request is not needed for a 30-minute limit).
ACTIVITY_WRITE_INTERVAL_SECONDS = 30


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _is_static(request) -> bool:
    return request.path.startswith(settings.STATIC_URL) or request.path.startswith(settings.MEDIA_URL)


class LoginRateLimitMiddleware:
    """At most ``LOGIN_RATE_LIMIT`` login POSTs per minute from one client address, on every login form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in (reverse("accounts:login"), reverse("admin:login")):
            if not login_attempt_allowed(request):
                response = render(request, "accounts/login_rate_limited.html", status=429)
                response["Retry-After"] = str(settings.LOGIN_RATE_WINDOW_SECONDS)
                return response
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Signs a session out after 30 minutes without a request or 12 hours after sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _is_static(request):
            now = timezone.now().timestamp()
            session = request.session
            login_at = session.get(LOGIN_AT_KEY)
            last_activity = session.get(LAST_ACTIVITY_KEY)
            if login_at is None:
                session[LOGIN_AT_KEY] = login_at = now
            if last_activity is None:
                session[LAST_ACTIVITY_KEY] = last_activity = now
            if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                return self._expire(request, ABSOLUTE_MESSAGE)
            if now - last_activity > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                return self._expire(request, IDLE_MESSAGE)
            if now - last_activity >= ACTIVITY_WRITE_INTERVAL_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expire(self, request, message):
        logout(request)
        if _is_api(request):
            return JsonResponse({"detail": message, "code": "session_expired", "errors": {}}, status=401)
        messages.warning(request, message)
        return redirect_to_login(request.get_full_path())


class SignedInGuard(ABC):
    """Holds a signed-in user at a step (``blocks``) outside the pages of ``ALLOWED_URL_NAMES``: a page request
    gets ``page_response`` (usually a redirect to that step), an API request 403 with ``api_detail`` and ``code``."""

    ALLOWED_URL_NAMES: tuple = ()
    code = ""

    def __init__(self, get_response):
        self.get_response = get_response

    def allowed_paths(self) -> set[str]:
        paths = set()
        for name in self.ALLOWED_URL_NAMES:
            try:
                paths.add(reverse(name))
            except NoReverseMatch:
                continue
        return paths

    @abstractmethod
    def blocks(self, request, user) -> bool:
        ...

    @abstractmethod
    def api_detail(self, user) -> str:
        ...

    @abstractmethod
    def page_response(self, request, user):
        ...

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path not in self.allowed_paths()
            and self.blocks(request, user)
        ):
            if _is_api(request):
                return JsonResponse({"detail": self.api_detail(user), "code": self.code, "errors": {}}, status=403)
            return self.page_response(request, user)
        return self.get_response(request)


class SecondFactorMiddleware(SignedInGuard):
    """A signed-in user who needs a second factor reaches nothing but the code, enrolment and logout pages
    until he has given a code in this session; the API answers 403 to such a session."""

    ALLOWED_URL_NAMES = ("accounts:otp_verify", "accounts:otp_enrol", "accounts:logout", "accounts:login")
    code = "second_factor_required"

    def blocks(self, request, user) -> bool:
        return not _is_static(request) and not user.is_verified() and requires_second_factor(user)

    def api_detail(self, user) -> str:
        return "该账号须先在网页上完成动态口令验证。"

    def page_response(self, request, user):
        target = "accounts:otp_verify" if has_confirmed_device(user) else "accounts:otp_enrol"
        return redirect_to_login(request.get_full_path(), login_url=reverse(target))


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user (and every API answer) must not stay in any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_static(request):
            return response
        user = getattr(request, "user", None)
        if _is_api(request) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response
