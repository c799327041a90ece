"""Reads of the fund ledger, always scoped to the user: spend ratios as of any date, drill-downs, targets.

支出进度 = Σ payments (vouchers recorded and not rejected, paid on or before the date) ÷ Σ allocations for
the fiscal year received on or before the date (DOMAIN.md §6.2, Q9: this year's allocations only). Money
is attributed to the area that received the allocation.
"""
import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from accounts.history import value_as_of
from povalleviation.access import Capability
from projects.choices import UPPER_LEVELS, SourceLevel
from projects.models import FundSource
from villages.choices import LEVEL_ORDER, PREFIX_LENGTH
from villages.models import Area

from .choices import COUNTED_STATUSES, DisbursementStatus
from .contributions import contribution_evaluations
from .delays import schedule_delay
from .models import Disbursement, FundAllocation, FundDelay, FundRecomputeRun, ProjectFunding
from .targets import SPEND_TARGET_CODE, as_fraction, targets_for_areas

ZERO = Decimal("0")


def ratio(numerator, denominator):
    """A fraction (0–1) rounded to 4 places, or None when nothing was allocated."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def spend_target_for(area, year: int, as_of: datetime.date | None = None):
    """The 支出进度 target (a fraction) for the area and year from ``PolicyParameter`` (stored in %),
    inherited from the nearest ancestor; None when no area above sets one ("无目标", never an assumed
    90 % or 92 %, DOMAIN.md Q8). The target is annual, so any as-of date of the year uses the same row."""
    rows = targets_for_areas(area=area, children=[], year=year, codes=[SPEND_TARGET_CODE])
    return as_fraction(rows[area.code][SPEND_TARGET_CODE])


def visible_area(*, user, code: str) -> Area:
    """An area the user may see funds of; outside their scope → 404."""
    return get_object_or_404(Area.objects.visible_to(user, Capability.FUND_VIEW), code=code)


def _allocations(prefix, year, as_of):
    return FundAllocation.objects.filter(area_code__startswith=prefix, year=year, allocated_on__lte=as_of)


def _payments(prefix, year, as_of, *, history: bool = False):
    """Counted payments, annotated with ``review_status`` (the status that decides counted / pending). With
    ``history`` that is the review status on ``as_of`` (``accounts.history``: a voucher checked or rejected
    later counts as it stood then, as quarterly reports need); otherwise the current status."""
    payments = Disbursement.objects.filter(area_code__startswith=prefix, year=year, paid_on__lte=as_of)
    status = value_as_of(Disbursement, "status", as_of) if history else F("status")
    return payments.annotate(review_status=status).filter(review_status__in=COUNTED_STATUSES)


def spend_ratio_for(*, area, year: int, as_of: datetime.date, source=None) -> dict:
    """One area's figures computed directly (the one-by-one reference for the set-based recompute)."""
    allocations, payments = _allocations(area.scope_prefix, year, as_of), _payments(area.scope_prefix, year, as_of)
    if source is not None:
        allocations, payments = allocations.filter(source=source), payments.filter(source=source)
    allocated = allocations.aggregate(total=Sum("amount"))["total"] or ZERO
    disbursed = payments.aggregate(total=Sum("amount"))["total"] or ZERO
    return {"allocated": allocated, "disbursed": disbursed, "ratio": ratio(disbursed, allocated)}


def _row(label, allocated, disbursed, pending, target, **extra):
    value = ratio(disbursed, allocated)
    return {"label": label, "allocated": allocated, "disbursed": disbursed, "pending": pending, "ratio": value,
            "target": target, "below_target": target is not None and value is not None and value < target,
            "balance": allocated - disbursed, **extra}


def spend_summary(*, area, year: int, as_of: datetime.date, history: bool = False) -> dict:
    """The dashboard: totals, by source, by child area (townships of a county …), local contribution, flags.

    A fixed number of queries whatever the size of the ledger and the number of child areas: one per table
    and grouping, one for every target of the area and its children, one for the contribution amounts
    (only when a contribution target applies). ``history`` (quarterly reports): vouchers by their review
    status on ``as_of`` and targets in force on ``as_of``, so later reviews and parameter edits change nothing.
    """
    prefix = area.scope_prefix
    level_index = LEVEL_ORDER.index(area.level)
    has_children = level_index + 1 < len(LEVEL_ORDER) - 1
    child_areas = list(Area.objects.filter(parent=area).order_by("code")) if has_children else []
    targets = targets_for_areas(area=area, children=child_areas, year=year, as_of=as_of if history else None)
    allocations, payments = _allocations(prefix, year, as_of), _payments(prefix, year, as_of, history=history)
    pending_q = Q(review_status__in=[DisbursementStatus.RECORDED, DisbursementStatus.TOWNSHIP_CHECKED])
    sources = {s.pk: s for s in FundSource.objects.all()}
    allocated_by_source = dict(allocations.values_list("source").annotate(total=Sum("amount")).order_by())
    paid_by_source = {row["source"]: row for row in payments.values("source").annotate(
        total=Sum("amount"), pending=Sum("amount", filter=pending_q), count=Count("id")).order_by()}
    target = as_fraction(targets[area.code][SPEND_TARGET_CODE])
    by_source = []
    for source_id in sorted(set(allocated_by_source) | set(paid_by_source), key=lambda pk: (sources[pk].sort_order, pk)):
        paid = paid_by_source.get(source_id, {})
        by_source.append(_row(sources[source_id].name, allocated_by_source.get(source_id, ZERO), paid.get("total") or ZERO,
                              paid.get("pending") or ZERO, target, source=sources[source_id]))
    allocated_total = sum(allocated_by_source.values(), ZERO)
    paid_total = sum((row["disbursed"] for row in by_source), ZERO)
    pending_total = sum((row["pending"] for row in by_source), ZERO)
    total = _row(area.name, allocated_total, paid_total, pending_total, target, area=area)

    children = []
    child_length = None
    if has_children:
        child_length = PREFIX_LENGTH[LEVEL_ORDER[level_index + 1]]
        key = Substr("area_code", 1, child_length)
        allocated_by_child = dict(allocations.annotate(key=key).values_list("key").annotate(t=Sum("amount")).order_by())
        paid_by_child = {row["key"]: row for row in payments.annotate(key=key).values("key").annotate(
            total=Sum("amount"), pending=Sum("amount", filter=pending_q)).order_by()}
        own_allocated = allocated_by_child.pop(prefix.ljust(child_length, "0")[:child_length], None) if len(prefix) < child_length else None
        own_paid = paid_by_child.pop(prefix.ljust(child_length, "0")[:child_length], None) if len(prefix) < child_length else None
        for child in child_areas:
            child_key = child.code[:child_length]
            paid = paid_by_child.get(child_key, {})
            children.append(_row(child.name, allocated_by_child.get(child_key, ZERO), paid.get("total") or ZERO,
                                 paid.get("pending") or ZERO, as_fraction(targets[child.code][SPEND_TARGET_CODE]),
                                 area=child))
        if own_allocated or own_paid:
            children.insert(0, _row(f"{area.name}本级", own_allocated or ZERO, (own_paid or {}).get("total") or ZERO,
                                    (own_paid or {}).get("pending") or ZERO, target, area=area, is_own_level=True))
    upper = sum((v for k, v in allocated_by_source.items() if sources[k].level in UPPER_LEVELS), ZERO)
    local_levels = {SourceLevel.COUNTY, SourceLevel.TOWNSHIP}
    local = sum((v for k, v in allocated_by_source.items() if sources[k].level in local_levels), ZERO)
    contributions = contribution_evaluations(area=area, children=child_areas, year=year, as_of=as_of, targets=targets,
                                             child_length=child_length)
    return {
        "area": area, "year": year, "as_of": as_of, "total": total, "by_source": by_source, "by_child": children,
        "contributions": contributions,
        "contribution_flagged": [{"area": item["area"], **result} for item in contributions for result in item["results"]
                                 if result["below_target"]],
        "local_contribution": {"local": local, "upper": upper, "total": allocated_total,
                               "share_of_total": ratio(local, allocated_total), "share_of_upper": ratio(local, upper)},
        "flagged": [row for row in [total, *children] if row["below_target"]],
        "last_run": FundRecomputeRun.objects.filter(scope_code__startswith=area.code[:6], year=year).first(),
    }


def _in_area_year_source(queryset, area, year, source):
    """The ledger rows of an area's subtree, a year and a fund source (each filter only when given)."""
    if area is not None:
        queryset = queryset.filter(area_code__startswith=area.scope_prefix)
    if year:
        queryset = queryset.filter(year=year)
    if source is not None:
        queryset = queryset.filter(source=source)
    return queryset


def allocation_list(*, user, area=None, year=None, source=None):
    queryset = FundAllocation.objects.visible_to(user, Capability.FUND_VIEW).select_related("source", "area")
    return _in_area_year_source(queryset, area, year, source)


def disbursement_list(*, user, area=None, year=None, source=None, project=None, as_of=None, status=None):
    """Vouchers behind a number: within the receiving area (as the ratios attribute them)."""
    queryset = Disbursement.objects.visible_to(user, Capability.FUND_VIEW).select_related("source", "project", "allocation__area", "recorded_by")
    queryset = _in_area_year_source(queryset, area, year, source)
    if project is not None:
        queryset = queryset.filter(project=project)
    if as_of is not None:
        queryset = queryset.filter(paid_on__lte=as_of)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def project_fund_rows(*, user, area, year: int, as_of: datetime.date, source=None) -> list[dict]:
    """Per project: money arranged from the area's allocations and paid as of the date, its schedule delay on
    the date and the latest delay attribution (P-FD-10). Four queries."""
    from projects.models import Project

    fundings = ProjectFunding.objects.visible_to(user, Capability.FUND_VIEW).filter(
        allocation__area_code__startswith=area.scope_prefix, allocation__year=year, allocation__allocated_on__lte=as_of)
    payments = _payments(area.scope_prefix, year, as_of).filter(
        pk__in=Disbursement.objects.visible_to(user, Capability.FUND_VIEW).values("pk"))
    if source is not None:
        fundings, payments = fundings.filter(allocation__source=source), payments.filter(source=source)
    arranged = dict(fundings.values_list("project").annotate(total=Sum("amount")).order_by())
    paid = dict(payments.values_list("project").annotate(total=Sum("amount")).order_by())
    projects = Project.objects.filter(pk__in=set(arranged) | set(paid)).select_related("area").order_by("number")
    attributions = {}
    for record in FundDelay.objects.filter(project__in=projects, recorded_on__lte=as_of).order_by("recorded_on", "id"):
        attributions[record.project_id] = record  # the latest attribution as of the date
    return [{"project": p, "arranged": arranged.get(p.pk, ZERO), "paid": paid.get(p.pk, ZERO),
             "ratio": ratio(paid.get(p.pk, ZERO), arranged.get(p.pk, ZERO)), "delay": schedule_delay(p, as_of),
             "attribution": attributions.get(p.pk)} for p in projects]
