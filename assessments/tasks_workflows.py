"""Celery tasks of the exit workflows."""
