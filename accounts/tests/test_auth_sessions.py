"""Sessions: 30-minute idle timeout (sliding), 12-hour absolute limit, logout everywhere, no-store headers.

Time is moved by rewriting the session's stored timestamps, never by sleeping."""
from django.http import HttpResponse
from django.test import Client, RequestFactory
from knox.models import AuthToken

from accounts.middleware_security import IDLE_MESSAGE, LAST_ACTIVITY_KEY, LOGIN_AT_KEY, NoStoreMiddleware
from accounts.models import AuditEvent
from conftest import PASSWORD


def shift_session(client, key, seconds):
    session = client.session
    session[key] -= seconds
    session.save()


def test_a_session_idle_for_31_minutes_is_signed_out_with_a_chinese_message(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    assert client.get("/households/").status_code == 200
    shift_session(client, LAST_ACTIVITY_KEY, 31 * 60)
    response = client.get("/households/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/households/"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response.url).content.decode()
    assert IDLE_MESSAGE in login_page and "长时间未操作，已自动退出" in login_page
    signed_out = AuditEvent.objects.get(action="user.logout")
    assert (signed_out.actor, signed_out.ip_address) == (village_cadre_a, "127.0.0.1")


def test_activity_keeps_the_session_alive(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    client.get("/households/")
    for _ in range(3):  # 3 × 20 minutes, each followed by a request: never 30 minutes idle
        shift_session(client, LAST_ACTIVITY_KEY, 20 * 60)
        shift_session(client, LOGIN_AT_KEY, 20 * 60)
        assert client.get("/households/").status_code == 200


def test_a_session_ends_12_hours_after_sign_in_however_active(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    client.get("/")
    shift_session(client, LOGIN_AT_KEY, 12 * 60 * 60 + 60)
    response = client.get("/households/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert "已超过 12 小时" in client.get(response.url).content.decode()


def test_an_expired_session_on_the_api_gets_401_in_chinese(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    assert client.get("/api/v1/me/").status_code == 200
    shift_session(client, LAST_ACTIVITY_KEY, 31 * 60)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired" and "长时间未操作" in response.json()["detail"]


def test_logout_everywhere_ends_other_sessions_and_revokes_tokens(client_for, village_cadre_a):
    laptop = Client()
    assert laptop.post("/accounts/login/", {"username": "cadre_a", "password": PASSWORD}).status_code == 302
    phone = client_for(village_cadre_a)
    _instance, token = AuthToken.objects.create(user=village_cadre_a)
    assert laptop.get("/households/").status_code == 200
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    response = phone.post("/accounts/logout-all/")
    assert response.status_code == 302 and response.url == "/accounts/login/"

    for client in (laptop, phone):
        refused = client.get("/households/")
        assert refused.status_code == 302 and refused.url.startswith("/accounts/login/")
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    assert not AuthToken.objects.filter(user=village_cadre_a).exists()
    village_cadre_a.refresh_from_db()
    assert village_cadre_a.session_generation == 1
    event = AuditEvent.objects.get(action="user.logout_all")
    assert event.actor == village_cadre_a and event.changes == {"tokens_revoked": 1}
    # Signing in again works.
    assert Client().post("/accounts/login/", {"username": "cadre_a", "password": PASSWORD}).status_code == 302


def test_logout_everywhere_needs_a_post(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    assert client.get("/accounts/logout-all/").status_code == 405
    village_cadre_a.refresh_from_db()
    assert village_cadre_a.session_generation == 0


def test_pages_and_api_answers_of_a_signed_in_user_are_not_stored(client_for, api_for, village_cadre_a):
    client = client_for(village_cadre_a)
    for path in ("/households/", "/", "/api/v1/areas/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache", path
    _instance, token = AuthToken.objects.create(user=village_cadre_a)
    api = Client().get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]


def test_static_files_keep_their_caching(village_cadre_a):
    request = RequestFactory().get("/static/css/app.css")
    request.user = village_cadre_a
    response = NoStoreMiddleware(lambda _request: HttpResponse("body"))(request)
    assert "Cache-Control" not in response and "Pragma" not in response
