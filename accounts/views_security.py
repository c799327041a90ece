"""Pages of the sign-in security: lockout answer, second-factor code and enrolment, recovery codes, API tokens,
logout everywhere, and the security administrator's unlock page."""
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django_otp import login as otp_login
from knox.models import AuthToken

from accounts.forms import LoginForm
from accounts.otp import (
    confirmed_totp_device,
    has_confirmed_device,
    pending_totp_device,
    recovery_codes_left,
    requires_second_factor,
    secret_base32,
)
from accounts.selectors_security import locked_accounts
from accounts.services_security import (
    account_unlock,
    second_factor_check,
    second_factor_enrol,
    second_factor_reset,
    token_create,
    token_revoke,
    user_logout_all,
)
from povalleviation.access import Capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin

LOCKOUT_MESSAGE = "账号已锁定，请 30 分钟后再试或联系安全管理员解锁"
RECOVERY_CODES_SESSION_KEY = "security_new_recovery_codes"


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked account: the login form again, with the lockout message (429)."""
    form = LoginForm(request, data=request.POST or None)
    form.cleaned_data = {}
    form._errors = ErrorDict()
    form.add_error(None, LOCKOUT_MESSAGE)
    context = {"form": form, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


class SecondFactorVerifyView(LoginRequiredMixin, View):
    """After the password: the 6-digit code from the authenticator, or one recovery code."""

    template_name = "accounts/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return redirect(_next_url(request))
            if not has_confirmed_device(request.user):
                return redirect(f"{reverse('accounts:otp_enrol')}?{urlencode({'next': _next_url(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"next": _next_url(request)})

    def post(self, request):
        device = confirmed_totp_device(request.user)
        allowed, details = device.verify_is_allowed()
        if not allowed:
            error = "验证码错误次数过多，请稍候几秒再试。"
        else:
            matched = second_factor_check(user=request.user, token=request.POST.get("code", ""))
            if matched is not None:
                otp_login(request, matched)
                request.session.cycle_key()
                if matched.persistent_id != device.persistent_id:
                    messages.warning(request, f"已使用一个恢复码，还剩 {recovery_codes_left(request.user)} 个。")
                return redirect(_next_url(request))
            error = "验证码不正确，请输入手机验证器当前显示的 6 位数字，或一个恢复码。"
        return render(request, self.template_name, {"next": _next_url(request), "error": error}, status=400)


class SecondFactorEnrolView(LoginRequiredMixin, View):
    """Bind an authenticator app: QR code and secret text, confirmed with one code; then recovery codes."""

    template_name = "accounts/otp_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        # Someone who already has an authenticator proves it before binding another one.
        if request.user.is_authenticated and has_confirmed_device(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': _next_url(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def _context(self, request, device, error=""):
        qr = segno.make(device.config_url, error="m")
        return {
            "qr_svg": qr.svg_inline(scale=5, dark="#1b1b1b", light="#ffffff"),
            "secret": secret_base32(device),
            "next": _next_url(request),
            "error": error,
            "required": requires_second_factor(request.user),
        }

    def get(self, request):
        return render(request, self.template_name, self._context(request, pending_totp_device(request.user)))

    def post(self, request):
        device = pending_totp_device(request.user)
        codes = second_factor_enrol(user=request.user, device=device, token=request.POST.get("code", ""))
        if codes is None:
            error = "验证码不正确：请确认手机时间准确，并输入验证器当前显示的 6 位数字。"
            return render(request, self.template_name, self._context(request, device, error), status=400)
        device.refresh_from_db()
        otp_login(request, device)
        request.session.cycle_key()
        request.session[RECOVERY_CODES_SESSION_KEY] = codes
        return redirect(f"{reverse('accounts:otp_recovery_codes')}?{urlencode({'next': _next_url(request)})}")


class RecoveryCodesView(LoginRequiredMixin, View):
    """The new recovery codes, shown once right after they were made."""

    def get(self, request):
        codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
        if not codes:
            return redirect("accounts:security")
        return render(request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": _next_url(request)})


class SecurityView(LoginRequiredMixin, View):
    """账号安全: the second factor, one's API tokens (create, list, revoke) and logout everywhere."""

    template_name = "accounts/security.html"

    def _context(self, request, **extra):
        user = request.user
        return {
            "tokens": AuthToken.objects.filter(user=user)
            .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
            .order_by("-created"),
            "has_device": has_confirmed_device(user),
            "requires_second_factor": requires_second_factor(user),
            "recovery_codes_left": recovery_codes_left(user),
            "token_ttl_days": settings.REST_KNOX["TOKEN_TTL"].days,
            **extra,
        }

    def get(self, request):
        return render(request, self.template_name, self._context(request))

    def post(self, request):
        action = request.POST.get("action")
        try:
            if action == "create":
                instance, token = token_create(user=request.user)
                return render(request, self.template_name, self._context(request, new_token=token, new_instance=instance))
            if action == "revoke":
                token_revoke(user=request.user, token_key=request.POST.get("token_key", ""))
                messages.success(request, "令牌已吊销。")
            elif action == "revoke_all":
                count = token_revoke(user=request.user)
                messages.success(request, f"已吊销全部 {count} 个令牌。")
            else:
                messages.error(request, "无法识别的操作。")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:security")


class LogoutEverywhereView(LoginRequiredMixin, View):
    """退出所有设备: every session of the account ends and its API tokens are revoked."""

    def post(self, request):
        user_logout_all(user=request.user)
        logout(request)
        messages.success(request, "已退出所有设备，全部接口令牌已吊销。")
        return redirect("accounts:login")


class LockedAccountsView(CapabilityRequiredMixin, View):
    """The security administrator's list of locked accounts in his areas, each with 解锁."""

    required_capability = Capability.ACCOUNT_UNLOCK

    def get(self, request):
        return render(request, "accounts/locked_accounts.html", {"locked": locked_accounts(actor=request.user)})

    def post(self, request):
        username = request.POST.get("username", "").strip()
        try:
            if request.POST.get("action") == "reset_otp":
                second_factor_reset(actor=request.user, username=username)
                messages.success(request, f"账号 {username} 的动态口令已重置，其本人下次登录时重新绑定手机验证器。")
            else:
                account_unlock(actor=request.user, username=username)
                messages.success(request, f"账号 {username} 已解锁。")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:locked_accounts")
