"""A real Celery worker process for the tests that go through the real Redis broker: it reads a queue of its own,
uses this session's test database, and is stopped when the test leaves the ``celery_worker`` block."""
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

CELERY = Path(sys.executable).with_name("celery")


def database_url() -> str:
    """The URL of the database this test session uses (the test database), for the worker process."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def require_redis():
    if not settings.REDIS_URL:
        pytest.fail("此测试需要 Redis：请设置 REDIS_URL（make test 默认使用 redis://127.0.0.1:6379/0）。")


def new_queue() -> str:
    return f"povalleviation-test-{uuid.uuid4().hex[:12]}"


def fail_if_exited(worker, log):
    if worker.poll() is not None:
        fail_with_output(log, f"Celery worker exited with {worker.returncode}")


def fail_with_output(log, message: str):
    log.seek(0)
    pytest.fail(f"{message}:\n{log.read()}")


def wait_for_result(result, worker, log, seconds: int = 60):
    """The task's result once the worker has run it; fails with the worker's output if it died or took longer."""
    deadline = time.monotonic() + seconds
    while not result.ready():
        fail_if_exited(worker, log)
        if time.monotonic() > deadline:
            fail_with_output(log, f"no result within {seconds} s; worker output")
        time.sleep(0.2)
    return result.get(timeout=seconds)


@contextmanager
def celery_worker(queue: str, *, pool: str, stop_timeout: int, env: dict | None = None):
    """A worker on ``queue`` (one process of ``pool``); yields the process and its output file."""
    environment = dict(os.environ)
    environment.update({
        "REDIS_URL": settings.REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0", "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "povalleviation.settings", **(env or {}),
    })
    environment.pop("DJANGO_ENV", None)
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(
            [str(CELERY), "-A", "povalleviation", "worker", "-Q", queue, "-n", f"{queue}@%h", f"--pool={pool}",
             "--concurrency=1", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            yield worker, log
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)
