"""The broker unreachable for one test: the project's Celery app is pointed at a closed local port (a real
connection refused, nothing mocked) and put back afterwards."""
import datetime
import socket

import pytest
from django.utils import timezone


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens there


def _reset_pools(app):
    # kombu keeps one pool per broker URL; dropping the app's references makes it take the pool of the new URL
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    from povalleviation.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    _reset_pools(app)
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/{settings.REDIS_URL.rsplit('/', 1)[-1] or 0}"
    app.conf.task_always_eager = False
    yield app.conf.broker_url
    _reset_pools(app)
    app.conf.broker_url, app.conf.task_always_eager = saved


def minutes_ago(minutes: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)
