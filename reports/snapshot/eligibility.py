"""Eligibility status counts: the exit-standard results (``assessments.EligibilityResult``) of the as-of
date's year for the households in the stock on that date, by child area.

A result is kept per household and year and rewritten by each recompute; each rewrite that changes the
conclusion leaves the previous one in ``accounts.history``, and ``first_computed_at`` says since when the
household has a result. So the counts are the results as they stood at the end of the as-of day: households
first evaluated later count as 未评估, and a conclusion changed later counts as it was then.
"""
import datetime

from django.db.models import Count, Q
from django.db.models.functions import Substr

from accounts.history import day_end, value_as_of
from assessments.eligibility.models import EligibilityResult
from households.selectors_asof import stock_household_ids_as_of
from villages.choices import PREFIX_LENGTH

from .common import child_areas

FIELDS = ["passed", "failed", "unknown", "not_assessed"]


def eligibility_section(*, area, end: datetime.date, child_level: str, stock_by_child: dict[str, int]) -> dict:
    length = PREFIX_LENGTH[child_level]
    results = EligibilityResult.objects.filter(
        household_id__in=stock_household_ids_as_of(area_code=area.code, as_of=end), year=end.year,
        first_computed_at__lt=day_end(end),
    ).annotate(passed_then=value_as_of(EligibilityResult, "passed", end))
    counted = {}
    for row in (results.annotate(group=Substr("household__area_code", 1, length)).values("group").annotate(
        n_passed=Count("id", filter=Q(passed_then=True)), n_failed=Count("id", filter=Q(passed_then=False)),
        n_unknown=Count("id", filter=Q(passed_then__isnull=True)),
    ).order_by()):
        counted[row["group"].ljust(12, "0")] = row
    rows = []
    for child in child_areas(area):
        row = counted.get(child["code"], {})
        figures = {f: row.get(f"n_{f}", 0) for f in ("passed", "failed", "unknown")}
        figures["not_assessed"] = max(stock_by_child.get(child["code"], 0) - sum(figures.values()), 0)
        rows.append({**child, **figures})
    return {"year": end.year, "rows": rows, "total": {f: sum(r[f] for r in rows) for f in FIELDS}}
