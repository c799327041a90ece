"""Two officers edit the same project from the version they read: the first wins, the second gets 409 naming the
first and what he changed; on the page the stale save keeps what was typed."""
import pytest

from accounts.services import post_assign, user_create
from conftest import PASSWORD, TOWNSHIP
from povalleviation.errors import Conflict
from povalleviation.roles import Role
from projects import services
from projects.models import Project
from projects.tests.factories import PLAN
from villages.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_officer(areas):
    user = user_create(actor=None, username="township_b", password=PASSWORD, full_name="李四")
    post_assign(actor=None, user=user, area=Area.objects.get(code=TOWNSHIP), role=Role.TOWNSHIP_OFFICER)
    return user


def test_second_writer_of_one_version_gets_409_naming_the_first(draft_project, township_officer, second_officer):
    read = draft_project.version
    services.project_update(actor=second_officer, project=draft_project, data={"name": "李四改的名称"},
                            expected_version=read)
    with pytest.raises(Conflict) as refused:
        services.project_update(actor=township_officer, project=draft_project, data={"responsible_unit": "别的单位"},
                                expected_version=read)
    assert "李四" in refused.value.message and "项目名称" in refused.value.message and "2026-12-07" in refused.value.message
    project = Project.objects.get(pk=draft_project.pk)
    assert project.name == "李四改的名称" and project.responsible_unit == PLAN["responsible_unit"]


def test_page_carries_the_version_and_a_stale_save_is_409_keeping_the_input(client_for, draft_project, township_officer,
                                                                            second_officer):
    url = f"/projects/{draft_project.pk}/edit/"
    mine = client_for(township_officer)
    assert f'name="version" value="{draft_project.version}"' in mine.get(url).content.decode()
    data = {**{k: str(v) for k, v in PLAN.items()}, "area": draft_project.area_code, "name": "我输入的名称",
            "budget_central_special": "300000", "version": str(draft_project.version)}
    services.project_update(actor=second_officer, project=draft_project, data={"planned_finish": PLAN["planned_start"]},
                            expected_version=draft_project.version)
    stale = mine.post(url, data)
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "李四" in page and "计划完工日期" in page and "请刷新后再改" in page and 'value="我输入的名称"' in page
    assert Project.objects.get(pk=draft_project.pk).name != "我输入的名称"
    data["version"] = str(Project.objects.get(pk=draft_project.pk).version)
    assert mine.post(url, data).status_code == 302


def test_api_transition_wants_the_version_and_names_who_acted_since(api_for, draft_project, township_officer,
                                                                    county_officer):
    url = f"/api/v1/projects/{draft_project.pk}/"
    read = api_for(county_officer).get(url)
    assert read["ETag"] == f'W/"{draft_project.version}"' and read.json()["version"] == draft_project.version
    assert api_for(township_officer).post(url + "transition/", {"action": "submit"}).status_code == 428
    submitted = api_for(township_officer).post(url + "transition/", {"action": "submit"}, HTTP_IF_MATCH=read["ETag"])
    assert submitted.status_code == 200 and submitted["ETag"] == f'W/"{draft_project.version + 1}"'
    stale = api_for(county_officer).post(url + "transition/", {"action": "cancel", "reason": "不做了"},
                                         HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 409 and str(township_officer) in stale.json()["detail"]
    assert Project.objects.get(pk=draft_project.pk).status == "submitted"


def test_page_step_from_a_stale_page_is_409_naming_who_acted_and_keeping_the_reason(client_for, draft_project,
                                                                                    township_officer, second_officer):
    mine = client_for(township_officer)
    page = mine.get(f"/projects/{draft_project.pk}/").content.decode()
    assert f'name="version" value="{draft_project.version}"' in page
    services.project_submit(actor=second_officer, project=draft_project, expected_version=draft_project.version)
    stale = mine.post(f"/projects/{draft_project.pk}/do/cancel/",
                      {"reason": "我写的取消理由", "version": str(draft_project.version)})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "李四" in page and "请刷新后再改" in page and "我写的取消理由" in page
    assert Project.objects.get(pk=draft_project.pk).status == "submitted"
