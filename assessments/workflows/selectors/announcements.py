"""Reads of the batch 公告 (DOMAIN.md §5.1 step 7): what waits to be announced, by township, and the
announcements a user may see. Scoped like every other read; counts are one GROUP BY."""

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from assessments.workflows.models import Announcement, Verification, VerificationStatus, WorkflowType
from povalleviation.access import Capability, scope_q
from villages.choices import AreaLevel
from villages.models import Area


def announcement_queryset(*, user):
    """A 公告 is visible to whoever covers its scope or any household in it (a village cadre sees the
    township's 公告 that lists its households)."""
    listed = Verification.objects.filter(announcement=OuterRef("pk")).filter(
        scope_q(user, Capability.EXIT_VIEW, "area_code")
    )
    return Announcement.objects.filter(scope_q(user, Capability.EXIT_VIEW, "scope_code") | Q(Exists(listed)))


def announcement_list(*, user):
    return (
        announcement_queryset(user=user)
        .select_related("issuer", "scope", "announced_by")
        .order_by("-announced_on", "-id")
    )


def announcement_detail(*, user, pk):
    return get_object_or_404(announcement_list(user=user), pk=pk)


def _waiting_announcement(user, workflow_type):
    """Running verifications of this type whose waiting step is a 公告 the user may take (posted at the
    step's level with ``exit.announce`` over the subject)."""
    from assessments.workflows.selectors.verifications import _waiting_q

    return (
        Verification.objects.visible_to(user, Capability.EXIT_VIEW)
        .filter(status=VerificationStatus.IN_PROGRESS, workflow_type=workflow_type)
        .filter(waiting_capability=Capability.EXIT_ANNOUNCE)
        .filter(_waiting_q(user))
    )


def announcement_scopes(*, user, workflow_type=WorkflowType.HOUSEHOLD_EXIT) -> list[dict]:
    """Each township with households waiting for 公告 in the user's areas, with the count (one GROUP BY)."""
    rows = list(
        _waiting_announcement(user, workflow_type)
        .annotate(township=Substr("area_code", 1, 9))
        .values("township")
        .annotate(count=Count("id"))
        .order_by("township")
    )
    codes = [row["township"].ljust(12, "0") for row in rows]
    areas = {a.code: a for a in Area.objects.filter(code__in=codes, level=AreaLevel.TOWNSHIP)}
    return [
        {"area": areas[code], "count": row["count"]} for code, row in zip(codes, rows, strict=True) if code in areas
    ]


def announcement_candidates(*, user, scope, workflow_type=WorkflowType.HOUSEHOLD_EXIT) -> list[Verification]:
    """The verifications of ``scope`` (a township or county) waiting for the user's 公告, with their household."""
    candidates = (
        _waiting_announcement(user, workflow_type)
        .filter(area_code__startswith=scope.scope_prefix)
        .select_related("household__village", "household__area", "subject_area")
        .order_by("area_code", "id")
    )
    return [v for v in candidates if (v.waiting_step or {}).get("kind") == "announcement"]


def announcement_verifications(*, announcement):
    return announcement.verifications.select_related("household").order_by("area_code", "id")
