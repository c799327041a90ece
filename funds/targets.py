"""Fund targets from ``PolicyParameter`` for many areas at once (DOMAIN.md §4: the current row of the most
specific ancestor whose year range covers the year; absence = "无目标", never an assumed value, Q8).

One query for an area and all its children, whatever their number: every current row set on the area's
chain or on one of the children, for the requested codes.
"""
from decimal import Decimal

from django.db.models import Q

# PolicyParameter codes (assessments.models.parameters.ParameterCode) the fund pages read.
SPEND_TARGET_CODE = "fund_spend_ratio_min"  # P-FD-01…03, %
CITY_RATIO_CODE = "city_fund_ratio_min"  # P-FD-04, %
CITY_RATIO_WITH_GROWTH_CODE = "city_fund_ratio_with_growth_min"  # P-FD-04 alternative, %
DISTRICT_RATIO_CODE = "district_fund_ratio_min"  # P-FD-05, %
INTEGRATED_MIN_CODE = "county_integrated_funds_min"  # P-FD-06, 元/年
INTEGRATED_GROWTH_CODE = "county_integrated_funds_growth_min"  # P-FD-06, %/年
PER_CAPITA_CODE = "per_capita_fund_input_min"  # P-FD-07, 元/人·年

CONTRIBUTION_CODES = (CITY_RATIO_CODE, CITY_RATIO_WITH_GROWTH_CODE, DISTRICT_RATIO_CODE, INTEGRATED_MIN_CODE,
                      INTEGRATED_GROWTH_CODE, PER_CAPITA_CODE)
ALL_CODES = (SPEND_TARGET_CODE, *CONTRIBUTION_CODES)


def _chain(area) -> list[str]:
    return [area.code, *reversed(area.ancestor_codes())]


def targets_for_areas(*, area, children, year: int, codes=ALL_CODES) -> dict[str, dict]:
    """area code → {parameter code → PolicyParameter | None} for ``area`` and each of ``children``. One query."""
    from assessments.models import PolicyParameter

    parent_chain = _chain(area)
    area_codes = set(parent_chain) | {child.code for child in children}
    rows = (PolicyParameter.objects.current().covering_year(year)
            .filter(Q(code__in=list(codes)), Q(area__code__in=area_codes))
            .select_related("area").order_by("code", "-year_from", "-id"))
    by_area: dict[str, list] = {}
    for row in rows:
        by_area.setdefault(row.area.code, []).append(row)

    def pick(chain):
        found = {}
        for code in codes:
            found[code] = next((row for area_code in chain for row in by_area.get(area_code, ()) if row.code == code),
                               None)
        return found

    result = {area.code: pick(parent_chain)}
    for child in children:
        result[child.code] = pick([child.code, *parent_chain])
    return result


def as_fraction(row) -> Decimal | None:
    """A % parameter as a fraction (0.92), or None when no row applies."""
    if row is None or row.value is None:
        return None
    return (Decimal(row.value) / 100).quantize(Decimal("0.0001"))
