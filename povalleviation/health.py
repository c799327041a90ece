"""Health checks, as JSON.

``/healthz/live`` (liveness): the process answers; it touches nothing else, so a restart policy never kills a web
process because the database or Redis is away. ``/healthz`` and ``/healthz/ready`` (readiness): the database, the
Celery broker (``HEALTH_BROKER_TIMEOUT_SECONDS``), the queue's length and the job backlog; 503 when the database or
the broker is down or a job has waited to start for longer than ``HEALTH_MAX_QUEUE_AGE_MINUTES`` (a frozen or
missing worker). Each failing part is listed under ``failing`` by key and in Chinese.
"""
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from povalleviation.metrics import broker_client, broker_in_use, job_backlog, queue_length

FAILURE_MESSAGES = {
    "database": "数据库无法连接",
    "broker": "任务队列（Redis）无法连接",
    "queue_age": "有后台作业等待开始的时间超过 {minutes} 分钟，后台工作进程可能停止或过载",
}


def _database_state():
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means the database is unusable
        return {"status": "down", "error": error.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _broker_state():
    if not broker_in_use():
        return {"status": "not_in_use", "detail": "未使用任务队列：后台任务在进程内同步执行"}
    import redis

    started = time.monotonic()
    try:
        client = broker_client()
        client.ping()
        waiting = queue_length(client)
    except redis.RedisError as error:
        return {"status": "down", "error": error.__class__.__name__}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1), "queue_length": waiting}


def _jobs_state(database_ok: bool):
    limit_seconds = settings.HEALTH_MAX_QUEUE_AGE_MINUTES * 60
    if not database_ok:
        return {"status": "unknown"}
    backlog = job_backlog()
    oldest = max((row["oldest_waiting_seconds"] for row in backlog), default=0.0)
    return {
        "status": "late" if oldest > limit_seconds else "ok",
        "oldest_waiting_seconds": oldest,
        "max_waiting_seconds": limit_seconds,
        "waiting": {row["kind"]: row["waiting"] for row in backlog},
        "failed_last_hour": sum(row["failed_last_hour"] or 0 for row in backlog),
    }


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz(request):
    database = _database_state()
    broker = _broker_state()
    jobs = _jobs_state(database["status"] == "ok")
    failing = []
    if database["status"] != "ok":
        failing.append("database")
    if broker["status"] not in ("ok", "not_in_use"):
        failing.append("broker")
    if jobs["status"] == "late":
        failing.append("queue_age")
    minutes = settings.HEALTH_MAX_QUEUE_AGE_MINUTES
    return JsonResponse(
        {
            "status": "down" if failing else "ok",
            "failing": [{"key": key, "message": FAILURE_MESSAGES[key].format(minutes=minutes)} for key in failing],
            "database": database, "broker": broker, "jobs": jobs,
        },
        status=503 if failing else 200,
        json_dumps_params={"ensure_ascii": False},
    )
