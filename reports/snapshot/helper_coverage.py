"""Section 8 帮扶力量: helper coverage of the poor households and household visits done vs required
(DOMAIN.md §6.3 row 8, §6.2 Coverage, §3.8).

* Coverage: households in the 建档立卡 stock on the as-of date with a ``HelperAssignment`` active that day
  (``start_date`` ≤ D and no ``end_date`` or ``end_date`` > D).
* Visits: no seed sets the helper's frequency (§3.8, Q19); the default is one 入户走访 per household per
  month. Required = (household, month) pairs of the quarter with the household in the stock on the month's
  last day; done = those pairs with at least one ``Visit`` of kind 入户走访 dated in that month. Visits are
  dated (``visited_on``), so the figures do not move when later visits are recorded.
"""
import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from households.choices import VisitKind
from households.models import HelperAssignment, Visit
from households.selectors_asof import stock_households_as_of
from villages.choices import PREFIX_LENGTH

from .common import child_areas, percent

FIELDS = ["households", "covered", "required", "done", "visits"]


def _month_ends(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    months, first = [], start
    while first <= end:
        following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append((first, min(following - datetime.timedelta(days=1), end)))
        first = following
    return months


def _grouped(queryset, length: int, **aggregates) -> dict[str, dict]:
    rows = queryset.annotate(group=Substr("area_code", 1, length)).values("group").annotate(**aggregates).order_by()
    return {row["group"].ljust(12, "0"): row for row in rows}


def helpers_section(*, area, start: datetime.date, end: datetime.date, child_level: str) -> dict:
    length = PREFIX_LENGTH[child_level]
    active = HelperAssignment.objects.filter(household_id=OuterRef("pk"), start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=end))
    stock = stock_households_as_of(area_code=area.code, as_of=end).annotate(has_helper=Exists(active))
    coverage = _grouped(stock, length, households=Count("id"), covered=Count("id", filter=Q(has_helper=True)))
    figures: dict[str, dict] = {}
    for code, row in coverage.items():
        figures[code] = {"households": row["households"], "covered": row["covered"], "required": 0, "done": 0, "visits": 0}
    for first, last in _month_ends(start, end):
        visited = Visit.objects.filter(household_id=OuterRef("pk"), kind=VisitKind.HOME, visited_on__gte=first,
                                       visited_on__lte=last)
        month = stock_households_as_of(area_code=area.code, as_of=last).annotate(visited=Exists(visited))
        for code, row in _grouped(month, length, required=Count("id"), done=Count("id", filter=Q(visited=True))).items():
            cell = figures.setdefault(code, dict.fromkeys(FIELDS, 0))
            cell["required"] += row["required"]
            cell["done"] += row["done"]
    visits = (Visit.objects.filter(household__area_code__startswith=area.scope_prefix, visited_on__gte=start,
                                   visited_on__lte=end)
              .annotate(group=Substr("household__area_code", 1, length)).values("group").annotate(n=Count("id")).order_by())
    for row in visits:
        figures.setdefault(row["group"].ljust(12, "0"), dict.fromkeys(FIELDS, 0))["visits"] = row["n"]
    rows = []
    for child in child_areas(area):
        cell = figures.get(child["code"], dict.fromkeys(FIELDS, 0))
        rows.append({**child, **cell, "coverage": percent(cell["covered"], cell["households"]),
                     "visit_rate": percent(cell["done"], cell["required"])})
    total = {name: sum(row[name] for row in rows) for name in FIELDS}
    total["coverage"] = percent(total["covered"], total["households"])
    total["visit_rate"] = percent(total["done"], total["required"])
    return {"rows": rows, "total": total, "months": len(_month_ends(start, end))}
