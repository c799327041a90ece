"""Writes for users, posts and the audit trail. Every write records an AuditEvent in its transaction."""
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from povalleviation.access import Capability, has_capability
from povalleviation.errors import PermissionDenied
from povalleviation.request_context import current_origin

from .models import AuditEvent, Post, User


def audit_record(*, actor, action: str, target=None, area=None, area_code: str = "", summary: str = "", changes=None,
                 outcome: str = "success", username: str = ""):
    """Record one audit event (who, in which role, when, what, from where, with what outcome).

    Call inside the service's transaction. ``outcome`` is success / denied / failure; ``username`` names the
    account when there is no actor (a failed login).
    """
    origin = current_origin()
    if area is not None:
        area_code = area.code
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


def _require_manager_of(actor, area):
    if actor is None:
        return
    if not has_capability(actor, Capability.USER_MANAGE) or not any(
        area.code.startswith(prefix) for prefix in _manage_prefixes(actor)
    ):
        raise PermissionDenied("您无权在该区域管理用户任职。")


def _manage_prefixes(actor):
    from povalleviation.access import scope_prefixes

    return scope_prefixes(actor, Capability.USER_MANAGE)


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "", phone: str = "", unit: str = "",
                is_demo: bool = False, is_staff: bool = False, validate: bool = True) -> User:
    user = User(username=username, full_name=full_name, phone=phone, unit=unit, is_demo=is_demo, is_staff=is_staff)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.create", target=user, summary=f"创建用户 {username}",
                 changes={"username": username, "full_name": full_name})
    return user


@transaction.atomic
def post_assign(*, actor, user: User, area, role: str, start_date=None) -> Post:
    _require_manager_of(actor, area)
    post, created = Post.objects.get_or_create(user=user, area=area, role=role, defaults={"start_date": start_date})
    if not created and not post.is_active:
        post.is_active = True
        post.end_date = None
        post.full_clean()
        post.save(update_fields=["is_active", "end_date"])
    audit_record(actor=actor, action="post.assign", target=post, area=area,
                 summary=f"任命 {user} 为 {area.name} {post.get_role_display()}",
                 changes={"user": user.username, "area": area.code, "role": role})
    user.forget_access_cache()
    return post


@transaction.atomic
def post_end(*, actor, post: Post, end_date) -> Post:
    _require_manager_of(actor, post.area)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.is_active = False
    post.end_date = end_date
    post.full_clean()
    post.save(update_fields=["is_active", "end_date"])
    audit_record(actor=actor, action="post.end", target=post, area=post.area,
                 summary=f"免去 {post.user} 在 {post.area.name} 的{post.get_role_display()}任职",
                 changes={"end_date": end_date.isoformat()})
    return post
