"""Celery tasks of the eligibility engine."""
