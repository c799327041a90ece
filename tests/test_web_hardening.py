"""Web hardening: trusted proxies, CSP, Permissions-Policy, cookies, request limits, malformed paths and queries."""
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from conftest import GROUP_A1, VILLAGE_A
from households.api.serializers import MAX_HOUSEHOLD_MEMBERS
from households.models import Household
from households.tests.factories import make_id_number
from povalleviation.security import (
    FORWARDING_HEADERS,
    RequestLimitsMiddleware,
    TrustedProxyMiddleware,
)

FORWARDED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_FOR": "203.0.113.9",
    "HTTP_X_FORWARDED_HOST": "evil.example",
    "HTTP_X_REAL_IP": "203.0.113.9",
}
PROXY_SETTINGS = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"), "SECURE_SSL_REDIRECT": True}


@pytest.fixture
def signed_in():
    """``signed_in(user)`` → a test client with a session that has passed the second factor too."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def make(user):
        device = TOTPDevice.objects.create(user=user, name="测试口令", confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return make


def _seen_meta(remote_addr, **extra):
    """What a view behind TrustedProxyMiddleware sees of a request from ``remote_addr``."""
    seen = {}

    def view(request):
        seen.update(request.META)
        seen["is_secure"] = request.is_secure()
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **FORWARDED, **extra)
    TrustedProxyMiddleware(view)(request)
    return seen


# ---------------------------------------------------------------- trusted proxy


@override_settings(TRUSTED_PROXY_IPS=["172.30.0.10", "10.8.0.0/16"], **PROXY_SETTINGS)
@pytest.mark.parametrize("address", ["172.30.0.10", "10.8.3.4", "::ffff:172.30.0.10"])
def test_forwarding_headers_from_a_trusted_proxy_are_kept(address):
    seen = _seen_meta(address)
    for header, value in FORWARDED.items():
        assert seen[header] == value
    assert seen["is_secure"] is True


@override_settings(TRUSTED_PROXY_IPS=["172.30.0.10", "10.8.0.0/16"], **PROXY_SETTINGS)
@pytest.mark.parametrize("address", ["203.0.113.50", "172.30.0.11", "10.9.0.1", "127.0.0.1", "not-an-address", ""])
def test_forwarding_headers_from_anyone_else_are_dropped(address):
    seen = _seen_meta(address)
    for header in FORWARDING_HEADERS:
        assert header not in seen
    assert seen["is_secure"] is False


@override_settings(TRUSTED_PROXY_IPS=[], **PROXY_SETTINGS)
def test_without_configured_proxies_every_forwarding_header_is_dropped():
    assert all(header not in _seen_meta("172.30.0.10") for header in FORWARDING_HEADERS)


def test_the_trusted_proxy_middleware_runs_first():
    assert settings.MIDDLEWARE[0] == "povalleviation.security.TrustedProxyMiddleware"
    order = settings.MIDDLEWARE
    assert order.index("povalleviation.security.RequestLimitsMiddleware") < order.index(
        "django.middleware.csrf.CsrfViewMiddleware")


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_IPS=["172.30.0.10"], **PROXY_SETTINGS)
def test_a_client_cannot_claim_https_to_skip_the_redirect(client):
    """From a client, X-Forwarded-Proto: https is ignored, so plain HTTP is still redirected to HTTPS."""
    direct = client.get("/accounts/login/", REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = client.get("/accounts/login/", REMOTE_ADDR="172.30.0.10", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_IPS=[], **PROXY_SETTINGS)
def test_the_health_check_is_answered_over_plain_http(client):
    assert client.get("/healthz").status_code in (200, 503)  # never a redirect the container check cannot follow


# ---------------------------------------------------------------- headers and cookies


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client_for, village_cadre_a):
    response = client_for(village_cadre_a).get("/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/areas/", "/static/css/app.css"])
def test_every_response_denies_powerful_browser_features(client, path):
    response = client.get(path)
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only_and_same_site(client, village_cadre_a):
    from conftest import PASSWORD

    page = client.get("/accounts/login/")
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    token = csrf.value
    client.post("/accounts/login/", {"username": village_cadre_a.username, "password": PASSWORD,
                                     "csrfmiddlewaretoken": token})
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_handler():
    """The CSP refuses inline scripts: behaviour lives in static/js/, pages use data-* attributes."""
    offenders = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text) or "javascript:" in text.lower():
                offenders.append(str(template.relative_to(settings.BASE_DIR)))
    assert offenders == []


@pytest.mark.django_db
def test_print_and_autosubmit_use_the_shared_script(signed_in, county_officer):
    client = signed_in(county_officer)
    listing = client.get(reverse("policy:parameter_list") + "?area=530427000000").content.decode()
    assert "js/behaviours.js" in listing
    assert re.search(r'<select name="area" data-autosubmit>', listing) and "onchange" not in listing
    book = client.get("/households/book/530427204000/").content.decode()
    assert "data-print" in book and "onclick" not in book


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_script_as_a_file(signed_in, county_officer):
    client = signed_in(county_officer)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not INLINE_SCRIPT.search(html)
    [script_url] = re.findall(r'<script src="([^"]*\?script[^"]*)"', html)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


# ---------------------------------------------------------------- request limits


def _limited(path, length, **extra):
    reached = []

    def view(request):
        reached.append(request.path)
        return HttpResponse("ok")

    request = RequestFactory().post(path, data=b"", content_type="application/octet-stream", **extra)
    request.META["CONTENT_LENGTH"] = str(length)
    return RequestLimitsMiddleware(view)(request), reached


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/households/", "/households/new/", "/no/such/page/"])
def test_ordinary_bodies_above_the_limit_are_refused_unread(path):
    response, reached = _limited(path, settings.REQUEST_BODY_MAX_BYTES + 1)
    assert response.status_code == 413 and reached == []
    assert "提交的内容过大（上限 2 MB）" in response.content.decode()
    response, reached = _limited(path, settings.REQUEST_BODY_MAX_BYTES)
    assert response.status_code == 200 and reached == [path]


@pytest.mark.parametrize("path, allowed_mb", [
    ("/households/imports/", 30), ("/api/v1/imports/", 30), ("/funds/import/", 30),
    ("/oversight/items/7/do/progress/", 20), ("/api/v1/rectification-items/7/progress/", 20),
])
def test_upload_views_accept_their_file_limit_and_no_more(path, allowed_mb):
    response, reached = _limited(path, allowed_mb * 1024 * 1024 + 512 * 1024)
    assert response.status_code == 200 and reached == [path]
    response, reached = _limited(path, (allowed_mb + 2) * 1024 * 1024)
    assert response.status_code == 413 and reached == []
    assert f"上限 {allowed_mb + 1} MB" in response.content.decode()


def test_api_refusals_are_json():
    response, _ = _limited("/api/v1/households/", 50 * 1024 * 1024)
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {
        "detail": "提交的内容过大（上限 2 MB），请求已被拒绝。", "code": "request_too_large", "errors": {}}


@pytest.mark.django_db
def test_a_large_body_is_refused_end_to_end(client):
    response = client.generic("POST", "/accounts/login/", b"x" * (settings.REQUEST_BODY_MAX_BYTES + 10),
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()


def test_the_member_limit_is_thirty():
    assert MAX_HOUSEHOLD_MEMBERS == 30


@pytest.mark.django_db
def test_api_refuses_more_members_than_a_household_holds(api_for, village_cadre_a):
    members = [{"name": f"成员{i}", "id_number": make_id_number(700 + i), "relation": "02" if i == 0 else "20"}
               for i in range(MAX_HOUSEHOLD_MEMBERS + 1)]
    payload = {"area": GROUP_A1, "identification_year": 2017, "primary_cause": "EDUCATION", "members": members}
    response = api_for(village_cadre_a).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    assert "一户最多登记 30 名成员。" in str(response.json())
    assert Household.objects.count() == 0


# ---------------------------------------------------------------- malformed paths and queries


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/spend-ratios/?area=5304%00&year=2026",
    "/api/v1/households/?search=a%00b",
    "/households/?q=%00",
    "/accounts/audit/?q=a%00b",
    "/households/%00/",
    "/api/v1/areas/5304%00/",
])
def test_nul_bytes_in_path_or_query_are_a_400(signed_in, county_officer, path):
    response = signed_in(county_officer).get(path)
    assert response.status_code == 400
    assert "请求地址或查询参数中含有非法字符（空字符）。" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/exit-verifications/abc/", "/api/v1/households/abc/", "/api/v1/households/1x/members/",
    "/api/v1/reports/abc/", "/api/v1/complaints/-1/", "/api/v1/areas/abc/",
    "/api/v1/exit-verifications/99999999999999999999999/",
])
def test_non_numeric_or_absurd_ids_are_a_404(signed_in, county_officer, path):
    assert signed_in(county_officer).get(path).status_code == 404


@pytest.mark.django_db
def test_the_spend_ratio_query_still_answers(signed_in, county_officer, areas):
    client = signed_in(county_officer)
    response = client.get("/api/v1/spend-ratios/?area=530427000000&year=2026")
    assert response.status_code == 200 and response.json()["area"] == "530427000000"
    assert client.get(f"/api/v1/spend-ratios/?area={VILLAGE_A}x&year=2026").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["2667692752745", "99999", "1", "-5"])
def test_an_absurd_spend_ratio_year_is_a_400(signed_in, county_officer, areas, year):
    response = signed_in(county_officer).get(f"/api/v1/spend-ratios/?area=530427000000&year={year}")
    assert response.status_code == 400
    assert response.json()["errors"]["year"] == "year 必须是年份，as_of 必须是 YYYY-MM-DD"


# ---------------------------------------------------------------- the schema says what the API returns

NULLABLE_FIELDS = [
    ("Complaint", "household_number"), ("ComplaintDetail", "household_number"), ("ComplaintHistory", "actor"),
    ("ItemHistory", "actor"), ("RecomputeRun", "requested_by"), ("PolicyParameter", "created_by"),
    ("ExitPlan", "created_by"), ("ExitPlan", "approved_by"),
]
WHOLE_LISTS = ["/api/v1/households/{id}/members/", "/api/v1/exit-plans/{id}/versions/",
               "/api/v1/policy-parameters/{id}/history/"]


@pytest.mark.django_db
def test_fields_that_can_be_empty_are_declared_nullable(signed_in, county_officer):
    schema = signed_in(county_officer).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for component, field in NULLABLE_FIELDS:
        assert components[component]["properties"][field].get("nullable") is True, (component, field)
    for path in WHOLE_LISTS:
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path  # not a page object: the endpoint returns the whole list
