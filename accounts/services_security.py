"""Writes of the sign-in security features: unlocks, second-factor enrolment and checks, API tokens, logout
everywhere. Each records its audit event in the same transaction (ARCHITECTURE.md §2, §8)."""
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import User, register_action_labels
from accounts.otp import replace_recovery_codes
from accounts.selectors_security import user_in_unlock_scope
from accounts.services import audit_record
from povalleviation.errors import ApplicationError, NotFound

register_action_labels({
    "user.unlock": "解锁账号",
    "user.otp_reset": "重置动态口令",
    "user.otp_enrol": "绑定动态口令",
    "user.otp_failed": "动态口令错误",
    "user.recovery_code_used": "使用恢复码登录",
    "user.logout_all": "退出所有设备",
    "token.create": "创建接口令牌",
    "token.revoke": "吊销接口令牌",
})


def user_area_code(user) -> str:
    """The area an event about this user is filed under, so the auditors of that area see it."""
    posts = user.active_posts()
    if posts:
        return min(post.area.code for post in posts)
    return user.managed_area_code or ""


@transaction.atomic
def account_unlock(*, actor, username: str) -> int:
    """The security administrator lifts the lockout of an account posted in his area."""
    user = User.objects.filter(username=username).first()
    if user is None or not user_in_unlock_scope(actor=actor, user=user):
        raise NotFound("该账号不存在或不在您的管辖区域内。")
    removed = axes_reset(username=username)
    audit_record(
        actor=actor, action="user.unlock", target=user, area_code=user_area_code(user),
        summary=f"解锁账号 {username}", changes={"attempts_removed": removed},
    )
    return removed


@transaction.atomic
def second_factor_reset(*, actor, username: str):
    """The security administrator removes the authenticator and recovery codes of an account of his area
    (phone lost, no recovery code left); its owner binds a new one at the next sign-in."""
    user = User.objects.filter(username=username).first()
    if user is None or user.pk == getattr(actor, "pk", None) or not user_in_unlock_scope(actor=actor, user=user):
        raise NotFound("该账号不存在或不在您的管辖区域内。")
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    audit_record(
        actor=actor, action="user.otp_reset", target=user, area_code=user_area_code(user),
        summary=f"重置账号 {username} 的动态口令", changes={"devices_removed": removed},
    )


@transaction.atomic
def second_factor_enrol(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; returns the new recovery codes, None for a wrong code."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token((token or "").strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = replace_recovery_codes(user)
    audit_record(actor=user, action="user.otp_enrol", target=user, area_code=user_area_code(user),
                 summary="绑定手机验证器并生成恢复码")
    return codes


def second_factor_check(*, user, token: str):
    """The device that accepts the code (a 6-digit code or a recovery code, which then stops working), or None.

    Audited either way that is not a plain success: a wrong code (failure) and a recovery code used.
    """
    token = (token or "").strip().replace(" ", "").lower()
    device = match_token(user, token) if token else None
    with transaction.atomic():
        if device is None:
            audit_record(actor=user, action="user.otp_failed", target=user, area_code=user_area_code(user),
                         summary="动态口令或恢复码错误", outcome="failure")
        elif isinstance(device, StaticDevice):
            audit_record(actor=user, action="user.recovery_code_used", target=user, area_code=user_area_code(user),
                         summary="使用一个恢复码完成登录验证")
    return device


@transaction.atomic
def token_create(*, user):
    """A new API token for the user; the clear text is returned once and only its digest is stored."""
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if limit and AuthToken.objects.filter(user=user).count() >= limit:
        raise ApplicationError(f"每个账号最多保留 {limit} 个接口令牌，请先吊销不用的令牌。", code="token_limit")
    instance, token = AuthToken.objects.create(user=user)
    audit_record(actor=user, action="token.create", target=user, area_code=user_area_code(user),
                 summary=f"创建接口令牌 {instance.token_key}",
                 changes={"token_key": instance.token_key, "expiry": instance.expiry.isoformat() if instance.expiry else None})
    return instance, token


@transaction.atomic
def token_revoke(*, user, token_key: str | None = None) -> int:
    """Revoke one of the user's tokens (by its prefix) or, with no prefix, all of them."""
    tokens = AuthToken.objects.filter(user=user)
    if token_key is not None:
        tokens = tokens.filter(token_key=token_key)
    keys = sorted(tokens.values_list("token_key", flat=True))
    if token_key is not None and not keys:
        raise NotFound("没有找到该令牌。")
    tokens.delete()
    audit_record(actor=user, action="token.revoke", target=user, area_code=user_area_code(user),
                 summary=f"吊销接口令牌 {len(keys)} 个", changes={"token_keys": keys})
    return len(keys)


@transaction.atomic
def user_logout_all(*, user):
    """End every session of the user (the session hash includes the generation) and revoke his API tokens."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    revoked = AuthToken.objects.filter(user=user).delete()[0]
    audit_record(actor=user, action="user.logout_all", target=user, area_code=user_area_code(user),
                 summary="退出所有设备并吊销全部接口令牌", changes={"tokens_revoked": revoked})
    user.refresh_from_db(fields=["session_generation"])
