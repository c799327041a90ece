"""A user with a temporary password (set by an administrator) or an expired one changes it before anything else."""
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

# Pages reachable while a password change is due: the change page itself, signing in and out, and the
# second-factor pages (which come first when both are due).
ALLOWED_URL_NAMES = ("accounts:password_change", "accounts:logout", "accounts:login", "accounts:otp_verify",
                     "accounts:otp_enrol")


def _allowed_paths() -> set[str]:
    paths = set()
    for name in ALLOWED_URL_NAMES:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue
    return paths


class PasswordChangeRequiredMiddleware:
    """Redirects to the change-password page (the API answers 403) while ``user.needs_password_change``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in _allowed_paths()
            and user.needs_password_change
        ):
            reason = "管理员已重置您的密码" if user.must_change_password else "您的密码已超过有效期"
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": f"{reason}，请先在网页上修改密码。", "code": "password_change_required", "errors": {}},
                    status=403,
                )
            messages.warning(request, f"{reason}，请先修改密码后再继续使用。")
            return redirect(f"{reverse('accounts:password_change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
