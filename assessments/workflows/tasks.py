"""Celery tasks of the exit workflows: they take ids, are idempotent and call the services the web uses."""

from celery import shared_task

from povalleviation.errors import ApplicationError

__all__ = ["run_identification_comparison_task", "close_due_publicities_task"]


@shared_task(
    name="assessments.run_identification_comparison",
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def run_identification_comparison_task(verification_id: int) -> dict:
    """Run the 比对 when an identification reaches its comparison step (queued on commit)."""
    from assessments.workflows.models import Verification
    from assessments.workflows.services import identification_compare

    verification = Verification.objects.filter(pk=verification_id).first()
    if (
        verification is None
        or verification.waiting_step is None
        or verification.waiting_step["kind"] != "comparison"
    ):
        return {"verification": verification_id, "skipped": True}
    try:
        matches = identification_compare(actor=None, verification=verification)
    except ApplicationError as error:
        return {"verification": verification_id, "skipped": True, "reason": error.message}
    return {"verification": verification_id, "matches": len(matches)}


@shared_task(name="assessments.close_due_publicities", acks_late=True)
def close_due_publicities_task() -> dict:
    """Daily: close every 公示 whose end date has come and that has no open objection."""
    from assessments.workflows.services import close_due_publicities

    result = close_due_publicities()
    return {"closed": result["closed"], "refused": len(result["refused"])}
