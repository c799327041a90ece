"""The audit trail records sign-ins, sign-outs, failed sign-ins, lockouts, refusals (403/404) and admin actions,
each with who, role, area, when, from where, what and outcome; user.* events reach the auditor of the user's area."""
import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import AuditEvent, User
from accounts.services import audit_record, post_assign, user_create
from conftest import OTHER_TOWNSHIP, OTHER_VILLAGE, PASSWORD, VILLAGE_A
from povalleviation import errors
from povalleviation.roles import Role
from villages.models import Area


def _login(client, username, password, address="192.0.2.10"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


# ---------------------------------------------------------------- sign-in events


def test_login_and_logout_are_recorded_with_role_area_and_address(village_cadre_a):
    client = Client()
    assert _login(client, "cadre_a", PASSWORD).status_code == 302
    login = AuditEvent.objects.get(action="user.login")
    assert (login.actor, login.username, login.role, login.area_code, login.ip_address, login.outcome) == (
        village_cadre_a, "cadre_a", Role.VILLAGE_CADRE, VILLAGE_A, "192.0.2.10", "success")
    assert (login.object_type, login.object_id) == ("accounts.user", str(village_cadre_a.pk))

    assert client.post("/accounts/logout/", REMOTE_ADDR="192.0.2.11").status_code == 302
    logout = AuditEvent.objects.get(action="user.logout")
    assert (logout.actor, logout.role, logout.area_code, logout.ip_address, logout.outcome) == (
        village_cadre_a, Role.VILLAGE_CADRE, VILLAGE_A, "192.0.2.11", "success")


def test_failed_login_is_recorded_with_the_username_as_typed(village_cadre_a):
    response = _login(Client(), "cadre_a", "wrong-password-1", address="198.51.100.20")
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    failed = AuditEvent.objects.get(action="user.login_failed")
    assert failed.actor is None
    assert (failed.username, failed.outcome, failed.area_code, failed.ip_address) == (
        "cadre_a", "failure", VILLAGE_A, "198.51.100.20")
    assert "wrong-password-1" not in str(failed.changes) + failed.summary

    _login(Client(), "No_Such_User", "whatever-2026", address="198.51.100.21")
    unknown = AuditEvent.objects.get(action="user.login_failed", username="No_Such_User")
    assert (unknown.outcome, unknown.object_id, unknown.area_code) == ("failure", "", "")
    assert "无此账号" in unknown.summary


def test_failed_login_with_a_nul_character_is_recorded_not_a_500(village_cadre_a):
    from django.contrib.auth.signals import user_login_failed

    assert _login(Client(), "cadre\x00a", "x").status_code == 200  # the form refuses it before any lookup
    user_login_failed.send(sender=__name__, credentials={"username": "cadre\x00a", "password": "*****"}, request=None)
    assert AuditEvent.objects.filter(action="user.login_failed", username="cadre\ufffda").exists()


def test_lockout_after_five_failures_is_recorded(village_cadre_a):
    client = Client()
    for attempt in range(5):
        _login(client, "cadre_a", f"wrong-{attempt}", address="198.51.100.30")
    assert AuditEvent.objects.filter(action="user.login_failed", username="cadre_a").count() == 5
    lockout = AuditEvent.objects.get(action="user.lockout")
    assert (lockout.username, lockout.outcome, lockout.area_code, lockout.ip_address) == (
        "cadre_a", "denied", VILLAGE_A, "198.51.100.30")
    # Locked: even the right password is refused now, and that attempt is recorded as well.
    assert _login(client, "cadre_a", PASSWORD, address="198.51.100.30").status_code != 302
    assert not AuditEvent.objects.filter(action="user.login").exists()
    assert AuditEvent.objects.filter(action="user.lockout").count() == 2


# ---------------------------------------------------------------- user.* events carry an area


def test_user_events_carry_the_area_so_the_auditor_of_that_area_sees_them(client_for, auditor, township_auditor):
    other_township = Area.objects.get(code=OTHER_TOWNSHIP)
    admin = user_create(actor=None, username="admin_st", password=PASSWORD)
    post_assign(actor=None, user=admin, area=other_township, role=Role.SYSTEM_ADMIN)
    newcomer = user_create(actor=None, username="newcomer", password=PASSWORD)
    User.objects.filter(pk=newcomer.pk).update(managed_area_code=OTHER_TOWNSHIP)
    newcomer.refresh_from_db()
    # Without a post: the area of the administrator who manages the account.
    event = audit_record(actor=admin, action="user.update", target=newcomer, summary="修改用户 newcomer")
    assert event.area_code == OTHER_TOWNSHIP
    # With a post: the user's first active post.
    post_assign(actor=None, user=newcomer, area=Area.objects.get(code=OTHER_VILLAGE), role=Role.VILLAGE_CADRE)
    newcomer.forget_access_cache()
    later = audit_record(actor=admin, action="user.update", target=newcomer, summary="再次修改用户 newcomer")
    assert later.area_code == OTHER_VILLAGE

    for viewer in (township_auditor, auditor):
        rows = client_for(viewer).get("/accounts/audit/", {"action": "user.update"}).context["object_list"]
        assert {row.pk for row in rows} == {event.pk, later.pk}
    assert township_auditor.username not in {row.username for row in AuditEvent.objects.filter(action="user.update")}


def test_area_is_filled_without_leaving_a_stale_post_cache(areas):
    user = user_create(actor=None, username="fresh", password=PASSWORD)
    assert "_active_posts_cache" not in user.__dict__
    post_assign(actor=None, user=user, area=areas[VILLAGE_A], role=Role.VILLAGE_CADRE)
    assert user.active_posts_roles() == {Role.VILLAGE_CADRE}


# ---------------------------------------------------------------- refusals


def _denials(path_=None):
    rows = AuditEvent.objects.filter(action="access.denied")
    return [row for row in rows if path_ is None or row.changes["path"] == path_]


def test_page_403_is_recorded_once_with_path_method_and_status(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    response = client.get("/accounts/audit/", REMOTE_ADDR="192.0.2.40")
    assert response.status_code == 403
    [row] = _denials("/accounts/audit/")
    assert (row.actor, row.role, row.area_code, row.outcome, row.ip_address) == (
        village_cadre_a, Role.VILLAGE_CADRE, VILLAGE_A, "denied", "192.0.2.40")
    assert (row.changes["method"], row.changes["status"]) == ("GET", 403)


def test_page_404_on_an_area_outside_the_users_scope_is_recorded(client_for, village_cadre_a):
    response = client_for(village_cadre_a).get(f"/areas/{OTHER_VILLAGE}/")
    assert response.status_code == 404
    [row] = _denials(f"/areas/{OTHER_VILLAGE}/")
    assert (row.outcome, row.changes["status"], row.area_code) == ("denied", 404, VILLAGE_A)


def test_anonymous_refusals_and_successful_pages_are_not_denials(client, client_for, village_cadre_a):
    assert client.get("/accounts/audit/").status_code == 302
    assert client_for(village_cadre_a).get("/").status_code == 200
    assert _denials() == []


def test_api_403_and_404_are_recorded(api_for, village_cadre_a):
    api = api_for(village_cadre_a)
    assert api.get("/api/v1/audit-events/").status_code == 403
    assert api.get(f"/api/v1/areas/{OTHER_VILLAGE}/").status_code == 404
    forbidden, = _denials("/api/v1/audit-events/")
    missing, = _denials(f"/api/v1/areas/{OTHER_VILLAGE}/")
    assert (forbidden.changes["status"], forbidden.outcome, forbidden.role) == (403, "denied", Role.VILLAGE_CADRE)
    assert forbidden.changes["message"] == "您没有执行此操作的权限。"
    assert (missing.changes["status"], missing.area_code) == (404, VILLAGE_A)


# A service refusing inside its transaction: the write is rolled back, the refusal record stays.
def _write_then_refuse(actor):
    with transaction.atomic():
        audit_record(actor=actor, action="area.update", summary="不应留下的写入")
        raise errors.PermissionDenied("该区域不在您的工作范围内，或您没有执行此操作的权限。")


def refusing_page(request):
    from django.core.exceptions import PermissionDenied as PageForbidden

    try:
        _write_then_refuse(request.user)
    except errors.PermissionDenied as error:
        raise PageForbidden(error.message) from error


class RefusingApiView(APIView):
    def post(self, request):
        _write_then_refuse(request.user)
        return Response({})


urlpatterns = [
    path("test-refusal/page/", refusing_page),
    path("test-refusal/api/", RefusingApiView.as_view()),
    path("", include(settings.ROOT_URLCONF)),  # the site's own pages, by name: no import of the composition root
]
handler403 = "povalleviation.errorpages.permission_denied"
handler404 = "povalleviation.errorpages.page_not_found"


@pytest.mark.urls("accounts.tests.test_audit_events")
def test_service_refusal_is_recorded_outside_the_rolled_back_transaction(client_for, api_for, village_cadre_a):
    page = client_for(village_cadre_a).get("/test-refusal/page/")
    assert page.status_code == 403 and "该区域不在您的工作范围内" in page.content.decode()
    api = api_for(village_cadre_a).post("/test-refusal/api/", {}, format="json")
    assert api.status_code == 403 and api.json()["code"] == "permission_denied"
    assert not AuditEvent.objects.filter(action="area.update").exists()
    page_row, = _denials("/test-refusal/page/")
    api_row, = _denials("/test-refusal/api/")
    assert (page_row.changes["method"], api_row.changes["method"]) == ("GET", "POST")
    assert page_row.changes["message"] == api_row.changes["message"] == "该区域不在您的工作范围内，或您没有执行此操作的权限。"


# ---------------------------------------------------------------- admin actions


def test_admin_change_is_recorded_as_an_audit_event(client_for, system_admin, areas):
    village = areas[VILLAGE_A]
    data = {"name": "太和村委会（新）", "poverty_county_designation": "", "is_poor_village": "on"}
    response = client_for(system_admin).post(f"/admin/villages/area/{village.pk}/change/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.actor, event.role, event.area_code, event.object_type, event.object_id) == (
        system_admin, Role.SYSTEM_ADMIN, VILLAGE_A, "villages.area", str(village.pk))
    assert "后台修改" in event.summary and event.changes["admin_message"]

