"""Listeners that put sign-ins, sign-outs, failed sign-ins and lockouts in the audit trail.

These are decoupled listeners on Django's and django-axes' own signals (the one accepted use of signals,
ARCHITECTURE.md §8); they are connected in ``AccountsConfig.ready``. The event's area is that of the
account concerned, so the auditor of that area sees it (``audit_record``).
"""
from accounts.models import User, register_action_labels
from accounts.services import audit_record

register_action_labels({
    "user.login": "登录", "user.logout": "退出登录", "user.login_failed": "登录失败", "user.lockout": "账号锁定",
    "access.denied": "拒绝访问",
    "admin.add": "后台新增", "admin.change": "后台修改", "admin.delete": "后台删除",
    "audit.export": "导出审计日志", "audit.archive": "归档审计日志",
})


def _typed_username(value) -> str:
    """What was typed in the username field, storable as text (PostgreSQL refuses NUL characters)."""
    return str(value or "").replace("\x00", "\ufffd")[:150]


def _account(username: str):
    if not username:
        return None
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


def on_logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="user.login", target=user, summary=f"{user.username} 登录")


def on_logged_out(sender, request, user, **kwargs):
    if user is None or not getattr(user, "pk", None):
        return
    audit_record(actor=user, action="user.logout", target=user, summary=f"{user.username} 退出登录")


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = _typed_username(credentials.get(User.USERNAME_FIELD) or credentials.get("username"))
    account = _account(username)
    summary = f"用户名“{username}”登录失败" + ("" if account else "（无此账号）")
    audit_record(actor=None, action="user.login_failed", target=account, username=username, outcome="failure",
                 summary=summary)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    username = _typed_username(username)
    account = _account(username)
    audit_record(actor=None, action="user.lockout", target=account, username=username, outcome="denied",
                 summary=f"账号“{username}”因连续登录失败被锁定", changes={"ip_address": ip_address or ""})
