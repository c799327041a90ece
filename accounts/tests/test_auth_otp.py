"""Second factor (TOTP + recovery codes): who needs it, enrolment, login with a code, wrong codes, recovery
codes used once, unverified sessions held at the code page, and the demo accounts' published secrets."""
import base64
import datetime
import time
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, User
from accounts.otp import replace_recovery_codes, requires_second_factor, secret_base32
from conftest import COUNTY, OTHER_TOWNSHIP, PASSWORD, _persona
from povalleviation.roles import Role
from tests.otp_support import code_at, confirmed_device, fresh_code

LOGIN = "/accounts/login/"
VERIFY = "/accounts/2fa/verify/"
ENROL = "/accounts/2fa/enrol/"


def password_login(user):
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_second_factor_is_required_from_county_level_up_and_for_administrators(
    village_cadre_a, first_secretary_a, township_officer, county_officer, city_officer, leading_group_staff,
    auditor, township_auditor, system_admin,
):
    security = _persona("security", Role.SECURITY_ADMIN, COUNTY)
    audit_admin = _persona("auditadmin", Role.AUDIT_ADMIN, OTHER_TOWNSHIP)
    needs = {user.username: requires_second_factor(user) for user in (
        village_cadre_a, first_secretary_a, township_officer, county_officer, city_officer, leading_group_staff,
        auditor, township_auditor, system_admin, security, audit_admin)}
    assert needs == {
        "cadre_a": False, "secretary_a": False, "township": False, "auditor_township": False,
        "county": True, "city": True, "office": True, "auditor": True,
        "sysadmin": True, "security": True, "auditadmin": True,
    }


def test_county_user_without_authenticator_enrols_and_gets_ten_recovery_codes_once(county_officer):
    client = password_login(county_officer)
    response = client.get("/households/")
    assert response.status_code == 302 and response.url.startswith(ENROL)

    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "绑定手机验证器" in body
    device = TOTPDevice.objects.get(user=county_officer, confirmed=False)
    secret = body.split('id="otp-secret">')[1].split("<")[0]
    assert secret == secret_base32(device) and len(secret) == 32

    wrong = client.post(ENROL, {"code": "000000" if code_at(device, device.t0) != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=county_officer, confirmed=True).exists()
    assert client.get("/households/").status_code == 302

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(ENROL, {"code": fresh_code(device), "next": "/households/"})
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/recovery-codes/")
    codes_page = client.get(response.url).content.decode()
    codes = codes_page.split('id="recovery-codes">')[1].split("</ol>")[0]
    assert codes.count("<li>") == settings.OTP_RECOVERY_CODE_COUNT == 10
    assert StaticToken.objects.filter(device__user=county_officer).count() == 10
    # Shown once: the page does not show them again.
    assert client.get("/accounts/2fa/recovery-codes/").status_code == 302
    assert TOTPDevice.objects.get(user=county_officer).confirmed
    assert AuditEvent.objects.filter(action="user.otp_enrol", actor=county_officer).count() == 1
    # The session passed the second factor with the confirming code.
    assert client.get("/households/").status_code == 200


def test_login_asks_for_the_code_refuses_a_wrong_one_and_accepts_the_right_one(county_officer):
    device = confirmed_device(county_officer)
    client = password_login(county_officer)
    held = client.get("/households/?page=1")
    assert held.status_code == 302 and held.url.startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200

    wrong = client.post(VERIFY, {"code": "12345", "next": "/households/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    failed = AuditEvent.objects.get(action="user.otp_failed")
    assert (failed.actor, failed.outcome) == (county_officer, "failure")
    assert client.get("/households/").status_code == 302

    # Right after a wrong code the device waits a moment (django-otp throttling): even the right code waits.
    throttled = client.post(VERIFY, {"code": fresh_code(device), "next": "/households/"})
    assert throttled.status_code == 400 and "稍候" in throttled.content.decode()
    # A few seconds later (the failure moved back in time rather than slept) the right code passes.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    response = client.post(VERIFY, {"code": fresh_code(device), "next": "/households/"})
    assert response.status_code == 302 and response.url == "/households/"
    assert client.get("/households/").status_code == 200


def test_a_recovery_code_works_once(county_officer):
    confirmed_device(county_officer)
    code = replace_recovery_codes(county_officer)[0]
    client = password_login(county_officer)
    response = client.post(VERIFY, {"code": code.upper(), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/households/").status_code == 200
    assert AuditEvent.objects.filter(action="user.recovery_code_used", actor=county_officer).count() == 1
    assert StaticToken.objects.filter(device__user=county_officer).count() == 9

    again = password_login(county_officer)
    refused = again.post(VERIFY, {"code": code, "next": "/"})
    assert refused.status_code == 400
    assert again.get("/households/").status_code == 302


def test_unverified_session_gets_no_page_no_api_and_cannot_bind_a_new_authenticator(county_officer):
    confirmed_device(county_officer)
    client = password_login(county_officer)
    for path in ("/", "/households/", "/accounts/tokens/", "/areas/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(VERIFY), path
    api = client.get("/api/v1/areas/")
    assert api.status_code == 403
    assert api.json()["detail"] == "该账号须先在网页上完成动态口令验证。"
    # Binding another authenticator would skip the code: only after passing it.
    enrol = client.get(ENROL)
    assert enrol.status_code == 302 and enrol.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=county_officer).count() == 1
    # Logging out still works.
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_village_cadre_signs_in_with_the_password_alone(village_cadre_a):
    client = password_login(village_cadre_a)
    assert client.get("/households/").status_code == 200


def test_demo_accounts_come_with_the_authenticators_the_readme_lists(db):
    from accounts.demo import DEMO_TOTP_SECRETS, DEMO_USERS, load_demo_users
    from villages.demo import load_demo_areas

    load_demo_areas()
    load_demo_users()
    load_demo_users()  # loading again keeps the same devices
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    for username, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        assert (username in DEMO_TOTP_SECRETS) == requires_second_factor(user), username
    for username, secret in DEMO_TOTP_SECRETS.items():
        assert f"| `{username}` |" in readme and f"`{secret}`" in readme
        assert TOTPDevice.objects.filter(user__username=username, confirmed=True).count() == 1
        # The code an authenticator (or `oathtool --totp -b SECRET`) shows for the README's secret signs in.
        client = Client()
        assert client.post(LOGIN, {"username": username, "password": settings.DEMO_PASSWORD}).status_code == 302
        shown = code_at(TOTPDevice(key=base64.b32decode(secret).hex()), time.time())
        response = client.post(VERIFY, {"code": shown, "next": "/"})
        assert response.status_code == 302 and response.url == "/", username


def test_security_admin_resets_a_lost_authenticator_and_the_owner_binds_a_new_one(client_for, county_officer,
                                                                                 system_admin):
    security = _persona("security", Role.SECURITY_ADMIN, COUNTY)
    other_security = _persona("security_other", Role.SECURITY_ADMIN, OTHER_TOWNSHIP)
    confirmed_device(county_officer)
    replace_recovery_codes(county_officer)
    officer_session = client_for(county_officer)

    # Neither the system administrator nor a security administrator of another area can do it.
    reset = {"action": "reset_otp", "username": "county"}
    assert client_for(system_admin).post("/accounts/security/locked/", reset).status_code == 403
    client_for(other_security).post("/accounts/security/locked/", reset)
    assert TOTPDevice.objects.filter(user=county_officer).count() == 1

    client_for(security).post("/accounts/security/locked/", reset)
    assert not TOTPDevice.objects.filter(user=county_officer).exists()
    assert not StaticToken.objects.filter(device__user=county_officer).exists()
    event = AuditEvent.objects.get(action="user.otp_reset")
    assert (event.actor, event.object_id) == (security, str(county_officer.pk))
    # His open sessions end; signing in again leads to binding a new authenticator.
    assert officer_session.get("/households/").url.startswith(LOGIN)
    client = password_login(county_officer)
    assert client.get("/households/").url.startswith(ENROL)
