"""The deployment files: docker-compose.yml and the Dockerfile it builds.

With a Docker client that has the compose plugin, ``docker compose config`` validates the file. Whether or
not it is there, the file is read here and its services, shared image, health checks, volumes and
environment are checked, the environment is fed to the production settings (``check --deploy``), the web
health check is run against a live server, and the Dockerfile's collectstatic step is run as written.
"""
import ipaddress
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")
TEST_SECRET = "compose-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|:\?|-|\?)(?P<arg>[^}]*))?\}")


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, enough to read this file as compose would."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = variables.get(name)
        if op in (":-", "-"):
            return value if value else (arg or "")
        if op in (":?", "?"):
            if not value:
                raise KeyError(f"{name}: {arg}")
            return value
        return value or ""

    return INTERPOLATION.sub(replace, value)


def docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_docker_compose_config_or_structure():
    """``docker compose config -q`` where the plugin exists; the structural checks below run either way."""
    if docker_compose_available():
        env = {**os.environ, "SECRET_KEY": TEST_SECRET}
        result = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"], cwd=BASE_DIR, env=env,
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        missing = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"], cwd=BASE_DIR,
            env={k: v for k, v in os.environ.items() if k != "SECRET_KEY"}, capture_output=True, text=True, timeout=60,
        )
        assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr
    # Without the plugin, every ${...} must still be well formed, and SECRET_KEY must be required.
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for expression in re.findall(r"(?<!\$)\$\{[^}]*\}", text):
        assert INTERPOLATION.fullmatch(expression), f"malformed interpolation {expression}"
    for service in APP_SERVICES:
        environment = compose()["services"][service]["environment"]
        with pytest.raises(KeyError, match="SECRET_KEY"):
            interpolate(environment["SECRET_KEY"], {})


def test_compose_has_the_seven_services_with_one_shared_image():
    services = compose()["services"]
    assert set(services) == {"migrate", "proxy", "web", "worker", "beat", "db", "redis"}
    assert services["migrate"]["image"] == "povalleviation:latest"
    builds = [services[name]["build"] for name in APP_SERVICES]
    assert builds == [{"context": ".", "dockerfile": "Dockerfile"}] * 3
    assert {services[name]["image"] for name in APP_SERVICES} == {"povalleviation:latest"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["proxy"]["image"] == "caddy:2"
    assert all("build" not in services[name] for name in ("db", "redis", "proxy"))


def test_compose_commands():
    services = compose()["services"]
    web = " ".join(services["web"]["command"])
    # Migrations and the app role's grants run once, as the table owner, before the app starts.
    assert " ".join(services["migrate"]["command"]) == (
        "sh -c python manage.py migrate --noinput && python manage.py grant_app_role povalleviation_app --create")
    assert "migrate" not in web
    assert "gunicorn povalleviation.wsgi:application --bind 0.0.0.0:8000" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "povalleviation", "worker"]
    # Gossip fails to reconnect after a Redis restart (docs/queue.md); the worker runs without it.
    assert {"--without-gossip", "--without-mingle"} <= set(services["worker"]["command"])
    assert "celery -A povalleviation beat" in " ".join(services["beat"]["command"])
    published = {name for name, service in services.items() if "ports" in service}
    assert published == {"proxy"}, "only the TLS proxy is published; gunicorn, database and broker stay private"
    assert services["web"]["expose"] == ["8000"]
    assert services["proxy"]["ports"] == ["${HTTPS_PORT:-443}:443", "${HTTP_PORT:-80}:80"]


def proxy_address() -> str:
    return compose()["services"]["proxy"]["networks"]["default"]["ipv4_address"]


def test_gunicorn_trusts_only_the_proxy_and_limits_request_heads():
    data = compose()
    address = proxy_address()
    [subnet] = [entry["subnet"] for entry in data["networks"]["default"]["ipam"]["config"]]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    words = shlex.split(data["services"]["web"]["command"][2].replace("$$", "$"))
    flags = {words[i]: words[i + 1] for i, word in enumerate(words) if word.startswith("--limit") or word == "--forwarded-allow-ips"}
    assert flags == {"--forwarded-allow-ips": address, "--limit-request-line": "4094", "--limit-request-fields": "100",
                     "--limit-request-field_size": "8190"}
    assert data["services"]["web"]["environment"]["TRUSTED_PROXY_IPS"] == address
    proxy = data["services"]["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert {"caddy_data:/data", "caddy_config:/config"} <= set(proxy["volumes"])
    assert proxy["environment"]["TLS_CERT_FILE"] == "${TLS_CERT_FILE:-internal}"
    assert proxy["depends_on"]["web"] == {"condition": "service_healthy"}


def test_compose_health_checks():
    services = compose()["services"]
    for name, service in services.items():
        if name == "migrate":  # a one-shot step: the app services wait for it to complete successfully
            assert service["healthcheck"] == {"disable": True} and service["restart"] == "no"
            continue
        check = service.get("healthcheck")
        assert check and check["test"], f"{name} has no health check"
        assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "/tmp/celerybeat.pid" in " ".join(services["beat"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "http://127.0.0.1:8081/healthz" in services["proxy"]["healthcheck"]["test"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["redis"] == {"condition": "service_healthy"}
    assert services["web"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["beat"]["depends_on"]["web"] == {"condition": "service_healthy"}
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_compose_database_lives_in_a_named_volume():
    data = compose()
    volumes = data["volumes"]
    assert "pgdata" in volumes
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["db"]["volumes"]
    assert "redisdata:/data" in data["services"]["redis"]["volumes"]
    for name in APP_SERVICES:
        for mount in data["services"][name].get("volumes", []):
            assert mount.split(":")[0] in volumes, f"{name} mounts {mount}, not a named volume"


def test_compose_environment_is_production_behind_a_tls_proxy():
    services = compose()["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert environment["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert "ALLOWED_HOSTS" in environment
        assert "SECURE_SSL_REDIRECT" not in environment, "the app redirects plain HTTP itself too"
        assert environment["TRUSTED_PROXY_IPS"] == proxy_address()
        assert "DEBUG" not in environment and "CELERY_TASK_ALWAYS_EAGER" not in environment
    db = services["db"]["environment"]
    # The app runs as a role that owns no table (it cannot disable the audit log's triggers); only the
    # migrate step connects as the owner.
    for name in APP_SERVICES:
        url = interpolate(services[name]["environment"]["DATABASE_URL"], {})
        assert url == f"postgres://povalleviation_app:povalleviation-app@db:5432/{db['POSTGRES_DB']}"
    migrate = services["migrate"]["environment"]
    assert interpolate(migrate["DATABASE_URL"], {}) == (
        f"postgres://{db['POSTGRES_USER']}:povalleviation@db:5432/{db['POSTGRES_DB']}")
    assert migrate["APP_DATABASE_PASSWORD"] == "${APP_DATABASE_PASSWORD:-povalleviation-app}"
    assert {key: value for key, value in migrate.items() if key not in ("DATABASE_URL", "APP_DATABASE_PASSWORD")} == {
        key: value for key, value in services["web"]["environment"].items() if key != "DATABASE_URL"}


def _compose_web_environment(**variables) -> dict[str, str]:
    environment = compose()["services"]["web"]["environment"]
    return {name: interpolate(str(value), variables) for name, value in environment.items()}


def _without_outer_settings() -> dict[str, str]:
    outer = {
        "DJANGO_ENV", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "CELERY_TASK_ALWAYS_EAGER",
        "SECURE_SSL_REDIRECT", "TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_ROOT",
        "CSRF_TRUSTED_ORIGINS", "TRUSTED_PROXY_IPS", "REQUEST_BODY_MAX_BYTES", "SECURE_HSTS_SECONDS",
    }
    return {name: value for name, value in os.environ.items() if name not in outer}


def test_compose_environment_passes_the_production_guard_and_check_deploy():
    env = {**_without_outer_settings(), **_compose_web_environment(SECRET_KEY=TEST_SECRET, ALLOWED_HOSTS="fupin.example.org")}
    assert env["ALLOWED_HOSTS"] == "fupin.example.org,localhost"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
         "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.TRUSTED_PROXY_IPS, s.SILENCED_SYSTEM_CHECKS, "
         "s.MIDDLEWARE[0])"],
        cwd=BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "povalleviation.settings"}, capture_output=True, text=True,
        timeout=120,
    )
    assert started.stdout.split("\n")[0] == (
        f"True ('HTTP_X_FORWARDED_PROTO', 'https') ['{proxy_address()}'] [] povalleviation.security.TrustedProxyMiddleware"
    ), started.stderr


@pytest.mark.django_db(transaction=True)
def test_web_health_check_command_works(live_server):
    """Run the compose health check as written, pointed at a live server instead of port 8000."""
    command = compose()["services"]["web"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    code = command[3]
    assert "http://127.0.0.1:8000/healthz" in code
    healthy = subprocess.run(
        [sys.executable, "-c", code.replace("http://127.0.0.1:8000", live_server.url)], capture_output=True, text=True,
        timeout=60,
    )
    assert healthy.returncode == 0, healthy.stderr
    down = subprocess.run(
        [sys.executable, "-c", code.replace("http://127.0.0.1:8000", "http://127.0.0.1:1")], capture_output=True,
        text=True, timeout=60,
    )
    assert down.returncode != 0


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_dockerfile_shape():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim-bookworm")
    runs = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    for package in ("fonts-noto-cjk", "libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0", "shared-mime-info"):
        assert package in runs
    assert "pip install ." in runs
    assert "collectstatic --noinput" in runs
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("EXPOSE", "8000") in instructions
    cmd = [rest for keyword, rest in instructions if keyword == "CMD"][-1]
    assert cmd.startswith('["gunicorn", "povalleviation.wsgi:application", "--bind", "0.0.0.0:8000"')
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    for path in (".venv", ".git", "db.sqlite3", ".env", "staticfiles", "media"):
        assert path in ignored


def test_dockerfile_collectstatic_step_works(tmp_path):
    """The build's collectstatic, with the Dockerfile's own dummy variables, into a temporary STATIC_ROOT."""
    [step] = [rest for keyword, rest in _dockerfile_instructions() if keyword == "RUN" and "collectstatic" in rest]
    words = shlex.split(step)
    assignments = dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", word))
    command = [word for word in words if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", word)]
    assert assignments["DJANGO_ENV"] == "production"
    assert command[:2] == ["python", "manage.py"]
    env = {**_without_outer_settings(), **assignments, "STATIC_ROOT": str(tmp_path / "static")}
    result = subprocess.run(
        [sys.executable, *command[1:]], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert '"css/app.css"' in manifest
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in manifest
