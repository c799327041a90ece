"""``/healthz`` reports the database and the Celery broker, against the real PostgreSQL and Redis."""
import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_ok_with_the_running_database_and_redis(client):
    assert settings.REDIS_URL, "run the tests with REDIS_URL set (make test does)"
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["status"] == "ok"
    assert data["database"]["vendor"] == "postgresql"
    assert data["broker"]["status"] == "ok"
    assert isinstance(data["broker"]["ms"], float)


def test_healthz_needs_no_login_and_reveals_no_data(client, village_cadre_a):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.content.decode()
    assert "太和村委会" not in body and "cadre_a" not in body
    assert set(response.json()) == {"status", "database", "broker"}


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


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
