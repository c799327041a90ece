"""Reads of exit plans and plan-versus-actual figures, scoped to the user (``plan.view`` / ``plan.edit``).

Actual exits follow DOMAIN.md §6.2 "Exit plan completion": households with an EXITED status change whose
effective date falls in the year (as of a date, from the status history, never from the current status);
persons = the household's ``member_count`` (its registered members now — DOMAIN.md Q23 counts members at the
year's end, and member history is not dated finely enough to rebuild past sizes); villages, townships and
counties from ``Area.actual_exit_date``. Every figure is one GROUP BY on the area-code prefix.
"""
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear, Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessments.plans.models import PLAN_FIGURES, PLAN_LEVELS, ExitPlan, ExitPlanBase, ExitPlanStatus
from households.choices import HouseholdStatus
from households.models import HouseholdStatusChange
from povalleviation.access import Capability, covers, scope_q
from villages.choices import PREFIX_LENGTH, AreaLevel, level_of_code
from villages.models import Area

FIGURE_LABELS = {"households": "户数", "persons": "人数", "villages": "贫困村", "townships": "贫困乡", "counties": "贫困县"}
_AREA_FIGURE = {AreaLevel.VILLAGE: "villages", AreaLevel.TOWNSHIP: "townships", AreaLevel.COUNTY: "counties"}


def exit_plan_queryset(*, user, capability=Capability.PLAN_VIEW):
    return ExitPlan.objects.visible_to(user, capability)


def exit_plan_list(*, user, year=None, area_code=None, include_superseded=False):
    """Plans of the user's areas (the version in force and any open draft), newest year first."""
    plans = exit_plan_queryset(user=user).select_related("area", "created_by", "approved_by")
    if not include_superseded:
        plans = plans.in_force()
    if year:
        plans = plans.filter(year=year)
    level = level_of_code(area_code or "")
    if level:
        plans = plans.filter(area__code__startswith=area_code[: PREFIX_LENGTH[level]])
    return plans.order_by("-year", "area__code", "version")


def exit_plan_years(*, user) -> list[int]:
    return list(exit_plan_queryset(user=user).order_by("-year").values_list("year", flat=True).distinct())


def exit_plan_detail(*, user, pk, capability=Capability.PLAN_VIEW) -> ExitPlan:
    """One plan version; outside the user's areas → 404 like a missing one."""
    queryset = exit_plan_queryset(user=user, capability=capability).select_related(
        "area", "area__parent", "previous", "created_by", "updated_by", "approved_by"
    )
    return get_object_or_404(queryset, pk=pk)


def exit_plan_versions(*, plan) -> list[ExitPlan]:
    """Every version of the plan's area and year, first to last (the version history)."""
    return list(
        ExitPlan.objects.filter(area_id=plan.area_id, year=plan.year)
        .select_related("created_by", "approved_by", "previous")
        .order_by("version")
    )


def plannable_areas(*, user):
    """Areas where the user may enter a plan: province, city, county or township within his ``plan.edit`` posts."""
    return Area.objects.filter(scope_q(user, Capability.PLAN_EDIT, "code"), level__in=PLAN_LEVELS).order_by("code")


def viewable_plan_areas(*, user):
    return Area.objects.filter(scope_q(user, Capability.PLAN_VIEW, "code"), level__in=PLAN_LEVELS).order_by("code")


def _in_force_by_area(plans) -> dict:
    """area id → the plan that counts: the approved version, else the open draft."""
    chosen = {}
    for plan in plans:
        held = chosen.get(plan.area_id)
        if held is None or (held.status != ExitPlanStatus.APPROVED and plan.status == ExitPlanStatus.APPROVED):
            chosen[plan.area_id] = plan
    return chosen


def _sum_messages(*, own: dict, children: list[dict], own_name: str, children_name: str) -> list[str]:
    """Warnings (never errors) where the children's planned figures do not add up to their parent's."""
    messages = []
    for name in PLAN_FIGURES:
        values = [c[name] for c in children if c.get(name) is not None]
        if own.get(name) is None or not values:
            continue
        total = sum(values)
        if total > own[name]:
            messages.append(f"{children_name}计划{FIGURE_LABELS[name]}合计 {total}，超过{own_name}计划 {own[name]}")
        elif total != own[name]:
            messages.append(f"{children_name}计划{FIGURE_LABELS[name]}合计 {total}，与{own_name}计划 {own[name]} 不一致")
    return messages


def plan_sum_warnings(*, plan) -> list[str]:
    """Compare this version with its children's plans and, with its siblings, against the parent's plan.

    Three queries whatever the number of areas: children's plans, the parent's plan, the siblings' plans.
    """
    area = plan.area
    warnings = []
    children = _in_force_by_area(ExitPlan.objects.in_force().filter(year=plan.year, area__parent_id=area.pk))
    warnings += _sum_messages(own=plan.figures(), children=[p.figures() for p in children.values()],
                              own_name="本级", children_name="下级")
    if area.parent_id:
        parent = _in_force_by_area(ExitPlan.objects.in_force().filter(year=plan.year, area_id=area.parent_id))
        if parent:
            siblings = _in_force_by_area(
                ExitPlan.objects.in_force().filter(year=plan.year, area__parent_id=area.parent_id).exclude(area_id=area.pk)
            )
            figures = [p.figures() for p in siblings.values()] + [plan.figures()]
            warnings += _sum_messages(own=next(iter(parent.values())).figures(), children=figures,
                                      own_name=f"上级（{area.parent.name}）", children_name=f"{area.parent.name}各下级")
    return warnings


def _exit_changes(*, prefix: str, start: datetime.date, end: datetime.date):
    """EXITED status changes in [start, end] under the prefix, one per household and year (the first that
    year), so a household that exits, returns and exits again in one year counts once."""
    exited = HouseholdStatus.EXITED
    earlier_same_year = HouseholdStatusChange.objects.filter(
        household_id=OuterRef("household_id"), to_status=exited, effective_date__year=OuterRef("exit_year"),
    ).filter(Q(effective_date__lt=OuterRef("effective_date")) | Q(effective_date=OuterRef("effective_date"), pk__lt=OuterRef("pk")))
    return (
        HouseholdStatusChange.objects.filter(
            to_status=exited, effective_date__gte=start, effective_date__lte=end, household__area_code__startswith=prefix,
        )
        .annotate(exit_year=ExtractYear("effective_date"))
        .filter(~Exists(earlier_same_year))
    )


def _exited_areas(*, prefix: str, start, end):
    return Area.objects.filter(code__startswith=prefix, actual_exit_date__gte=start, actual_exit_date__lte=end).filter(
        Q(level=AreaLevel.VILLAGE, is_poor_village=True) | Q(level=AreaLevel.TOWNSHIP, is_poor_township=True)
        | Q(level=AreaLevel.COUNTY)
    )


def _empty_actual():
    return dict.fromkeys(PLAN_FIGURES, 0)


def _completion(plan: dict | None, actual: dict) -> dict:
    result = {}
    for name in PLAN_FIGURES:
        planned = plan.get(name) if plan else None
        result[name] = (
            (Decimal(actual[name]) * 100 / planned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if planned else None
        )
    return result


def _plan_figures(plan, base, year):
    """The planned figures for the year: the plan in force; 0 in a plan period without a row; else None."""
    if plan is not None:
        return plan.figures()
    if base is not None and base.covers_year(year):
        return {name: 0 if value is not None else None for name, value in base.figures().items()}
    return None


def _period(year: int, as_of: datetime.date | None):
    end = datetime.date(year, 12, 31)
    as_of = min(end, as_of or timezone.localdate())
    return datetime.date(year, 1, 1), as_of


def plan_vs_actual(*, user, area_code: str, year: int, as_of: datetime.date | None = None) -> dict:
    """Plan against actual exits for an area and its children in one year (as of ``as_of``, default today).

    A fixed number of queries: the area, its children, the plans, the bases, exits grouped by child prefix,
    exited areas grouped by child prefix, the area's plan history and exits grouped by year.
    """
    area = get_object_or_404(Area.objects.visible_to(user, Capability.PLAN_VIEW).select_related("parent"), code=area_code)
    children = list(Area.objects.filter(parent=area).order_by("code"))
    start, end = _period(year, as_of)
    prefix = area.scope_prefix
    child_length = PREFIX_LENGTH[children[0].level] if children else len(prefix)
    ids = [area.pk] + [child.pk for child in children]

    # The parent's plan is shown (read-only) only to users who may see the parent area.
    parent_visible = area.parent is not None and covers(user, Capability.PLAN_VIEW, area.parent.code)
    year_ids = ids + [area.parent_id] if parent_visible else ids
    # One query for this year's plans of the area, its children (and parent) and every year's plans of the area.
    all_plans = list(ExitPlan.objects.in_force().filter(Q(year=year, area_id__in=year_ids) | Q(area_id=area.pk)))
    plans = _in_force_by_area(plan for plan in all_plans if plan.year == year)
    all_bases = list(ExitPlanBase.objects.filter(area_id__in=ids).order_by("base_year"))
    bases = {base.area_id: base for base in all_bases if base.covers_year(year)}
    own_bases = [base for base in all_bases if base.area_id == area.pk]

    actual_by_prefix = {}
    grouped = (
        _exit_changes(prefix=prefix, start=start, end=end)
        .annotate(child=Substr("household__area_code", 1, child_length))
        .values("child").annotate(households=Count("id"), persons=Sum("household__member_count"))
    )
    for row in grouped:
        actual = actual_by_prefix.setdefault(row["child"], _empty_actual())
        actual["households"], actual["persons"] = row["households"], row["persons"] or 0
    for row in _exited_areas(prefix=prefix, start=start, end=end).annotate(child=Substr("code", 1, child_length)).values(
        "child", "level"
    ).annotate(count=Count("id")):
        actual_by_prefix.setdefault(row["child"], _empty_actual())[_AREA_FIGURE[row["level"]]] += row["count"]

    total_actual = _empty_actual()
    for actual in actual_by_prefix.values():
        for name in PLAN_FIGURES:
            total_actual[name] += actual[name]

    def row_for(target, actual):
        plan = plans.get(target.pk)
        figures = _plan_figures(plan, bases.get(target.pk), year)
        return {"area": target, "plan": plan, "planned": figures, "actual": actual,
                "completion": _completion(figures, actual)}

    rows = [row_for(child, actual_by_prefix.get(child.scope_prefix, _empty_actual())) for child in children]
    own = row_for(area, total_actual)
    children_planned = {
        name: sum(r["planned"][name] for r in rows if r["planned"] and r["planned"][name] is not None)
        if any(r["planned"] and r["planned"][name] is not None for r in rows) else None
        for name in PLAN_FIGURES
    }
    children_actual = {name: sum(r["actual"][name] for r in rows) for name in PLAN_FIGURES}
    warnings = []
    if own["planned"] and any(r["plan"] for r in rows):
        warnings = _sum_messages(own=own["planned"], children=[r["planned"] for r in rows if r["plan"]],
                                 own_name="本级", children_name="下级")
    return {
        "area": area, "year": year, "start": start, "as_of": end, "own": own, "rows": rows,
        "children_planned": children_planned, "children_actual": children_actual, "warnings": warnings,
        "base": next((b for b in reversed(own_bases) if b.base_year < year), None),
        "series": _series(area, [p for p in all_plans if p.area_id == area.pk], own_bases, as_of or timezone.localdate()),
        "parent_visible": parent_visible, "parent_plan": plans.get(area.parent_id) if parent_visible else None,
    }


def _series(area, area_plans, bases, as_of):
    """Plan and actual by year for the area itself, with running totals since the first plan year."""
    plans = {}
    for plan in area_plans:
        held = plans.get(plan.year)
        if held is None or (held.status != ExitPlanStatus.APPROVED and plan.status == ExitPlanStatus.APPROVED):
            plans[plan.year] = plan
    years = set(plans)
    for base in bases:
        years |= set(range(base.base_year + 1, base.end_year + 1))
    if not years:
        return []
    first, last = min(years), max(years)
    actual = {year: _empty_actual() for year in range(first, last + 1)}
    start = datetime.date(first, 1, 1)
    for row in (
        _exit_changes(prefix=area.scope_prefix, start=start, end=as_of)
        .values("exit_year").annotate(households=Count("id"), persons=Sum("household__member_count"))
    ):
        if row["exit_year"] in actual:
            actual[row["exit_year"]]["households"] = row["households"]
            actual[row["exit_year"]]["persons"] = row["persons"] or 0
    for row in (
        _exited_areas(prefix=area.scope_prefix, start=start, end=as_of)
        .annotate(year=ExtractYear("actual_exit_date")).values("year", "level").annotate(count=Count("id"))
    ):
        if row["year"] in actual:
            actual[row["year"]][_AREA_FIGURE[row["level"]]] += row["count"]
    series, planned_total, actual_total = [], dict.fromkeys(PLAN_FIGURES), _empty_actual()
    for year in range(first, last + 1):
        base = next((b for b in reversed(bases) if b.covers_year(year)), None)
        planned = _plan_figures(plans.get(year), base, year)
        for name in PLAN_FIGURES:
            actual_total[name] += actual[year][name]
            if planned and planned[name] is not None:
                planned_total[name] = (planned_total[name] or 0) + planned[name]
        series.append({
            "year": year, "plan": plans.get(year), "planned": planned, "actual": actual[year],
            "completion": _completion(planned, actual[year]),
            "planned_cumulative": dict(planned_total), "actual_cumulative": dict(actual_total),
            "completion_cumulative": _completion(planned_total, actual_total),
        })
    return series
