"""Celery discovers this module; the tasks live beside the code they serve."""
from assessments.tasks_eligibility import *  # noqa: F403
from assessments.tasks_workflows import *  # noqa: F403
