"""Password policy (等保 level 3) and the page to change one's own password."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, PasswordHistory, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def refusals(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize("password, message", [
    ("Ab-1234", "密码至少需要 8 个字符。"),
    ("xinping2026", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
    ("XINPING-ABC", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
    ("abcdefgh", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
])
def test_weak_passwords_are_refused_in_chinese(password, message):
    assert message in refusals(password)


def test_password_may_not_contain_the_username_in_any_case():
    user = User(username="Cadre_Taihe")
    assert refusals("x-CADRE_taihe-9", user) == ["密码不能包含用户名。"]
    assert refusals("Taihe-2026-x", user) == []


def test_the_known_passwords_pass_in_development_and_the_demo_one_not_in_production():
    assert refusals(PASSWORD) == []
    assert refusals(settings.DEMO_PASSWORD) == []  # lower case, digits and a symbol
    with override_settings(PRODUCTION=True):
        assert "生产模式下不得使用演示密码。" in refusals(settings.DEMO_PASSWORD)


def test_none_of_the_last_five_passwords_may_return(village_cadre_a):
    user = village_cadre_a
    used = [PASSWORD] + [f"Taihe-{n}-2026!" for n in range(1, 6)]
    for password in used[1:]:
        services.user_password_change(user=user, password=password)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in used[1:]:
        with pytest.raises(ValidationError) as refused:
            services.user_set_password(actor=user, user=user, password=recent)
        assert refused.value.messages == ["新密码不能与最近 5 次使用过的密码相同。"]
    # The sixth password back has dropped out of the history.
    services.user_password_change(user=user, password=PASSWORD)
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_administrative_passwords_expire_after_90_days_and_force_a_change(client_for, system_admin, county_officer):
    old = timezone.now() - timedelta(days=91)
    User.objects.filter(pk__in=[system_admin.pk, county_officer.pk]).update(password_changed_at=old)
    admin = User.objects.get(pk=system_admin.pk)
    officer = User.objects.get(pk=county_officer.pk)
    assert admin.password_expired() and not officer.password_expired()
    assert not admin.password_expired(now=old + timedelta(days=89))
    response = client_for(admin).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")
    assert client_for(officer).get("/").status_code == 200
    page = client_for(admin).get("/accounts/password/")
    assert "您的密码已超过 90 天有效期" in page.content.decode()


# ---------------------------------------------------------------- the change-password page


def test_change_password_page_is_linked_and_checks_the_current_password(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    assert 'href="/accounts/password/"' in client.get("/").content.decode()
    wrong = client.post("/accounts/password/", {
        "old_password": "not-it", "new_password1": "Taihe-new-2026", "new_password2": "Taihe-new-2026",
    })
    assert "当前密码不正确。" in wrong.content.decode()
    weak = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "cadre_a-2026x", "new_password2": "cadre_a-2026x",
    })
    assert "密码不能包含用户名。" in weak.content.decode()
    assert User.objects.get(pk=village_cadre_a.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_changing_the_password_ends_the_other_sessions_and_is_audited(village_cadre_a):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert client.post("/accounts/login/", {"username": "cadre_a", "password": PASSWORD}).status_code == 302
        assert client.get("/").status_code == 200
    response = here.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "Taihe-new-2026", "new_password2": "Taihe-new-2026",
    })
    assert response.status_code == 302 and response["Location"] == "/"
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    user = User.objects.get(pk=village_cadre_a.pk)
    assert user.check_password("Taihe-new-2026") and user.session_generation == 1
    event = AuditEvent.objects.get(action="user.password_change")
    assert (event.actor, event.object_id) == (user, str(user.pk))
    assert "Taihe-new-2026" not in str(event.changes) + event.summary


def test_the_admin_password_link_leads_to_the_audited_change_page(client_for, system_admin):
    response = client_for(system_admin).get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
