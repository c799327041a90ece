"""Health checks against the real PostgreSQL and Redis: liveness (/healthz/live) needs nothing; readiness (/healthz,
/healthz/ready) reports the database, the broker and the job backlog, and is 503 when one of them fails."""
import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from conftest import COUNTY
from reports.services import report_generate

pytestmark = pytest.mark.django_db


def _queued_report(areas, actor, minutes_ago, monkeypatch):
    """A report generation requested ``minutes_ago`` and not started (its task is queued on commit, never run here)."""
    clock = timezone.now
    then = clock() - datetime.timedelta(minutes=minutes_ago)
    monkeypatch.setattr(timezone, "now", lambda: then)
    try:
        return report_generate(actor=actor, area=areas[COUNTY], year=2024, quarter=2)
    finally:
        monkeypatch.setattr(timezone, "now", clock)


@pytest.mark.parametrize("url", ["/healthz", "/healthz/ready"])
def test_readiness_ok_with_the_running_database_and_redis(client, url):
    assert settings.REDIS_URL, "run the tests with REDIS_URL set (make test does)"
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "ok" and data["failing"] == []
    assert data["database"]["status"] == "ok"
    assert data["database"]["vendor"] == "postgresql"
    assert data["broker"]["status"] == "ok"
    assert isinstance(data["broker"]["ms"], float) and isinstance(data["broker"]["queue_length"], int)
    assert data["jobs"] == {"status": "ok", "oldest_waiting_seconds": 0.0, "max_waiting_seconds": 15 * 60,
                            "waiting": {"import": 0, "report": 0, "recompute": 0}, "failed_last_hour": 0}


def test_healthz_needs_no_login_and_reveals_no_data(client, village_cadre_a):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.content.decode()
    assert "太和村委会" not in body and "cadre_a" not in body
    assert set(response.json()) == {"status", "failing", "database", "broker", "jobs"}


@pytest.mark.parametrize(("redis_url", "eager", "http_status", "status", "broker"), [
    pytest.param("redis://127.0.0.1:1/0", False, 503, "down", {"status": "down", "error": "ConnectionError"},
                 id="503_when_the_broker_is_down"),
    pytest.param("", True, 200, "ok", {"status": "not_in_use", "detail": "未使用任务队列：后台任务在进程内同步执行"},
                 id="embedded_mode_says_the_broker_is_not_in_use"),
])
def test_healthz_without_a_running_broker(client, redis_url, eager, http_status, status, broker):
    with override_settings(REDIS_URL=redis_url, CELERY_TASK_ALWAYS_EAGER=eager):
        response = client.get("/healthz")
    assert response.status_code == http_status
    data = response.json()
    assert data["status"] == status
    assert data["database"]["status"] == "ok"
    assert data["broker"] == broker
    expected = [{"key": "broker", "message": "任务队列（Redis）无法连接"}] if http_status == 503 else []
    assert data["failing"] == expected


def test_liveness_answers_even_with_the_broker_down(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(("minutes_ago", "http_status"), [(20, 503), (10, 200)])
def test_readiness_fails_when_a_job_waits_too_long_to_start(client, areas, leading_group_staff, monkeypatch,
                                                          minutes_ago, http_status):
    _queued_report(areas, leading_group_staff, minutes_ago, monkeypatch)
    response = client.get("/healthz/ready")
    assert response.status_code == http_status
    data = response.json()
    assert data["jobs"]["waiting"]["report"] == 1
    assert minutes_ago * 60 <= data["jobs"]["oldest_waiting_seconds"] < minutes_ago * 60 + 60
    if http_status == 503:
        assert data["status"] == "down" and data["jobs"]["status"] == "late"
        assert data["failing"] == [{"key": "queue_age",
                                    "message": "有后台作业等待开始的时间超过 15 分钟，后台工作进程可能停止或过载"}]
    with override_settings(HEALTH_MAX_QUEUE_AGE_MINUTES=5):
        assert client.get("/healthz/ready").status_code == 503


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/healthz/live").status_code == 405
