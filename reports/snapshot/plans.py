"""Section 3: the year's exit plan against actual exits up to the quarter's end, by child area.

Actual households = households with an EXITED status change effective from 1 January to the as-of date;
persons = their members on the as-of date (member history, ``households.selectors_asof``); villages = poor
villages whose ``actual_exit_date`` falls in that period. Plans are the versions in force (approved, else
the open draft) of the area and its children for the year.
"""
import datetime

from django.db.models import Count
from django.db.models.functions import Substr

from assessments.models import ExitPlan, ExitPlanStatus
from households.choices import HouseholdStatus
from households.models import HouseholdStatusChange
from households.selectors_asof import members_as_of
from villages.choices import PREFIX_LENGTH, AreaLevel
from villages.models import Area

from .common import child_areas, percent

FIGURES = ("households", "persons", "villages")


def _plans(area_ids: list[int], year: int) -> dict[int, dict]:
    chosen: dict[int, ExitPlan] = {}
    for plan in ExitPlan.objects.in_force().filter(area_id__in=area_ids, year=year).order_by("version"):
        held = chosen.get(plan.area_id)
        if held is None or plan.status == ExitPlanStatus.APPROVED or held.status != ExitPlanStatus.APPROVED:
            chosen[plan.area_id] = plan
    return {area_id: {name: getattr(plan, name) for name in FIGURES} for area_id, plan in chosen.items()}


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
        Area.objects.filter(code__startswith=area.scope_prefix, level=AreaLevel.VILLAGE, is_poor_village=True,
                            actual_exit_date__gte=start, actual_exit_date__lte=end)
        .annotate(group=Substr("code", 1, length)).values_list("group").annotate(n=Count("id")).order_by()
    )
    children = child_areas(area)
    ids = dict(Area.objects.filter(code__in=[c["code"] for c in children] + [area.code]).values_list("code", "pk"))
    plans = _plans(list(ids.values()), year)

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
