"""A user with a temporary password (set by an administrator) or an expired one changes it before anything else."""
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.middleware_security import SignedInGuard


def _reason(user) -> str:
    return "管理员已重置您的密码" if user.must_change_password else "您的密码已超过有效期"


class PasswordChangeRequiredMiddleware(SignedInGuard):
    """Redirects to the change-password page (the API answers 403) while ``user.needs_password_change``."""

    # Pages reachable while a password change is due: the change page itself, signing in and out, and the
    # second-factor pages (which come first when both are due).
    ALLOWED_URL_NAMES = ("accounts:password_change", "accounts:logout", "accounts:login", "accounts:otp_verify",
                         "accounts:otp_enrol")
    code = "password_change_required"

    def blocks(self, request, user) -> bool:
        return not request.path.startswith(settings.STATIC_URL) and user.needs_password_change

    def api_detail(self, user) -> str:
        return f"{_reason(user)}，请先在网页上修改密码。"

    def page_response(self, request, user):
        messages.warning(request, f"{_reason(user)}，请先修改密码后再继续使用。")
        return redirect(f"{reverse('accounts:password_change')}?{urlencode({'next': request.get_full_path()})}")
