"""Background tasks of the households app: validating and committing Excel imports.

Both take the job id, are queued with ``transaction.on_commit`` and are idempotent (see
``households.imports.jobs``). A lost database connection is retried with backoff; any other failure
marks the job failed with a message the uploader can read, instead of leaving it "in progress".
A worker that dies inside a task (the broker redelivers it) is bounded by the delivery count each step
keeps on the job, and ``fail_stale_imports_task`` (beat) fails jobs that stopped moving.
"""
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from households.imports import jobs

logger = logging.getLogger(__name__)

RETRIED = (OperationalError, InterfaceError)


def _run_step(task, step, job_id: int, doing: str, failure: str):
    """Run one step of an import job; a lost database connection is retried by Celery, anything else is logged
    and fails the job with ``failure``."""
    try:
        step(job_id, retries=task.request.retries or 0)
    except RETRIED:
        raise
    except Exception:
        logger.exception("%s import job %s", doing, job_id)
        jobs.mark_failed(job_id, failure)


@shared_task(bind=True, name="households.validate_import", acks_late=True, autoretry_for=RETRIED,
             retry_backoff=True, retry_backoff_max=120, max_retries=5)
def validate_import_task(self, job_id: int):
    _run_step(self, jobs.run_validation, job_id, "validating",
              "校验失败：处理文件时发生系统错误，请检查文件是否由导入模板填写，或联系管理员")


@shared_task(bind=True, name="households.commit_import", acks_late=True, autoretry_for=RETRIED,
             retry_backoff=True, retry_backoff_max=120, max_retries=5)
def commit_import_task(self, job_id: int):
    _run_step(self, jobs.run_commit, job_id, "committing", "导入失败：写入时发生系统错误，未导入任何数据；请联系管理员")


@shared_task(name="households.fail_stale_imports", acks_late=True, autoretry_for=RETRIED, retry_backoff=True,
             max_retries=3)
def fail_stale_imports_task():
    """Beat: fail import jobs that have not moved for IMPORT_STALE_MINUTES (idempotent)."""
    return jobs.fail_stale_jobs()
