"""The Celery application. Tasks live in each app's ``tasks.py``; the beat schedule lives in settings."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")

app = Celery("povalleviation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# assessments is one Django app in four parts; the eligibility and workflows parts each have a tasks.py.
app.autodiscover_tasks(["assessments.eligibility", "assessments.workflows"])
