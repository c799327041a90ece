"""Queue guarantees (docs/queue.md): with the broker unreachable a request that saved its rows answers
2xx within about 2 s and the work stays queued; the sweeper sends it again once the broker is back and the work
completes; an import whose database stays unreachable is failed, not left 写入中.

The broker is really unreachable (a closed local port, tests/queue_support.py); the database is the suite's
PostgreSQL. "Back" runs the re-sent tasks in-process (eager), as the import tests do.
"""
import logging
import time

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import OperationalError, connection, transaction

from households.imports.jobs import fail_stale_jobs, requeue_unstarted_jobs
from households.models import Household, ImportJob
from households.tasks import DATABASE_MESSAGE, commit_import_task, validate_import_task
from households.tests.import_files import many_households, workbook_bytes, xlsx_upload
from povalleviation.queue import send_now, send_on_commit, sweep_queues
from tests import queue_support
from tests.queue_support import minutes_ago

Status = ImportJob.Status
broker_down = queue_support.broker_down  # the fixture, used by name
SEND_SECONDS = 3  # settings aim at ~2 s per send while Redis is down (one connect timeout, one quick retry)


def test_settings_bound_every_send_and_every_task():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_connect_timeout"] <= 2 and options["socket_timeout"] <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 2
    assert settings.CELERY_TASK_IGNORE_RESULT is True
    # a message must not be handed out again while its task may still run (hard limit, longest retry wait)
    assert options["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert options["visibility_timeout"] > validate_import_task.retry_backoff_max
    assert settings.CELERY_BEAT_SCHEDULE["sweep-queues"]["task"] == "povalleviation.sweep_queues"
    from povalleviation.celery import app

    app.loader.import_default_modules()  # what a worker imports at start
    assert "povalleviation.sweep_queues" in app.tasks
    assert validate_import_task.ignore_result and not app.tasks["accounts.ping_database"].ignore_result


@pytest.mark.usefixtures("db", "broker_down")
def test_a_send_with_the_broker_unreachable_returns_fast_logs_and_never_raises(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.ERROR, logger="povalleviation.queue")
    started = time.monotonic()
    assert send_now(validate_import_task, 424242) is False
    assert time.monotonic() - started < SEND_SECONDS
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_on_commit(commit_import_task, 434343)
    assert len(callbacks) == 1 and callbacks[0].__qualname__ == "send_on_commit[households.commit_import]"
    logged = [record.getMessage() for record in caplog.records if record.name == "povalleviation.queue"]
    assert any("households.validate_import" in line and "424242" in line for line in logged), logged
    assert any("households.commit_import" in line and "434343" in line for line in logged), logged


def _upload(api, count=2):
    content = workbook_bytes(*many_households(count))
    return api.post("/api/v1/imports/", {"file": xlsx_upload(content, "台账.xlsx")}, format="multipart")


@pytest.mark.usefixtures("broker_down")
def test_import_upload_and_confirm_answer_2xx_with_the_broker_down_and_the_sweeper_finishes_them(
        village_cadre_a, api_for, media_root, django_capture_on_commit_callbacks):
    api = api_for(village_cadre_a)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        created = _upload(api)
    assert created.status_code == 201, created.content.decode()
    assert time.monotonic() - started < 10  # it was 0.7–19 s and a 500 before
    job = ImportJob.objects.get(pk=created.json()["id"])
    assert job.status == Status.UPLOADED and job.attempts == 0

    assert requeue_unstarted_jobs(minutes=10) == 0  # not yet N minutes old
    ImportJob.objects.filter(pk=job.pk).update(updated_at=minutes_ago(11))
    assert requeue_unstarted_jobs(minutes=10) == 0  # re-sent, but the broker is still down: stays queued
    job.refresh_from_db()
    assert job.status == Status.UPLOADED and job.updated_at > minutes_ago(1)  # next try one period later

    from povalleviation.celery import app

    app.conf.task_always_eager = True  # the broker is back: the re-sent task runs
    ImportJob.objects.filter(pk=job.pk).update(updated_at=minutes_ago(11))
    assert sweep_queues()["households.imports.jobs.requeue_unstarted_jobs"] == 1
    job.refresh_from_db()
    assert job.status == Status.VALID, job.message

    app.conf.task_always_eager = False
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(f"/api/v1/imports/{job.pk}/confirm/")
    assert confirmed.status_code in (200, 202), confirmed.content.decode()
    job.refresh_from_db()
    assert job.status == Status.COMMITTING and job.attempts == 0 and Household.objects.count() == 0
    assert fail_stale_jobs(minutes=0) == 0  # never started: the sweeper's, not failed as stale

    app.conf.task_always_eager = True
    ImportJob.objects.filter(pk=job.pk).update(updated_at=minutes_ago(11))
    assert requeue_unstarted_jobs(minutes=10) == 1
    job.refresh_from_db()
    assert job.status == Status.COMMITTED and Household.objects.count() == 2


def test_a_started_job_that_stopped_moving_is_failed_with_a_message_the_page_shows(village_cadre_a, media_root,
                                                                                  client_for):
    job = ImportJob.objects.get(pk=_upload_via_service(village_cadre_a))
    ImportJob.objects.filter(pk=job.pk).update(status=Status.VALIDATING, attempts=1,
                                               updated_at=minutes_ago(settings.IMPORT_STALE_MINUTES + 1))
    assert requeue_unstarted_jobs(minutes=10) == 0  # started: not sent again
    assert fail_stale_jobs() == 1
    page = client_for(village_cadre_a).get(f"/households/imports/{job.pk}/").content.decode()
    assert "没有进展，已停止处理" in page and "重新上传" in page


def _upload_via_service(user) -> int:
    from households.imports.jobs import import_job_create

    return import_job_create(actor=user, uploaded_file=xlsx_upload(workbook_bytes(*many_households(1)))).pk


def _database_error():
    """A real OperationalError from PostgreSQL (the statement is cancelled by its timeout)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
    except OperationalError as error:
        return error
    pytest.fail("PostgreSQL did not cancel the statement")


def test_import_retries_outlast_a_database_restart_then_fail_the_job(village_cadre_a, media_root, eager_tasks,
                                                                     monkeypatch):
    waits = [get_exponential_backoff_interval(validate_import_task.retry_backoff, retries,
                                              validate_import_task.retry_backoff_max, full_jitter=False)
             for retries in range(validate_import_task.max_retries)]
    assert 8 * 60 <= sum(waits) <= 12 * 60, waits  # about ten minutes of retries
    assert validate_import_task.autoretry_for == commit_import_task.autoretry_for == (OperationalError,
                                                                                     __import__("django").db.InterfaceError)

    job_id = _upload_via_service(village_cadre_a)
    calls = []

    def database_down(job_id, *, retries=0):
        calls.append(retries)
        raise _database_error()

    from povalleviation.celery import app

    monkeypatch.setattr("households.imports.jobs.run_validation", database_down)
    propagates, app.conf.task_eager_propagates = app.conf.task_eager_propagates, False  # eager retries run in turn
    try:
        validate_import_task.apply(args=(job_id,))  # eager: each retry runs at once, without its countdown
    finally:
        app.conf.task_eager_propagates = propagates
    job = ImportJob.objects.get(pk=job_id)
    assert calls == list(range(validate_import_task.max_retries + 1))
    assert job.status == Status.FAILED and job.message == DATABASE_MESSAGE.format(doing="校验")

    # A database that comes back before the last retry: the job finishes normally.
    job_id = _upload_via_service(village_cadre_a)
    monkeypatch.undo()
    validate_import_task.apply(args=(job_id,), retries=validate_import_task.max_retries - 1)
    assert ImportJob.objects.get(pk=job_id).status == Status.VALID


def test_a_fresh_web_process_finds_every_task_the_services_send_by_name():
    """Services name their tasks; a web process that has imported no ``tasks`` module yet still finds each one."""
    import subprocess
    import sys

    names = ["reports.generate_quarterly_report", "households.validate_import", "households.commit_import",
             "assessments.evaluate_household", "assessments.recompute_eligibility",
             "assessments.run_identification_comparison", "funds.tasks.recompute_fund_ratios_task"]
    script = ("import django; django.setup(); import sys; from celery import current_app; "
              "from povalleviation.queue import registered_task; "
              "assert not [n for n in sys.argv[1:] if n in current_app.tasks], 'already imported'; "
              "print(sorted(registered_task(n).name for n in sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=120,
                            cwd=settings.BASE_DIR)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(sorted(names))
