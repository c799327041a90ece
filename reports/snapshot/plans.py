"""Section 3: the year's exit plan against actual exits up to the quarter's end, by child area.

Actual households = households with an EXITED status change effective from 1 January to the as-of date;
persons = their members on the as-of date (member history, ``households.selectors_asof``); villages = poor
villages whose ``actual_exit_date`` falls in that period, designation and date both as recorded on the as-of
date (``accounts.history``).

Plans: the version in force on the as-of date D, derived from the versions' dates. Every version is kept
(an approved plan is locked; a change is a new version approved later), so the version in force on D is the
one with the latest ``approved_at`` on or before D; when no version had been approved by D, the first
version counts (the plan as entered — a plan first entered after D counts as always there, like any new
record), with its draft figures as of D (draft edits keep history). A revision approved after D changes
nothing for D.
"""
import datetime

from django.db.models import Count
from django.db.models.functions import Substr

from accounts.history import day_end, value_as_of
from assessments.plans.models import ExitPlan
from households.choices import HouseholdStatus
from households.models import HouseholdStatusChange
from households.selectors_asof import members_as_of
from villages.choices import PREFIX_LENGTH
from villages.models import Area

from .common import child_areas, exited_poor_villages, percent

FIGURES = ("households", "persons", "villages")


def plans_in_force(area_ids: list[int], year: int, as_of: datetime.date) -> dict[int, dict]:
    """area id → the figures of its plan for ``year`` in force on ``as_of`` (areas without a plan are absent).
    One query over the few versions of the areas' plans."""
    cutoff = day_end(as_of)
    versions: dict[int, list] = {}
    for plan in (ExitPlan.objects.filter(area_id__in=area_ids, year=year)
                 .annotate(**{f"{name}_as_of": value_as_of(ExitPlan, name, as_of) for name in FIGURES})
                 .order_by("version")):
        versions.setdefault(plan.area_id, []).append(plan)
    chosen = {}
    for area_id, plans in versions.items():
        approved = [plan for plan in plans if plan.approved_at is not None and plan.approved_at < cutoff]
        plan = max(approved, key=lambda p: (p.approved_at, p.version)) if approved else plans[0]
        chosen[area_id] = {name: getattr(plan, f"{name}_as_of") for name in FIGURES}
    return chosen


def plan_section(*, area, end: datetime.date, child_level: str) -> dict:
    year = end.year
    start = datetime.date(year, 1, 1)
    length = PREFIX_LENGTH[child_level]
    exits = HouseholdStatusChange.objects.filter(
        household__area_code__startswith=area.scope_prefix, to_status=HouseholdStatus.EXITED,
        effective_date__gte=start, effective_date__lte=end,
    )
    exited_ids = exits.values("household_id")
    households = dict(
        exits.annotate(group=Substr("household__area_code", 1, length)).values_list("group")
        .annotate(n=Count("household_id", distinct=True)).order_by()
    )
    persons = dict(
        members_as_of(household_ids=exited_ids, as_of=end).annotate(group=Substr("household__area_code", 1, length))
        .values_list("group").annotate(n=Count("id")).order_by()
    )
    villages = dict(
        exited_poor_villages(area.scope_prefix, start, end, as_of=end)
        .annotate(group=Substr("code", 1, length)).values_list("group").annotate(n=Count("id")).order_by()
    )
    children = child_areas(area)
    ids = dict(Area.objects.filter(code__in=[c["code"] for c in children] + [area.code]).values_list("code", "pk"))
    plans = plans_in_force(list(ids.values()), year, end)

    def row(code, name, actual):
        planned = plans.get(ids.get(code), {})
        return {"code": code, "name": name,
                **{f"planned_{f}": planned.get(f) for f in FIGURES},
                **{f"actual_{f}": actual[f] for f in FIGURES},
                **{f"completion_{f}": percent(actual[f], planned.get(f), "0.1") for f in FIGURES}}

    rows = []
    for child in children:
        key = child["code"][:length]
        rows.append(row(child["code"], child["name"], {"households": households.get(key, 0), "persons": persons.get(key, 0),
                                                       "villages": villages.get(key, 0)}))
    total_actual = {f: sum(r[f"actual_{f}"] for r in rows) for f in FIGURES}
    return {"year": year, "start": start.isoformat(), "rows": rows, "total": row(area.code, area.name, total_actual)}
