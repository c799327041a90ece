from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class DemoAwareModelBackend(ModelBackend):
    """Username/password login that refuses the published demo password in production mode."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
