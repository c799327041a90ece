"""Reads of the verification workflows, always scoped to the user; lists join what they show (no N+1).

Also the aggregates a village or county exit is decided on (贫困发生率 = poor persons ÷ 农村户籍人口 × 100,
DOMAIN.md §6.2; the denominator is entered per village and year, Q4), each one set-based query.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.workflows.models import (
    ComparisonMatch,
    Objection,
    Publicity,
    Verification,
    VerificationEvent,
    VerificationStatus,
    WorkflowType,
)
from households.choices import POOR_STATUSES
from households.models import Household
from households.selectors import status_aggregates
from povalleviation.access import ROLE_CAPABILITIES, Capability, has_capability, scope_q
from villages.choices import AreaLevel
from villages.models import Area, AreaYearProfile

LIST_RELATED = ("household", "subject_area", "started_by")


def verification_queryset(*, user):
    return Verification.objects.visible_to(user, Capability.EXIT_VIEW)


def verification_list(*, user, workflow_type=None, status=None, overdue=False):
    queryset = verification_queryset(user=user).select_related(*LIST_RELATED)
    if overdue:
        queryset = queryset.filter(status=VerificationStatus.IN_PROGRESS, due_on__lt=timezone.localdate())
    if workflow_type:
        queryset = queryset.filter(workflow_type=workflow_type)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-started_at", "-id")


def verification_detail(*, user, pk):
    """One verification with its events, 公示, objections and 比对 results; outside the user's areas → 404."""
    queryset = (
        verification_queryset(user=user)
        .select_related(*LIST_RELATED, "household__village", "announcement")
        .prefetch_related(
            Prefetch(
                "events", queryset=VerificationEvent.objects.select_related("actor").order_by("at", "id")
            ),
            Prefetch(
                "publicities",
                queryset=Publicity.objects.select_related("opened_by", "closed_by")
                .prefetch_related(
                    Prefetch(
                        "objections", queryset=Objection.objects.select_related("lodged_by", "resolved_by")
                    )
                )
                .order_by("-opened_at", "-id"),
            ),
            Prefetch(
                "publicities",
                queryset=Publicity.objects.filter(status=Publicity.Status.OPEN),
                to_attr="open_publicities",
            ),
            Prefetch("matches", queryset=ComparisonMatch.objects.select_related("explained_by")),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def _waiting_q(user) -> Q:
    """Verifications whose waiting step the user may take: a post at the step's level, in a role granting the
    step's capability, whose area covers the subject (DOMAIN.md §5.0 rule 2)."""
    q = Q(pk__in=[])
    for post in user.active_posts():
        capabilities = ROLE_CAPABILITIES.get(post.role, frozenset())
        if capabilities:
            q |= Q(
                waiting_capability__in=capabilities,
                waiting_level=post.area.level,
                area_code__startswith=post.area.scope_prefix,
            )
    return q


def _objection_q(user) -> Q:
    """Verifications with an open objection on a running 公示 that the user may resolve."""
    if not has_capability(user, Capability.PUBLICITY_MANAGE):
        return Q(pk__in=[])
    pending = Objection.objects.filter(
        status=Objection.Status.OPEN,
        publicity__status=Publicity.Status.OPEN,
        publicity__verification=OuterRef("pk"),
    )
    return Exists(pending) & scope_q(user, Capability.PUBLICITY_MANAGE, "area_code")


def inbox(*, user):
    """What waits for this user: steps to take and objections to resolve, oldest first."""
    if not getattr(user, "is_authenticated", False):
        return Verification.objects.none()
    return (
        verification_queryset(user=user)
        .filter(status=VerificationStatus.IN_PROGRESS)
        .filter(_waiting_q(user) | _objection_q(user))
        .select_related(*LIST_RELATED)
        .annotate(
            open_objections=Count(
                "publicities__objections",
                filter=Q(
                    publicities__objections__status=Objection.Status.OPEN,
                    publicities__status=Publicity.Status.OPEN,
                ),
            )
        )
        .order_by("step_since", "id")
    )


def inbox_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False) or not has_capability(user, Capability.EXIT_VIEW):
        return 0
    return (
        verification_queryset(user=user)
        .filter(status=VerificationStatus.IN_PROGRESS)
        .filter(_waiting_q(user) | _objection_q(user))
        .count()
    )


def inbox_overdue_count(*, user) -> int:
    """How many of the user's waiting items are past their time limit (for the navigation badge)."""
    if not getattr(user, "is_authenticated", False) or not has_capability(user, Capability.EXIT_VIEW):
        return 0
    return inbox(user=user).filter(due_on__lt=timezone.localdate()).order_by().count()


PREFIX_LENGTHS = {AreaLevel.COUNTY: 6, AreaLevel.TOWNSHIP: 9, AreaLevel.VILLAGE: 12}


def _step_labels() -> dict:
    """(workflow type, step code) → label, from the default chains and every stored override."""
    from assessments.workflows.default_chains import DEFAULT_CHAINS
    from assessments.workflows.models import ApprovalChain

    labels = {(str(t), s["code"]): s["label"] for t, steps in DEFAULT_CHAINS.items() for s in steps}
    for workflow_type, steps in ApprovalChain.objects.values_list("workflow_type", "steps"):
        for item in steps or ():
            labels.setdefault((workflow_type, item.get("code")), item.get("label", item.get("code")))
    return labels


def overdue_counts(*, user, level=AreaLevel.TOWNSHIP, today=None) -> dict:
    """Running verifications past their step's time limit in the user's areas, counted by step and by area
    at ``level`` (DOMAIN.md §5.0 rule 7): one GROUP BY over the verifications, then the names."""
    today = today or timezone.localdate()
    length = PREFIX_LENGTHS.get(level, 9)
    grouped = list(
        verification_queryset(user=user)
        .filter(status=VerificationStatus.IN_PROGRESS, due_on__lt=today)
        .annotate(area_prefix=Substr("area_code", 1, length))
        .values("area_prefix", "workflow_type", "current_step")
        .annotate(count=Count("id"))
        .order_by("area_prefix", "workflow_type", "current_step")
    )
    names = dict(
        Area.objects.filter(code__in={row["area_prefix"].ljust(12, "0") for row in grouped}).values_list(
            "code", "name"
        )
    )
    labels = _step_labels() if grouped else {}
    by_step, by_area = {}, {}
    for row in grouped:
        step_key = (row["workflow_type"], row["current_step"])
        label = labels.get(step_key, row["current_step"])
        entry = by_step.setdefault(
            step_key,
            {"workflow_type": WorkflowType(row["workflow_type"]).label, "step": row["current_step"], "label": label,
             "count": 0},
        )
        entry["count"] += row["count"]
        code = row["area_prefix"].ljust(12, "0")
        area = by_area.setdefault(code, {"code": code, "name": names.get(code, code), "count": 0})
        area["count"] += row["count"]
        row.update(area_code=code, area_name=area["name"], label=label)
    return {
        "total": sum(row["count"] for row in grouped),
        "by_step": sorted(by_step.values(), key=lambda e: (-e["count"], e["label"])),
        "by_area": sorted(by_area.values(), key=lambda e: (-e["count"], e["code"])),
        "rows": grouped,
        "level": level,
    }


def _percent(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _household_totals(queryset) -> dict:
    totals = queryset.aggregate(**status_aggregates())
    return {key: value or 0 for key, value in totals.items()}


def _remaining(queryset, limit=200) -> list[dict]:
    rows = (
        queryset.filter(status__in=POOR_STATUSES)
        .order_by("area_code", "household_number")
        .values("household_number", "head_name", "status", "member_count")[:limit]
    )
    return [dict(row) for row in rows]


PROFILE_FACTS = [
    "has_water",
    "has_power",
    "has_hard_road",
    "has_broadband",
    "has_post",
    "has_bus",
    "has_standard_clinic",
]


def village_indicators(*, village, year: int) -> dict:
    """A village's exit indicators as of now (DOMAIN.md §5.2 step 1): 贫困发生率, remaining poor households,
    村集体经济收入, 六通 and 卫生室 from the year's profile."""
    profile = AreaYearProfile.objects.filter(area=village, year=year).first()
    households = Household.objects.filter(village=village)
    totals = _household_totals(households)
    population = profile.rural_registered_population if profile else None
    return {
        "kind": "village",
        "area_code": village.code,
        "area_name": village.name,
        "year": year,
        "rural_registered_population": population,
        **totals,
        "poverty_incidence": _percent(totals["poor_people"], population),
        "collective_income": profile.collective_income if profile else None,
        "facts": {name: getattr(profile, name) if profile else None for name in PROFILE_FACTS},
        "remaining_households": _remaining(households),
    }


def county_indicators(*, county, year: int) -> dict:
    """A county's exit indicators (DOMAIN.md §5.4 step 1): 贫困发生率 over the sum of its villages'
    农村户籍人口, poor villages exited and remaining, remaining poor households."""
    prefix = county.scope_prefix
    households = Household.objects.filter(area_code__startswith=prefix)
    totals = _household_totals(households)
    population = AreaYearProfile.objects.filter(
        area__level=AreaLevel.VILLAGE, area__code__startswith=prefix, year=year
    ).aggregate(total=Sum("rural_registered_population"))["total"]
    if not population:
        own = AreaYearProfile.objects.filter(area=county, year=year).first()
        population = own.rural_registered_population if own else None
    villages = Area.objects.filter(
        code__startswith=prefix, level=AreaLevel.VILLAGE, is_poor_village=True
    ).aggregate(
        poor_villages=Count("id"), exited_villages=Count("id", filter=Q(actual_exit_date__isnull=False))
    )
    return {
        "kind": "county",
        "area_code": county.code,
        "area_name": county.name,
        "year": year,
        "rural_registered_population": population,
        **totals,
        "poverty_incidence": _percent(totals["poor_people"], population),
        "poor_villages": villages["poor_villages"],
        "exited_villages": villages["exited_villages"],
        "remaining_villages": villages["poor_villages"] - villages["exited_villages"],
        "remaining_households": _remaining(households),
    }


def area_exit_list(*, user, workflow_type: str):
    """Poor villages (or poor counties) in the user's areas with their latest verification: two queries."""
    if workflow_type == WorkflowType.VILLAGE_EXIT:
        areas = Area.objects.visible_to(user, Capability.EXIT_VIEW).filter(
            level=AreaLevel.VILLAGE, is_poor_village=True
        )
    else:
        areas = (
            Area.objects.visible_to(user, Capability.EXIT_VIEW)
            .filter(level=AreaLevel.COUNTY)
            .exclude(poverty_county_designation="")
        )
    areas = list(areas.select_related("parent").order_by("code"))
    latest = {}
    for verification in Verification.objects.filter(
        workflow_type=workflow_type, subject_area__in=areas
    ).order_by("subject_area_id", "-started_at", "-id"):
        latest.setdefault(verification.subject_area_id, verification)
    return [{"area": area, "verification": latest.get(area.pk)} for area in areas]


def household_verifications(*, user, household):
    """A household's attempts (for its card and the nomination page)."""
    return verification_queryset(user=user).filter(household=household).order_by("-started_at", "-id")


def households_in_open_return(household_ids) -> set[int]:
    """Which of these households have a 返贫 认定 in progress: their status stays 已脱贫 while it is decided
    (DOMAIN.md §5.6), and their facts are frozen like those of households in other procedures. One query, for
    imports of thousands; households ask through ``households.extensions`` (registered in ``AppConfig.ready``)."""
    return set(Verification.objects.filter(
        household_id__in=list(household_ids), workflow_type=WorkflowType.RETURN_TO_POVERTY,
        status=VerificationStatus.IN_PROGRESS,
    ).values_list("household_id", flat=True))

