"""The Celery application. Tasks live in each app's ``tasks.py``; the beat schedule lives in settings.

Logging follows settings.LOGGING (JSON or text), and each task runs under the request id of the request that
queued it: the id travels in the message headers (``request_id``) and is restored before the task runs.
"""
import logging.config
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")

app = Celery("povalleviation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# assessments is one Django app in four parts; the eligibility and workflows parts each have a tasks.py.
app.autodiscover_tasks(["assessments.eligibility", "assessments.workflows"])

REQUEST_ID_HEADER = "request_id"


@signals.setup_logging.connect
def _use_django_logging(**kwargs):
    """Connected, this stops Celery configuring logging itself; the worker logs through settings.LOGGING."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    from povalleviation.request_context import current_request_id

    request_id = current_request_id()
    if headers is not None and request_id and not headers.get(REQUEST_ID_HEADER):
        headers[REQUEST_ID_HEADER] = request_id


@signals.task_prerun.connect
def _restore_request_id(task=None, **kwargs):
    from povalleviation.request_context import bind_request_id

    request_id = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    if request_id:  # an eager task already runs inside its request's context
        task.request._request_id_token = bind_request_id(request_id)


@signals.task_postrun.connect
def _forget_request_id(task=None, **kwargs):
    from povalleviation.request_context import unbind_request_id

    token = getattr(task.request, "_request_id_token", None) if task is not None else None
    if token is not None:
        task.request._request_id_token = None
        try:
            unbind_request_id(token)
        except ValueError:  # set in another context (a thread pool); nothing to undo there
            pass
