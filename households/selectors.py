"""Reads of the 建档立卡 record, always scoped to the user; no N+1 (list pages pin their query counts)."""
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from households.choices import POOR_STATUSES, HouseholdStatus, PovertyCause
from households.filters import HouseholdFilter
from households.models import Household, HouseholdStatusChange, Member
from povalleviation.access import Capability
from villages.choices import AreaLevel
from villages.models import Area


def household_queryset(*, user, capability=Capability.HOUSEHOLD_VIEW):
    return Household.objects.visible_to(user, capability)


def household_list(*, user, params=None):
    """Filtered, sorted households visible to the user, with what the list shows joined in."""
    queryset = household_queryset(user=user).select_related("area", "village").order_by("area_code", "household_number")
    household_filter = HouseholdFilter(params or {}, queryset=queryset)
    return household_filter


def household_detail(*, user, pk):
    """One household with everything its card shows; outside the user's areas → 404."""
    queryset = household_queryset(user=user).select_related("area", "village", "village__parent").prefetch_related(
        Prefetch("members", queryset=Member.objects.order_by("-is_registered", "id")),
        "income_records",
        "living_conditions",
        "measures",
        Prefetch("helper_assignments", queryset=_assignments()),
        "visits",
        Prefetch("status_changes", queryset=HouseholdStatusChange.objects.select_related("actor")),
    )
    return get_object_or_404(queryset, pk=pk)


def _assignments():
    from households.models import HelperAssignment

    return HelperAssignment.objects.select_related("helper").order_by("-start_date")


def household_events(*, household, limit=200):
    return household.events.select_related("actor").order_by("-at", "-id")[:limit]


def last_visit_overdue(household, *, today=None, days=31) -> bool:
    """Helper visits: default expectation one per month, a warning only (DOMAIN.md §3.8, Q19)."""
    if household.status not in POOR_STATUSES:
        return False
    today = today or timezone.localdate()
    visits = list(household.visits.all())
    if not visits:
        return True
    return (today - max(v.visited_on for v in visits)).days > days


def _status_cause_totals(queryset):
    """Counts of households and people by status and by main cause, two GROUP BY queries."""
    by_status = {
        row["status"]: row for row in queryset.values("status").annotate(households=Count("id"), people=Sum("member_count"))
    }
    by_cause = {
        row["primary_cause"]: row
        for row in queryset.values("primary_cause").annotate(households=Count("id"), people=Sum("member_count"))
    }
    statuses = [
        {"code": s.value, "label": s.label, "households": by_status.get(s.value, {}).get("households", 0),
         "people": by_status.get(s.value, {}).get("people") or 0}
        for s in HouseholdStatus
    ]
    causes = [
        {"code": c.value, "label": c.label, "households": by_cause.get(c.value, {}).get("households", 0),
         "people": by_cause.get(c.value, {}).get("people") or 0}
        for c in PovertyCause
    ]
    total = {"households": sum(s["households"] for s in statuses), "people": sum(s["people"] for s in statuses)}
    return statuses, causes, total


def scoped_area(*, user, code, levels):
    area = get_object_or_404(Area.objects.visible_to(user, Capability.AREA_VIEW), code=code)
    if area.level not in levels:
        from django.http import Http404

        raise Http404
    return area


def village_register(*, user, village):
    """村册: every household of the village with its head, size, status and causes, and totals."""
    households = household_queryset(user=user).filter(village=village).select_related("area").order_by("area_code", "household_number")
    statuses, causes, total = _status_cause_totals(household_queryset(user=user).filter(village=village))
    return {"households": households, "statuses": statuses, "causes": causes, "total": total}


def status_aggregates() -> dict:
    """Households and people by poverty status (贫困, 已脱贫, 返贫, 监测), as aggregates of a household queryset."""
    return {
        "poor_households": Count("id", filter=Q(status__in=POOR_STATUSES)),
        "poor_people": Sum("member_count", filter=Q(status__in=POOR_STATUSES)),
        "exited_households": Count("id", filter=Q(status=HouseholdStatus.EXITED)),
        "exited_people": Sum("member_count", filter=Q(status=HouseholdStatus.EXITED)),
        "returned_households": Count("id", filter=Q(status=HouseholdStatus.RETURNED)),
        "monitored_households": Count("id", filter=~Q(monitoring_flag="")),
    }


def _rows_by_child(*, user, parent, child_level):
    """Totals per child area (township → villages, county → townships), one GROUP BY on the code prefix."""
    from django.db.models.functions import Substr

    children = list(Area.objects.filter(parent=parent, level=child_level).order_by("code"))
    prefix_length = len(children[0].scope_prefix) if children else 0
    base = household_queryset(user=user).filter(area_code__startswith=parent.scope_prefix)
    grouped = (
        base.annotate(child_prefix=Substr("area_code", 1, prefix_length))
        .values("child_prefix")
        .annotate(households=Count("id"), people=Sum("member_count"), **status_aggregates())
    )
    by_prefix = {row["child_prefix"]: row for row in grouped}
    keys = ["households", "people", *status_aggregates()]
    rows = []
    for child in children:
        row = by_prefix.get(child.scope_prefix, {})
        rows.append({"area": child, **{k: row.get(k) or 0 for k in keys}})
    totals = {k: sum(r[k] for r in rows) for k in keys}
    statuses, causes, total = _status_cause_totals(base)
    return {"rows": rows, "totals": totals, "statuses": statuses, "causes": causes, "total": total}


def township_book(*, user, township):
    """乡簿: totals per village of the township, by status and by cause."""
    return _rows_by_child(user=user, parent=township, child_level=AreaLevel.VILLAGE)


def county_summary(*, user, county):
    """County summary by township."""
    return _rows_by_child(user=user, parent=county, child_level=AreaLevel.TOWNSHIP)


def editable_areas(*, user):
    """Villages and groups where the user may register households (for the form's area choice)."""
    from povalleviation.access import scope_q

    return (
        Area.objects.filter(scope_q(user, Capability.HOUSEHOLD_EDIT, "code"))
        .filter(level__in=[AreaLevel.VILLAGE, AreaLevel.GROUP])
        .select_related("parent")
        .order_by("code")
    )
