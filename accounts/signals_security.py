"""Hooks of the sign-in security, connected in ``AccountsConfig.ready``.

- The session clock starts at sign-in (absolute 12-hour limit and idle timeout, accounts.middleware_security).
- No admin page lists API tokens, second-factor secrets or login attempts: unlocking is the security
  administrator's page, tokens are their owner's.
"""
from django.contrib import admin
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone


@receiver(user_logged_in, dispatch_uid="accounts.security.session_clock")
def start_session_clock(sender, request, user, **kwargs):
    from accounts.middleware_security import LAST_ACTIVITY_KEY, LOGIN_AT_KEY

    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now


def hide_secret_admin_pages():
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    for model in (AuthToken, TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
