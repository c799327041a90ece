"""Sending Celery tasks from a request without ever failing the request (docs/queue.md).

``send_on_commit(task, *args, **kwargs)`` queues ``task`` once the current transaction commits. The row that
describes the work (an import job, a report, a run) is already committed then; if the broker cannot be reached
the send is logged and given up, and the beat sweeper (``sweep_queues_task``) sends it again later. A send
never raises into the caller, and the broker timeouts in settings keep it short (about 2 s) while Redis is down.

The sweeper runs each function named in ``settings.QUEUE_SWEEPERS`` (dotted paths, so the kernel imports no
app); each re-sends its app's work that was queued but never started and returns how many it re-sent.
"""
import logging

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def registered_task(name: str):
    """The task registered under ``name``. A web process imports the apps' ``tasks`` modules only when it first
    needs one (a worker imports them when it starts), so a missing name makes Celery import them all once."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def send_now(task, *args, **kwargs) -> bool:
    """Send ``task`` (a task or its registered name) at once; True when the broker took it, False (logged) when
    it could not be reached. Services name their tasks, so a services module never imports the tasks module
    that imports it back."""
    try:
        if isinstance(task, str):
            task = registered_task(task)
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # any broker/backend error: the work's row stays queued for the sweeper
        logger.exception("could not queue task %s args=%s kwargs=%s; left for the sweeper",
                         getattr(task, "name", task), args, kwargs)
        return False
    return True


def send_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` (a task or its registered name) when the current transaction commits (at once outside a
    transaction); never raises."""

    def send_task_on_commit():
        send_now(task, *args, **kwargs)

    send_task_on_commit.__qualname__ = send_task_on_commit.__name__ = f"send_on_commit[{getattr(task, 'name', task)}]"
    # robust: even an error outside send_now (none expected) is logged by Django, not raised into the request.
    transaction.on_commit(send_task_on_commit, robust=True)


def stale_minutes() -> int:
    """Minutes without a sign of life after which queued work counts as never started."""
    return int(getattr(settings, "QUEUE_UNSTARTED_MINUTES", 10))


def sweep_queues() -> dict:
    """Run every sweeper in ``settings.QUEUE_SWEEPERS``; one failing sweeper does not stop the others."""
    sent = {}
    for path in getattr(settings, "QUEUE_SWEEPERS", ()):
        try:
            sent[path] = import_string(path)(minutes=stale_minutes())
        except Exception:
            logger.exception("queue sweeper %s failed", path)
            sent[path] = None
    if any(sent.values()):
        logger.warning("queue sweep re-sent work that never started: %s", sent)
    return sent


@shared_task(name="povalleviation.sweep_queues", acks_late=True)
def sweep_queues_task():
    """Beat (every few minutes): re-send work queued but never started (a send lost while Redis was down)."""
    return sweep_queues()
