"""Section 13 数据质量: failures of the household quality checks (``households.quality``, DOMAIN.md §3.12) by
village, for the households under the area that are not 已剔除 at generation time.

The checks read the households' and members' current fields, which keep no history, so this section is
computed at generation time (``computed_on``; the PDF says “生成时”), not as of the quarter's last day. It is
therefore the one part of the snapshot that a later regeneration may change.
"""
import datetime
from collections import Counter

from django.db.models import Prefetch, Q

from households.choices import HouseholdStatus
from households.models import HelperAssignment, Household, Member
from households.quality import household_quality_warnings
from villages.choices import PREFIX_LENGTH

from .common import child_areas, village_areas


def _kind(warning: str) -> str:
    """Member-specific warnings (“张三 未参加…”) grouped under their check: the text after the name."""
    head, _, rest = warning.partition(" ")
    return rest if rest else head


def quality_section(*, area, today: datetime.date, child_level: str) -> dict:
    active = HelperAssignment.objects.filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
    households = (
        Household.objects.filter(area_code__startswith=area.scope_prefix).exclude(status=HouseholdStatus.REMOVED)
        .select_related(None).only("id", "area_code", "village_id", "status", "category", "primary_cause", "other_causes")
        .prefetch_related(Prefetch("members", queryset=Member.objects.filter(is_registered=True), to_attr="current"),
                          Prefetch("helper_assignments", queryset=active, to_attr="active_helpers"))
    )
    by_village: dict[str, dict] = {}
    checks: Counter = Counter()
    for household in households.iterator(chunk_size=500):
        warnings = household_quality_warnings(household, household.current, assignments=household.active_helpers, today=today)
        cell = by_village.setdefault(household.area_code[:12], {"households": 0, "with_warnings": 0, "warnings": 0})
        cell["households"] += 1
        cell["with_warnings"] += bool(warnings)
        cell["warnings"] += len(warnings)
        checks.update(_kind(w) for w in warnings)
    rows = []
    for village in village_areas(area):
        cell = by_village.get(village["code"], {"households": 0, "with_warnings": 0, "warnings": 0})
        if cell["households"]:
            rows.append({"code": village["code"], "name": village["name"], "township_name": village["township_name"], **cell})
    fields = ("households", "with_warnings", "warnings")
    length = PREFIX_LENGTH[child_level]
    child_rows = []
    for child in child_areas(area):
        inside = [row for row in rows if row["code"][:length] == child["code"][:length]]
        child_rows.append({**child, **{name: sum(row[name] for row in inside) for name in fields}})
    total = {name: sum(row[name] for row in rows) for name in fields}
    return {"computed_on": today.isoformat(), "rows": rows, "child_rows": child_rows, "total": total,
            "checks": [{"check": name, "count": count} for name, count in sorted(checks.items(), key=lambda i: (-i[1], i[0]))]}
