"""Workflow pages: anonymous → login, no capability → 403, outside the user's areas → 404, inside → the data;
each transition form does what the service does, and a refused one changes nothing and shows why."""

import pytest
from django.utils import timezone

from assessments.tests.workflow_fixtures import (
    MEETING,
    YEAR,
    fresh,
    make_eligible,
    nominate,
    open_publicity,
    read_before_and_after_nominations,
    review,
)
from assessments.workflows.models import Verification
from households.tests.factories import make_id_number
from tests.access_support import text

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, ready_household, village_cadre_a):
    verification = nominate(village_cadre_a, ready_household)
    for url in [
        "/exits/",
        "/exits/inbox/",
        f"/exits/{verification.pk}/",
        f"/exits/households/{ready_household.pk}/nominate/",
        "/exits/villages/",
        "/exits/counties/",
        "/exits/identification/new/",
        f"/exits/households/{ready_household.pk}/return/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(f"/exits/{verification.pk}/act/", {"action": "approve"})
    assert response.status_code == 302 and fresh(verification).position == 1


def test_system_admin_without_capability_gets_403(client_for, system_admin, ready_household, village_cadre_a):
    verification = nominate(village_cadre_a, ready_household)
    admin = client_for(system_admin)
    for url in [
        "/exits/",
        "/exits/inbox/",
        f"/exits/{verification.pk}/",
        "/exits/villages/",
        f"/exits/households/{ready_household.pk}/nominate/",
    ]:
        assert admin.get(url).status_code == 403, url
    assert admin.post(f"/exits/{verification.pk}/act/", {"action": "approve"}).status_code == 403


def test_nomination_page_by_role_and_area(
    client_for, ready_household, village_cadre_a, village_cadre_b, township_officer
):
    url = f"/exits/households/{ready_household.pk}/nominate/"
    assert client_for(township_officer).get(url).status_code == 403
    assert client_for(village_cadre_b).get(url).status_code == 404
    assert client_for(village_cadre_b).post(url, {"year": YEAR, "note": "越权"}).status_code == 404
    cadre = client_for(village_cadre_a)
    page = text(cadre.get(url))
    assert "发起退出提名" in page and "李大" in page and "帮扶中" in page
    # The household card links to the nomination page for the cadre.
    assert url in text(cadre.get(f"/households/{ready_household.pk}/"))
    refused = cadre.post(url, {"year": YEAR, "note": ""})
    assert refused.status_code == 400 and not Verification.objects.exists()
    response = cadre.post(url, {"year": YEAR, "note": "务工收入稳定"})
    verification = Verification.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exits/{verification.pk}/"
    ready_household.refresh_from_db()
    assert ready_household.status == "exit_pending"
    # A second nomination is refused with the reason on the page.
    again = cadre.post(url, {"year": YEAR, "note": "再次提名"})
    assert again.status_code == 400 and "只有帮扶中或返贫的户可以提名退出" in text(again)


def test_nomination_page_shows_why_a_household_is_not_eligible(client_for, ready_household, village_cadre_a):
    make_eligible(village_cadre_a, ready_household, wage="2000")
    response = client_for(village_cadre_a).post(
        f"/exits/households/{ready_household.pk}/nominate/", {"year": YEAR, "note": "试提名"}
    )
    assert (
        response.status_code == 400 and "未达到脱贫标准" in text(response) and "人均纯收入" in text(response)
    )
    assert not Verification.objects.exists()


def test_detail_page_shows_steps_snapshots_and_the_forms_for_the_viewer(
    client_for, village_cadre_b, township_officer, auditor, exit_at
):
    verification = exit_at("township_check")
    url = f"/exits/{verification.pk}/"
    assert client_for(village_cadre_b).get(url).status_code == 404
    assert client_for(village_cadre_b).get("/exits/999999/").status_code == 404
    page = text(client_for(township_officer).get(url))
    assert "李大户" in page and "待乡级初核" in page and "村级民主评议" in page and "县级审定" in page
    start = verification.events.get(action="start")
    assert start.snapshot_sha256 in page and verification.publicities.get().content_sha256 in page
    assert 'name="approve-version"' in page and 'value="approve"' in page and 'value="return"' in page
    assert make_id_number(101) not in page
    # The auditor reads the same page without any form.
    audit_page = text(client_for(auditor).get(url))
    assert "待乡级初核" in audit_page and 'name="approve-version"' not in audit_page


def test_transitions_through_the_page(
    client_for, ready_household, village_cadre_a, first_secretary_a, township_officer, county_officer
):
    verification = nominate(village_cadre_a, ready_household)
    url = f"/exits/{verification.pk}/act/"
    secretary = client_for(first_secretary_a)
    meeting = {f"approve-{k}": v for k, v in MEETING.items()}
    missing = secretary.post(
        url, {"action": "approve", "approve-version": verification.version, "approve-step": "village_review"}
    )
    assert missing.status_code == 400 and fresh(verification).position == 1
    response = secretary.post(
        url,
        {
            "action": "approve",
            "approve-version": verification.version,
            "approve-step": "village_review",
            **meeting,
        },
    )
    assert response.status_code == 302 and fresh(verification).current_step == "village_publicity"

    cadre = client_for(village_cadre_a)
    response = cadre.post(
        url,
        {
            "action": "open_publicity",
            "open_publicity-version": fresh(verification).version,
            "open_publicity-step": "village_publicity",
            "open_publicity-location": "村务公开栏",
            "open_publicity-start_date": str(timezone.localdate()),
        },
    )
    assert response.status_code == 302 and verification.publicities.get().status == "open"
    early = cadre.post(
        url,
        {
            "action": "close_publicity",
            "close_publicity-version": fresh(verification).version,
            "close_publicity-step": "village_publicity",
        },
    )
    assert early.status_code == 400 and "公示期未满" in text(early)


def test_refused_page_transitions_keep_status_codes_and_change_nothing(
    client_for, township_officer, county_officer, other_township_officer, exit_at
):
    verification = exit_at("township_check")
    url = f"/exits/{verification.pk}/act/"
    version = verification.version
    form = {
        "action": "approve",
        "approve-version": version,
        "approve-step": "township_check",
        "approve-note": "同意",
    }
    wrong_role = client_for(county_officer).post(url, form)
    assert wrong_role.status_code == 403 and "乡级初核" in text(wrong_role)
    assert client_for(other_township_officer).post(url, form).status_code == 404
    skipped = client_for(county_officer).post(url, {**form, "approve-step": "county_approve"})
    assert skipped.status_code == 400 and "不能跳过" in text(skipped)
    stale = client_for(township_officer).post(url, {**form, "approve-version": version - 1})
    assert stale.status_code == 409 and "已被他人处理" in text(stale)
    assert fresh(verification).version == version and fresh(verification).current_step == "township_check"
    ok = client_for(township_officer).post(url, form)
    assert ok.status_code == 302 and fresh(verification).current_step == "county_approve"
    back = client_for(county_officer).post(
        url,
        {
            "action": "return",
            "return-version": fresh(verification).version,
            "return-step": "county_approve",
            "return-note": "材料不全",
        },
    )
    assert back.status_code == 302 and fresh(verification).current_step == "township_check"


def test_objections_through_the_page(
    client_for, ready_household, village_cadre_a, first_secretary_a, township_officer, auditor
):
    verification = nominate(village_cadre_a, ready_household)
    review(first_secretary_a, verification)
    open_publicity(village_cadre_a, verification)
    url = f"/exits/{verification.pk}/objections/"
    assert (
        client_for(auditor).post(url, {"objection-channel": "media", "objection-content": "x"}).status_code
        == 403
    )
    invalid = client_for(village_cadre_a).post(url, {"objection-channel": "", "objection-content": ""})
    assert invalid.status_code == 400
    response = client_for(village_cadre_a).post(
        url,
        {"objection-channel": "hotline_12317", "objection-content": "收入不实", "objection-complainant": ""},
    )
    assert response.status_code == 302
    objection = verification.publicities.get().objections.get()
    page = text(client_for(township_officer).get(f"/exits/{verification.pk}/"))
    assert "收入不实" in page and f"/exits/objections/{objection.pk}/resolve/" in page
    resolve = f"/exits/objections/{objection.pk}/resolve/"
    assert (
        client_for(first_secretary_a)
        .post(resolve, {"resolve-upheld": "1", "resolve-resolution": "x"})
        .status_code
        == 403
    )
    response = client_for(township_officer).post(
        resolve, {"resolve-upheld": "1", "resolve-resolution": "核实属实"}
    )
    assert response.status_code == 302 and fresh(verification).current_step == "village_review"


def test_return_and_monitoring_pages(
    client_for, ready_household, village_cadre_a, village_cadre_b, township_officer, exit_at
):
    exit_at("completed")
    card = text(client_for(village_cadre_a).get(f"/households/{ready_household.pk}/"))
    assert f"/exits/households/{ready_household.pk}/return/" in card
    monitoring = f"/exits/households/{ready_household.pk}/monitoring/"
    assert client_for(township_officer).get(monitoring).status_code == 403
    assert client_for(village_cadre_b).get(monitoring).status_code == 404
    response = client_for(village_cadre_a).post(
        monitoring, {"flag": "edge", "reason": "收入波动，纳入边缘户监测"}
    )
    ready_household.refresh_from_db()
    assert response.status_code == 302 and ready_household.monitoring_flag == "edge"

    url = f"/exits/households/{ready_household.pk}/return/"
    assert client_for(township_officer).get(url).status_code == 403
    assert client_for(village_cadre_b).get(url).status_code == 404
    response = client_for(village_cadre_a).post(url, {"note": "户主突发重病，医疗支出大"})
    returned = Verification.objects.get(workflow_type="return_to_poverty")
    assert response.status_code == 302 and returned.note == "户主突发重病，医疗支出大"

    # While the 返贫 is decided the household is frozen (DOMAIN.md §5.0 rule 4), its monitoring flag too.
    response = client_for(village_cadre_a).post(monitoring, {"flag": "", "reason": "取消监测"})
    ready_household.refresh_from_db()
    assert response.status_code == 400 and "返贫认定流程" in text(response)
    assert ready_household.monitoring_flag == "edge"


def test_verification_list_page_is_scoped_and_its_query_count_is_flat(
    client_for, ready_household, village_cadre_a, village_cadre_b, county_officer
):
    nominate(village_cadre_a, ready_household)
    assert "李大户" not in text(client_for(village_cadre_b).get("/exits/"))
    county = client_for(county_officer)
    assert "李大户" in text(county.get("/exits/?type=household_exit"))
    (first, few), (last, more) = read_before_and_after_nominations(
        lambda: county.get("/exits/"), village_cadre_a, added=3, start=300
    )
    assert first.status_code == last.status_code == 200 and more == few
