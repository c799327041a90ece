"""A household saved through the API names the version it read: ETag on GET, If-Match or ``version`` on PATCH;
none → 428; a stale one → 409 naming who changed what since. Two writers at the same moment, each on its own
database connection: the first wins, the second is refused and its change is not saved over the first."""
import threading

import pytest
from django.db import connections

from accounts.services import post_assign, user_create
from conftest import PASSWORD, VILLAGE_A
from households.models import Household
from povalleviation.roles import Role
from villages.models import Area

URL = "/api/v1/households/{}/"


def _second_cadre():
    user = user_create(actor=None, username="cadre_a2", password=PASSWORD, full_name="张三")
    post_assign(actor=None, user=user, area=Area.objects.get(code=VILLAGE_A), role=Role.VILLAGE_CADRE)
    return user


@pytest.mark.django_db
def test_get_carries_the_etag_and_version(api_for, village_cadre_a, household_a):
    response = api_for(village_cadre_a).get(URL.format(household_a.pk))
    assert response.status_code == 200
    assert response["ETag"] == f'W/"{household_a.version}"' and response.json()["version"] == household_a.version


@pytest.mark.django_db
def test_patch_without_a_version_is_428_and_saves_nothing(api_for, village_cadre_a, household_a):
    response = api_for(village_cadre_a).patch(URL.format(household_a.pk), {"address": "不该保存"}, format="json")
    assert response.status_code == 428
    body = response.json()
    assert body["code"] == "version_required" and "version" in body["detail"] and "If-Match" in body["detail"]
    assert "version" in body["errors"]
    assert Household.objects.get(pk=household_a.pk).address != "不该保存"


@pytest.mark.django_db
def test_if_match_header_is_accepted_and_the_answer_carries_the_new_etag(api_for, village_cadre_a, household_a):
    api = api_for(village_cadre_a)
    tag = api.get(URL.format(household_a.pk))["ETag"]
    response = api.patch(URL.format(household_a.pk), {"address": "上寨 9 号"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    assert response["ETag"] == f'W/"{household_a.version + 1}"'
    again = api.patch(URL.format(household_a.pk), {"address": "上寨 10 号"}, format="json", HTTP_IF_MATCH=tag)
    assert again.status_code == 409 and Household.objects.get(pk=household_a.pk).address == "上寨 9 号"
    bad = api.patch(URL.format(household_a.pk), {"address": "x"}, format="json", HTTP_IF_MATCH="abc")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_version"


@pytest.mark.django_db
def test_stale_patch_names_who_changed_what(api_for, village_cadre_a, household_a):
    second = _second_cadre()
    read = api_for(village_cadre_a).get(URL.format(household_a.pk)).json()["version"]
    first = api_for(second).patch(URL.format(household_a.pk), {"address": "张三改的", "version": read}, format="json")
    assert first.status_code == 200
    stale = api_for(village_cadre_a).patch(URL.format(household_a.pk), {"phone": "13800000000", "version": read},
                                           format="json")
    assert stale.status_code == 409
    detail = stale.json()["detail"]
    assert "张三" in detail and "2026-12-07" in detail and "住址" in detail and "刷新" in detail
    household = Household.objects.get(pk=household_a.pk)
    assert household.address == "张三改的" and household.phone != "13800000000"


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_version_at_the_same_moment(api_for, village_cadre_a, household_a):
    second = _second_cadre()
    read = household_a.version
    barrier = threading.Barrier(2)
    outcomes = {}

    def save_as(user, address):
        try:
            barrier.wait(timeout=10)
            response = api_for(user).patch(URL.format(household_a.pk), {"address": address}, format="json",
                                           HTTP_IF_MATCH=f'W/"{read}"')
            outcomes[user.username] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_as, args=(user, f"{user.username} 的住址"))
               for user in (village_cadre_a, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in outcomes.values()) == [200, 409]
    winner = next(name for name, (status, _) in outcomes.items() if status == 200)
    loser_detail = next(body["detail"] for status, body in outcomes.values() if status == 409)
    winner_name = {"cadre_a": "cadre_a", "cadre_a2": "张三"}[winner]
    assert winner_name in loser_detail and "住址" in loser_detail
    household = Household.objects.get(pk=household_a.pk)
    assert household.address == f"{winner} 的住址" and household.version == read + 1


UPDATES = [
    ("/api/v1/households/{id}/", "patch"), ("/api/v1/households/{id}/", "put"),
    ("/api/v1/policy-parameters/{id}/", "patch"), ("/api/v1/projects/{id}/transition/", "post"),
    ("/api/v1/fund-allocations/{id}/publish/", "post"), ("/api/v1/rectification-items/{id}/transition/", "post"),
    ("/api/v1/rectification-items/{id}/deadline/", "post"), ("/api/v1/complaints/{id}/transition/", "post"),
]
DETAILS = ["/api/v1/households/{id}/", "/api/v1/policy-parameters/{id}/", "/api/v1/projects/{id}/",
           "/api/v1/fund-allocations/{id}/", "/api/v1/rectification-items/{id}/", "/api/v1/complaints/{id}/"]


@pytest.mark.django_db
def test_schema_documents_if_match_etag_and_the_409_428_answers(api_for, county_officer):
    schema = api_for(county_officer).get("/api/schema/?format=json").json()
    for path, method in UPDATES:
        operation = schema["paths"][path][method]
        assert any(p["name"] == "If-Match" and p["in"] == "header" for p in operation["parameters"]), path
        assert {"409", "428"} <= set(operation["responses"]), path
        assert "ETag" in operation["responses"]["200"].get("headers", {}), path
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert "version" in schema["components"]["schemas"][ref]["properties"], path
    for path in DETAILS:
        assert "ETag" in schema["paths"][path]["get"]["responses"]["200"]["headers"], path
    assert set(schema["components"]["schemas"]["ApiError"]["properties"]) == {"detail", "code", "errors"}


@pytest.mark.django_db
def test_stale_patch_after_a_member_change_names_the_member_change(api_for, village_cadre_a, household_a):
    second = _second_cadre()
    read = household_a.version
    spouse = household_a.members.get(relation="10")
    first = api_for(second).patch(URL.format(household_a.pk), {"version": read, "members": [
        {"id": spouse.pk, "name": "王秀英"}]}, format="json")
    assert first.status_code == 200, first.json()
    stale = api_for(village_cadre_a).patch(URL.format(household_a.pk), {"address": "x", "version": read}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert "张三" in stale.json()["detail"] and "修改成员" in stale.json()["detail"]
