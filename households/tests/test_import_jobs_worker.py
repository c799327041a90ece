"""A killed worker leaves a failed job, not a stuck one: a real Celery worker (prefork, through Redis) whose
pool child is SIGKILLed while it validates an import, every time the broker redelivers the task."""
import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings

from conftest import VILLAGE_A
from households.imports import jobs
from households.imports.generator import Village, write_household_file
from households.imports.jobs import REDELIVERED_MESSAGE, import_job_create
from households.models import Household, ImportJob, Member
from households.tasks import validate_import_task
from households.tests.import_files import many_households, workbook_bytes, xlsx_upload
from tests.celery_support import celery_worker, fail_if_exited, fail_with_output, new_queue, require_redis

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

Status = ImportJob.Status
TIME_LIMIT = 50  # seconds for the whole test, worker start included


def pool_children(pid: int) -> list[int]:
    """The worker's pool processes (prefork children of the main worker process)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def upload(user, content: bytes, name: str) -> ImportJob:
    return import_job_create(actor=user, uploaded_file=xlsx_upload(content, name))


def wait_for(job_id, statuses, deadline, worker, log):
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        fail_if_exited(worker, log)
        time.sleep(0.1)
    fail_with_output(log, f"job {job_id} still {ImportJob.objects.get(pk=job_id).status}; worker output")


def test_a_killed_worker_leaves_a_failed_job_not_a_stuck_one(village_cadre_a, tmp_path, settings_override, monkeypatch):
    require_redis()
    started = time.monotonic()
    big = tmp_path / "big.xlsx"
    write_household_file(big, households=6000, members_per_household=3, villages=[Village(VILLAGE_A, "太和村委会")])
    # The test queues each task itself, on a queue only its own worker reads.
    monkeypatch.setattr(jobs, "send_on_commit", lambda *args, **kwargs: None)
    job = upload(village_cadre_a, big.read_bytes(), "整村台账.xlsx")

    queue = new_queue()
    limit = settings.IMPORT_MAX_DELIVERIES
    worker_env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "IMPORT_MAX_DELIVERIES": str(limit)}
    with celery_worker(queue, pool="prefork", stop_timeout=20, env=worker_env) as (worker, log):
        deadline = started + TIME_LIMIT
        validate_import_task.apply_async((job.pk,), queue=queue)
        killed = []
        while True:
            current = wait_for(job.pk, (Status.VALIDATING, Status.FAILED, Status.VALID, Status.INVALID),
                               deadline, worker, log)
            if current.status != Status.VALIDATING:
                break
            if current.attempts == len(killed) + 1:  # delivery n is validating: kill the process running it
                assert current.attempts <= limit, "a delivery past the limit must not start validating"
                children = pool_children(worker.pid)
                assert len(children) == 1, children
                os.kill(children[0], signal.SIGKILL)
                killed.append(children[0])
            time.sleep(0.05)

        assert current.status == Status.FAILED, (current.status, current.message)
        assert current.message == REDELIVERED_MESSAGE and current.progress == 100
        assert current.attempts == limit and len(set(killed)) == limit  # a fresh pool process each time
        assert Household.objects.count() == 0 and Member.objects.count() == 0
        assert worker.poll() is None, "the worker itself stays up"

        # The user uploads again and the same worker (new pool process) validates the new file.
        again = upload(village_cadre_a, workbook_bytes(*many_households(2)), "台账-重传.xlsx")
        validate_import_task.apply_async((again.pk,), queue=queue)
        again = wait_for(again.pk, (Status.VALID, Status.INVALID, Status.FAILED), deadline, worker, log)
        assert again.status == Status.VALID and again.attempts == 1, again.message
    assert time.monotonic() - started < 60


@pytest.fixture
def settings_override(settings, tmp_path):
    """Uploads land in a directory the worker process is told about (MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings
