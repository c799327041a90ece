"""Batch 公告 (DOMAIN.md §5.1 step 7): the county office announces the households of one township that passed
县级审定 as one numbered 公告 listing what a 公示 may show (no ID numbers); all of them become 已脱贫 in one
transaction, or none does; pages, PDF and API scoped like every other read."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.tests.workflow_fixtures import (
    YEAR,
    approve,
    eligible_households,
    fresh,
    nominate,
    to_step,
)
from assessments.workflows.models import Announcement, Verification, VerificationStatus
from assessments.workflows.services import announcement_publish
from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE_B
from povalleviation.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from tests.access_support import text
from villages.models import Area

pytestmark = pytest.mark.django_db
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def approved(village_cadre_a, village_cadre_b, first_secretary_a, township_officer, county_officer, exit_parameters):
    """Three households of 老厂乡 (two in 太和村, one in 勐炳村) waiting for 公告."""
    from conftest import _persona
    from povalleviation.roles import Role

    secretary_b = _persona("secretary_b", Role.FIRST_SECRETARY, VILLAGE_B)
    taihe = eligible_households(village_cadre_a, 2)
    mengbing = eligible_households(village_cadre_b, 1, start=600, village_code=VILLAGE_B)
    made = []
    for cadre, secretary, household in [
        (village_cadre_a, first_secretary_a, taihe[0]),
        (village_cadre_a, first_secretary_a, taihe[1]),
        (village_cadre_b, secretary_b, mengbing[0]),
    ]:
        verification = to_step(
            nominate(cadre, household),
            "announce",
            cadre=cadre,
            secretary=secretary,
            township=township_officer,
            county=county_officer,
        )
        made.append(verification)
    return made


def versions(verifications):
    return {v.pk: fresh(v).version for v in verifications}


def snapshot_of(verifications):
    return [(fresh(v).status, fresh(v).version, fresh(v).household.status) for v in verifications]


def test_a_batch_is_announced_in_one_numbered_document(approved, leading_group_staff):
    township = Area.objects.get(code=TOWNSHIP)
    announcement = announcement_publish(actor=leading_group_staff, scope=township, versions=versions(approved))
    today = timezone.localdate()
    assert announcement.number == f"新平彝族傣族自治县脱贫退出公告〔{today.year}〕1号"
    assert announcement.household_count == 3 and announcement.person_count == 3
    assert announcement.issuer.code == COUNTY and announcement.announced_on == today
    rows = announcement.content["rows"]
    assert [r["village"] for r in rows] == ["太和村委会", "太和村委会", "勐炳村委会"]
    assert {r["head_name"] for r in rows} == {"户主500", "户主501", "户主600"}
    assert rows[0]["township"] == "老厂乡" and rows[0]["year"] == YEAR
    # What a 公示 may show: 户主, size, group, reason — never an ID number.
    assert not ID_NUMBER.search(str(announcement.content))
    for verification in approved:
        verification = fresh(verification)
        assert verification.status == VerificationStatus.COMPLETED and verification.announcement == announcement
        assert verification.household.status == "exited" and verification.household.exit_date == today
        event = verification.events.get(action="announce")
        assert event.actor == leading_group_staff and event.details["number"] == announcement.number
    assert AuditEvent.objects.filter(action="announcement.publish", object_id=str(announcement.pk)).count() == 1


def test_the_next_announcement_gets_the_next_number(approved, leading_group_staff, county_officer):
    township = Area.objects.get(code=TOWNSHIP)
    first = announcement_publish(actor=leading_group_staff, scope=township, versions=versions(approved[:1]))
    second = announcement_publish(
        actor=leading_group_staff, scope=Area.objects.get(code=COUNTY), versions=versions(approved[1:])
    )
    assert (first.sequence, second.sequence) == (1, 2) and second.number.endswith(f"〔{first.year}〕2号")
    assert second.household_count == 2 and second.scope.code == COUNTY


def test_one_refusal_announces_nothing(approved, leading_group_staff, first_secretary_a, village_cadre_a):
    township = Area.objects.get(code=TOWNSHIP)
    before = snapshot_of(approved)
    stale = versions(approved)
    stale[approved[1].pk] -= 1
    with pytest.raises(Conflict):
        announcement_publish(actor=leading_group_staff, scope=township, versions=stale)
    # One of them not yet at the 公告 step.
    waiting, = eligible_households(village_cadre_a, 1, start=700)
    early = nominate(village_cadre_a, waiting)
    with pytest.raises(ApplicationError, match="尚未到公告步骤"):
        announcement_publish(
            actor=leading_group_staff, scope=township, versions={**versions(approved), early.pk: early.version}
        )
    # A household of another township cannot ride along in this township's 公告.
    with pytest.raises(ApplicationError, match="不属于本次公告的范围"):
        announcement_publish(
            actor=leading_group_staff, scope=Area.objects.get(code=OTHER_TOWNSHIP), versions=versions(approved)
        )
    with pytest.raises(ApplicationError, match="请至少选择一户"):
        announcement_publish(actor=leading_group_staff, scope=township, versions={})
    assert snapshot_of(approved) == before and not Announcement.objects.exists()


def test_wrong_role_and_wrong_area(approved, county_officer, township_officer, other_township_officer,
                                   leading_group_staff):
    township = Area.objects.get(code=TOWNSHIP)
    before = snapshot_of(approved)
    for actor in (county_officer, township_officer):
        with pytest.raises(PermissionDenied):
            announcement_publish(actor=actor, scope=township, versions=versions(approved))
    with pytest.raises(NotFound):
        announcement_publish(actor=other_township_officer, scope=township, versions=versions(approved))
    assert snapshot_of(approved) == before and not Announcement.objects.exists()


def test_the_single_announce_is_a_batch_of_one(approved, leading_group_staff):
    verification = approve(leading_group_staff, approved[0], "announce")
    announcement = fresh(verification).announcement
    assert announcement.household_count == 1 and announcement.scope.code == TOWNSHIP
    assert fresh(verification).household.status == "exited"


def test_batch_page_access_and_publication(client, client_for, approved, leading_group_staff, county_officer,
                                           other_township_officer, village_cadre_a):
    url = "/exits/announcements/batch/"
    assert client.get(url).status_code == 302
    assert client_for(county_officer).get(url).status_code == 403
    assert client_for(village_cadre_a).post(url, {"scope": TOWNSHIP}).status_code == 403
    office = client_for(leading_group_staff)
    assert office.get(f"{url}?scope=530427999000").status_code == 404
    page = text(office.get(url))
    assert "老厂乡（3 户待公告）" in page
    page = text(office.get(f"{url}?scope={TOWNSHIP}"))
    assert page.count('name="v"') == 3 and "户主600" in page
    chosen = [f"{v.pk}:{fresh(v).version}" for v in approved[:2]]
    stale = office.post(url, {"scope": TOWNSHIP, "v": [chosen[0], f"{approved[1].pk}:1"],
                              "announced_on": timezone.localdate().isoformat()})
    assert stale.status_code == 409 and "已被他人处理" in text(stale) and not Announcement.objects.exists()
    response = office.post(url, {"scope": TOWNSHIP, "v": chosen, "announced_on": timezone.localdate().isoformat(),
                                 "note": "经县扶贫开发领导小组审定"})
    announcement = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exits/announcements/{announcement.pk}/"
    assert announcement.household_count == 2 and fresh(approved[2]).status == VerificationStatus.IN_PROGRESS
    assert Verification.objects.filter(announcement=announcement).count() == 2


def test_announcement_pages_and_pdf_are_scoped(client, client_for, approved, leading_group_staff, village_cadre_a,
                                              village_cadre_b, other_township_officer, system_admin):
    announcement = announcement_publish(
        actor=leading_group_staff, scope=Area.objects.get(code=TOWNSHIP), versions=versions(approved[:2])
    )
    detail, pdf = f"/exits/announcements/{announcement.pk}/", f"/exits/announcements/{announcement.pk}/pdf/"
    assert client.get(detail).status_code == 302
    assert client_for(system_admin).get(detail).status_code == 403
    assert client_for(other_township_officer).get(detail).status_code == 404
    assert client_for(other_township_officer).get(pdf).status_code == 404
    # A village cadre sees the 公告 that lists their households; 勐炳村 has none in this one.
    page = text(client_for(village_cadre_a).get(detail))
    assert announcement.number in page and "户主500" in page and "合计 2 户" in page
    assert not ID_NUMBER.search(page)
    assert client_for(village_cadre_b).get(detail).status_code == 404
    response = client_for(leading_group_staff).get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    listing = text(client_for(village_cadre_a).get("/exits/announcements/"))
    assert announcement.number in listing
    assert announcement.number not in text(client_for(other_township_officer).get("/exits/announcements/"))


def test_announcement_list_query_count_is_flat(client_for, approved, leading_group_staff):
    township = Area.objects.get(code=TOWNSHIP)
    announcement_publish(actor=leading_group_staff, scope=township, versions=versions(approved[:1]))
    office = client_for(leading_group_staff)
    office.get("/exits/announcements/")
    with CaptureQueriesContext(connection) as few:
        assert office.get("/exits/announcements/").status_code == 200
    announcement_publish(actor=leading_group_staff, scope=township, versions=versions(approved[1:2]))
    with CaptureQueriesContext(connection) as more:
        assert office.get("/exits/announcements/").status_code == 200
    assert len(more) == len(few)


def test_api_batch_list_and_retrieve(api_for, approved, leading_group_staff, county_officer, other_township_officer):
    url = "/api/v1/announcements/"
    payload = {"scope": TOWNSHIP, "verifications": [{"id": v.pk, "version": fresh(v).version} for v in approved]}
    assert api_for().post(f"{url}batch/", payload, format="json").status_code == 401
    assert api_for(county_officer).post(f"{url}batch/", payload, format="json").status_code == 403
    assert api_for(leading_group_staff).post(
        f"{url}batch/", {**payload, "scope": "530427999000"}, format="json"
    ).status_code == 404
    response = api_for(leading_group_staff).post(f"{url}batch/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["household_count"] == 3 and sorted(body["verifications"]) == sorted(v.pk for v in approved)
    again = api_for(leading_group_staff).post(f"{url}batch/", payload, format="json")
    assert again.status_code in (400, 409) and Announcement.objects.count() == 1
    assert api_for(county_officer).get(f"{url}{body['id']}/").json()["number"] == body["number"]
    assert api_for(other_township_officer).get(f"{url}{body['id']}/").status_code == 404
    assert api_for(other_township_officer).get(url).json()["results"] == []
