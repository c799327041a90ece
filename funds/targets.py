"""Fund targets from ``PolicyParameter`` for many areas at once (DOMAIN.md §4: the current row of the most
specific ancestor whose year range covers the year; absence = "无目标", never an assumed value, Q8).

One query for an area and all its children, whatever their number: every current row set on the area's
chain or on one of the children, for the requested codes.

With ``as_of`` (quarterly reports) the rows are the versions in force on that day instead of the current
ones. ``PolicyParameter`` keeps every version (an edit supersedes the row with ``superseded_at``), so the
version of a series in force on day D is its earliest version not superseded by the end of D — the one
current then, or, for a series first set after D, its first version (a new record counts as always there,
as in ``accounts.history``); a series retired on or before D does not apply. The service refuses overlapping
current rows, so an area has two candidates for a code and year only when one replaced the other after D
(retired, then set anew): the one set first — the one in force on D — wins.
"""
import datetime
from decimal import Decimal

from django.db.models import Q

from accounts.history import day_end

# PolicyParameter codes (assessments.policy.models.ParameterCode) the fund pages read.
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


def _rows_in_force(*, codes, area_codes, year: int, as_of: datetime.date) -> list:
    """The version of each series in force on ``as_of`` that covers the year, most specific first."""
    from assessments.policy.models import PolicyParameter

    end = day_end(as_of)
    candidates = (PolicyParameter.objects.filter(Q(code__in=list(codes)), Q(area__code__in=area_codes))
                  .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=end))
                  .select_related("area").order_by("series", "version"))
    chosen: dict = {}
    for row in candidates:
        chosen.setdefault(row.series, row)
    rows = [row for row in chosen.values() if row.year_from <= year and (row.year_to is None or row.year_to >= year)]
    rows.sort(key=lambda row: (row.code, row.created_at, row.id))
    return rows


def targets_for_areas(*, area, children, year: int, codes=ALL_CODES, as_of: datetime.date | None = None) -> dict[str, dict]:
    """area code → {parameter code → PolicyParameter | None} for ``area`` and each of ``children``. One query.
    ``as_of``: the versions in force on that day rather than the current ones."""
    from assessments.policy.models import PolicyParameter

    parent_chain = _chain(area)
    area_codes = set(parent_chain) | {child.code for child in children}
    if as_of is None:
        rows = (PolicyParameter.objects.current().covering_year(year)
                .filter(Q(code__in=list(codes)), Q(area__code__in=area_codes))
                .select_related("area").order_by("code", "-year_from", "-id"))
    else:
        rows = _rows_in_force(codes=codes, area_codes=area_codes, year=year, as_of=as_of)
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
