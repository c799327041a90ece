"""Reads of accounts for administrators: only the users and grants of their own areas."""
from django.db.models import Exists, OuterRef, Q

from povalleviation.access import Capability, scope_prefixes, scope_q

from .choices import PostApproval
from .models import Post, User


def users_managed_by(actor):
    """Users an administrator may see and edit: posted inside his USER_MANAGE areas, or without any post and
    created by an administrator of those areas (``managed_area_code``). Never superusers.

    ``actor=None`` is the installation itself and sees everyone.
    """
    if actor is None:
        return User.objects.all()
    prefixes = scope_prefixes(actor, Capability.USER_MANAGE)
    if not prefixes:
        return User.objects.none()
    posted_here = Post.objects.filter(scope_q(actor, Capability.USER_MANAGE, "area__code")).values("user_id")
    created_here = Q()
    for prefix in prefixes:
        created_here |= Q(managed_area_code__startswith=prefix)
    without_posts = ~Exists(Post.objects.filter(user=OuterRef("pk")))
    return User.objects.filter(is_superuser=False).filter(Q(pk__in=posted_here) | (without_posts & created_here))


def pending_grants(*, user):
    """Grants waiting for the security administrator's approval, in the areas where he approves grants."""
    return (
        Post.objects.visible_to(user, Capability.GRANT_APPROVE)
        .filter(approval_status=PostApproval.PENDING)
        .select_related("user", "area", "requested_by")
        .order_by("created_at", "pk")
    )


def decided_grants(*, user, limit: int = 20):
    """The latest grants decided in the approver's areas (approved or rejected by anyone)."""
    return (
        Post.objects.visible_to(user, Capability.GRANT_APPROVE)
        .exclude(decided_at__isnull=True)
        .select_related("user", "area", "requested_by", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
