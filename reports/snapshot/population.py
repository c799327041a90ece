"""Sections 1, 2, 5 and the status table: the 建档立卡 stock, its movement in the quarter and 贫困发生率.

Everything comes from ``households.selectors_asof`` (status and member history), so a later edit, exit or
return does not change a past quarter's figures; a village's 贫困村 designation in the village table is the one
recorded on the as-of date (``accounts.history``).
"""
import datetime

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Substr

from households.choices import HouseholdStatus
from households.models import Household, HouseholdStatusChange
from households.selectors_asof import poverty_incidence_as_of, poverty_stock_as_of
from villages.choices import PREFIX_LENGTH, AreaLevel

from .common import child_areas, village_areas
from .movement import FIELDS as MOVEMENT_FIELDS
from .movement import balance_check, movement_by_area_code, roll_up

STATUS_COLUMNS = [HouseholdStatus.IDENTIFIED, HouseholdStatus.HELPED, HouseholdStatus.EXIT_PENDING,
                  HouseholdStatus.RETURNED, HouseholdStatus.EXITED, HouseholdStatus.REMOVED]


def _status_counts(prefix: str, end: datetime.date, length: int) -> dict[str, dict]:
    last = HouseholdStatusChange.objects.filter(household_id=OuterRef("pk"), effective_date__lte=end).order_by("-effective_date", "-id")
    rows = (
        Household.objects.filter(area_code__startswith=prefix)
        .annotate(state=Subquery(last.values("to_status")[:1]), group=Substr("area_code", 1, length))
        .exclude(state__isnull=True).values("group", "state").annotate(households=Count("id"))
    )
    result: dict[str, dict] = {}
    for row in rows:
        result.setdefault(row["group"].ljust(12, "0"), {})[row["state"]] = row["households"]
    return result


def population_section(*, area, start: datetime.date, end: datetime.date, child_level: str) -> dict:
    child_length = PREFIX_LENGTH[child_level]
    prefix = area.scope_prefix
    before = start - datetime.timedelta(days=1)
    opening = poverty_stock_as_of(area_code=area.code, as_of=before, group_level=child_level)
    incidence = poverty_incidence_as_of(area_code=area.code, as_of=end, group_level=child_level)
    by_code = movement_by_area_code(prefix=prefix, start=start, end=end)
    movement = roll_up(by_code, child_length)
    statuses = _status_counts(prefix, end, child_length)
    rows = []
    for child in child_areas(area):
        code = child["code"]
        inc = incidence.get(code, {})
        move = movement.get(code, {})
        rows.append({
            **child,
            "opening_households": opening.get(code, {}).get("households", 0),
            "opening_persons": opening.get(code, {}).get("persons", 0),
            **{name: move.get(name, 0) for name in MOVEMENT_FIELDS},
            "households": inc.get("households", 0), "persons": inc.get("persons", 0),
            "population": inc.get("population", 0), "incidence": inc.get("incidence"),
            "villages_without_population": inc.get("villages_without_population", 0),
            "denominator_year": inc.get("denominator_year"),
            "statuses": {status: statuses.get(code, {}).get(status, 0) for status in STATUS_COLUMNS},
        })
    whole = poverty_incidence_as_of(area_code=area.code, as_of=end, group_level=area.level)[area.code]
    opening_total = poverty_stock_as_of(area_code=area.code, as_of=before, group_level=area.level).get(area.code, {})
    total = {
        "opening_households": opening_total.get("households", 0), "opening_persons": opening_total.get("persons", 0),
        **{name: sum(row[name] for row in rows) for name in MOVEMENT_FIELDS},
        "households": whole["households"], "persons": whole["persons"], "population": whole["population"],
        "incidence": whole["incidence"], "villages_without_population": whole["villages_without_population"],
        "denominator_year": whole["denominator_year"],
        "statuses": {status: sum(row["statuses"][status] for row in rows) for status in STATUS_COLUMNS},
    }
    villages = poverty_incidence_as_of(area_code=area.code, as_of=end, group_level=AreaLevel.VILLAGE)
    village_length = PREFIX_LENGTH[AreaLevel.VILLAGE]
    village_opening = poverty_stock_as_of(area_code=area.code, as_of=before, group_level=AreaLevel.VILLAGE)
    village_movement = roll_up(by_code, village_length)
    village_statuses = _status_counts(prefix, end, village_length)
    village_rows = []
    for village in village_areas(area, end):
        code = village["code"]
        inc, move = villages.get(code, {}), village_movement.get(code, {})
        village_rows.append({
            **village, "households": inc.get("households", 0), "persons": inc.get("persons", 0),
            "population": inc.get("population", 0), "incidence": inc.get("incidence"),
            "denominator_year": inc.get("denominator_year"),
            "opening_households": village_opening.get(code, {}).get("households", 0),
            "opening_persons": village_opening.get(code, {}).get("persons", 0),
            **{name: move.get(name, 0) for name in MOVEMENT_FIELDS},
            "statuses": {status: village_statuses.get(code, {}).get(status, 0) for status in STATUS_COLUMNS},
        })
    check = balance_check(rows=rows, villages=village_rows, total=total, area_code=area.code, area_name=area.name)
    return {"rows": rows, "total": total, "villages": village_rows, "balance": check,
            "status_labels": {status: HouseholdStatus(status).label for status in STATUS_COLUMNS}}
