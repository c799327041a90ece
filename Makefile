# povalleviation — two commands: `make run` (install, migrate, demo data, serve) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
# Debian packages: CJK fonts and the libraries WeasyPrint needs (HarfBuzz subsetting makes Chinese PDFs
# fast), chromium for the browser tests, poppler-utils, libnss3-tools and zbar-tools (pdfsig, certutil, zbarimg)
# for the signature tests, the PostgreSQL client for `make bench`.
DEBIAN_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
	libfontconfig1 shared-mime-info chromium poppler-utils libnss3-tools zbar-tools postgresql-client
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/povalleviation
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench sysdeps install migrate demo services-check clean

sysdeps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "安装系统软件包:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

install: sysdeps $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_demo_signing_ca

run: demo
	@echo "打开 http://$(HOST):$(PORT)/ ，演示账号见 README.md"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

services-check: install
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" $(BIN)/python scripts/check_services.py

test: services-check
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: services-check
	@export DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}"; \
	$(BIN)/python scripts/bench.py && \
	$(BIN)/python scripts/bench_eligibility.py && \
	$(BIN)/python scripts/bench_funds.py && \
	$(BIN)/python scripts/bench_reports.py

# Encrypted backup into BACKUP_DIR (needs BACKUP_AGE_RECIPIENTS; see docs/operations.md). `make restore
# ARCHIVE=… IDENTITY=…` restores one into the configured, empty database and media folder.
.PHONY: backup restore
backup: install
	$(BIN)/python manage.py backup

restore: install
	@[ -n "$(ARCHIVE)" ] && [ -n "$(IDENTITY)" ] || { echo "用法：make restore ARCHIVE=备份文件 IDENTITY=age私钥文件"; exit 2; }
	$(BIN)/python manage.py restore "$(ARCHIVE)" --identity "$(IDENTITY)" $(RESTORE_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
