"""Background tasks of the households app: validating and committing Excel imports.

Both take the job id, are queued with ``transaction.on_commit`` and are idempotent (see
``households.imports.jobs``). A lost database connection is retried with backoff for about 10 minutes and
then fails the job; any other failure marks the job failed with a message the uploader can read, instead of leaving it "in progress".
A worker that dies inside a task (the broker redelivers it) is bounded by the delivery count each step
keeps on the job, and ``fail_stale_imports_task`` (beat) fails jobs that stopped moving.
"""
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from households.imports import jobs

logger = logging.getLogger(__name__)

RETRIED = (OperationalError, InterfaceError)
# A lost database connection is retried for about 10 minutes (20, 40, 80, 160, 300 s: a database restart of
# several minutes), then the job is failed with DATABASE_MESSAGE instead of being left "in progress".
RETRY_OPTIONS = dict(acks_late=True, autoretry_for=RETRIED, retry_backoff=20, retry_backoff_max=300,
                     retry_jitter=False, max_retries=5)
DATABASE_MESSAGE = "数据库长时间无法连接，{doing}已停止，未导入任何数据；请稍后重新上传或重试"


def _run_step(task, step, job_id: int, doing: str, failure: str):
    """Run one step of an import job; a lost database connection is retried by Celery (autoretry) until the last
    retry, which fails the job; anything else is logged and fails the job with ``failure``."""
    retries = task.request.retries or 0
    try:
        step(job_id, retries=retries)
    except RETRIED:
        if retries < task.max_retries:
            raise
        logger.exception("import job %s: database still unreachable after %s retries", job_id, retries)
        try:
            jobs.mark_failed(job_id, DATABASE_MESSAGE.format(doing="校验" if doing == "validating" else "导入"))
        except RETRIED:  # still down: fail_stale_imports fails the job once it has been quiet long enough
            logger.exception("import job %s: could not record the failure either", job_id)
    except Exception:
        logger.exception("%s import job %s", doing, job_id)
        jobs.mark_failed(job_id, failure)


@shared_task(bind=True, name="households.validate_import", **RETRY_OPTIONS)
def validate_import_task(self, job_id: int):
    _run_step(self, jobs.run_validation, job_id, "validating",
              "校验失败：处理文件时发生系统错误，请检查文件是否由导入模板填写，或联系管理员")


@shared_task(bind=True, name="households.commit_import", **RETRY_OPTIONS)
def commit_import_task(self, job_id: int):
    _run_step(self, jobs.run_commit, job_id, "committing", "导入失败：写入时发生系统错误，未导入任何数据；请联系管理员")


@shared_task(name="households.fail_stale_imports", acks_late=True, autoretry_for=RETRIED, retry_backoff=True,
             max_retries=3)
def fail_stale_imports_task():
    """Beat: fail import jobs that have not moved for IMPORT_STALE_MINUTES (idempotent)."""
    return jobs.fail_stale_jobs()
