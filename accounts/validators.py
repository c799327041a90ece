from django.conf import settings
from django.core.exceptions import ValidationError


class DemoPasswordValidator:
    """In production mode the published demo password can never be set."""

    def validate(self, password, user=None):
        if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
            raise ValidationError("生产模式下不得使用演示密码。", code="demo_password")

    def get_help_text(self):
        return "生产模式下不得使用演示密码。"
