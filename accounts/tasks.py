"""Background tasks of the accounts app."""
from celery import shared_task
from django.db import connection


@shared_task(name="accounts.ping_database")
def ping_database_task():
    """Run ``SELECT 1`` from the worker: proves a worker is up and reaches the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return {
        "database": "ok" if value == 1 else "down",
        "vendor": connection.vendor,
        "worker": ping_database_task.request.hostname,
    }
