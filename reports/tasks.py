"""Celery task of the reports app: takes an id, idempotent, queued on commit (ARCHITECTURE.md §12)."""
from celery import shared_task


@shared_task(name="reports.generate_quarterly_report", acks_late=True)
def generate_quarterly_report_task(report_id: int):
    """Compute the snapshot and render the draft PDF of one report; a no-op unless it is waiting."""
    from .generation import report_build

    report = report_build(report_id)
    return None if report is None else report.status
