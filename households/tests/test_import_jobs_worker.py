"""A killed worker leaves a failed job, not a stuck one: a real Celery worker (prefork, through Redis) whose
pool child is SIGKILLed while it validates an import, every time the broker redelivers the task."""
import os
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE_A
from households.imports.generator import Village, write_household_file
from households.imports.jobs import REDELIVERED_MESSAGE, import_job_create
from households.models import Household, ImportJob, Member
from households.tasks import validate_import_task
from households.tests.import_files import many_households, workbook_bytes
from tests.test_celery_worker import CELERY, database_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Status = ImportJob.Status
TIME_LIMIT = 50  # seconds for the whole test, worker start included


def pool_children(pid: int) -> list[int]:
    """The worker's pool processes (prefork children of the main worker process)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def upload(user, content: bytes, name: str) -> ImportJob:
    return import_job_create(actor=user, uploaded_file=SimpleUploadedFile(name, content, content_type=XLSX))


def wait_for(job_id, statuses, deadline, worker, log):
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        if worker.poll() is not None:
            log.seek(0)
            pytest.fail(f"Celery worker exited with {worker.returncode}:\n{log.read()}")
        time.sleep(0.1)
    log.seek(0)
    pytest.fail(f"job {job_id} still {ImportJob.objects.get(pk=job_id).status}; worker output:\n{log.read()}")


def test_a_killed_worker_leaves_a_failed_job_not_a_stuck_one(village_cadre_a, tmp_path, settings_override, monkeypatch):
    if not settings.REDIS_URL:
        pytest.fail("此测试需要 Redis：请设置 REDIS_URL（make test 默认使用 redis://127.0.0.1:6379/0）。")
    started = time.monotonic()
    big = tmp_path / "big.xlsx"
    write_household_file(big, households=6000, members_per_household=3, villages=[Village(VILLAGE_A, "太和村委会")])
    # The test queues each task itself, on a queue only its own worker reads.
    monkeypatch.setattr(validate_import_task, "delay", lambda *args, **kwargs: None)
    job = upload(village_cadre_a, big.read_bytes(), "整村台账.xlsx")

    queue = f"povalleviation-test-{uuid.uuid4().hex[:12]}"
    env = dict(os.environ)
    env.update({
        "REDIS_URL": settings.REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0", "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "povalleviation.settings", "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_MAX_DELIVERIES": str(settings.IMPORT_MAX_DELIVERIES),
    })
    env.pop("DJANGO_ENV", None)
    limit = settings.IMPORT_MAX_DELIVERIES
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(
            [str(CELERY), "-A", "povalleviation", "worker", "-Q", queue, "-n", f"{queue}@%h", "--pool=prefork",
             "--concurrency=1", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
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
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)
    assert time.monotonic() - started < 60


@pytest.fixture
def settings_override(settings, tmp_path):
    """Uploads land in a directory the worker process is told about (MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings
