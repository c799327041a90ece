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


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", CELERY_TASK_ALWAYS_EAGER=False)
def test_healthz_503_when_the_broker_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "down"
    assert data["database"]["status"] == "ok"
    assert data["broker"] == {"status": "down", "error": "ConnectionError"}


@override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True)
def test_healthz_in_embedded_mode_says_the_broker_is_not_in_use(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["status"] == "ok"
    assert data["broker"]["status"] == "not_in_use"
    assert data["broker"]["detail"] == "未使用任务队列：后台任务在进程内同步执行"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
