"""The 建档立卡 stock and 贫困发生率 as of a past date, rebuilt from history (DOMAIN.md §6.2).

Nothing here reads a household's current ``status`` or ``member_count``: a household's state on day D is the
``to_status`` of its last ``HouseholdStatusChange`` with ``effective_date <= D`` (ties broken by insertion
order), and a member belongs to the household on D when

* the member was registered with the household (created no later than the household's first status change
  was recorded: registration saves the members first, the Excel import stamps both with one time) and the
  household's registration is effective on or before D, or the member was added later and ``created_at``
  (local date) is on or before D; and
* the member had not left by D (``left_date`` empty or after D).

So figures for a past date do not move when households are edited, exit or return later. Every function
is a fixed number of aggregate queries grouped by the area-code prefix (no loop over rows).

Public functions (keyword-only):

``poverty_stock_as_of(*, area_code: str, as_of: date, group_level: str | None = None) -> dict[str, dict]``
    建档立卡 stock (state ∈ IDENTIFIED, HELPED, EXIT_PENDING, RETURNED on ``as_of``) under the area with
    code ``area_code``, grouped by the areas of ``group_level`` (an ``AreaLevel`` value; default: the level
    just below the area's, e.g. townships for a county; pass the area's own level for one total). Returns
    ``{group_code: {"households": int, "persons": int}}`` keyed by the 12-digit code of the group area
    (15 digits for 村民小组); groups without poor households are absent.

``poverty_incidence_as_of(*, area_code: str, as_of: date, group_level: str | None = None) -> dict[str, dict]``
    贫困发生率 = stock persons ÷ 农村户籍人口 × 100, 2 decimals, grouped the same way. The denominator is
    ``villages.models.AreaYearProfile.rural_registered_population`` of each village for the year of
    ``as_of`` (or the village's latest earlier year if that year is missing), summed upwards. Returns
    ``{group_code: {"households", "persons", "population", "incidence": Decimal | None,
    "villages_without_population": int, "denominator_year": int | None}}`` for every group area under the
    area (also those without poor households); ``denominator_year`` is the oldest profile year used.

``stock_household_ids_as_of(*, area_code: str, as_of: date)`` — a queryset of the ids in the stock, for
    callers that need further breakdowns (e.g. members by 低保 flag) with the same definition.
"""
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Substr

from households.choices import POOR_STATUSES
from households.models import Household, HouseholdStatusChange, Member
from villages.choices import LEVEL_ORDER, PREFIX_LENGTH, AreaLevel, level_of_code
from villages.models import Area, AreaYearProfile


def _levels(area_code: str, group_level: str | None) -> tuple[str, int]:
    level = level_of_code(area_code)
    if level is None:
        raise ValueError(f"区划代码格式不正确：{area_code}")
    if group_level is None:
        index = LEVEL_ORDER.index(level)
        group_level = LEVEL_ORDER[min(index + 1, len(LEVEL_ORDER) - 1)]
    if LEVEL_ORDER.index(group_level) < LEVEL_ORDER.index(level):
        raise ValueError("分组层级不能高于区域本身")
    return area_code[: PREFIX_LENGTH[level]], PREFIX_LENGTH[group_level]


def _group_code(prefix: str) -> str:
    return prefix if len(prefix) > 12 else prefix.ljust(12, "0")


def _state_as_of(as_of: datetime.date):
    last_change = HouseholdStatusChange.objects.filter(
        household_id=OuterRef("pk"), effective_date__lte=as_of
    ).order_by("-effective_date", "-id")
    return Subquery(last_change.values("to_status")[:1])


def stock_households_as_of(*, area_code: str, as_of: datetime.date):
    """Households under the area that are in the 建档立卡 stock on ``as_of`` (a queryset)."""
    prefix, _ = _levels(area_code, None)
    return (
        Household.objects.filter(area_code__startswith=prefix)
        .annotate(state_as_of=_state_as_of(as_of))
        .filter(state_as_of__in=POOR_STATUSES)
    )


def stock_household_ids_as_of(*, area_code: str, as_of: datetime.date):
    return stock_households_as_of(area_code=area_code, as_of=as_of).values("pk")


def members_as_of(*, household_ids, as_of: datetime.date):
    """Members of the given households who belonged to them on ``as_of`` (see the module docstring)."""
    first_change = HouseholdStatusChange.objects.filter(household_id=OuterRef("household_id")).order_by("effective_date", "id")
    return (
        Member.objects.filter(household_id__in=household_ids)
        .annotate(registered_at=Subquery(first_change.values("at")[:1]))
        .filter(Q(created_at__lte=F("registered_at")) | Q(created_at__date__lte=as_of))
        .filter(Q(left_date__isnull=True) | Q(left_date__gt=as_of))
    )


def poverty_stock_as_of(*, area_code: str, as_of: datetime.date, group_level: str | None = None) -> dict[str, dict]:
    prefix, group_length = _levels(area_code, group_level)
    stock = stock_households_as_of(area_code=area_code, as_of=as_of)
    result: dict[str, dict] = {}
    for row in stock.annotate(group=Substr("area_code", 1, group_length)).values("group").annotate(households=Count("id")):
        result[_group_code(row["group"])] = {"households": row["households"], "persons": 0}
    persons = (
        members_as_of(household_ids=stock.values("pk"), as_of=as_of)
        .annotate(group=Substr("household__area_code", 1, group_length)).values("group").annotate(persons=Count("id"))
    )
    for row in persons:
        result.setdefault(_group_code(row["group"]), {"households": 0, "persons": 0})["persons"] = row["persons"]
    return result


def incidence(persons: int, population: int | None) -> Decimal | None:
    """贫困发生率 in %, 2 decimals; None without a denominator."""
    if not population:
        return None
    return (Decimal(persons) * 100 / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _village_populations(prefix: str, year: int) -> dict[str, tuple[int | None, int | None]]:
    """village code → (population, profile year): the year's profile, else the latest earlier one."""
    latest_year = (
        AreaYearProfile.objects.filter(area_id=OuterRef("pk"), year__lte=year, rural_registered_population__isnull=False)
        .order_by("-year")
    )
    villages = (
        Area.objects.filter(code__startswith=prefix, level=AreaLevel.VILLAGE)
        .annotate(profile_year=Subquery(latest_year.values("year")[:1]))
        .annotate(population=Subquery(latest_year.values("rural_registered_population")[:1], output_field=IntegerField()))
        .values_list("code", "population", "profile_year")
    )
    return {code: (population, profile_year) for code, population, profile_year in villages}


def poverty_incidence_as_of(*, area_code: str, as_of: datetime.date, group_level: str | None = None) -> dict[str, dict]:
    prefix, group_length = _levels(area_code, group_level)
    group_level_name = next(level for level, length in PREFIX_LENGTH.items() if length == group_length)
    if group_length == len(prefix):
        groups = [area_code]
    else:
        groups = list(
            Area.objects.filter(code__startswith=prefix, level=group_level_name).order_by("code").values_list("code", flat=True)
        )
    result = {
        code: {"households": 0, "persons": 0, "population": 0, "incidence": None, "villages_without_population": 0,
               "denominator_year": None}
        for code in groups
    }
    for code, stock in poverty_stock_as_of(area_code=area_code, as_of=as_of, group_level=group_level_name).items():
        row = result.setdefault(code, {"households": 0, "persons": 0, "population": 0, "incidence": None,
                                       "villages_without_population": 0, "denominator_year": None})
        row.update(stock)
    for village_code, (population, profile_year) in _village_populations(prefix, as_of.year).items():
        row = result.get(_group_code(village_code[:group_length]))
        if row is None:
            continue
        if population is None:
            row["villages_without_population"] += 1
            continue
        row["population"] += population
        if row["denominator_year"] is None or profile_year < row["denominator_year"]:
            row["denominator_year"] = profile_year
    for row in result.values():
        row["incidence"] = incidence(row["persons"], row["population"])
    return result
