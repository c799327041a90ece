"""Local contribution ratios against their targets, per area and fiscal year (DOMAIN.md §4.3 P-FD-04…07,
§6.2 "Contribution ratios"; rule kinds as DOMAIN.md names them):

- P-FD-04 ``RATIO_OR_RATIO_AND_GROWTH`` (焦作市, 001_5bc03b4b95b81c94.txt §三(四)): 市级 ≥ 60 % of (中央 + 省),
  or ≥ 40 % of (中央 + 省) and the 市级 growth rate above that of (中央 + 省).
- P-FD-05 ``RATIO_OF_UPPER_LEVELS`` (上街区, 004_c61319f7ee03391d.txt §五(十九)): 区级 ≥ 40 % of (中央 + 省 + 市).
- P-FD-06 ``MIN_AMOUNT_WITH_GROWTH`` (新平县, 002_3c24fdc0372bba72.txt §三(二)): 县级统筹整合资金 ≥ 500 万元 a year,
  growing ≥ 10 % over the previous year.
- P-FD-07 ``PER_CAPITA_SHARED`` (广东省, 003_4668418ac55f704e.txt §三.13): 2 万元 of fiscal input per 帮扶对象
  (registered poor person); evaluated per year (period vs year is open, DOMAIN.md §8); the 6:3:1 split is
  not checked.

Money is what was allocated (下达) for the fiscal year on or before the as-of date; growth compares with the
previous fiscal year's allocations on or before the same day a year earlier (上年同期). Ratio and per-capita
targets are inherited by the areas below the one that sets them (they do not depend on an area's size);
the amount target of P-FD-06 applies only to the area that sets it. Set-based: one grouped query over the
allocations of the area and its children, whatever their number (``contribution_amounts``).
"""
import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Substr

from households.money import per_head, yuan
from projects.choices import FundKind, SourceLevel

from .models import FundAllocation
from .targets import (
    CITY_RATIO_CODE,
    CITY_RATIO_WITH_GROWTH_CODE,
    DISTRICT_RATIO_CODE,
    INTEGRATED_GROWTH_CODE,
    INTEGRATED_MIN_CODE,
    PER_CAPITA_CODE,
    as_fraction,
)

ZERO = Decimal("0")
FOUR = Decimal("0.0001")
COMPARE = {"gte": lambda a, b: a >= b, "gt": lambda a, b: a > b, "lte": lambda a, b: a <= b,
           "lt": lambda a, b: a < b, "eq": lambda a, b: a == b, "": lambda a, b: a >= b}


def previous_as_of(as_of: datetime.date) -> datetime.date:
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - 1, day=28)


def contribution_amounts(*, prefix: str, key_length: int, year: int, as_of: datetime.date) -> dict:
    """{(key, year, level, kind): amount} for this year and the previous one (上年同期). One query."""
    window = Q(year=year, allocated_on__lte=as_of) | Q(year=year - 1, allocated_on__lte=previous_as_of(as_of))
    rows = (FundAllocation.objects.filter(window, area_code__startswith=prefix)
            .annotate(key=Substr("area_code", 1, key_length))
            .values_list("key", "year", "source__level", "source__kind").annotate(total=Sum("amount")).order_by())
    return {(key, row_year, level, kind): total for key, row_year, level, kind, total in rows}


class Totals:
    """The money of one area by level and kind, this year and last."""

    def __init__(self, amounts: dict, year: int, key: str | None = None):
        self.year = year
        self.rows = [(k, v) for k, v in amounts.items() if key is None or k[0] == key]

    def sum(self, *, year_offset=0, levels=None, kinds=None, exclude_kinds=()):
        return sum((amount for (_, row_year, level, kind), amount in self.rows
                    if row_year == self.year - year_offset and (levels is None or level in levels)
                    and (kinds is None or kind in kinds) and kind not in exclude_kinds), ZERO)


def _ratio(numerator, denominator):
    return None if not denominator else (Decimal(numerator) / Decimal(denominator)).quantize(FOUR)


def _growth(current, previous):
    return None if not previous else ((Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(FOUR)


def _percent(value):
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'))} %"


def _yuan(value):
    return f"{yuan(value)} 元"


def _result(row, *, label, measured, measured_text, target_text, met, detail):
    return {"policy_ref": row.policy_ref, "code": row.code, "label": label, "measured": measured,
            "measured_text": measured_text, "target_text": target_text, "below_target": None if met is None else not met,
            "detail": detail, "citation": row.source_citation}


def _compare(value, row, threshold):
    return None if value is None or threshold is None else COMPARE[row.comparator](value, threshold)


def _city_rule(totals, ratio_row, growth_row):
    upper_levels = (SourceLevel.CENTRAL, SourceLevel.PROVINCE)
    city, upper = totals.sum(levels=(SourceLevel.CITY,)), totals.sum(levels=upper_levels)
    city_growth = _growth(city, totals.sum(year_offset=1, levels=(SourceLevel.CITY,)))
    upper_growth = _growth(upper, totals.sum(year_offset=1, levels=upper_levels))
    value = _ratio(city, upper)
    main_row = ratio_row or growth_row
    met = _compare(value, main_row, as_fraction(ratio_row)) if ratio_row else False
    target_text = f"≥ {main_row.value_text} %" if ratio_row else ""
    if growth_row is not None:
        target_text += ("，或 " if ratio_row else "") + f"≥ {growth_row.value_text} % 且增幅高于中央和省级"
        alternative = _compare(value, growth_row, as_fraction(growth_row)) and city_growth is not None and (
            upper_growth is None or city_growth > upper_growth)
        met = None if value is None else bool(met or alternative)
    return _result(main_row, label="市级投入占中央和省级资金", measured=value, measured_text=_percent(value),
                   target_text=target_text, met=None if value is None else met,
                   detail=f"市级 {_yuan(city)} ÷ 中央和省级 {_yuan(upper)}；增幅 市级 {_percent(city_growth)}，"
                          f"中央和省级 {_percent(upper_growth)}")


def _district_rule(totals, row):
    local = totals.sum(levels=(SourceLevel.COUNTY,))
    upper = totals.sum(levels=(SourceLevel.CENTRAL, SourceLevel.PROVINCE, SourceLevel.CITY))
    value = _ratio(local, upper)
    return _result(row, label="县（区）级投入占中央、省、市资金", measured=value, measured_text=_percent(value),
                   target_text=f"≥ {row.value_text} %", met=_compare(value, row, as_fraction(row)),
                   detail=f"县（区）级 {_yuan(local)} ÷ 中央、省、市 {_yuan(upper)}")


def _integrated_rules(totals, minimum_row, growth_row):
    levels, kinds = (SourceLevel.COUNTY,), (FundKind.INTEGRATED,)
    current, previous = totals.sum(levels=levels, kinds=kinds), totals.sum(year_offset=1, levels=levels, kinds=kinds)
    results = []
    if minimum_row is not None:
        results.append(_result(minimum_row, label="县级统筹整合资金", measured=current, measured_text=_yuan(current),
                               target_text=f"≥ {minimum_row.value_text} 元", detail=f"{totals.year} 年已下达",
                               met=_compare(current, minimum_row, Decimal(minimum_row.value))))
    if growth_row is not None:
        growth = _growth(current, previous)
        results.append(_result(growth_row, label="县级统筹整合资金年增幅", measured=growth, measured_text=_percent(growth),
                               target_text=f"≥ {growth_row.value_text} %", met=_compare(growth, growth_row, as_fraction(growth_row)),
                               detail=f"本年 {_yuan(current)}，上年同期 {_yuan(previous)}"))
    return results


def _per_capita_rule(totals, row, persons):
    fiscal = totals.sum(exclude_kinds=(FundKind.DONATION,))
    value = None if not persons else per_head(fiscal, persons)
    return _result(row, label="人均财政扶贫投入", measured=value, measured_text="—" if value is None else _yuan(value),
                   target_text=f"≥ {row.value_text} 元/人", met=_compare(value, row, Decimal(row.value)),
                   detail=f"财政资金 {_yuan(fiscal)} ÷ 建档立卡贫困人口 {persons or 0} 人")


def evaluate_area(*, area, totals: Totals, targets: dict, persons: int | None = None) -> list[dict]:
    """Every contribution rule that applies to ``area`` (per ``targets``, a code → row map), evaluated."""
    results = []
    if targets.get(CITY_RATIO_CODE) or targets.get(CITY_RATIO_WITH_GROWTH_CODE):
        results.append(_city_rule(totals, targets.get(CITY_RATIO_CODE), targets.get(CITY_RATIO_WITH_GROWTH_CODE)))
    if targets.get(DISTRICT_RATIO_CODE):
        results.append(_district_rule(totals, targets[DISTRICT_RATIO_CODE]))
    own = {code: row for code in (INTEGRATED_MIN_CODE, INTEGRATED_GROWTH_CODE)
           if (row := targets.get(code)) is not None and row.area_id == area.pk}
    if own:
        results.extend(_integrated_rules(totals, own.get(INTEGRATED_MIN_CODE), own.get(INTEGRATED_GROWTH_CODE)))
    if targets.get(PER_CAPITA_CODE):
        results.append(_per_capita_rule(totals, targets[PER_CAPITA_CODE], persons))
    return results


def contribution_evaluations(*, area, children, year: int, as_of: datetime.date, targets: dict,
                             child_length: int | None) -> list[dict]:
    """[{area, results: [...]}] for the area and each child that has at least one applicable rule and received
    money this year or last (or, under a per-capita rule, has registered poor people)."""
    applicable = [a for a in [area, *children] if any(targets[a.code].get(code) for code in (
        CITY_RATIO_CODE, CITY_RATIO_WITH_GROWTH_CODE, DISTRICT_RATIO_CODE, PER_CAPITA_CODE))
        or any((row := targets[a.code].get(code)) is not None and row.area_id == a.pk
               for code in (INTEGRATED_MIN_CODE, INTEGRATED_GROWTH_CODE))]
    if not applicable:
        return []
    key_length = child_length or len(area.scope_prefix)
    amounts = contribution_amounts(prefix=area.scope_prefix, key_length=key_length, year=year, as_of=as_of)
    persons = _persons(area, applicable, targets, as_of, child_length)
    evaluations = []
    for subject in applicable:
        key = None if subject is area else subject.code[:key_length]
        totals = Totals(amounts, year, key)
        if subject is not area and not totals.rows and not persons.get(subject.code):
            continue  # a sub-area without money this year or last, nor registered poor people: nothing to judge
        results = evaluate_area(area=subject, totals=totals, targets=targets[subject.code],
                                persons=persons.get(subject.code))
        evaluations.append({"area": subject, "results": results})
    return evaluations


def _persons(area, applicable, targets, as_of, child_length) -> dict[str, int]:
    """建档立卡 persons at the as-of date per area (two queries, only when a per-capita rule applies)."""
    if not any(targets[a.code].get(PER_CAPITA_CODE) for a in applicable):
        return {}
    from households.selectors_asof import poverty_stock_as_of
    from villages.choices import LEVEL_ORDER, PREFIX_LENGTH

    group_level = next((level for level in LEVEL_ORDER if PREFIX_LENGTH[level] == child_length), None)
    stock = poverty_stock_as_of(area_code=area.code, as_of=as_of, group_level=group_level)
    persons = {area.code: sum(row["persons"] for row in stock.values())}
    for code, row in stock.items():
        persons[code] = row["persons"]
    return persons
