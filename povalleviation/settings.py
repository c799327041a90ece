"""Settings for povalleviation, read from the environment.

With no variables set the app runs embedded: a SQLite file and Celery tasks executed eagerly in-process.
Production mode (``DJANGO_ENV=production`` or ``DEBUG=0``) refuses to start with the default secret,
with DEBUG on, with SQLite, or with eager tasks.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEFAULT_SECRET_KEY = "insecure-embedded-default-secret-key-change-me"
DEMO_PASSWORD = "demo-2026"


_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default):
    """A boolean from the environment: 1/true/yes/on or 0/false/no/off in any case; anything else refuses to start."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 的值 {value!r} 无法识别：应为 1/true/yes/on 或 0/false/no/off。")


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "").strip().lower()
if DJANGO_ENV not in {"", "production", "development"}:
    raise ImproperlyConfigured(f"环境变量 DJANGO_ENV 的值 {DJANGO_ENV!r} 无法识别：应为 production 或 development。")
# Production mode follows the parsed DEBUG value (DEBUG=0/false/no/off in any case) or DJANGO_ENV=production.
PRODUCTION = DJANGO_ENV == "production" or env_bool("DEBUG", None) is False

SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Connections live a minute and are checked before reuse, so after a PostgreSQL restart the next request opens a
# fresh one instead of failing on the dead one (no gunicorn or worker restart needed).
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_povalleviation")}
USING_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

REDIS_URL = os.environ.get("REDIS_URL", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "knox",
    "csp",
    "accounts",
    "villages",
    "households",
    "projects",
    "funds",
    "assessments",
    "oversight",
    "reports",
    "portal",
]

# One list, in order (docs/security.md explains each security layer):
MIDDLEWARE = [
    # Forwarding headers are honoured only from TRUSTED_PROXY_IPS: before anything reads them.
    "povalleviation.security.TrustedProxyMiddleware",
    "csp.middleware.CSPMiddleware",
    "povalleviation.security.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Bodies above the page's limit are refused (413) before anything reads them.
    "povalleviation.security.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "povalleviation.request_context.RequestContextMiddleware",
    # After the request context, so a sign-out on timeout is audited with the client's address.
    "accounts.middleware_security.LoginRateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware_security.SessionTimeoutMiddleware",
    "accounts.middleware_security.SecondFactorMiddleware",
    # A temporary or expired password is changed before anything else, after sign-in and the second factor.
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "accounts.middleware_security.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files are served by the app itself in production (collected at image build time).
    MIDDLEWARE.insert(MIDDLEWARE.index("povalleviation.security.RequestLimitsMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "povalleviation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.DemoAwareModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # years and codes must never show grouping; amounts use |intcomma
# Django's zh-hans formats carry %n/%j input patterns that break date parsing; ours replace them.
FORMAT_MODULE_PATH = ["povalleviation.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The API: authentication, paging, errors (povalleviation/api/settings.py); throttles are set below.
from povalleviation.api import settings as api_settings  # noqa: E402

REST_FRAMEWORK = api_settings.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api_settings.SPECTACULAR_SETTINGS

# Celery: Redis in production and in the test suite; eager in-process when no broker is configured.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "povalleviation")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# --- Queue guarantees (povalleviation/queue.py, docs/queue.md) ---------------------------------
# A send while Redis is down must fail within about 2 s (one connect timeout + one quick retry), never hold
# a web worker for the ~19 s of the default reconnect loops; the row it was for stays queued for the sweeper.
QUEUE_SOCKET_TIMEOUT = float(os.environ.get("QUEUE_SOCKET_TIMEOUT", "1"))
CELERY_BROKER_CONNECTION_TIMEOUT = QUEUE_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": QUEUE_SOCKET_TIMEOUT,
    "socket_connect_timeout": QUEUE_SOCKET_TIMEOUT,
    # A message taken by a worker and not acknowledged (acks_late) is handed out again after this long, e.g.
    # after the worker was killed. It must be longer than the longest task (CELERY_TASK_TIME_LIMIT) and the
    # longest retry countdown (imports: 10 min), or a running task would be delivered twice.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(2 * 3600))),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_TIMEOUT = QUEUE_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = QUEUE_SOCKET_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2},
}
# Nothing reads task results (the work's own rows carry the outcome); a result-less send never touches the
# result backend. The worker health check (accounts.ping_database) is read by its caller and keeps its result.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ANNOTATIONS = {"accounts.ping_database": {"ignore_result": False}}
# Defaults for every task (a task may set its own): the soft limit raises inside the task so it can record a
# failure on its row; the hard limit kills it. Both below the visibility timeout above.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", str(50 * 60)))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", str(60 * 60)))
# Work queued but with no sign of life for this many minutes counts as never started and is sent again.
QUEUE_UNSTARTED_MINUTES = int(os.environ.get("QUEUE_UNSTARTED_MINUTES", "10"))
QUEUE_SWEEPERS = [
    "households.imports.jobs.requeue_unstarted_jobs",
    "reports.services.requeue_unstarted_reports",
    "assessments.eligibility.services.requeue_unstarted_runs",
    "funds.tasks.requeue_missed_recomputes",
]
CELERY_IMPORTS = ["povalleviation.queue"]
# The beat schedule lives here, in one place; apps add their periodic tasks to this dict.
CELERY_BEAT_SCHEDULE = {}
# Nightly 支出进度 recompute of every county with allocations this year (funds.tasks, DOMAIN.md §5.9).
CELERY_BEAT_SCHEDULE["recompute-fund-ratios"] = {
    "task": "funds.tasks.recompute_fund_ratios_task",
    "schedule": crontab(hour=2, minute=30),
}
# Nightly eligibility recompute of every county for the current year (assessments.eligibility.tasks).
CELERY_BEAT_SCHEDULE["recompute-eligibility"] = {
    "task": "assessments.recompute_eligibility_nightly",
    "schedule": crontab(hour=2, minute=30),
}
# Every 5 minutes: send again work queued but never started (povalleviation.queue).
CELERY_BEAT_SCHEDULE["sweep-queues"] = {"task": "povalleviation.sweep_queues", "schedule": crontab(minute="*/5")}
# Daily: close every 公示 past its end date with no open objection (assessments.workflows.tasks).
CELERY_BEAT_SCHEDULE["close-due-publicities"] = {
    "task": "assessments.close_due_publicities",
    "schedule": crontab(hour=0, minute=30),
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Logs go to standard output, one JSON object a line in production (LOG_FORMAT=json|text); every record carries
# the request id (X-Request-ID), the signed-in user's id and the path (povalleviation.request_context), also in the
# Celery worker, whose tasks restore the id of the request that queued them (povalleviation.celery).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"环境变量 LOG_FORMAT 的值 {LOG_FORMAT!r} 无法识别：应为 json 或 text。")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "povalleviation.request_context.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(path)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

# ---------------------------------------------------------------- observability
# Celery leaves logging to LOGGING above (povalleviation.celery answers its setup_logging signal).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Prometheus (django-prometheus): request counts and latency, database queries; /metrics adds the task queue's
# length and the age of the oldest job not yet started, read at scrape time (povalleviation.metrics).
INSTALLED_APPS.append("django_prometheus")
# After TrustedProxyMiddleware (which must see every request first): the request id, before anything can fail
# (povalleviation.request_context.RequestIdMiddleware); then Prometheus' timing, which ends last.
MIDDLEWARE[1:1] = [
    "povalleviation.request_context.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
]
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
PROMETHEUS_EXPORT_MIGRATIONS = False
# /metrics answers only these client addresses (CIDR; the client address as povalleviation.request_context reads it,
# X-Forwarded-For believed only from TRUSTED_PROXY_IPS); anyone else gets 404.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32"])
# Readiness (/healthz, /healthz/ready) answers 503 when a job has waited to start longer than this.
HEALTH_MAX_QUEUE_AGE_MINUTES = int(os.environ.get("HEALTH_MAX_QUEUE_AGE_MINUTES", "15"))
# How long readiness and /metrics wait for the broker before calling it unreachable.
HEALTH_BROKER_TIMEOUT_SECONDS = float(os.environ.get("HEALTH_BROKER_TIMEOUT_SECONDS", "1"))

# The address the public reaches this installation at: verification links and QR codes in signed reports.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# PAdES signing of quarterly reports (reports.signing, reports.verification). Production reads the
# organisation's PKCS#12 file and password from the environment; development defaults to the demo CA that
# `manage.py create_demo_signing_ca` writes outside the repository (POVALLEVIATION_SIGNING_DIR).
REPORT_SIGNING_DIR = Path(
    os.environ.get("POVALLEVIATION_SIGNING_DIR") or Path.home() / ".local" / "share" / "povalleviation" / "signing"
)
REPORT_SIGNING_PKCS12_PATH = os.environ.get(
    "REPORT_SIGNING_PKCS12_PATH", "" if PRODUCTION else str(REPORT_SIGNING_DIR / "signer.p12")
)
REPORT_SIGNING_PKCS12_PASSWORD = os.environ.get("REPORT_SIGNING_PKCS12_PASSWORD", "" if PRODUCTION else "demo-signing-2026")
REPORT_SIGNING_UNIT = os.environ.get("REPORT_SIGNING_UNIT", "新平县脱贫攻坚领导小组办公室")
REPORT_SIGNING_TRUST_ROOTS = env_list(
    "REPORT_SIGNING_TRUST_ROOTS", [] if PRODUCTION else [str(REPORT_SIGNING_DIR / "ca.pem")]
)
# The stamp font (one face extracted from the CJK collection) is cached here once, outside the repository.
REPORT_SIGNING_FONT_CACHE_DIR = Path(
    os.environ.get("POVALLEVIATION_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "povalleviation"
)
REPORT_VERIFY_MAX_UPLOAD_BYTES = int(os.environ.get("REPORT_VERIFY_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# ---------------------------------------------------------------- security: authentication (lockout, TOTP, tokens, sessions)
# Lockout per account, not per address: a township office shares one NAT address (django-axes).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.DemoAwareModelBackend"]
# The username criterion alone decides (failures summed over every address and browser). The second entry,
# username with address, can never reach the limit before the first does; it is there so axes' check
# (axes.W006, which assumes an IP criterion) passes without silencing it.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
# Attempts during a lockout neither extend it nor count again: it ends 30 minutes after the fifth failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views_security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "povalleviation.request_context.client_ip"
# Unlocking is the security administrator's (三权分立): no admin page lists or resets attempts.
AXES_ENABLE_ADMIN = False
# Per-address limit on login POSTs (a cache counter, accounts.throttling), beside the per-account lockout.
LOGIN_RATE_LIMIT = int(os.environ.get("LOGIN_RATE_LIMIT", "30"))
LOGIN_RATE_WINDOW_SECONDS = 60
# Second factor (django-otp): county level and above and the three administrative roles (accounts.otp).
OTP_TOTP_ISSUER = "精准扶贫业务系统"
OTP_RECOVERY_CODE_COUNT = 10
# API tokens (django-rest-knox): stored as SHA-512 digests, expire after 30 days, sent as "Authorization: Token …".
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
}
# API rate limits (DRF throttling, per user and, before sign-in, per client address).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "accounts.throttling.ClientAddressAnonRateThrottle",
    "accounts.throttling.ClientAddressUserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": os.environ.get("API_RATE_ANON", "60/min"),
    "user": os.environ.get("API_RATE_USER", "600/min"),
}
# Sessions: 30 minutes idle (sliding), 12 hours at most after sign-in (accounts.middleware_security).
SESSION_IDLE_TIMEOUT_SECONDS = 30 * 60
SESSION_ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
# ---------------------------------------------------------------- security: accounts and passwords
# Password policy (等保 level 3): 8+ characters of three classes, not the username, not one of the last five,
# every 90 days for the three administrative roles; the demo password is refused in production.
PASSWORD_HISTORY_COUNT = 5
PASSWORD_MAX_AGE_DAYS = 90
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.PasswordComplexityValidator", "OPTIONS": {"min_length": 8, "min_classes": 3}},
    {"NAME": "accounts.validators.UsernameInPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}},
    {"NAME": "accounts.validators.DemoPasswordValidator"},
]
# ---------------------------------------------------------------- security: audit log
# ---------------------------------------------------------------- import limits
# Household Excel import (web, API and `import_households` alike): the file, each unpacked part of the
# .xlsx and their total, and the rows and columns of a sheet (households.imports.workbook_guard).
IMPORT_MAX_FILE_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(30 * 1024 * 1024)))
# Evidence files of inspections and complaints (整改佐证材料).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_PART_BYTES = int(os.environ.get("IMPORT_MAX_PART_BYTES", str(200 * 1024 * 1024)))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(400 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "100"))

# ---------------------------------------------------------------- import jobs
# A household import task that kills its worker is redelivered (acks_late + reject_on_worker_lost); the job
# counts its deliveries and fails past this many (households.imports.jobs.start_delivery).
IMPORT_MAX_DELIVERIES = int(os.environ.get("IMPORT_MAX_DELIVERIES", "3"))
# Running import jobs (queued, validating, committing) that have not moved for this long are failed (beat).
IMPORT_STALE_MINUTES = int(os.environ.get("IMPORT_STALE_MINUTES", "30"))
CELERY_BEAT_SCHEDULE["fail-stale-imports"] = {
    "task": "households.fail_stale_imports",
    "schedule": crontab(minute="*/5"),
}
# A worker child whose memory grew past this (KiB; 1 GiB) after a task is replaced by a fresh one.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", str(1024 * 1024)))
# ---------------------------------------------------------------- backups
# `manage.py backup` (portal.backup): one archive per run (database dump, media files, manifest), encrypted with
# age to BACKUP_AGE_RECIPIENTS (comma-separated age public keys; the private key is kept off the server). Without
# a recipient the command refuses. Rotation after each run: the newest archive of each of the last N days, weeks
# and months. docs/operations.md describes restore and point-in-time recovery.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))
BACKUP_AGE_RECIPIENTS = env_list("BACKUP_AGE_RECIPIENTS", [])
BACKUP_KEEP_DAILY = int(os.environ.get("BACKUP_KEEP_DAILY", "7"))
BACKUP_KEEP_WEEKLY = int(os.environ.get("BACKUP_KEEP_WEEKLY", "4"))
BACKUP_KEEP_MONTHLY = int(os.environ.get("BACKUP_KEEP_MONTHLY", "12"))
# Where pg_dump/pg_restore (the server's major version) live; empty: found on PATH.
BACKUP_PG_BIN_DIR = os.environ.get("BACKUP_PG_BIN_DIR", "")
CELERY_BEAT_SCHEDULE["nightly-backup"] = {
    "task": "portal.tasks.nightly_backup_task",
    "schedule": crontab(hour=int(os.environ.get("BACKUP_HOUR", "1")), minute=0),
}
# ---------------------------------------------------------------- security: web hardening (proxies, CSP, limits)
# Addresses (or CIDR networks) of the reverse proxies in front of the app. Only a request coming from one of
# them may set X-Forwarded-For / X-Forwarded-Proto; from anyone else those headers are ignored.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", [])
# Scripts only from our own static files: no inline <script>, no on*= handlers (static/js/ behaviours.js
# handles data-print / data-autosubmit). Styles keep 'unsafe-inline' for the few style="" attributes and
# <style> blocks in templates and Swagger UI; styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    },
}
# Request bodies: the upload views accept their own file limits (povalleviation.security.UPLOAD_LIMITS);
# everything else is refused above this size, from Content-Length, before the body is read.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the form field, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# The container health check calls /healthz/live over plain HTTP from inside the container; Prometheus scrapes
# /metrics on the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$", r"^metrics$"]

if PRODUCTION:
    problems = []
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY 未设置或过短（至少 50 个字符）")
    if DEBUG:
        problems.append("生产模式下 DEBUG 必须关闭")
    if USING_SQLITE:
        problems.append("生产模式必须使用 PostgreSQL（设置 DATABASE_URL）")
    if CELERY_TASK_ALWAYS_EAGER:
        problems.append("生产模式必须使用 Redis 任务队列（设置 REDIS_URL，且不得开启 CELERY_TASK_ALWAYS_EAGER）")
    if not ALLOWED_HOSTS:
        problems.append("生产模式必须设置 ALLOWED_HOSTS")
    if not REPORT_SIGNING_PKCS12_PATH:
        problems.append("生产模式必须设置 REPORT_SIGNING_PKCS12_PATH（签发报告用的 PKCS#12 证书文件）")
    if problems:
        raise ImproperlyConfigured("生产模式拒绝启动：" + "；".join(problems))
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
