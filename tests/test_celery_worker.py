"""A real Celery worker process, fed through the real Redis broker, runs a task against the real database."""

import pytest
from django.conf import settings
from django.db import connection

from accounts.tasks import ping_database_task
from tests.celery_support import celery_worker, new_queue, require_redis, wait_for_result

pytestmark = pytest.mark.celery_worker


@pytest.mark.django_db
def test_real_worker_runs_a_task_from_the_redis_queue():
    require_redis()
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "with REDIS_URL set, tasks must go through the broker"
    assert ping_database_task.app.conf.task_always_eager is False
    assert ping_database_task.app.conf.broker_url == settings.REDIS_URL
    assert connection.vendor == "postgresql", "the worker test needs PostgreSQL (set DATABASE_URL)"

    queue = new_queue()
    with celery_worker(queue, pool="solo", stop_timeout=30) as (worker, log):
        result = ping_database_task.apply_async(queue=queue)
        value = wait_for_result(result, worker, log)
        result.forget()
    assert value["database"] == "ok"
    assert value["vendor"] == "postgresql"
    assert value["worker"].startswith(f"{queue}@"), value
