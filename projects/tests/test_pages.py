"""Project pages, the public 公示 page and /api/v1/projects/: anonymous, no capability, out of area, in area."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import COUNTY, VILLAGE_A, VILLAGE_B
from projects.choices import ProjectStatus
from projects.models import Project
from projects.tests.factories import make_project, publicize_plan


def test_list_anonymous_redirects_and_admin_without_capability_is_refused(client, system_admin, client_for):
    assert client.get(reverse("projects:list")).status_code == 302
    assert client_for(system_admin).get(reverse("projects:list")).status_code == 403


def test_list_shows_only_projects_in_scope_with_fixed_queries(township_officer, other_township_officer, client_for, areas):
    make_project(actor=township_officer, area=areas[VILLAGE_A], name="太和村道路硬化")
    page = client_for(other_township_officer).get(reverse("projects:list"))
    assert "太和村道路硬化" not in page.content.decode()
    client = client_for(township_officer)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("projects:list"))
    assert "太和村道路硬化" in page.content.decode()
    for index in range(5):
        make_project(actor=township_officer, area=areas[VILLAGE_B], name=f"勐炳村项目{index}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("projects:list"))
    assert "勐炳村项目4" in page.content.decode()
    assert len(many) == len(few)


def test_detail_out_of_area_is_404_and_in_area_shows_the_project(draft_project, other_township_officer,
                                                                 township_officer, client_for):
    url = reverse("projects:detail", args=[draft_project.pk])
    assert client_for(other_township_officer).get(url).status_code == 404
    page = client_for(township_officer).get(url).content.decode()
    assert "太和村核桃产业项目" in page and "提交申报" in page and "400000.00" in page


def test_entering_a_project_through_the_form(township_officer, client_for, areas, household_a):
    from projects.tests.factories import source

    source("central_special")
    response = client_for(township_officer).post(reverse("projects:create"), {
        "area": VILLAGE_A, "name": "上寨饮水工程", "category": "infrastructure", "year": 2024, "responsible_unit": "老厂乡",
        "planned_start": "2024-03-01", "planned_finish": "2024-09-30", "expected_households": 1, "expected_persons": 2,
        "benefit_mechanism": "public_benefit", "budget_central_special": "120000",
        "household_numbers": household_a.household_number,
    })
    project = Project.objects.get(name="上寨饮水工程")
    assert response.status_code == 302 and project.budget_total == 120000
    assert project.beneficiaries.get().household == household_a


def test_action_by_wrong_role_is_403_and_changes_nothing(draft_project, township_officer, county_officer, client_for):
    client_for(township_officer).post(reverse("projects:action", args=[draft_project.pk, "submit"]))
    response = client_for(township_officer).post(reverse("projects:action", args=[draft_project.pk, "admit"]))
    assert response.status_code == 403
    draft_project.refresh_from_db()
    assert draft_project.status == ProjectStatus.SUBMITTED
    client_for(county_officer).post(reverse("projects:action", args=[draft_project.pk, "admit"]))
    draft_project.refresh_from_db()
    assert draft_project.status == ProjectStatus.IN_LIBRARY


def test_public_page_lists_publicity_without_personal_data(approved_project, village_cadre_a, client, household_a):

    publicize_plan(approved_project, actor=village_cadre_a, published_on=datetime.date(2024, 2, 21))
    for code in (COUNTY, VILLAGE_A):
        page = client.get(reverse("public:projects", args=[code]))
        html = page.content.decode()
        assert page.status_code == 200
        assert "太和村核桃产业项目" in html and "300000.00" in html and "中央财政专项扶贫资金" in html
        assert "2024-02-21" in html and "2024-02-28" in html and "2 户 6 人" in html
        assert household_a.head_name not in html and "李大" not in html
        for member in household_a.members.all():
            assert member.id_number not in html and member.id_number[-6:] not in html
    assert "太和村核桃产业项目" not in client.get(reverse("public:projects", args=[VILLAGE_B])).content.decode()


def test_public_page_does_not_show_unapproved_projects(draft_project, client):
    assert "太和村核桃产业项目" not in client.get(reverse("public:projects", args=[COUNTY])).content.decode()


@pytest.mark.parametrize("who, expected", [(None, 401), ("system_admin", 403)])
def test_api_refuses_anonymous_and_without_capability(api_for, request, who, expected, areas):
    user = request.getfixturevalue(who) if who else None
    assert api_for(user).get("/api/v1/projects/").status_code in ({401, 403} if who is None else {expected})


def test_api_lists_in_scope_and_404_outside(draft_project, api_for, township_officer, other_township_officer):
    data = api_for(township_officer).get("/api/v1/projects/").json()
    assert [p["number"] for p in data["results"]] == [draft_project.number]
    assert data["results"][0]["budget_total"] == "400000.00"
    assert api_for(other_township_officer).get(f"/api/v1/projects/{draft_project.pk}/").status_code == 404
    assert api_for(other_township_officer).get("/api/v1/projects/").json()["results"] == []


def test_api_create_and_transition(api_for, township_officer, county_officer, areas):
    from projects.tests.factories import source

    source("central_special")
    payload = {"area": VILLAGE_A, "name": "API 项目", "category": "industry", "year": 2024, "responsible_unit": "老厂乡",
               "planned_start": "2024-03-01", "planned_finish": "2024-09-30", "expected_households": 0,
               "expected_persons": 0, "benefit_mechanism": "drive", "budget": [{"source": "central_special", "amount": "5000"}]}
    created = api_for(township_officer).post("/api/v1/projects/", payload, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    url = f"/api/v1/projects/{pk}/transition/"

    def read():  # the version a client read (the API requires it)
        return Project.objects.get(pk=pk).version

    assert api_for(township_officer).post(url, {"action": "submit", "version": read()}).json()["status"] == "submitted"
    refused = api_for(township_officer).post(url, {"action": "admit", "version": read()})
    assert refused.status_code == 403 and Project.objects.get(pk=pk).status == "submitted"
    assert api_for(county_officer).post(url, {"action": "admit", "version": read()}).json()["status"] == "in_library"
