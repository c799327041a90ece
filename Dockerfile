# One image for the web server (gunicorn), the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# CJK fonts and the libraries WeasyPrint needs for Chinese PDFs (HarfBuzz subsetting keeps them small);
# the PostgreSQL 15 client (pg_dump/pg_restore) for `manage.py backup`/`restore`.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 shared-mime-info \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first: pyproject.toml alone is enough (the project installs no package of its own),
# so a code change reuses this layer.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files are collected into the image and served by WhiteNoise. Production settings refuse to load
# without these variables; the values below exist only for this build step and are never used at run time.
RUN DJANGO_ENV=production \
    SECRET_KEY=build-time-only-dummy-secret-key-for-collectstatic-0123456789 \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    REPORT_SIGNING_PKCS12_PATH=/dev/null \
    python manage.py collectstatic --noinput -v0

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app/media /app/backups \
    && chown app:app /app/media /app/backups
USER app

EXPOSE 8000
# Behind the proxy (docker-compose.yml sets --forwarded-allow-ips to its address); oversized request lines and
# headers are refused here, bodies by the proxy and the app.
CMD ["gunicorn", "povalleviation.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-", "--limit-request-line", "4094", "--limit-request-fields", "100", "--limit-request-field_size", "8190"]
