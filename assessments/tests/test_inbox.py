"""The inbox (待办) page, its count in the navigation and /api/v1/exit-verifications/: what waits for each
role, scoped; the API's transitions take ``version`` and ``note`` and refuse like the services."""

import pytest

from assessments.tests.workflow_fixtures import (
    MEETING,
    YEAR,
    eligible_households,
    fresh,
    nominate,
    open_publicity,
    read_before_and_after_nominations,
    review,
    to_step,
)
from assessments.workflows.models import Verification
from assessments.workflows.selectors.verifications import inbox, inbox_count
from assessments.workflows.services import objection_lodge
from tests.access_support import text

pytestmark = pytest.mark.django_db

API = "/api/v1/exit-verifications/"


def test_each_role_sees_what_waits_for_it(
    ready_household,
    village_cadre_a,
    village_cadre_b,
    first_secretary_a,
    township_officer,
    other_township_officer,
    county_officer,
    leading_group_staff,
):
    verification = nominate(village_cadre_a, ready_household)
    assert [v.pk for v in inbox(user=first_secretary_a)] == [verification.pk]
    assert inbox_count(user=township_officer) == 0 and inbox_count(user=village_cadre_b) == 0
    to_step(verification, "township_check", cadre=village_cadre_a, secretary=first_secretary_a)
    assert inbox_count(user=first_secretary_a) == 0
    assert [v.pk for v in inbox(user=township_officer)] == [verification.pk]
    assert inbox_count(user=other_township_officer) == 0 and inbox_count(user=county_officer) == 0
    to_step(
        verification,
        "announce",
        cadre=village_cadre_a,
        secretary=first_secretary_a,
        township=township_officer,
        county=county_officer,
    )
    assert inbox_count(user=leading_group_staff) == 1 and inbox_count(user=county_officer) == 0


def test_open_objections_wait_for_whoever_may_resolve_them(
    ready_household, village_cadre_a, first_secretary_a, township_officer
):
    verification = nominate(village_cadre_a, ready_household)
    review(first_secretary_a, verification)
    open_publicity(village_cadre_a, verification)
    assert inbox_count(user=township_officer) == 0
    objection_lodge(actor=village_cadre_a, verification=verification, channel="on_site", content="有异议")
    items = list(inbox(user=township_officer))
    assert [v.pk for v in items] == [verification.pk] and items[0].open_objections == 1


def test_inbox_page_and_navigation_count(
    client, client_for, village_cadre_b, township_officer, system_admin, exit_at
):
    assert client.get("/exits/inbox/").status_code == 302
    assert client_for(system_admin).get("/exits/inbox/").status_code == 403
    verification = exit_at("township_check")
    page = text(client_for(township_officer).get("/exits/inbox/"))
    assert (
        "待办（1）" in page
        and "李大户" in page
        and "待乡级初核" in page
        and f"/exits/{verification.pk}/" in page
    )
    other = text(client_for(village_cadre_b).get("/exits/inbox/"))
    assert "李大户" not in other and "暂无待办事项" in other
    # Every page's navigation shows the count.
    assert "待办（1）" in text(client_for(township_officer).get("/households/"))


def test_inbox_page_query_count_does_not_grow(
    client_for, village_cadre_a, first_secretary_a, exit_parameters
):
    for household in eligible_households(village_cadre_a, 2, start=300):
        nominate(village_cadre_a, household)
    secretary = client_for(first_secretary_a)
    (first, few), (page, more) = read_before_and_after_nominations(
        lambda: secretary.get("/exits/inbox/"), village_cadre_a, added=4
    )
    assert first.status_code == 200 and "待办（6）" in text(page)
    assert more == few <= 9


def test_api_access_anonymous_no_capability_out_of_area(
    api_for, ready_household, village_cadre_a, village_cadre_b, system_admin
):
    verification = nominate(village_cadre_a, ready_household)
    assert api_for().get(API).status_code == 401
    assert (
        api_for().post(f"{API}{verification.pk}/approve/", {"version": 1}, format="json").status_code == 401
    )
    assert api_for(system_admin).get(API).status_code == 403
    assert api_for(system_admin).get(f"{API}{verification.pk}/").status_code == 403
    assert api_for(village_cadre_b).get(API).json()["results"] == []
    assert api_for(village_cadre_b).get(f"{API}{verification.pk}/").status_code == 404
    response = api_for(village_cadre_b).post(
        f"{API}{verification.pk}/approve/", {"version": verification.version}, format="json"
    )
    assert response.status_code == 404 and fresh(verification).position == 1


def test_api_list_retrieve_and_inbox(
    api_for, ready_household, village_cadre_a, first_secretary_a, county_officer
):
    verification = nominate(village_cadre_a, ready_household)
    rows = api_for(county_officer).get(API).json()["results"]
    assert [(r["id"], r["stage"], r["workflow_type"]) for r in rows] == [
        (verification.pk, "待村级民主评议", "household_exit")
    ]
    assert api_for(county_officer).get(f"{API}?inbox=1").json()["results"] == []
    assert [r["id"] for r in api_for(first_secretary_a).get(f"{API}?inbox=1").json()["results"]] == [
        verification.pk
    ]
    detail = api_for(first_secretary_a).get(f"{API}{verification.pk}/").json()
    assert detail["current_step"] == "village_review" and detail["available_actions"] == ["approve", "reject"]
    assert detail["events"][0]["action"] == "start" and len(detail["events"][0]["snapshot_sha256"]) == 64
    assert [s["code"] for s in detail["chain"]][:2] == ["nominate", "village_review"]


def test_api_transitions_with_version_and_note(
    api_for,
    ready_household,
    village_cadre_a,
    first_secretary_a,
    township_officer,
    county_officer,
    leading_group_staff,
):
    verification = nominate(village_cadre_a, ready_household)
    url = f"{API}{verification.pk}/"
    no_meeting = api_for(first_secretary_a).post(
        f"{url}approve/", {"version": verification.version}, format="json"
    )
    assert no_meeting.status_code == 400 and "meeting_date" in no_meeting.json()["errors"]
    response = api_for(first_secretary_a).post(
        f"{url}approve/",
        {"version": verification.version, "step": "village_review", "details": MEETING},
        format="json",
    )
    assert response.status_code == 200 and response.json()["current_step"] == "village_publicity"
    version = response.json()["version"]
    opened = api_for(village_cadre_a).post(
        f"{url}open-publicity/", {"version": version, "location": "公开栏"}, format="json"
    )
    assert opened.status_code == 200 and opened.json()["publicities"][0]["days"] == 7
    version = opened.json()["version"]
    lodged = api_for(county_officer).post(
        f"{url}objections/", {"channel": "hotline_12317", "content": "收入不实"}, format="json"
    )
    assert lodged.status_code == 201
    objection_id = lodged.json()["publicities"][0]["objections"][0]["id"]
    stale = api_for(village_cadre_a).post(f"{url}close-publicity/", {"version": version}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    resolved = api_for(township_officer).post(
        f"{url}resolve-objection/",
        {"objection": objection_id, "upheld": False, "resolution": "经核实不属实"},
        format="json",
    )
    assert resolved.status_code == 200
    early = api_for(village_cadre_a).post(
        f"{url}close-publicity/", {"version": resolved.json()["version"]}, format="json"
    )
    assert early.status_code == 400 and "公示期未满" in early.json()["detail"]
    assert fresh(verification).current_step == "village_publicity"


def test_api_refusals_wrong_role_skip_and_announce(
    api_for, ready_household, township_officer, county_officer, leading_group_staff, exit_at
):
    verification = exit_at("township_check")
    url = f"{API}{verification.pk}/"
    version = verification.version
    wrong = api_for(county_officer).post(f"{url}approve/", {"version": version}, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "permission_denied"
    skipped = api_for(county_officer).post(
        f"{url}approve/", {"version": version, "step": "county_approve"}, format="json"
    )
    assert skipped.status_code == 400 and skipped.json()["code"] == "step_out_of_order"
    not_yet = api_for(leading_group_staff).post(f"{url}announce/", {"version": version}, format="json")
    assert not_yet.status_code == 400
    assert fresh(verification).version == version
    ok = api_for(township_officer).post(f"{url}approve/", {"version": version, "note": "同意"}, format="json")
    assert ok.status_code == 200
    back = api_for(county_officer).post(
        f"{url}return/", {"version": ok.json()["version"], "note": "补充材料"}, format="json"
    )
    assert back.status_code == 200 and back.json()["current_step"] == "township_check"
    rejected = api_for(township_officer).post(
        f"{url}reject/", {"version": back.json()["version"], "note": "不符合"}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    ready_household.refresh_from_db()
    assert ready_household.status == "helped"


def test_api_starts_a_nomination(
    api_for, ready_household, village_cadre_a, village_cadre_b, township_officer
):
    payload = {"household": ready_household.pk, "note": "务工收入稳定", "year": YEAR}
    assert api_for(township_officer).post(f"{API}nominate/", payload, format="json").status_code == 403
    assert api_for(village_cadre_b).post(f"{API}nominate/", payload, format="json").status_code == 404
    response = api_for(village_cadre_a).post(f"{API}nominate/", payload, format="json")
    assert response.status_code == 201 and response.json()["stage"] == "待村级民主评议"
    assert Verification.objects.get().household_id == ready_household.pk


def test_api_list_query_count_does_not_grow(api_for, village_cadre_a, county_officer, exit_parameters):
    for household in eligible_households(village_cadre_a, 2, start=300):
        nominate(village_cadre_a, household)
    api = api_for(county_officer)
    (first, few), (last, more) = read_before_and_after_nominations(lambda: api.get(API), village_cadre_a, added=4)
    assert len(first.json()["results"]) == 2 and len(last.json()["results"]) == 6
    assert more == few
