"""/api/v1/households/: scoped like the pages, masked, writes through the services, constant query count."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import GROUP_A1, VILLAGE_B
from households.models import Household
from households.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def test_anonymous_and_no_capability(api_for, system_admin, household_a):
    assert api_for().get("/api/v1/households/").status_code in (401, 403)
    assert api_for(system_admin).get("/api/v1/households/").status_code == 403
    assert api_for(system_admin).get(f"/api/v1/households/{household_a.pk}/").status_code == 403


def test_list_is_scoped_and_masked(api_for, village_cadre_a, household_a, household_b):
    body = api_for(village_cadre_a).get("/api/v1/households/").json()
    assert [row["household_number"] for row in body["results"]] == [household_a.household_number]
    detail = api_for(village_cadre_a).get(f"/api/v1/households/{household_a.pk}/").json()
    numbers = {m["id_number"] for m in detail["members"]}
    assert all("********" in n for n in numbers) and make_id_number(101) not in str(detail)
    assert api_for(village_cadre_a).get(f"/api/v1/households/{household_b.pk}/").status_code == 404
    assert api_for(village_cadre_a).get(f"/api/v1/households/{household_b.pk}/members/").status_code == 404


def test_township_sees_both_villages_and_filters(api_for, township_officer, household_a, household_b):
    api = api_for(township_officer)
    assert api.get("/api/v1/households/").json()["count"] == 2
    assert api.get(f"/api/v1/households/?area={VILLAGE_B}").json()["count"] == 1
    assert api.get("/api/v1/households/?primary_cause=LACK_FUNDS").json()["results"][0]["head_name"] == "刀二"
    assert api.get(f"/api/v1/households/?q={make_id_number(101)}").json()["count"] == 1


def test_create_update_and_add_member(api_for, village_cadre_a, areas):
    api = api_for(village_cadre_a)
    response = api.post("/api/v1/households/", {
        "area": GROUP_A1, "identification_year": 2017, "primary_cause": "EDUCATION", "category": "general",
        "members": [{"name": "普有福", "id_number": make_id_number(401), "relation": "02", "labour_capacity": "full"}],
    }, format="json")
    assert response.status_code == 201, response.json()
    household = Household.objects.get(pk=response.json()["id"])
    assert household.area_code == GROUP_A1 and household.head_name == "普有福"
    stale = api.patch(f"/api/v1/households/{household.pk}/", {"address": "x", "version": 99}, format="json")
    assert stale.status_code == 409
    ok = api.patch(f"/api/v1/households/{household.pk}/", {"address": "上寨 2 号", "version": household.version}, format="json")
    assert ok.status_code == 200 and ok.json()["address"] == "上寨 2 号"
    member = api.post(f"/api/v1/households/{household.pk}/members/",
                      {"name": "普小", "id_number": make_id_number(402), "relation": "20"}, format="json")
    assert member.status_code == 201 and member.json()["sex"] == "male"
    bad = api.post(f"/api/v1/households/{household.pk}/members/",
                   {"name": "普错", "id_number": make_id_number(403)[:-1] + "Y", "relation": "20"}, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()["errors"]


def test_cadre_cannot_create_in_other_village(api_for, village_cadre_a, areas):
    response = api_for(village_cadre_a).post("/api/v1/households/", {
        "area": VILLAGE_B, "identification_year": 2017, "primary_cause": "EDUCATION",
        "members": [{"name": "外村人", "id_number": make_id_number(405), "relation": "02"}],
    }, format="json")
    assert response.status_code == 404
    assert Household.objects.count() == 0


def test_list_endpoint_query_count_does_not_grow(api_for, village_cadre_a, many_households_a):
    api = api_for(village_cadre_a)
    many_households_a(2)
    api.get("/api/v1/households/")
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/households/")
    many_households_a(20, start=450)
    with CaptureQueriesContext(connection) as more:
        assert api.get("/api/v1/households/").json()["count"] == 22
    assert len(more) == len(few)


def test_schema_describes_households(api_for, county_officer):
    schema = api_for(county_officer).get("/api/schema/?format=json").json()
    assert "/api/v1/households/" in schema["paths"] and "/api/v1/households/{id}/members/" in schema["paths"]
