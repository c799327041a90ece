"""Second factor (TOTP with recovery codes, django-otp): who needs one, and the devices behind it.

等保 level 3 asks for two factors where an account reaches much personal data or administers the system:
every post at county level and above, and the three administrative roles (三权分立).
"""
from base64 import b32decode, b32encode

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from povalleviation.roles import Role
from villages.choices import AreaLevel

SECOND_FACTOR_LEVELS = frozenset({AreaLevel.COUNTY, AreaLevel.CITY, AreaLevel.PROVINCE})
SECOND_FACTOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
TOTP_DEVICE_NAME = "手机验证器"
RECOVERY_DEVICE_NAME = "恢复码"


def requires_second_factor(user) -> bool:
    """True for a user posted at county level or above, holding an administrative role, or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        post.role in SECOND_FACTOR_ROLES or post.area.level in SECOND_FACTOR_LEVELS for post in user.active_posts()
    )


def confirmed_totp_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def secret_base32(device) -> str:
    """The device's secret as the base32 text authenticator apps and ``oathtool --totp -b`` take."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def hex_key_from_base32(secret: str) -> str:
    padded = secret.strip().replace(" ", "").upper()
    padded += "=" * (-len(padded) % 8)
    return b32decode(padded).hex()


def pending_totp_device(user):
    """The unconfirmed device an enrolment works with (made on first visit, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def replace_recovery_codes(user) -> list[str]:
    """A fresh set of recovery codes (each works once); the old set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
