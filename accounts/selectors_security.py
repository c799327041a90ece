"""Reads for the security administrator: the locked accounts of his areas."""
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.utils import timezone

from accounts.choices import PostApproval
from accounts.models import Post, User
from povalleviation.access import Capability, scope_prefixes


@dataclass(frozen=True)
class LockedAccount:
    user: User
    failures: int
    locked_until: datetime


def _unlock_scope_q(actor) -> Q | None:
    prefixes = scope_prefixes(actor, Capability.ACCOUNT_UNLOCK)
    if not prefixes:
        return None
    posted = Post.objects.filter(is_active=True, approval_status=PostApproval.APPROVED)
    in_area = Q()
    for prefix in prefixes:
        in_area |= Q(area__code__startswith=prefix)
    managed = Q()
    for prefix in prefixes:
        managed |= Q(managed_area_code__startswith=prefix)
    return Q(pk__in=posted.filter(in_area).values("user_id")) | (Q(posts__isnull=True) & managed)


def user_in_unlock_scope(*, actor, user) -> bool:
    """Whether ``actor`` may unlock ``user``: a post (or, without posts, the managing area) inside his areas."""
    scope = _unlock_scope_q(actor)
    if scope is None or user.is_superuser:
        return False
    return User.objects.filter(scope, pk=user.pk, is_superuser=False).exists()


def locked_accounts(*, actor) -> list[LockedAccount]:
    """Accounts of the actor's areas locked now: the failure limit reached within the cool-off window."""
    scope = _unlock_scope_q(actor)
    if scope is None:
        return []
    cool_off = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    by_username = {row["username"]: row for row in rows}
    if not by_username:
        return []
    users = User.objects.filter(scope, username__in=by_username, is_superuser=False).distinct().order_by("username")
    return [
        LockedAccount(user=user, failures=by_username[user.username]["failures"],
                      locked_until=by_username[user.username]["last"] + cool_off)
        for user in users
    ]
