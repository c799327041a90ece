"""The clock for model defaults.

``default=timezone.now`` binds Django's function when the model class is built; ``now`` here looks it up on each
call, so a test that fixes the date (the root conftest's ``today``) reaches these defaults as it reaches
``auto_now_add`` and the services.
"""
from django.utils import timezone


def now():
    return timezone.now()
