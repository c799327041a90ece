"""Celery tasks of the fund ledger: take codes/ids, idempotent, queued on commit (ARCHITECTURE.md §12)."""
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
