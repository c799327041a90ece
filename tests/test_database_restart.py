"""After PostgreSQL drops the app's connections (a restart, a failover), the next request works without restarting
gunicorn or the worker: a kept connection is checked before reuse (CONN_HEALTH_CHECKS) and replaced when dead."""
import json

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.client import RequestFactory


def _terminate(pid: int):
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def _get(path: str) -> tuple[str, dict]:
    """One request through Django's WSGI handler, as gunicorn makes it (the test client skips the connection
    housekeeping that runs when a request starts and ends)."""
    status = []
    body = WSGIHandler()(RequestFactory().get(path).environ, lambda code, headers: status.append(code))
    return status[0], json.loads(b"".join(body))


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_between_requests_is_replaced_by_the_next_request():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # connections are kept between requests …
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True  # … and checked before reuse
    assert _get("/healthz/ready")[0].startswith("200")
    killed = connection.connection.info.backend_pid
    _terminate(killed)

    status, data = _get("/healthz/ready")

    assert status.startswith("200"), data
    assert data["database"]["status"] == "ok"
    assert connection.connection.info.backend_pid != killed
