"""Village (出列) and county (摘帽) criteria, computed from aggregates in a handful of queries.

贫困发生率's numerator is the 建档立卡 stock on the evaluation's as-of date, rebuilt from the households'
status and member history (``households.selectors_asof``; DOMAIN.md §5.2 step 1, §6.2), never from the
current status: a household that exits after that date still counts on it.
"""
import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from assessments.eligibility.criteria import FAIL, PASS, UNKNOWN, compare, overall
from assessments.policy.models import ParameterCode
from households.selectors_asof import poverty_stock_as_of
from villages.choices import AreaLevel
from villages.models import AreaYearProfile

from .stock_sql import stock_by_village

INFRASTRUCTURE_FIELDS = [
    ("has_water", "通水"), ("has_power", "通电"), ("has_hard_road", "通硬化路"), ("has_broadband", "通宽带"),
    ("has_post", "通邮"), ("has_bus", "通客车"),
]
VILLAGE_PARAMETER_CODES = [ParameterCode.VILLAGE_INCIDENCE_MAX, ParameterCode.VILLAGE_COLLECTIVE_INCOME_MIN]
COUNTY_PARAMETER_CODES = [ParameterCode.COUNTY_INCIDENCE_MAX]


def incidence(poor_persons: int, population: int) -> Decimal:
    """贫困发生率 in %, 2 decimals (DOMAIN.md §6.2)."""
    return (Decimal(poor_persons) * 100 / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _threshold(row) -> dict:
    return {
        "threshold": row.value_text if row else None, "comparator": row.comparator if row else None,
        "parameter_id": row.pk if row else None, "from_seeds": row.is_from_seeds if row else None,
    }


def as_of_date(year: int, today: datetime.date | None = None) -> datetime.date:
    """The stock date of a year's evaluation: 31 December of the year, or today while the year runs."""
    return min(today or timezone.localdate(), datetime.date(year, 12, 31))


def _incidence_criterion(*, poor_households, poor_persons, population, row, missing_reason="no_population") -> dict:
    value = incidence(poor_persons, population) if population else None
    if row is None or not row.comparator:
        status, reason = UNKNOWN, "no_threshold"
    elif value is None:
        status, reason = UNKNOWN, missing_reason
    elif compare(value, row.comparator, row.value):
        status, reason = PASS, "ok"
    else:
        status, reason = FAIL, "above_threshold"
    return {"status": status, "reason": reason, "gate": True, "poor_households": poor_households,
            "poor_persons": poor_persons, "population": population, "value": None if value is None else str(value),
            **_threshold(row)}


def evaluate_village(*, poor_households: int, poor_persons: int, profile, rows: dict) -> tuple[bool | None, dict]:
    population = profile.rural_registered_population if profile else None
    criteria = {"INCIDENCE": _incidence_criterion(
        poor_households=poor_households, poor_persons=poor_persons, population=population,
        row=rows.get(ParameterCode.VILLAGE_INCIDENCE_MAX),
    )}
    income_row = rows.get(ParameterCode.VILLAGE_COLLECTIVE_INCOME_MIN)
    income = profile.collective_income if profile else None
    if income_row is None or not income_row.comparator:
        status, reason = UNKNOWN, "no_threshold"
    elif income is None:
        status, reason = UNKNOWN, "no_data"
    elif compare(income, income_row.comparator, income_row.value):
        status, reason = PASS, "ok"
    else:
        status, reason = FAIL, "below_threshold"
    criteria["COLLECTIVE_INCOME"] = {"status": status, "reason": reason, "gate": True,
                                     "value": None if income is None else str(income), **_threshold(income_row)}
    facts = {label: (getattr(profile, field) if profile else None) for field, label in INFRASTRUCTURE_FIELDS}
    missing = [label for label, value in facts.items() if value is False]
    unknown = [label for label, value in facts.items() if value is None]
    status, reason = (FAIL, "missing") if missing else ((UNKNOWN, "no_data") if unknown else (PASS, "ok"))
    criteria["INFRASTRUCTURE"] = {"status": status, "reason": reason, "gate": False, "missing": missing, "unknown": unknown}
    clinic = profile.has_standard_clinic if profile else None
    status, reason = (UNKNOWN, "no_data") if clinic is None else ((PASS, "ok") if clinic else (FAIL, "missing"))
    criteria["CLINIC"] = {"status": status, "reason": reason, "gate": False, "value": clinic}
    return overall(criteria), criteria


def evaluate_county(*, poor_households: int, poor_persons: int, population: int | None, population_source: str,
                    villages_without_population: int, row, poor_villages: int, exited_villages: int):
    criteria = {"INCIDENCE": _incidence_criterion(
        poor_households=poor_households, poor_persons=poor_persons, population=population, row=row,
        missing_reason="population_incomplete" if villages_without_population else "no_population",
    )}
    criteria["INCIDENCE"].update(population_source=population_source, villages_without_population=villages_without_population)
    if poor_villages == 0:
        status, reason, share = UNKNOWN, "no_poor_villages", None
    else:
        share = str(incidence(exited_villages, poor_villages))
        status, reason = (PASS, "ok") if exited_villages == poor_villages else (FAIL, "remaining")
    criteria["POOR_VILLAGES_EXITED"] = {"status": status, "reason": reason, "gate": False, "poor_villages": poor_villages,
                                        "exited": exited_villages, "value": share}
    # 错退率、漏评率、群众认可度 (P-CT-01 ⚠): sampled by 第三方评估, not recorded in this system.
    criteria["SAMPLE_CHECKS"] = {"status": UNKNOWN, "reason": "no_data", "gate": False}
    return overall(criteria), criteria


def fingerprint(*parts) -> str:
    return hashlib.md5("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()


def poor_totals_by_village(*, area, villages, as_of: datetime.date) -> dict[int, tuple[int, int]]:
    """village id → (poor households, poor persons) in the 建档立卡 stock on ``as_of``, from the status and
    member history: one statement on PostgreSQL (``stock_sql``), ``households.selectors_asof`` elsewhere
    (the same definition; a test holds the two equal)."""
    if connection.vendor == "postgresql":
        return stock_by_village(prefix=area.scope_prefix, as_of=as_of)
    stock = poverty_stock_as_of(area_code=area.code, as_of=as_of, group_level=AreaLevel.VILLAGE)
    totals = {}
    for village in villages:
        row = stock.get(village.code)
        if row:
            totals[village.pk] = (row["households"], row["persons"])
    return totals


def profiles_for(prefix: str, year: int) -> dict[int, AreaYearProfile]:
    return {p.area_id: p for p in AreaYearProfile.objects.filter(area__code__startswith=prefix, year=year)}


def village_population_total(villages, profiles) -> tuple[int, int]:
    """Sum of the villages' 农村户籍人口 and how many villages have none entered."""
    total, missing = 0, 0
    for village in villages:
        profile = profiles.get(village.pk)
        if profile is None or profile.rural_registered_population is None:
            missing += 1
        else:
            total += profile.rural_registered_population
    return total, missing

