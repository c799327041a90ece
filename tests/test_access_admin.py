"""The admin: only the system administrator opens it, and only for his areas."""
import pytest

from accounts.models import AuditEvent, Post, User
from conftest import (
    CITY,
    COUNTY,
    VILLAGE_A,
)
from povalleviation.roles import Role
from tests.access_support import (
    ADMIN_PAGES,
    COUNTY_SUBTREE,
    OTHER_COUNTY,
    assert_login_redirect,
)
from villages.models import Area

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- admin


FOUNDATION_ADMIN_MODELS = {"villages.Area", "accounts.User", "accounts.Post", "accounts.AuditEvent"}


def admin_models(response) -> set[str]:
    """``app_label.Model`` of every model the admin index offers."""
    return {f"{app['app_label']}.{model['object_name']}" for app in response.context["app_list"] for model in app["models"]}


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_village_cadre_gets_no_admin_access(client_for, village_cadre_a, url):
    assert_login_redirect(client_for(village_cadre_a).get(url), url, login_url="/admin/login/")


def test_staff_flag_without_capability_opens_nothing(client_for, staff_cadre):
    client = client_for(staff_cadre)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert admin_models(index) & FOUNDATION_ADMIN_MODELS == set()
    for url in ADMIN_PAGES[1:]:
        response = client.get(url)
        assert response.status_code == 403
        assert "太和村委会" not in response.content.decode()


def test_system_admin_index_lists_areas_users_posts_but_not_audit(client_for, system_admin):
    response = client_for(system_admin).get("/admin/")
    assert response.status_code == 200
    models = admin_models(response)
    assert models & FOUNDATION_ADMIN_MODELS == {"villages.Area", "accounts.User", "accounts.Post"}
    assert not any(model.startswith("households.") for model in models), "no household data for the administrator"
    assert client_for(system_admin).get("/admin/accounts/auditevent/").status_code == 403


def test_system_admin_sees_the_areas_of_his_county(client_for, system_admin, other_county):
    response = client_for(system_admin).get("/admin/villages/area/")
    assert response.status_code == 200
    assert {area.code for area in response.context["cl"].result_list} == COUNTY_SUBTREE
    body = response.content.decode()
    assert "太和村委会" in body and "水塘镇" in body
    assert "峨山彝族自治县" not in body and "双江街道" not in body
    assert f"/admin/villages/area/{Area.objects.get(code=CITY).pk}/change/" not in body


def test_system_admin_sees_users_and_posts_of_his_county(client_for, system_admin, village_cadre_a, city_officer, other_county_cadre):
    client = client_for(system_admin)
    users = client.get("/admin/accounts/user/")
    assert users.status_code == 200
    usernames = {user.username for user in users.context["cl"].result_list}
    assert {"cadre_a", "sysadmin"} <= usernames
    assert "city" not in usernames
    assert "eshan_cadre" not in usernames
    posts = client.get("/admin/accounts/post/")
    assert posts.status_code == 200
    post_areas = {post.area.code for post in posts.context["cl"].result_list}
    assert post_areas == {VILLAGE_A, COUNTY}
    city_user = User.objects.get(username="city")
    # A user outside the administrator's area answers 404, like a missing one.
    assert client.get(f"/admin/accounts/user/{city_user.pk}/change/").status_code == 404


def test_system_admin_opens_an_area_of_his_county(client_for, system_admin):
    area = Area.objects.get(code=VILLAGE_A)
    response = client_for(system_admin).get(f"/admin/villages/area/{area.pk}/change/")
    assert response.status_code == 200
    assert "太和村委会" in response.content.decode()


def test_admin_change_page_outside_the_county_behaves_like_a_missing_area(client_for, system_admin, other_county):
    client = client_for(system_admin)
    outside = Area.objects.get(code=OTHER_COUNTY)
    response = client.get(f"/admin/villages/area/{outside.pk}/change/")
    missing = client.get("/admin/villages/area/987654/change/")
    # Django's admin answers a row not in its queryset by going back to the index with a notice.
    assert response.status_code == missing.status_code == 302
    assert response["Location"] == missing["Location"] == "/admin/"
    followed = client.get(f"/admin/villages/area/{outside.pk}/change/", follow=True)
    body = followed.content.decode()
    assert "不存在" in body
    assert "峨山彝族自治县" not in body


def test_refused_admin_edits_change_nothing(client_for, system_admin, village_cadre_a, other_county):
    outside = Area.objects.get(code=OTHER_COUNTY)
    inside = Area.objects.get(code=VILLAGE_A)
    admin_client, cadre_client = client_for(system_admin), client_for(village_cadre_a)  # sign-ins are audited
    events_before = AuditEvent.objects.count()
    data = {"name": "被篡改", "poverty_county_designation": "", "is_poor_village": "on"}
    response = admin_client.post(f"/admin/villages/area/{outside.pk}/change/", data)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    url = f"/admin/villages/area/{inside.pk}/change/"
    response = cadre_client.post(url, data)
    assert_login_redirect(response, url, login_url="/admin/login/")
    outside.refresh_from_db()
    inside.refresh_from_db()
    assert (outside.name, outside.is_poor_village) == ("峨山彝族自治县", False)
    assert (inside.name, inside.is_poor_village) == ("太和村委会", False)
    assert AuditEvent.objects.count() == events_before
    assert not Post.objects.filter(user=village_cadre_a, role=Role.SYSTEM_ADMIN).exists()


def test_system_admin_edit_in_his_county_goes_through_the_service(client_for, system_admin):
    area = Area.objects.get(code=VILLAGE_A)
    data = {
        "name": "太和村委会",
        "poverty_county_designation": "",
        "is_poor_village": "on",
        "poor_village_designation_year": "2014",
        "planned_exit_year": "2019",
        "actual_exit_date": "",
    }
    response = client_for(system_admin).post(f"/admin/villages/area/{area.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    area.refresh_from_db()
    assert (area.is_poor_village, area.poor_village_designation_year, area.planned_exit_year) == (True, 2014, 2019)
    event = AuditEvent.objects.filter(action="area.update", area_code=VILLAGE_A).get()
    assert event.actor == system_admin
    assert event.ip_address == "127.0.0.1"
