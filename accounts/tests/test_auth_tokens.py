"""API tokens (django-rest-knox): created by their owner on 账号安全, shown once, stored as digests, expiring
after 30 days, revocable one by one or all at once; and the API's per-user rate limit."""
import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import AuditEvent
from accounts.throttling import ClientAddressUserRateThrottle

TOKENS = "/accounts/tokens/"


def api_get(token, path="/api/v1/me/"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {token}")


def create_on_page(client):
    page = client.post(TOKENS, {"action": "create"})
    assert page.status_code == 200
    body = page.content.decode()
    token = re.search(r'id="new-token">([0-9a-f]+)<', body).group(1)
    return token, body


def test_owner_creates_a_token_shown_once_with_its_expiry_and_stored_hashed(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    token, body = create_on_page(client)
    instance = AuthToken.objects.get(user=village_cadre_a)
    assert "只显示这一次" in body and f"{timezone.localtime(instance.expiry):%Y-%m-%d %H:%M}" in body
    assert instance.digest != token and token not in instance.digest
    assert instance.token_key == token[:15]
    days = (instance.expiry - timezone.now()).total_seconds() / 86400
    assert 29.9 < days <= 30
    assert api_get(token).json()["username"] == "cadre_a"
    # Later visits list the prefix, created and expiry, never the token.
    listing = client.get(TOKENS).content.decode()
    assert instance.token_key in listing and token not in listing
    event = AuditEvent.objects.get(action="token.create")
    assert event.actor == village_cadre_a and token not in str(event.changes) and token not in event.summary


def test_a_token_past_its_expiry_gets_401(village_cadre_a):
    instance, token = AuthToken.objects.create(user=village_cadre_a)
    assert api_get(token).status_code == 200
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = api_get(token)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效、已过期或已吊销。"


def test_owner_revokes_one_token_then_all(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    first, _ = create_on_page(client)
    second, _ = create_on_page(client)
    third, _ = create_on_page(client)
    client.post(TOKENS, {"action": "revoke", "token_key": first[:15]})
    assert api_get(first).status_code == 401
    assert api_get(second).status_code == 200
    client.post(TOKENS, {"action": "revoke_all"})
    assert api_get(second).status_code == 401 and api_get(third).status_code == 401
    assert not AuthToken.objects.filter(user=village_cadre_a).exists()
    revokes = list(AuditEvent.objects.filter(action="token.revoke").order_by("id").values_list("changes", flat=True))
    assert revokes == [{"token_keys": [first[:15]]}, {"token_keys": sorted([second[:15], third[:15]])}]


def test_nobody_revokes_or_sees_another_users_token(client_for, village_cadre_a, village_cadre_b):
    instance, token = AuthToken.objects.create(user=village_cadre_a)
    other = client_for(village_cadre_b)
    assert instance.token_key not in other.get(TOKENS).content.decode()
    other.post(TOKENS, {"action": "revoke", "token_key": instance.token_key})
    other.post(TOKENS, {"action": "revoke_all"})
    assert api_get(token).status_code == 200


def test_tokens_page_needs_a_login(db):
    response = Client().get(TOKENS)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_api_rates_come_from_settings():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "60/min", "user": "600/min"}


def test_api_answers_429_in_chinese_past_the_per_user_rate(api_for, village_cadre_a, village_cadre_b, monkeypatch):
    monkeypatch.setattr(ClientAddressUserRateThrottle, "THROTTLE_RATES", {"user": "5/min", "anon": "5/min"})
    cadre_a, cadre_b = api_for(village_cadre_a), api_for(village_cadre_b)
    for _ in range(5):
        assert cadre_a.get("/api/v1/me/").status_code == 200
    refused = cadre_a.get("/api/v1/me/")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and refused.json()["detail"].startswith("请求过于频繁")
    assert int(refused["Retry-After"]) > 0
    # The limit is per user: a colleague (even from the same address) is not affected.
    assert cadre_b.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Bearer abc", "Token "])
def test_bad_authorization_headers_get_401(db, header):
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_token_stops_working_while_its_owner_must_change_the_password(village_cadre_a):
    _, token = AuthToken.objects.create(village_cadre_a)
    assert api_get(token).status_code == 200
    village_cadre_a.must_change_password = True
    village_cadre_a.save(update_fields=["must_change_password"])
    refused = api_get(token)
    assert refused.status_code == 401 and "须先在网页上修改密码" in refused.json()["detail"]



@pytest.mark.django_db(transaction=True)
def test_upgrading_drops_the_old_clear_text_token_table():
    """An installation that used DRF's tokens kept every key in clear text: the upgrade removes the table."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "accounts", "0004", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', now(), 1)")
    assert "authtoken_token" in connection.introspection.table_names()
    call_command("migrate", "accounts", verbosity=0)
    assert "authtoken_token" not in connection.introspection.table_names()
