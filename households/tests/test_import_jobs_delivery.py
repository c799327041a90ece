"""No stuck import job: each delivery of a step is counted on the job and the job fails past
IMPORT_MAX_DELIVERIES without touching the file; the beat sweeper fails running jobs that stopped moving.
The real-worker SIGKILL case is in test_import_jobs_worker.py."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from households.imports.jobs import (
    REDELIVERED_MESSAGE,
    fail_stale_jobs,
    import_job_confirm,
    import_job_create,
    run_validation,
)
from households.models import Household, ImportJob, Member
from households.tasks import commit_import_task, fail_stale_imports_task, validate_import_task
from households.tests.import_files import (
    many_households,
    workbook_bytes,
    xlsx_upload,
)
from povalleviation.celery import app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "eager_tasks")]

Status = ImportJob.Status


def uploaded_job(user, count=2) -> ImportJob:
    """A stored upload whose validation task has not run yet (the on-commit queueing is not executed)."""
    content = workbook_bytes(*many_households(count))
    return import_job_create(actor=user, uploaded_file=xlsx_upload(content, "台账.xlsx"))


def test_each_delivery_is_counted_and_a_normal_run_finishes(village_cadre_a):
    job = uploaded_job(village_cadre_a)
    assert job.attempts == 0
    validate_import_task.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == Status.VALID and job.attempts == 1

    import_job_confirm(actor=village_cadre_a, job=job)
    job.refresh_from_db()
    assert job.status == Status.COMMITTING and job.attempts == 0  # the commit step has its own budget
    commit_import_task.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == Status.COMMITTED and job.attempts == 1 and Household.objects.count() == 2


def test_validation_delivered_past_the_limit_fails_without_reading_the_file(village_cadre_a, client_for, api_for):
    job = uploaded_job(village_cadre_a)
    # The previous deliveries each started validating, then killed their worker.
    ImportJob.objects.filter(pk=job.pk).update(status=Status.VALIDATING, progress=5,
                                               attempts=settings.IMPORT_MAX_DELIVERIES)
    validate_import_task.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.message == REDELIVERED_MESSAGE
    assert job.attempts == settings.IMPORT_MAX_DELIVERIES and job.finished_at is not None
    assert job.household_rows == 0 and job.errors == [] and not job.error_file  # the file was never read
    assert Household.objects.count() == 0

    validate_import_task.apply(args=(job.pk,))  # one more redelivery changes nothing
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.attempts == settings.IMPORT_MAX_DELIVERIES

    body = client_for(village_cadre_a).get(f"/households/imports/{job.pk}/").content.decode()
    assert REDELIVERED_MESSAGE in body and "导入失败" in body and 'data-running="0"' in body
    assert 'href="/households/imports/">重新上传</a>' in body
    shown = api_for(village_cadre_a).get(f"/api/v1/imports/{job.pk}/").json()
    assert shown["status"] == "failed" and shown["message"] == REDELIVERED_MESSAGE and shown["is_running"] is False
    status = client_for(village_cadre_a).get(f"/households/imports/{job.pk}/status/").json()
    assert status["message"] == REDELIVERED_MESSAGE and status["is_running"] is False

    # The failed job does not block the user: the same file uploaded again validates.
    again = uploaded_job(village_cadre_a)
    validate_import_task.apply(args=(again.pk,))
    again.refresh_from_db()
    assert again.status == Status.VALID and again.summary["households_new"] == 2


def test_commit_delivered_past_the_limit_fails_and_writes_nothing(village_cadre_a):
    job = uploaded_job(village_cadre_a)
    validate_import_task.apply(args=(job.pk,))
    job.refresh_from_db()
    import_job_confirm(actor=village_cadre_a, job=job)
    ImportJob.objects.filter(pk=job.pk).update(attempts=settings.IMPORT_MAX_DELIVERIES)
    commit_import_task.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.message == REDELIVERED_MESSAGE
    assert Household.objects.count() == 0 and Member.objects.count() == 0


def test_celery_retries_do_not_use_up_the_delivery_budget(village_cadre_a):
    """A retry after a lost database connection is not a worker dying; it may still run."""
    job = uploaded_job(village_cadre_a)
    ImportJob.objects.filter(pk=job.pk).update(attempts=settings.IMPORT_MAX_DELIVERIES)
    run_validation(job.pk, retries=1)
    job.refresh_from_db()
    assert job.status == Status.VALID and job.attempts == settings.IMPORT_MAX_DELIVERIES + 1


def test_sweeper_fails_running_jobs_that_stopped_moving_and_leaves_the_rest(village_cadre_a):
    minutes = settings.IMPORT_STALE_MINUTES
    long_ago = timezone.now() - timedelta(minutes=minutes + 1)
    stuck = {state: uploaded_job(village_cadre_a, count=1) for state in (Status.UPLOADED, Status.VALIDATING, Status.COMMITTING)}
    for state, job in stuck.items():
        ImportJob.objects.filter(pk=job.pk).update(status=state, progress=5, attempts=1, updated_at=long_ago)
    never_started = uploaded_job(village_cadre_a, count=1)  # the queue sweeper sends it again instead
    ImportJob.objects.filter(pk=never_started.pk).update(attempts=0, updated_at=long_ago)
    fresh = uploaded_job(village_cadre_a, count=1)
    ImportJob.objects.filter(pk=fresh.pk).update(status=Status.VALIDATING, progress=40,
                                                 updated_at=timezone.now() - timedelta(minutes=minutes - 1))
    finished = uploaded_job(village_cadre_a, count=1)
    ImportJob.objects.filter(pk=finished.pk).update(status=Status.COMMITTED, progress=100, message="导入完成",
                                                    updated_at=long_ago)

    assert fail_stale_imports_task.apply().get() == 3
    for job in stuck.values():
        job.refresh_from_db()
        assert job.status == Status.FAILED and job.finished_at is not None
        assert job.message == f"后台处理超过 {minutes} 分钟没有进展，已停止处理，未导入任何数据；请重新上传"
    fresh.refresh_from_db()
    finished.refresh_from_db()
    assert fresh.status == Status.VALIDATING and fresh.progress == 40
    assert finished.status == Status.COMMITTED and finished.message == "导入完成"
    never_started.refresh_from_db()
    assert never_started.status == Status.UPLOADED
    assert fail_stale_jobs() == 0  # idempotent

    # A late delivery of a swept job's task leaves it failed.
    validate_import_task.apply(args=(stuck[Status.VALIDATING].pk,))
    stuck[Status.VALIDATING].refresh_from_db()
    assert stuck[Status.VALIDATING].status == Status.FAILED and Household.objects.count() == 0


def test_progress_keeps_a_long_job_from_looking_stale(village_cadre_a):
    job = uploaded_job(village_cadre_a, count=1)
    long_ago = timezone.now() - timedelta(minutes=settings.IMPORT_STALE_MINUTES + 5)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.VALIDATING, updated_at=long_ago)
    validate_import_task.apply(args=(job.pk,))  # every progress step moves the job
    job.refresh_from_db()
    assert job.status == Status.VALID and job.updated_at > long_ago
    assert fail_stale_jobs() == 0


def test_the_sweeper_is_scheduled_and_workers_are_recycled_past_the_memory_bound():
    entry = settings.CELERY_BEAT_SCHEDULE["fail-stale-imports"]
    assert entry["task"] == fail_stale_imports_task.name
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 1024 * 1024
