"""A real Celery worker process, fed through the real Redis broker, runs a task against the real database."""
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.tasks import ping_database_task

pytestmark = pytest.mark.celery_worker

CELERY = Path(sys.executable).with_name("celery")


def database_url() -> str:
    """The URL of the database this test session uses (the test database), for the worker process."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db
def test_real_worker_runs_a_task_from_the_redis_queue():
    if not settings.REDIS_URL:
        pytest.fail("此测试需要 Redis：请设置 REDIS_URL（make test 默认使用 redis://127.0.0.1:6379/0）。")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "with REDIS_URL set, tasks must go through the broker"
    assert ping_database_task.app.conf.task_always_eager is False
    assert ping_database_task.app.conf.broker_url == settings.REDIS_URL
    assert connection.vendor == "postgresql", "the worker test needs PostgreSQL (set DATABASE_URL)"
    url = database_url()

    queue = f"povalleviation-test-{uuid.uuid4().hex[:12]}"
    node = f"{queue}@%h"
    env = dict(os.environ)
    env.update(
        {
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "povalleviation.settings",
        }
    )
    env.pop("DJANGO_ENV", None)
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(
            [
                str(CELERY), "-A", "povalleviation", "worker", "-Q", queue, "-n", node, "--pool=solo",
                "--concurrency=1", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            result = ping_database_task.apply_async(queue=queue)
            deadline = time.monotonic() + 60
            while not result.ready():
                if worker.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"Celery worker exited with {worker.returncode}:\n{log.read()}")
                if time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"no result within 60 s; worker output:\n{log.read()}")
                time.sleep(0.2)
            value = result.get(timeout=60)
            result.forget()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)
    assert value["database"] == "ok"
    assert value["vendor"] == "postgresql"
    assert value["worker"].startswith(f"{queue}@"), value
