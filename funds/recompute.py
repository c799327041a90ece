"""Set-based recompute of stored spend ratios (DOMAIN.md §6.2; ARCHITECTURE.md convention 11).

One statement aggregates the ledger of a scope (usually a county) at the finest grain (receiving area ×
source), rolls the small result up to every level from the scope down, and inserts the rows. No Python loop
touches ledger rows; each run is recorded in ``FundRecomputeRun``.
"""
import datetime

from django.db import connection, transaction
from django.utils import timezone

from .choices import COUNTED_STATUSES
from .models import Disbursement, FundAllocation, FundRecomputeRun, SpendRatio

# Prefix lengths of the levels that can hold money: province, city, county, township, village (12-digit codes).
LEVEL_PREFIXES = (2, 4, 6, 9, 12)


def _keyed_sql(scope_length: int) -> str:
    """Each fine row contributes to its own area and every ancestor at or below the scope's level."""
    parts = []
    previous = 0
    for length in LEVEL_PREFIXES:
        if length >= scope_length:
            condition = "" if previous == 0 else f" WHERE substr(area_code, {previous + 1}, {12 - previous}) <> '{'0' * (12 - previous)}'"
            parts.append(f"SELECT substr(area_code, 1, {length}) || '{'0' * (12 - length)}' AS code, source_id, a, d FROM fine"
                         f"{condition}")
        previous = length
    return " UNION ALL ".join(parts)


def spend_ratio_sql(scope_length: int) -> str:
    statuses = ", ".join(f"'{s}'" for s in COUNTED_STATUSES)
    return f"""
WITH fine AS (
  SELECT area_code, source_id, SUM(a) AS a, SUM(d) AS d FROM (
    SELECT area_code, source_id, amount AS a, 0 AS d FROM {FundAllocation._meta.db_table}
      WHERE year = %s AND allocated_on <= %s AND area_code LIKE %s
    UNION ALL
    SELECT area_code, source_id, 0 AS a, amount AS d FROM {Disbursement._meta.db_table}
      WHERE year = %s AND paid_on <= %s AND status IN ({statuses}) AND area_code LIKE %s
  ) ledger GROUP BY area_code, source_id
), keyed AS ({_keyed_sql(scope_length)})
INSERT INTO {SpendRatio._meta.db_table} (area_id, year, source_id, as_of, allocated, disbursed, run_id)
SELECT area.id, %s, keyed.source_id, %s, SUM(keyed.a), SUM(keyed.d), %s
  FROM keyed JOIN villages_area area ON area.code = keyed.code GROUP BY area.id, keyed.source_id
UNION ALL
SELECT area.id, %s, NULL, %s, SUM(keyed.a), SUM(keyed.d), %s
  FROM keyed JOIN villages_area area ON area.code = keyed.code GROUP BY area.id
"""


@transaction.atomic
def spend_ratios_recompute(*, area, year: int, as_of: datetime.date | None = None,
                           trigger: str = "manual") -> FundRecomputeRun:
    """Replace the stored spend ratios of ``area`` and everything below it for ``year`` as of ``as_of``."""
    as_of = as_of or timezone.localdate()
    run = FundRecomputeRun.objects.create(scope_code=area.code, year=year, as_of=as_of, trigger=trigger,
                                          started_at=timezone.now())
    prefix = area.scope_prefix
    like = prefix + "%"
    SpendRatio.objects.filter(year=year, area__code__startswith=prefix).delete()
    with connection.cursor() as cursor:
        cursor.execute(spend_ratio_sql(len(prefix)), [year, as_of, like, year, as_of, like,
                                                      year, as_of, run.pk, year, as_of, run.pk])
        row_count = cursor.rowcount
    run.row_count = max(row_count, 0)
    run.disbursement_count = Disbursement.objects.filter(year=year, area_code__startswith=prefix, paid_on__lte=as_of,
                                                         status__in=COUNTED_STATUSES).count()
    run.finished_at = timezone.now()
    run.save(update_fields=["row_count", "disbursement_count", "finished_at"])
    return run

