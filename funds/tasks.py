"""Celery tasks of the fund ledger: take codes/ids, idempotent, queued on commit (ARCHITECTURE.md §12)."""
import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

# Only a lost or refused database connection is worth trying again; the task sends no messages itself, so no
# broker error can reach it. Any other error is a fault that a retry would repeat: it fails the task at once.
RETRIED = (OperationalError, InterfaceError)


# The name Celery derived from the module so far: messages already queued and the beat entry still match.
@shared_task(name="funds.tasks.recompute_fund_ratios_task", acks_late=True, autoretry_for=RETRIED,
             retry_backoff=True, retry_backoff_max=120, max_retries=5)
def recompute_fund_ratios_task(county_code: str | None = None, year: int | None = None):
    """Recompute stored spend ratios for one county (queued when money moves), or for every county with
    allocations in the year (the beat schedule). Idempotent: each run replaces the rows it covers."""
    from villages.codes import county_code as county_of
    from villages.models import Area

    from .models import FundAllocation
    from .recompute import spend_ratios_recompute

    year = year or timezone.localdate().year
    if county_code:
        counties = Area.objects.filter(code=county_code)
        trigger = "on_commit"
    else:
        county_codes = {county_of(code) for code in
                        FundAllocation.objects.filter(year=year).values_list("area_code", flat=True).distinct()}
        counties = Area.objects.filter(code__in=county_codes)
        trigger = "beat"
    runs = [spend_ratios_recompute(area=county, year=year, trigger=trigger).pk for county in counties]
    return runs


def requeue_missed_recomputes(*, minutes: int) -> int:
    """Sweeper (``povalleviation.queue``): a recompute queued when money moved is kept nowhere but in the broker,
    so a send lost while Redis was down leaves no row. Find each county and year with ledger rows recorded in
    the last day, more than ``minutes`` ago, after the county's latest recompute started, and queue it again.
    (Older changes, and reviews of existing rows, are covered by the nightly run.)"""
    from django.db.models import Max

    from povalleviation.queue import send_now
    from villages.codes import county_code as county_of

    from .models import Disbursement, FundAllocation, FundRecomputeRun

    now = timezone.now()
    window = (now - datetime.timedelta(days=1), now - datetime.timedelta(minutes=minutes))
    latest: dict[tuple[str, int], object] = {}
    for model in (Disbursement, FundAllocation):
        rows = model.objects.filter(created_at__range=window).values("area_code", "year").annotate(last=Max("created_at"))
        for row in rows:
            key = (county_of(row["area_code"]), row["year"])
            latest[key] = max(latest.get(key, row["last"]), row["last"])
    count = 0
    for (county, year), last in sorted(latest.items()):
        if not FundRecomputeRun.objects.filter(scope_code=county, year=year, started_at__gte=last).exists():
            count += send_now(recompute_fund_ratios_task, county_code=county, year=year)
    return count
