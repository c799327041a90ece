"""Production mode refuses unsafe settings; the demo password is refused in production; Chinese dates parse.

The settings checks start fresh Python processes, since settings are read once, at start-up.
"""
import datetime
import os
import subprocess
import sys

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.utils import translation

from accounts.backends import DemoAwareModelBackend
from accounts.models import AuditEvent, User
from accounts.services import user_create
from accounts.validators import DemoPasswordValidator

GOOD_SECRET = "x7Rq!pL2vN9#tW4zK8mB3cF6hJ1sD5gA0eY-uI_oP=aS&dQ" + "lkJ8Hn"  # 54 characters
GOOD_PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/povalleviation",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "example.org",
    "REPORT_SIGNING_PKCS12_PATH": "/etc/povalleviation/org.p12",
}
# Every variable settings.py (or a deploy check) reads, so the outer environment (make test sets some)
# cannot leak in.
SETTINGS_VARIABLES = {
    "DJANGO_ENV", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "CELERY_TASK_ALWAYS_EAGER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "TEST_DATABASE_NAME", "CONN_MAX_AGE",
    "STATIC_ROOT", "MEDIA_ROOT", "CELERY_QUEUE", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
    "REPORT_SIGNING_PKCS12_PATH", "REPORT_SIGNING_PKCS12_PASSWORD", "REPORT_SIGNING_TRUST_ROOTS", "POVALLEVIATION_SIGNING_DIR", "SITE_URL",
    "TRUSTED_PROXY_IPS", "REQUEST_BODY_MAX_BYTES",
}
MESSAGES = {
    "secret": "SECRET_KEY 未设置或过短（至少 50 个字符）",
    "debug": "生产模式下 DEBUG 必须关闭",
    "sqlite": "生产模式必须使用 PostgreSQL（设置 DATABASE_URL）",
    "eager": "生产模式必须使用 Redis 任务队列（设置 REDIS_URL，且不得开启 CELERY_TASK_ALWAYS_EAGER）",
    "hosts": "生产模式必须设置 ALLOWED_HOSTS",
}


def run_django(args, **variables):
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "povalleviation.settings"
    env.update({name: value for name, value in variables.items() if value is not None})
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


SETUP = ["-c", "import django; django.setup(); from django.conf import settings; print('PRODUCTION', settings.PRODUCTION)"]


def production_env(**changes):
    env = dict(GOOD_PRODUCTION_ENV)
    env.update(changes)
    return env


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"SECRET_KEY": None}, "secret"),  # the built-in default
        ({"SECRET_KEY": "short-secret-key"}, "secret"),
        ({"DEBUG": "1"}, "debug"),
        ({"DATABASE_URL": None}, "sqlite"),  # no DATABASE_URL → the embedded SQLite file
        ({"DATABASE_URL": "sqlite:////tmp/povalleviation.sqlite3"}, "sqlite"),
        ({"REDIS_URL": None}, "eager"),  # no broker → tasks would run eagerly
        ({"CELERY_TASK_ALWAYS_EAGER": "1"}, "eager"),
        ({"ALLOWED_HOSTS": None}, "hosts"),
    ],
    ids=["default-secret", "short-secret", "debug", "sqlite-default", "sqlite-url", "no-redis", "eager", "no-hosts"],
)
def test_production_refuses_to_start(changes, problem):
    result = run_django(SETUP, **production_env(**changes))
    assert result.returncode != 0
    assert "ImproperlyConfigured: 生产模式拒绝启动：" in result.stderr
    assert MESSAGES[problem] in result.stderr
    for other, message in MESSAGES.items():
        if other != problem:
            assert message not in result.stderr, f"unexpected complaint: {message}"
    assert "PRODUCTION True" not in result.stdout


def test_debug_0_alone_means_production():
    result = run_django(SETUP, DEBUG="0")
    assert result.returncode != 0
    for problem in ("secret", "sqlite", "eager", "hosts"):
        assert MESSAGES[problem] in result.stderr
    assert MESSAGES["debug"] not in result.stderr


def test_embedded_mode_starts_with_no_variables():
    result = run_django(
        ["-c", "import django; django.setup(); from django.conf import settings as s; "
               "print(s.PRODUCTION, s.DEBUG, s.USING_SQLITE, s.CELERY_TASK_ALWAYS_EAGER)"]
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True"]


def test_good_production_settings_start_and_pass_check_deploy():
    started = run_django(
        ["-c", "import django; django.setup(); from django.conf import settings as s; "
               "print(s.PRODUCTION, s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"],
        **GOOD_PRODUCTION_ENV,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["True", "False", "False", "True", "True"]
    checked = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **GOOD_PRODUCTION_ENV)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_turning_the_ssl_redirect_off_is_reported_not_silenced():
    """Behind the compose proxy the redirect stays on; switching it off shows up in `check --deploy`."""
    checked = run_django(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         **production_env(SECURE_SSL_REDIRECT="0"))
    assert checked.returncode != 0
    assert "security.W008" in checked.stdout + checked.stderr
    started = run_django(
        ["-c", "import django; django.setup(); from django.conf import settings as s; "
               "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.CSRF_COOKIE_SECURE, s.SILENCED_SYSTEM_CHECKS)"],
        **GOOD_PRODUCTION_ENV,
    )
    assert started.stdout.strip() == "True ('HTTP_X_FORWARDED_PROTO', 'https') True []"


# ---------------------------------------------------------------- parsing DEBUG and DJANGO_ENV

PRODUCTION_WITHOUT_ENV = {name: value for name, value in GOOD_PRODUCTION_ENV.items() if name != "DJANGO_ENV"}


@pytest.mark.parametrize("value", ["0", "false", "False", "FALSE", "OFF", "off", "no", "No", " false "])
def test_every_way_of_saying_debug_off_switches_the_production_guards_on(value):
    refused = run_django(SETUP, DEBUG=value)
    assert refused.returncode != 0
    assert "ImproperlyConfigured: 生产模式拒绝启动：" in refused.stderr
    for problem in ("secret", "sqlite", "eager", "hosts"):
        assert MESSAGES[problem] in refused.stderr
    started = run_django(
        ["-c", "import django; django.setup(); from django.conf import settings as s; "
               "print(s.PRODUCTION, s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"],
        DEBUG=value, **PRODUCTION_WITHOUT_ENV,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["True", "False", "True", "True"]


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on"])
def test_debug_on_outside_production_starts_in_development(value):
    started = run_django(
        ["-c", "import django; django.setup(); from django.conf import settings as s; print(s.PRODUCTION, s.DEBUG)"],
        DEBUG=value,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["False", "True"]


@pytest.mark.parametrize("value", ["maybe", "2", "falsch", "n", "disabled"])
def test_an_unknown_debug_value_refuses_to_start(value):
    refused = run_django(SETUP, DEBUG=value, **PRODUCTION_WITHOUT_ENV)
    assert refused.returncode != 0
    assert f"ImproperlyConfigured: 环境变量 DEBUG 的值 {value!r} 无法识别：应为 1/true/yes/on 或 0/false/no/off。" in refused.stderr
    assert "PRODUCTION" not in refused.stdout


@pytest.mark.parametrize("value", ["prod", "staging", "dev", "live"])
def test_an_unknown_django_env_refuses_to_start(value):
    refused = run_django(SETUP, **production_env(DJANGO_ENV=value))
    assert refused.returncode != 0
    assert "ImproperlyConfigured: 环境变量 DJANGO_ENV 的值" in refused.stderr
    assert "无法识别：应为 production 或 development。" in refused.stderr
    assert "PRODUCTION" not in refused.stdout


# ---------------------------------------------------------------- the demo password


@pytest.fixture
def demo_password_user(db):
    # Created the way load_demo does (no validators): the account exists before production is switched on.
    return User.objects.create_user(username="cadre_taihe", password=settings.DEMO_PASSWORD, is_demo=True)


def test_backend_accepts_demo_password_outside_production(demo_password_user):
    assert settings.PRODUCTION is False
    assert DemoAwareModelBackend().authenticate(None, username="cadre_taihe", password=settings.DEMO_PASSWORD) == demo_password_user
    assert authenticate(RequestFactory().post("/accounts/login/"), username="cadre_taihe", password=settings.DEMO_PASSWORD) == demo_password_user


@override_settings(PRODUCTION=True)
def test_backend_refuses_demo_password_in_production(demo_password_user):
    assert DemoAwareModelBackend().authenticate(None, username="cadre_taihe", password=settings.DEMO_PASSWORD) is None
    assert authenticate(RequestFactory().post("/accounts/login/"), username="cadre_taihe", password=settings.DEMO_PASSWORD) is None
    demo_password_user.set_password("A-real-password-2026")
    demo_password_user.save()
    assert authenticate(RequestFactory().post("/accounts/login/"), username="cadre_taihe", password="A-real-password-2026") == demo_password_user


@override_settings(PRODUCTION=True)
def test_login_page_refuses_demo_password_in_production(client, demo_password_user):
    response = client.post("/accounts/login/", {"username": "cadre_taihe", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session
    demo_password_user.refresh_from_db()
    assert demo_password_user.last_login is None


def test_validator_allows_demo_password_outside_production():
    DemoPasswordValidator().validate(settings.DEMO_PASSWORD)
    validate_password(settings.DEMO_PASSWORD)
    assert DemoPasswordValidator().get_help_text() == "生产模式下不得使用演示密码。"


@override_settings(PRODUCTION=True)
def test_validator_refuses_demo_password_in_production():
    with pytest.raises(ValidationError) as raised:
        DemoPasswordValidator().validate(settings.DEMO_PASSWORD)
    assert raised.value.code == "demo_password"
    assert raised.value.messages == ["生产模式下不得使用演示密码。"]
    with pytest.raises(ValidationError) as raised:
        validate_password(settings.DEMO_PASSWORD)
    assert "生产模式下不得使用演示密码。" in raised.value.messages
    DemoPasswordValidator().validate("A-real-password-2026")


@pytest.mark.django_db
@override_settings(PRODUCTION=True)
def test_user_create_with_demo_password_in_production_writes_nothing():
    with pytest.raises(ValidationError):
        user_create(actor=None, username="newcomer", password=settings.DEMO_PASSWORD)
    assert not User.objects.filter(username="newcomer").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


# ---------------------------------------------------------------- Chinese date input


@pytest.mark.parametrize("typed", ["2018-11-28", "2018/11/28", "2018年11月28日", "2018.11.28", "20181128"])
def test_date_field_parses_chinese_inputs(typed):
    with translation.override("zh-hans"):
        assert forms.DateField().clean(typed) == datetime.date(2018, 11, 28)


def test_datetime_field_parses_chinese_input():
    with translation.override("zh-hans"):
        value = forms.DateTimeField().clean("2018年11月28日 09:30")
    assert (value.year, value.month, value.day, value.hour, value.minute) == (2018, 11, 28, 9, 30)


def test_date_field_rejects_other_shapes_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        forms.DateField().clean("28/11/2018")
    assert raised.value.messages == ["输入一个有效的日期。"]
