"""Step time limits (DOMAIN.md §5.0 rule 7): each waiting step gets its due date from the ``step_days_<level>``
parameter (the 公示 from its end date), overdue items are flagged on the inbox, the list and the detail page
and in the API, and the overdue counts by step and area come from one grouped query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.policy.models import PolicyParameter
from assessments.policy.services import policy_parameter_retire
from assessments.tests.workflow_fixtures import (
    approve,
    days_ago,
    eligible_households,
    fresh,
    nominate,
    open_publicity,
    review,
    set_parameter,
)
from assessments.workflows.selectors.verifications import inbox_overdue_count, overdue_counts
from assessments.workflows.services import publicity_close
from conftest import TOWNSHIP, VILLAGE_B
from tests.access_support import text

pytestmark = pytest.mark.django_db
API = "/api/v1/exit-verifications/"


def test_each_step_gets_its_due_date_from_the_level_parameter(
    ready_household, village_cadre_a, first_secretary_a, township_officer, county_officer
):
    today = timezone.localdate()
    verification = nominate(village_cadre_a, ready_household)
    # 村级民主评议: village step, 5 days (fixture), counted from today.
    assert verification.due_on == today + datetime.timedelta(days=5) and not verification.is_overdue
    review(first_secretary_a, verification)
    assert fresh(verification).due_on == today + datetime.timedelta(days=5)
    publicity = open_publicity(village_cadre_a, verification, location="栏")
    # While the 公示 runs the step is due when it ends.
    assert fresh(verification).due_on == publicity.end_date == today + datetime.timedelta(days=7)
    publicity_close(
        actor=village_cadre_a, verification=fresh(verification), version=fresh(verification).version,
        today=publicity.end_date,
    )
    # 乡级初核 and 县级审定: 15 days each (DOMAIN.md §5.1 steps 5–6 ⚠).
    assert fresh(verification).due_on == today + datetime.timedelta(days=15)
    approve(township_officer, verification, "township_check")
    assert fresh(verification).current_step == "county_approve"
    assert fresh(verification).due_on == today + datetime.timedelta(days=15)


def test_without_a_parameter_there_is_no_due_date_and_the_page_says_so(
    client_for, ready_household, village_cadre_a, exit_parameters
):
    policy_parameter_retire(actor=None, parameter=exit_parameters["days_village"], reason="测试缺少参数")
    verification = nominate(village_cadre_a, ready_household)
    assert verification.due_on is None and not verification.is_overdue
    page = text(client_for(village_cadre_a).get(f"/exits/{verification.pk}/"))
    assert "未设置时限" in page


def test_a_county_overrides_the_time_limit_for_its_area(ready_household, village_cadre_a, exit_parameters):
    set_parameter("step_days_village", 2)  # county row beats the province's 5 days
    verification = nominate(village_cadre_a, ready_household)
    assert verification.due_on == timezone.localdate() + datetime.timedelta(days=2)
    assert PolicyParameter.objects.filter(code="step_days_village").count() == 2


def test_overdue_items_are_flagged_in_the_inbox_list_detail_and_navigation_count(
    client_for, village_cadre_a, village_cadre_b, first_secretary_a, exit_parameters
):
    late, on_time = eligible_households(village_cadre_a, 2)
    with days_ago(9):
        overdue = nominate(village_cadre_a, late)  # due 4 days ago
    current = nominate(village_cadre_a, on_time)
    assert fresh(overdue).is_overdue and fresh(overdue).overdue_days == 4 and not fresh(current).is_overdue
    assert inbox_overdue_count(user=first_secretary_a) == 1
    assert inbox_overdue_count(user=village_cadre_b) == 0
    secretary = client_for(first_secretary_a)
    page = text(secretary.get("/exits/inbox/"))
    assert 'id="overdue-count">超期 1<' in page and "超期 4 天" in page and page.count('class="overdue"') == 1
    only = text(secretary.get("/exits/inbox/?overdue=1"))
    assert "户主500户" in only and "户主501户" not in only
    listing = text(client_for(village_cadre_a).get("/exits/?overdue=1"))
    assert "户主500户" in listing and "户主501户" not in listing and 'id="overdue-summary"' in listing
    detail = text(secretary.get(f"/exits/{overdue.pk}/"))
    assert 'id="due"' in detail and "超期 4 天" in detail
    # Outside the area: nothing overdue is shown.
    assert 'id="overdue-summary"' not in text(client_for(village_cadre_b).get("/exits/"))


def test_overdue_counts_by_step_and_area_in_one_grouped_query(
    village_cadre_a, village_cadre_b, first_secretary_a, county_officer, township_officer, exit_parameters
):
    taihe = eligible_households(village_cadre_a, 3)
    mengbing = eligible_households(village_cadre_b, 1, start=600, village_code=VILLAGE_B)
    with days_ago(20):
        stale = [nominate(village_cadre_a, h) for h in taihe[:2]] + [nominate(village_cadre_b, mengbing[0])]
        review(first_secretary_a, stale[0])  # now waits for 村内公示 (village, 5 days): overdue too
    nominate(village_cadre_a, taihe[2])  # not overdue
    with CaptureQueriesContext(connection) as queries:
        summary = overdue_counts(user=county_officer, today=timezone.localdate())
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1 and len(queries.captured_queries) <= 5
    assert summary["total"] == 3
    assert {(s["label"], s["count"]) for s in summary["by_step"]} == {("村级民主评议", 2), ("村内公示", 1)}
    assert summary["by_area"] == [{"code": TOWNSHIP, "name": "老厂乡", "count": 3}]
    by_village = overdue_counts(user=county_officer, level="village")
    assert {a["name"]: a["count"] for a in by_village["by_area"]} == {"太和村委会": 2, "勐炳村委会": 1}
    # Scoped: the other township sees none, the village cadre only their own village.
    assert overdue_counts(user=village_cadre_b)["total"] == 1
    assert overdue_counts(user=township_officer)["total"] == 3


def test_api_exposes_due_at_is_overdue_and_the_summary(
    api_for, village_cadre_a, village_cadre_b, county_officer, system_admin, other_township_officer, exit_parameters
):
    late, on_time = eligible_households(village_cadre_a, 2)
    with days_ago(6):
        overdue = nominate(village_cadre_a, late)
    nominate(village_cadre_a, on_time)
    api = api_for(county_officer)
    rows = {row["id"]: row for row in api.get(API).json()["results"]}
    assert rows[overdue.pk]["is_overdue"] is True and rows[overdue.pk]["overdue_days"] == 1
    assert rows[overdue.pk]["due_at"] == fresh(overdue).due_on.isoformat()
    assert [row["id"] for row in api.get(f"{API}?overdue=1").json()["results"]] == [overdue.pk]
    assert api.get(f"{API}{overdue.pk}/").json()["is_overdue"] is True
    summary = api.get(f"{API}overdue-summary/").json()
    assert summary["total"] == 1 and summary["by_area"][0]["code"] == TOWNSHIP
    assert summary["by_step"][0]["label"] == "村级民主评议"
    assert api.get(f"{API}overdue-summary/?level=group").status_code == 400
    assert api_for().get(f"{API}overdue-summary/").status_code == 401
    assert api_for(system_admin).get(f"{API}overdue-summary/").status_code == 403
    outside = api_for(other_township_officer).get(f"{API}overdue-summary/").json()
    assert outside["total"] == 0 and outside["by_area"] == []
    assert api_for(village_cadre_b).get(f"{API}{overdue.pk}/").status_code == 404


def test_fill_step_deadlines_gives_records_started_without_one_their_time_limit(
    ready_household, village_cadre_a, first_secretary_a
):
    """Records started before time limits were kept (due_on empty) get theirs from the command: the open
    公示's end, else the step's start plus the level's parameter; a second run changes nothing."""
    import io

    from django.core.management import call_command

    from assessments.workflows.models import Verification

    waiting = nominate(village_cadre_a, ready_household)
    in_publicity = nominate(village_cadre_a, eligible_households(village_cadre_a, 1)[0])
    review(first_secretary_a, in_publicity)
    publicity = open_publicity(village_cadre_a, in_publicity, location="栏")
    started = timezone.now() - datetime.timedelta(days=3)
    Verification.objects.filter(pk=waiting.pk).update(due_on=None, step_since=started)
    Verification.objects.filter(pk=in_publicity.pk).update(due_on=None)
    out = io.StringIO()
    call_command("fill_step_deadlines", stdout=out)
    assert "已为 2 个在办流程补记办理期限" in out.getvalue()
    assert fresh(waiting).due_on == timezone.localdate(started) + datetime.timedelta(days=5)
    assert fresh(in_publicity).due_on == publicity.end_date
    call_command("fill_step_deadlines", stdout=out)
    assert "已为 0 个在办流程补记办理期限" in out.getvalue()
