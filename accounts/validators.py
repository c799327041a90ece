"""Password policy (等保 level 3): length and character classes, no username, no reuse, and no demo password.

Every password set through ``accounts.services.user_set_password`` passes these (AUTH_PASSWORD_VALIDATORS);
the 90-day expiry of the administrative roles is ``User.password_expired``.
"""
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CHARACTER_CLASSES = (
    ("大写字母", lambda c: c.isascii() and c.isupper()),
    ("小写字母", lambda c: c.isascii() and c.islower()),
    ("数字", lambda c: c.isdigit()),
    ("符号", lambda c: not c.isalnum()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, matches in CHARACTER_CLASSES if any(matches(c) for c in password)}


class PasswordComplexityValidator:
    """At least ``min_length`` characters using ``min_classes`` of upper case, lower case, digits and symbols."""

    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(f"密码至少需要 {self.min_length} 个字符。", code="password_too_short"))
        if len(character_classes(password)) < self.min_classes:
            errors.append(ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号四类中的至少 {self.min_classes} 类。", code="password_too_simple"
            ))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return f"至少 {self.min_length} 个字符，含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class UsernameInPasswordValidator:
    """The password may not contain the username (in any case)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "不能包含用户名。"


class PasswordHistoryValidator:
    """The password may not be one of the user's last ``count`` passwords (the current one included)."""

    def __init__(self, count: int | None = None):
        self.count = count or getattr(settings, "PASSWORD_HISTORY_COUNT", 5)

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from accounts.models import PasswordHistory, User

        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current and current not in hashes:
            hashes.insert(0, current)
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(f"新密码不能与最近 {self.count} 次使用过的密码相同。", code="password_reused")

    def get_help_text(self):
        return f"不能与最近 {self.count} 次使用过的密码相同。"


class DemoPasswordValidator:
    """In production mode the published demo password can never be set."""

    def validate(self, password, user=None):
        if settings.PRODUCTION and password == settings.DEMO_PASSWORD:
            raise ValidationError("生产模式下不得使用演示密码。", code="demo_password")

    def get_help_text(self):
        return "生产模式下不得使用演示密码。"
