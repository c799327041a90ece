"""Celery tasks of the eligibility engine. They take ids, are idempotent and are queued on commit."""
from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from povalleviation.queue import send_now

__all__ = ["evaluate_household_task", "recompute_eligibility_task", "recompute_eligibility_nightly_task"]


@shared_task(name="assessments.evaluate_household", acks_late=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=3)
def evaluate_household_task(household_id: int):
    """Re-evaluate one household (every year it has data for) after its record changed."""
    from assessments.eligibility.services import eligibility_evaluate_household_years

    return {"household_id": household_id,
            "years": [r.year for r in eligibility_evaluate_household_years(household_id=household_id)]}


@shared_task(name="assessments.recompute_eligibility", acks_late=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=3)
def recompute_eligibility_task(area_id: int, year: int, run_id: int | None = None, only_if_queued: bool = False):
    """Recompute an area (a county, usually) for a year; ``run_id`` names the run a user started.

    A run that already finished is not computed again (a redelivered message changes nothing). A message sent
    again by the queue sweeper (``only_if_queued``) computes the run only if no other message started it.
    """
    from assessments.eligibility.models import RecomputeRun
    from assessments.eligibility.services import eligibility_recompute
    from villages.models import Area

    area = Area.objects.filter(pk=area_id).first()
    if area is None:
        return {"skipped": "area missing"}
    run = None
    if run_id is not None:
        run = RecomputeRun.objects.filter(pk=run_id).first()
        if run is None:
            return {"skipped": "run missing"}
        if run.status == RecomputeRun.Status.SUCCEEDED:
            return {"run_id": run.pk, "skipped": "already done"}
        if only_if_queued and run.status != RecomputeRun.Status.QUEUED:
            return {"run_id": run.pk, "skipped": "already started"}
    run = eligibility_recompute(area=area, year=year, run=run, trigger="task" if run is None else run.trigger)
    return {"run_id": run.pk, "evaluated": run.evaluated, "passed": run.passed_count, "failed": run.failed_count,
            "unknown": run.unknown_count}


@shared_task(name="assessments.recompute_eligibility_nightly")
def recompute_eligibility_nightly_task(year: int | None = None):
    """The nightly run (beat, 02:30): one recorded run per county, for the current year unless given."""
    from assessments.eligibility.models import RecomputeRun
    from villages.choices import AreaLevel
    from villages.models import Area

    year = year or timezone.localdate().year
    queued = []
    for county in Area.objects.filter(level=AreaLevel.COUNTY).order_by("code"):
        run = RecomputeRun.objects.create(area=county, year=year, trigger="nightly")
        send_now(recompute_eligibility_task, county.pk, year, run.pk)  # a lost send: the queue sweeper resends
        queued.append(run.pk)
    return {"year": year, "runs": queued}
