"""``/healthz``: the state of the database and of the Celery broker, as JSON; 503 when either is down."""
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return {"status": "not_in_use", "detail": "未使用任务队列：后台任务在进程内同步执行"}
    import redis

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as error:
        return {"status": "down", "error": error.__class__.__name__}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz(request):
    database = _database_state()
    broker = _broker_state()
    healthy = database["status"] == "ok" and broker["status"] in ("ok", "not_in_use")
    return JsonResponse(
        {"status": "ok" if healthy else "down", "database": database, "broker": broker},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
