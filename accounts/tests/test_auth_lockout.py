"""Per-account lockout (django-axes, by username: a township office shares one address), the security
administrator's unlock page, and the per-address login rate limit."""
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.test import Client, override_settings

from accounts.models import AuditEvent
from accounts.views_security import LOCKOUT_MESSAGE
from conftest import PASSWORD

LOGIN = "/accounts/login/"
SHARED_OFFICE_ADDRESS = "10.20.30.40"


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=SHARED_OFFICE_ADDRESS)


def fail_five_times(client, username):
    for _ in range(5):
        response = post_login(client, username, "wrong-password-1")
    return response


def test_four_failures_still_let_the_right_password_in(village_cadre_a):
    client = Client()
    for _ in range(4):
        assert post_login(client, "cadre_a", "wrong-password-1").status_code == 200
    response = post_login(client, "cadre_a", PASSWORD)
    assert response.status_code == 302 and response.url == "/"


def test_five_failures_lock_that_account_only_and_fire_the_lockout_signal(village_cadre_a, village_cadre_b):
    locked = []

    def note(sender, request, username, ip_address, **kwargs):
        locked.append((username, ip_address))

    user_locked_out.connect(note)
    try:
        client = Client()
        fifth = fail_five_times(client, "cadre_a")
    finally:
        user_locked_out.disconnect(note)
    assert fifth.status_code == 429
    assert LOCKOUT_MESSAGE in fifth.content.decode()
    assert locked == [("cadre_a", SHARED_OFFICE_ADDRESS)]

    # Even the right password is refused now, with the lockout message on the login form.
    refused = post_login(client, "cadre_a", PASSWORD)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert LOCKOUT_MESSAGE in page and 'id="id_username"' in page
    assert "_auth_user_id" not in client.session

    # A colleague behind the same office address still signs in.
    colleague = Client()
    response = post_login(colleague, "cadre_b", PASSWORD)
    assert response.status_code == 302 and response.url == "/"


def test_lockout_holds_from_any_other_address(village_cadre_a):
    fail_five_times(Client(), "cadre_a")
    elsewhere = Client().post(LOGIN, {"username": "cadre_a", "password": PASSWORD}, REMOTE_ADDR="172.16.0.9")
    assert elsewhere.status_code == 429


def test_security_admin_lists_and_unlocks_an_account_of_his_area(client_for, village_cadre_a, security_admin):
    fail_five_times(Client(), "cadre_a")
    admin = client_for(security_admin)
    page = admin.get("/accounts/security/locked/")
    assert page.status_code == 200
    assert '<td class="mono">cadre_a</td>' in page.content.decode() and "解锁" in page.content.decode()

    response = admin.post("/accounts/security/locked/", {"username": "cadre_a"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="cadre_a").exists()
    event = AuditEvent.objects.get(action="user.unlock")
    assert (event.actor, event.object_id, event.outcome) == (security_admin, str(village_cadre_a.pk), "success")
    assert event.area_code == village_cadre_a.active_posts()[0].area.code

    assert '<td class="mono">cadre_a</td>' not in admin.get("/accounts/security/locked/").content.decode()
    signed_in = post_login(Client(), "cadre_a", PASSWORD)
    assert signed_in.status_code == 302 and signed_in.url == "/"


def test_security_admin_of_another_area_neither_sees_nor_unlocks(client_for, village_cadre_a, township_security_admin):
    fail_five_times(Client(), "cadre_a")
    admin = client_for(township_security_admin)
    assert "cadre_a" not in admin.get("/accounts/security/locked/").content.decode()
    admin.post("/accounts/security/locked/", {"username": "cadre_a"})
    assert AccessAttempt.objects.filter(username="cadre_a").exists()
    assert not AuditEvent.objects.filter(action="user.unlock").exists()
    assert post_login(Client(), "cadre_a", PASSWORD).status_code == 429


def test_system_admin_cannot_unlock(client_for, village_cadre_a, system_admin):
    fail_five_times(Client(), "cadre_a")
    admin = client_for(system_admin)
    assert admin.get("/accounts/security/locked/").status_code == 403
    assert admin.post("/accounts/security/locked/", {"username": "cadre_a"}).status_code == 403
    assert AccessAttempt.objects.filter(username="cadre_a").exists()
    assert not AuditEvent.objects.filter(action="user.unlock").exists()


def test_no_admin_page_lists_login_attempts_tokens_or_authenticators(client_for, system_admin):
    admin = client_for(system_admin)
    index = admin.get("/admin/").content.decode()
    for path in ("/admin/axes/", "/admin/knox/", "/admin/otp_totp/", "/admin/otp_static/", "/admin/authtoken/"):
        assert path not in index
        assert admin.get(path).status_code == 404


@override_settings(LOGIN_RATE_LIMIT=30)
def test_login_posts_per_address_are_limited_to_30_a_minute(village_cadre_a, village_cadre_b):
    client = Client()
    # Many accounts tried from one address: each stays under its own lockout, the address limit stops it.
    for number in range(30):
        response = post_login(client, f"nobody{number}", "wrong-password-1")
        assert response.status_code == 200
    limited = post_login(client, "cadre_b", PASSWORD)
    assert limited.status_code == 429
    assert "登录尝试次数过多" in limited.content.decode()
    assert "_auth_user_id" not in client.session
    # The login form itself still opens, and another address is not affected.
    assert client.get(LOGIN, REMOTE_ADDR=SHARED_OFFICE_ADDRESS).status_code == 200
    other = Client().post(LOGIN, {"username": "cadre_b", "password": PASSWORD}, REMOTE_ADDR="172.16.0.9")
    assert other.status_code == 302


def test_forwarded_for_from_an_untrusted_client_does_not_escape_the_limit(village_cadre_a):
    client = Client()
    for number in range(31):
        response = client.post(LOGIN, {"username": f"nobody{number}", "password": "x"},
                               REMOTE_ADDR=SHARED_OFFICE_ADDRESS, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert response.status_code == 429
