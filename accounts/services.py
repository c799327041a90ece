"""Writes for users, posts and the audit trail. Every write records an AuditEvent in its transaction."""
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from povalleviation.access import ROLE_CAPABILITIES, Capability, covers, has_capability, scope_prefixes
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from povalleviation.request_context import current_origin
from povalleviation.roles import Role

from .choices import PostApproval
from .models import ADMINISTRATIVE_ROLES, AuditEvent, PasswordHistory, Post, User, register_action_labels

register_action_labels({
    "post.request": "申请授权（待审批）", "post.approve": "批准授权", "post.reject": "驳回授权",
    "user.password_reset": "重置用户密码", "user.password_change": "修改本人密码",
})

# A grant of a role holding one of these sees personal data, so a second person (安全管理员) approves it.
SENSITIVE_CAPABILITIES = frozenset({Capability.HOUSEHOLD_VIEW, Capability.IDNUMBER_REVEAL, Capability.AUDIT_VIEW})


def audit_record(*, actor, action: str, target=None, area=None, area_code: str = "", summary: str = "", changes=None,
                 outcome: str = "success", username: str = ""):
    """Record one audit event (who, in which role, when, what, from where, with what outcome).

    Call inside the service's transaction. ``outcome`` is success / denied / failure; ``username`` names the
    account when there is no actor (a failed login).
    """
    origin = current_origin()
    if area is not None:
        area_code = area.code
    person = target if isinstance(target, User) else saved_user(actor)
    if not area_code and person is not None:
        # user.*, logins, refusals: the area of the user concerned (first active post, else the area of the
        # administrator who created him), so that the auditor of that area sees the event.
        had_cache = "_active_posts_cache" in person.__dict__
        area_code = next((post.area.code for post in person.active_posts()), "") or person.managed_area_code
        if not had_cache:
            person.__dict__.pop("_active_posts_cache", None)
    actor_pk = getattr(actor, "pk", None)
    role = ""
    if actor_pk:
        username = username or actor.username
        role = ",".join(sorted(actor.active_posts_roles()))
    return AuditEvent.objects.create(
        actor=actor if actor_pk else None,
        username=username[:150],
        role=role[:200],
        outcome=outcome,
        action=action,
        summary=summary[:300],
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        area_code=area_code,
        changes=changes or {},
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
    )


# ---------------------------------------------------------------- checks shared by the services below


def _manage_prefixes(actor):
    return scope_prefixes(actor, Capability.USER_MANAGE)


def _require_manager_of(actor, area):
    if actor is None:
        return
    if not has_capability(actor, Capability.USER_MANAGE) or not any(
        area.code.startswith(prefix) for prefix in _manage_prefixes(actor)
    ):
        raise PermissionDenied("您无权在该区域管理用户任职。")


def _require_manages_user(actor, user):
    """The administrator may act on this account only if it is one of his (same rule as the admin's list)."""
    if actor is None:
        return
    from .selectors import users_managed_by

    if not users_managed_by(actor).filter(pk=user.pk).exists():
        # Missing and out of reach look the same.
        raise NotFound("该用户不存在，或不在您的管理范围内。")


def _user_area_code(user) -> str:
    """The area an event about this account belongs to, so the auditors of that area see it."""
    code = Post.objects.filter(user=user).order_by("area__code").values_list("area__code", flat=True).first()
    return code or user.managed_area_code


def grant_needs_approval(role: str) -> bool:
    """Administrative roles and roles that see personal data are granted only with a second person's approval."""
    return role in ADMINISTRATIVE_ROLES or bool(ROLE_CAPABILITIES.get(role, frozenset()) & SENSITIVE_CAPABILITIES)


def _refuse_second_administrative_role(user, role: str, *, exclude_pk=None):
    if role not in ADMINISTRATIVE_ROLES:
        return
    others = (
        Post.objects.filter(user=user, is_active=True, role__in=ADMINISTRATIVE_ROLES - {role})
        .exclude(approval_status=PostApproval.REJECTED)
        .exclude(pk=exclude_pk)
    )
    if others.exists():
        raise ApplicationError(
            "系统管理员、安全管理员、审计管理员须由不同的人担任：该用户已担任（或已申请）其中另一个角色。",
            code="separation_of_duties",
        )


def _sync_staff_flag(user, *, granted: bool):
    """The administrative roles need the admin site; other roles never get the staff flag from a grant."""
    if granted and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
        return {"is_staff": True}
    if not granted and user.is_staff and not user.is_superuser:
        still_admin = Post.objects.filter(
            user=user, is_active=True, approval_status=PostApproval.APPROVED, role__in=ADMINISTRATIVE_ROLES
        ).exists()
        if not still_admin:
            User.objects.filter(pk=user.pk).update(is_staff=False)
            user.is_staff = False
            return {"is_staff": False}
    return {}


# ---------------------------------------------------------------- users and passwords


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, temporary: bool = False, validate: bool = True) -> User:
    """Set a password: checked against the policy, remembered in the history, dated for the 90-day expiry.

    Refuses a password against the policy with Django's ``ValidationError``. Every password change goes
    through here; the callers (``user_create``, ``user_password_change``,
    ``user_password_reset``) record the audit event. ``temporary`` marks a password an administrator chose,
    which the user must change at his next login.
    """
    if validate:
        validate_password(password, user)  # ValidationError with the policy's Chinese messages
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = temporary
    if user.pk:
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        _remember_password(user)
    return user


def _remember_password(user):
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = getattr(settings, "PASSWORD_HISTORY_COUNT", 5)
    old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(old)).delete()


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "", phone: str = "", unit: str = "",
                is_demo: bool = False, is_staff: bool = False, validate: bool = True) -> User:
    """Create an account. One created by an administrator belongs to his area until it gets a post."""
    managed_area_code = ""
    if actor is not None:
        if not has_capability(actor, Capability.USER_MANAGE):
            raise PermissionDenied("您没有管理用户的权限。")
        if is_staff:
            raise PermissionDenied("后台权限随管理员角色的授权自动授予，不能直接设置。")
        managed_area_code = next(
            (post.area.code for post in actor.active_posts()
             if Capability.USER_MANAGE in ROLE_CAPABILITIES.get(post.role, ())), "",
        )
    user = User(username=username, full_name=full_name, phone=phone, unit=unit, is_demo=is_demo, is_staff=is_staff,
                managed_area_code=managed_area_code)
    # A password an administrator chose is known to him: the user replaces it at his first login.
    user_set_password(actor=actor, user=user, password=password, validate=validate, temporary=actor is not None)
    user.full_clean()
    user.save()
    _remember_password(user)
    audit_record(actor=actor, action="user.create", target=user, area_code=managed_area_code,
                 summary=f"创建用户 {username}", changes={"username": username, "full_name": full_name})
    return user


USER_EDITABLE_FIELDS = ("username", "full_name", "phone", "unit", "is_active")


@transaction.atomic
def user_update(*, actor, user: User, **fields) -> User:
    """Edit an account's name, contact and active flag (staff/superuser flags and permissions are not editable)."""
    unknown = set(fields) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise PermissionDenied("这些字段不能在此修改：" + "、".join(sorted(unknown)))
    _require_manages_user(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and user.pk == actor.pk and fields.get("is_active") is False:
        raise PermissionDenied("不能停用自己的账号。")
    changes = {}
    for name, value in fields.items():
        old = getattr(user, name)
        if old != value:
            changes[name] = [old, value]
            setattr(user, name, value)
    if changes:
        user.full_clean()
        user.save(update_fields=list(changes))
        audit_record(actor=actor, action="user.update", target=user, area_code=_user_area_code(user),
                     summary=f"修改用户 {user.username}", changes=changes)
    return user


def temporary_password(length: int = 14) -> str:
    """A random password holding all four character classes (no look-alike characters)."""
    pools = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "-_!@#%+="]
    chosen = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chosen += [secrets.choice(everything) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


@transaction.atomic
def user_password_reset(*, actor, user: User) -> str:
    """An administrator resets a password: returns a temporary password (shown once, never stored in clear or
    audited) that the user must change at his next login. His open sessions end."""
    _require_manages_user(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and actor.pk != user.pk and user.active_posts_roles() & {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
        raise PermissionDenied("安全管理员和审计管理员的密码不能由系统管理员重置，请由本人修改或由运维人员在服务器上处理。")
    for _attempt in range(10):
        password = temporary_password()
        try:
            validate_password(password, user)
            break
        except ValidationError:
            continue
    user_set_password(actor=actor, user=user, password=password, temporary=True, validate=False)
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    audit_record(actor=actor, action="user.password_reset", target=user, area_code=_user_area_code(user),
                 summary=f"重置用户 {user.username} 的密码（临时密码，须在下次登录时修改）",
                 changes={"must_change_password": True})
    return password


@transaction.atomic
def user_password_change(*, user: User, password: str) -> User:
    """The user changes his own password; every other session of his ends (the caller keeps the current one
    with ``update_session_auth_hash``)."""
    user_set_password(actor=user, user=user, password=password)
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    audit_record(actor=user, action="user.password_change", target=user, area_code=_user_area_code(user),
                 summary=f"用户 {user.username} 修改了本人密码，其他会话已退出")
    return user


# ---------------------------------------------------------------- posts (grants) and their approval


def post_assign_check(*, actor, user: User, area, role: str):
    """Refusals of ``post_assign`` that a form can show before saving."""
    _require_manager_of(actor, area)
    if actor is not None:
        if user.pk == actor.pk:
            raise PermissionDenied("不能给自己分配任职，须由其他管理员办理。", code="self_grant")
        if user.is_superuser:
            raise PermissionDenied("不能给超级用户分配任职。")
        _require_manages_user(actor, user)
    _refuse_second_administrative_role(user, role)


@transaction.atomic
def post_assign(*, actor, user: User, area, role: str, start_date=None) -> Post:
    """Post a user to an area in a role. A grant made by a person of a role that sees personal data (or of an
    administrative role) waits for a security administrator's approval and grants nothing until then; a grant
    made by the installation (``actor=None``) takes effect at once."""
    post_assign_check(actor=actor, user=user, area=area, role=role)
    needs_approval = actor is not None and grant_needs_approval(role)
    status = PostApproval.PENDING if needs_approval else PostApproval.APPROVED
    post, created = Post.objects.select_for_update().get_or_create(
        user=user, area=area, role=role,
        defaults={"start_date": start_date, "approval_status": status, "requested_by": actor if needs_approval else None},
    )
    if not created and (not post.is_active or post.approval_status == PostApproval.REJECTED):
        post.is_active = True
        post.end_date = None
        post.approval_status = status
        post.requested_by = actor if needs_approval else None
        post.decided_by, post.decided_at, post.decision_note = None, None, ""
        post.full_clean()
        post.save(update_fields=["is_active", "end_date", "approval_status", "requested_by", "decided_by",
                                 "decided_at", "decision_note"])
    changes = {"user": user.username, "area": area.code, "role": role, "approval_status": post.approval_status}
    if post.approval_status == PostApproval.PENDING:
        audit_record(actor=actor, action="post.request", target=post, area=area, changes=changes,
                     summary=f"申请任命 {user} 为 {area.name} {post.get_role_display()}，待安全管理员审批")
    else:
        if role in ADMINISTRATIVE_ROLES:
            changes.update(_sync_staff_flag(user, granted=True))
        audit_record(actor=actor, action="post.assign", target=post, area=area, changes=changes,
                     summary=f"任命 {user} 为 {area.name} {post.get_role_display()}")
    user.forget_access_cache()
    return post


def _locked_pending_post(*, actor, post: Post) -> Post:
    post = Post.objects.select_for_update().select_related("user", "area").get(pk=post.pk)
    if actor is not None:
        if not covers(actor, Capability.GRANT_APPROVE, post.area.code):
            raise NotFound("该授权申请不存在，或不在您的审批范围内。")
        if post.requested_by_id == actor.pk:
            raise PermissionDenied("不能审批自己提出的授权申请，须由另一位安全管理员审批。", code="self_approval")
        if post.user_id == actor.pk:
            raise PermissionDenied("不能审批授予自己的任职。", code="self_approval")
    if post.approval_status != PostApproval.PENDING:
        raise Conflict("该授权申请已处理。")
    return post


def _decide(*, actor, post: Post, status: str, note: str, **fields) -> None:
    """Record a security administrator's decision on a pending grant (and any other ``fields`` it changes)."""
    for name, value in fields.items():
        setattr(post, name, value)
    post.approval_status = status
    post.decided_by = actor
    post.decided_at = timezone.now()
    post.decision_note = note[:200]
    post.full_clean()
    post.save(update_fields=["approval_status", *fields, "decided_by", "decided_at", "decision_note"])


def _grant_changed(*, actor, post: Post, action: str, changes: dict, summary: str, granted: bool) -> None:
    """Audit a post that now grants (or no longer grants) its role; an administrative role brings the staff flag
    along. The user's cached access is dropped."""
    if post.role in ADMINISTRATIVE_ROLES:
        changes.update(_sync_staff_flag(post.user, granted=granted))
    audit_record(actor=actor, action=action, target=post, area=post.area, changes=changes, summary=summary)
    post.user.forget_access_cache()


@transaction.atomic
def post_approve(*, actor, post: Post, note: str = "") -> Post:
    """A security administrator of the post's area (not the requester, not the grantee) approves a grant."""
    post = _locked_pending_post(actor=actor, post=post)
    _refuse_second_administrative_role(post.user, post.role, exclude_pk=post.pk)
    _decide(actor=actor, post=post, status=PostApproval.APPROVED, note=note.strip())
    _grant_changed(actor=actor, post=post, action="post.approve", granted=True,
                   changes={"approval_status": PostApproval.APPROVED, "note": post.decision_note,
                            "requested_by": post.requested_by.username if post.requested_by else ""},
                   summary=f"批准任命 {post.user} 为 {post.area.name} {post.get_role_display()}")
    return post


@transaction.atomic
def post_reject(*, actor, post: Post, note: str) -> Post:
    """A security administrator refuses a grant; the reason is required and recorded."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError("驳回须填写理由。", field_errors={"note": ["驳回须填写理由。"]})
    post = _locked_pending_post(actor=actor, post=post)
    _decide(actor=actor, post=post, status=PostApproval.REJECTED, note=note, is_active=False)
    audit_record(actor=actor, action="post.reject", target=post, area=post.area,
                 changes={"approval_status": PostApproval.REJECTED, "note": post.decision_note},
                 summary=f"驳回任命 {post.user} 为 {post.area.name} {post.get_role_display()}：{post.decision_note}")
    return post


@transaction.atomic
def post_end(*, actor, post: Post, end_date) -> Post:
    _require_manager_of(actor, post.area)
    post = Post.objects.select_for_update().select_related("user", "area").get(pk=post.pk)
    if actor is not None and post.user_id == actor.pk and post.role in ADMINISTRATIVE_ROLES:
        raise PermissionDenied("不能免去自己的管理员任职，须由其他管理员办理。")
    post.is_active = False
    post.end_date = end_date
    post.full_clean()
    post.save(update_fields=["is_active", "end_date"])
    _grant_changed(actor=actor, post=post, action="post.end", granted=False, changes={"end_date": end_date.isoformat()},
                   summary=f"免去 {post.user} 在 {post.area.name} 的{post.get_role_display()}任职")
    return post
