"""The user admin: only the accounts of the administrator's own areas, never superusers; edits and password
resets go through the audited services; the three administrative roles each have a working start page."""
import pytest

from accounts.models import AuditEvent, User
from conftest import COUNTY, PASSWORD, VILLAGE_A
from povalleviation.access import Capability, has_capability
from povalleviation.roles import Role

pytestmark = pytest.mark.django_db


def inline_management_form(user):
    """The read-only posts inline's management form, as the browser sends it."""
    count = str(user.posts.count())
    return {"posts-TOTAL_FORMS": count, "posts-INITIAL_FORMS": count, "posts-MIN_NUM_FORMS": "0",
            "posts-MAX_NUM_FORMS": "1000"}


def listed_usernames(response) -> set[str]:
    return {user.username for user in response.context["cl"].result_list}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password=PASSWORD)


def test_admin_lists_only_his_areas_accounts(client_for, system_admin, village_cadre_a, new_account, superuser,
                                            other_county_cadre, city_officer):
    # Accounts without posts: one made by the installation, one by an administrator of another county.
    User.objects.create_user(username="orphan", password=PASSWORD)
    User.objects.create_user(username="orphan_elsewhere", password=PASSWORD, managed_area_code="530426000000")
    response = client_for(system_admin).get("/admin/accounts/user/")
    assert response.status_code == 200
    assert listed_usernames(response) == {"sysadmin", "cadre_a", "newcomer"}


@pytest.mark.parametrize("target", ["superuser", "other_county_cadre", "city_officer"])
def test_accounts_outside_his_area_answer_404_and_stay_unchanged(request, client_for, system_admin, target):
    user = request.getfixturevalue(target)
    client = client_for(system_admin)
    for url in (f"/admin/accounts/user/{user.pk}/change/", f"/admin/accounts/user/{user.pk}/password/"):
        assert client.get(url).status_code == 404
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {"username": "taken", "is_active": ""})
    assert response.status_code == 404
    assert client.post(f"/admin/accounts/user/{user.pk}/password/").status_code == 404
    unchanged = User.objects.get(pk=user.pk)
    assert (unchanged.username, unchanged.is_active, unchanged.password) == (user.username, True, user.password)
    assert not AuditEvent.objects.filter(action__in=["user.update", "user.password_reset"]).exists()


def test_admin_add_form_creates_the_account_in_his_area(client_for, system_admin):
    client = client_for(system_admin)
    weak = client.post("/admin/accounts/user/add/", {
        "username": "lishi", "full_name": "李四", "password1": "xinping2026", "password2": "xinping2026",
    })
    assert weak.status_code == 200
    assert "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。" in weak.content.decode()
    assert not User.objects.filter(username="lishi").exists()
    response = client.post("/admin/accounts/user/add/", {
        "username": "lishi", "full_name": "李四", "phone": "", "unit": "老厂乡",
        "password1": "Xinping-2026", "password2": "Xinping-2026",
    })
    assert response.status_code == 302
    created = User.objects.get(username="lishi")
    assert (created.managed_area_code, created.is_staff, created.full_name) == (COUNTY, False, "李四")
    assert created.must_change_password, "the administrator knows the password he chose"
    assert created.check_password("Xinping-2026") and created.password_history.count() == 1
    event = AuditEvent.objects.get(action="user.create", object_id=str(created.pk))
    assert (event.actor, event.area_code) == (system_admin, COUNTY)
    assert "lishi" in listed_usernames(client.get("/admin/accounts/user/"))


def test_change_form_edits_only_name_contact_and_active_flag_and_audits_it(client_for, system_admin, village_cadre_a):
    client = client_for(system_admin)
    page = client.get(f"/admin/accounts/user/{village_cadre_a.pk}/change/")
    assert page.status_code == 200
    form_fields = set(page.context["adminform"].form.fields)
    assert form_fields == {"username", "password", "full_name", "phone", "unit", "is_active"}
    response = client.post(f"/admin/accounts/user/{village_cadre_a.pk}/change/", {
        "username": "cadre_a", "full_name": "李村信", "phone": "", "unit": "", "is_staff": "on", "is_superuser": "on",
        "groups": "1", "user_permissions": "1", **inline_management_form(village_cadre_a),
    })
    assert response.status_code == 302
    user = User.objects.get(pk=village_cadre_a.pk)
    assert (user.is_active, user.is_staff, user.is_superuser, user.full_name) == (False, False, False, "李村信")
    assert not user.groups.exists() and not user.user_permissions.exists()
    event = AuditEvent.objects.get(action="user.update")
    assert event.changes == {"full_name": ["cadre_a", "李村信"], "is_active": [True, False]}
    assert (event.actor, event.area_code) == (system_admin, VILLAGE_A)


# ---------------------------------------------------------------- password reset by the administrator


def test_reset_gives_a_temporary_password_that_must_be_changed_at_next_login(client, client_for, system_admin,
                                                                           village_cadre_a):
    cadre_session = client_for(village_cadre_a)
    assert cadre_session.get("/").status_code == 200
    admin = client_for(system_admin)
    confirm = admin.get(f"/admin/accounts/user/{village_cadre_a.pk}/password/")
    assert confirm.status_code == 200 and "重置为临时密码" in confirm.content.decode()
    response = admin.post(f"/admin/accounts/user/{village_cadre_a.pk}/password/")
    assert response.status_code == 200
    temporary = response.context["temporary_password"]
    assert temporary and temporary in response.content.decode()
    user = User.objects.get(pk=village_cadre_a.pk)
    assert user.must_change_password and user.check_password(temporary)
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor, event.area_code) == (system_admin, VILLAGE_A)
    assert temporary not in str(event.changes) + event.summary
    # The cadre's open session has ended.
    assert cadre_session.get("/").status_code == 302

    signed_in = client.post("/accounts/login/", {"username": "cadre_a", "password": temporary})
    assert signed_in.status_code == 302
    for url in ("/", "/households/", "/areas/"):
        redirected = client.get(url)
        assert redirected.status_code == 302 and redirected["Location"].startswith("/accounts/password/")
    api = client.get("/api/v1/areas/")
    assert api.status_code == 403 and "修改密码" in api.json()["detail"]
    page = client.get("/accounts/password/")
    assert "管理员已为您重置了密码" in page.content.decode()
    changed = client.post("/accounts/password/", {
        "old_password": temporary, "new_password1": "Taihe-cadre-2026!", "new_password2": "Taihe-cadre-2026!",
    })
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert not User.objects.get(pk=village_cadre_a.pk).must_change_password


def test_system_admin_cannot_reset_the_security_admins_password(client_for, system_admin, security_admin):
    # Posted in his county, the security administrator is listed, but his password is not the system admin's.
    response = client_for(system_admin).post(f"/admin/accounts/user/{security_admin.pk}/password/")
    assert response.status_code == 200
    assert "安全管理员和审计管理员的密码不能由系统管理员重置" in response.content.decode()
    assert response.context["temporary_password"] is None
    assert User.objects.get(pk=security_admin.pk).check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()


# ---------------------------------------------------------------- each administrative role's pages


def test_each_administrative_role_has_a_working_home_and_admin(client_for, system_admin, security_admin, audit_admin):
    for user, expected in (
        (system_admin, {"accounts.User", "accounts.Post", "villages.Area"}),
        (security_admin, {"accounts.Post"}),
        (audit_admin, {"accounts.AuditEvent"}),
    ):
        client = client_for(user)
        assert client.get("/").status_code == 200
        index = client.get("/admin/")
        assert index.status_code == 200
        models = {f"{app['app_label']}.{model['object_name']}" for app in index.context["app_list"]
                  for model in app["models"]}
        assert models == expected, user.username
        assert not any(has_capability(user, capability) for capability in
                       (Capability.HOUSEHOLD_VIEW, Capability.IDNUMBER_REVEAL)), user.username
    assert client_for(security_admin).get("/accounts/grants/").status_code == 200
    assert client_for(audit_admin).get("/accounts/audit/").status_code == 200
    # The security administrator reads the posts but cannot grant any.
    assert client_for(security_admin).get("/admin/accounts/post/").status_code == 200
    assert client_for(security_admin).get("/admin/accounts/post/add/").status_code == 403
    assert Role.SECURITY_ADMIN in security_admin.active_posts_roles()
