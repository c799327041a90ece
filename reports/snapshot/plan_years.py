"""Section 3, second table: plan against actual for every plan year since the plan baseline, with cumulative
figures (DOMAIN.md §6.2 "Exit plan completion … cumulatively since the plan baseline", §6.3 row 3).

The baseline is the area's ``ExitPlanBase`` whose period covers the report year (``base_year`` < year ≤
``end_year``, the latest such base), period and figures as recorded on the as-of date (``accounts.history``);
without one, the year before the area's first plan year. For each year Y from the baseline to the report
year: the plan version in force on the as-of date (``plans.plans_in_force``); actual = households with a
change to EXITED effective in Y (up to the as-of date in the report year), persons = their members on 31
December of Y (or the as-of date), villages = poor villages whose ``actual_exit_date`` falls in Y, as recorded
on the as-of date. All dated history.
"""
import datetime

from django.db.models import Count, Min

from accounts.history import value_as_of
from assessments.plans.models import ExitPlan, ExitPlanBase
from households.choices import HouseholdStatus
from households.models import HouseholdStatusChange
from households.selectors_asof import members_as_of

from .common import exited_poor_villages, percent
from .plans import FIGURES, plans_in_force

BASE_FIELDS = ("end_year", "households", "persons")


def _baseline(area, year: int, as_of: datetime.date) -> tuple[int | None, dict | None]:
    base = (ExitPlanBase.objects.filter(area=area, base_year__lt=year)
            .annotate(**{f"{name}_as_of": value_as_of(ExitPlanBase, name, as_of) for name in BASE_FIELDS})
            .filter(end_year_as_of__gte=year).order_by("-base_year").first())
    if base is not None:
        return base.base_year, {"households": base.households_as_of, "persons": base.persons_as_of}
    # Plan versions are never deleted, so the years that have a plan only grow: the first one is stable.
    first = ExitPlan.objects.filter(area=area, year__lte=year).aggregate(first=Min("year"))["first"]
    return (first - 1 if first else None), None


def _actual(area, first: datetime.date, last: datetime.date, as_of: datetime.date) -> dict:
    exits = HouseholdStatusChange.objects.filter(household__area_code__startswith=area.scope_prefix,
                                                 to_status=HouseholdStatus.EXITED, effective_date__gte=first,
                                                 effective_date__lte=last)
    households = exits.aggregate(n=Count("household_id", distinct=True))["n"]
    persons = members_as_of(household_ids=exits.values("household_id"), as_of=last).count()
    villages = exited_poor_villages(area.scope_prefix, first, last, as_of=as_of).count()
    return {"households": households, "persons": persons, "villages": villages}


def plan_years_section(*, area, end: datetime.date) -> dict:
    base_year, base = _baseline(area, end.year, end)
    if base_year is None:
        return {"base_year": None, "base": None, "years": []}
    years, cumulative_plan, cumulative_actual = [], dict.fromkeys(FIGURES, 0), dict.fromkeys(FIGURES, 0)
    plan_missing = dict.fromkeys(FIGURES, False)
    for year in range(base_year + 1, end.year + 1):
        plan = plans_in_force([area.pk], year, end).get(area.pk, {})
        actual = _actual(area, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), end), end)
        row = {"year": year}
        for figure in FIGURES:
            planned = plan.get(figure)
            plan_missing[figure] |= planned is None
            cumulative_plan[figure] += planned or 0
            cumulative_actual[figure] += actual[figure]
            total_plan = None if plan_missing[figure] else cumulative_plan[figure]
            row.update({f"planned_{figure}": planned, f"actual_{figure}": actual[figure],
                        f"completion_{figure}": percent(actual[figure], planned, "0.1"),
                        f"cumulative_planned_{figure}": total_plan,
                        f"cumulative_actual_{figure}": cumulative_actual[figure],
                        f"cumulative_completion_{figure}": percent(cumulative_actual[figure], total_plan, "0.1")})
        years.append(row)
    return {"base_year": base_year, "base": base, "years": years}
