"""/api/v1/inspections/, /api/v1/rectification-items/, /api/v1/complaints/: anonymous, no capability (403), out of
area (404), in area; writes through the services; pinned query counts."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from conftest import COUNTY, TOWNSHIP, VILLAGE_A, VILLAGE_B
from oversight import services
from oversight.models import Complaint, Inspection
from oversight.tests.conftest import at, item_of, make_inspection

ENDPOINTS = ["/api/v1/inspections/", "/api/v1/rectification-items/", "/api/v1/complaints/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_and_without_capability_are_refused(api_for, system_admin, url):
    assert api_for(None).get(url).status_code in (401, 403)
    assert api_for(system_admin).get(url).status_code == 403


def _read(row, data):
    """The request body with the version the client read (the API requires it)."""
    return {**data, "version": type(row).objects.get(pk=row.pk).version}


def test_village_cadre_has_no_complaint_access(api_for, village_cadre_a):
    assert api_for(village_cadre_a).get("/api/v1/complaints/").status_code == 403


def test_items_are_scoped_and_out_of_area_is_404(api_for, inspection, village_cadre_a, other_township_officer,
                                                 county_officer):
    first = item_of(inspection, 1)
    rows = api_for(village_cadre_a).get("/api/v1/rectification-items/").json()["results"]
    assert {row["area_code"] for row in rows} == {VILLAGE_A} and len(rows) == 2
    assert rows[0]["category"] == "目标精准把握" and rows[0]["is_overdue"] is True and rows[0]["source_kind"] == "assessment"
    assert api_for(other_township_officer).get("/api/v1/rectification-items/").json()["results"] == []
    assert api_for(other_township_officer).get(f"/api/v1/rectification-items/{first.pk}/").status_code == 404
    assert api_for(other_township_officer).get(f"/api/v1/inspections/{inspection.pk}/").status_code == 404
    detail = api_for(county_officer).get(f"/api/v1/rectification-items/{first.pk}/").json()
    assert [h["to_status"] for h in detail["history"]] == ["open"]
    filtered = api_for(county_officer).get("/api/v1/rectification-items/", {"category": "政策举措落实"}).json()
    assert [row["area_code"] for row in filtered["results"]] == [VILLAGE_B]


def test_item_workflow_through_the_api(api_for, inspection, township_officer, county_officer, county_verifier):
    item = item_of(inspection, 2)
    url = f"/api/v1/rectification-items/{item.pk}/"
    response = api_for(township_officer).post(url + "progress/", {"text": "已整改", "evidence": SimpleUploadedFile("a.txt", b"x")},
                                              format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    assert api_for(township_officer).post(url + "transition/", _read(item, {"action": "submit", "text": "完成"})).json()["status"] == "submitted"
    refused = api_for(township_officer).post(url + "transition/", _read(item, {"action": "verify"}))
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    skipped = api_for(county_officer).post(url + "transition/", _read(item, {"action": "close"}))
    assert skipped.status_code == 409
    assert api_for(county_officer).post(url + "transition/", _read(item, {"action": "verify"})).json()["status"] == "verified"
    self_close = api_for(county_officer).post(url + "transition/", _read(item, {"action": "close"}))
    assert self_close.status_code == 403
    closed = api_for(county_verifier).post(url + "transition/", _read(item, {"action": "close", "text": "同意"})).json()
    assert closed["status"] == "closed" and closed["closed_on"] is not None


def test_deadline_and_escalation_through_the_api(api_for, inspection, county_officer, township_officer):
    item = item_of(inspection, 1)
    url = f"/api/v1/rectification-items/{item.pk}/"
    assert api_for(township_officer).post(url + "deadline/", _read(item, {"deadline": "2024-12-31", "reason": "延期"})).status_code == 403
    escalated = api_for(county_officer).post(url + "escalate/", {"kind": "talk", "escalated_on": "2024-04-02", "target": "老厂乡"})
    assert escalated.status_code == 200, escalated.content
    changed = api_for(county_officer).post(url + "deadline/", _read(item, {"deadline": "2024-12-31", "reason": "延期"})).json()
    assert changed["deadline"] == "2024-12-31" and changed["history"][-1]["event"] == "deadline"


def test_inspection_create_through_the_api(api_for, county_officer, township_officer, areas):
    payload = {"title": "审计发现问题", "source_kind": "audit", "issuer_area": COUNTY, "issuer_unit": "县审计局",
               "area": TOWNSHIP, "started_on": "2024-01-01", "ended_on": "2024-01-10", "feedback_on": "2024-01-15",
               "findings": [{"category": "扶贫资金使用管理", "text": "资金拨付滞后", "items": [
                   {"problem": "项目资金拨付滞后三个月", "area": VILLAGE_A, "responsible_unit": "老厂乡财政所",
                    "responsible_person": "所长"}]}]}
    assert api_for(township_officer).post("/api/v1/inspections/", payload, format="json").status_code == 403
    created = api_for(county_officer).post("/api/v1/inspections/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["default_deadline"] == "2024-04-14"
    inspection = Inspection.objects.get()
    assert inspection.findings.get().items.get().deadline == datetime.date(2024, 4, 14)
    wrong = api_for(county_officer).post("/api/v1/inspections/", payload | {"area": "530000000000"}, format="json")
    assert wrong.status_code == 404 and Inspection.objects.count() == 1


def test_complaints_api_masks_lists_and_walks_the_lifecycle(api_for, county_officer, township_officer,
                                                            other_township_officer, auditor, areas):
    created = api_for(county_officer).post("/api/v1/complaints/", {
        "channel": "hotline_12317", "received_at": "2024-03-01T09:00:00+08:00", "area": COUNTY,
        "content": "反映帮扶不到位", "complainant_name": "王小明", "complainant_phone": "13800001234"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    # Masked everywhere, also in the detail of the office that took it; the full contact only by an audited reveal.
    assert body["reply_deadline"] == "2024-03-16" and body["complainant_phone"] == "138****1234"
    assert body["complainant_name"] == "王**" and body["may_reveal_contact"] is True
    pk = body["id"]
    listed = api_for(auditor).get("/api/v1/complaints/").json()["results"]
    assert listed[0]["complainant_phone"] == "138****1234" and listed[0]["complainant_name"] == "王**"
    detail = api_for(auditor).get(f"/api/v1/complaints/{pk}/").json()
    assert detail["complainant_phone"] == "138****1234" and detail["may_reveal_contact"] is False
    assert api_for(auditor).post(f"/api/v1/complaints/{pk}/reveal/").status_code == 403
    revealed = api_for(county_officer).post(f"/api/v1/complaints/{pk}/reveal/")
    assert revealed.json() == {"complainant_name": "王小明", "complainant_phone": "13800001234"}
    reveals = AuditEvent.objects.filter(action="complaint.contact_reveal")
    assert [(e.actor, e.area_code, e.object_id) for e in reveals] == [(county_officer, COUNTY, str(pk))]
    url, complaint = f"/api/v1/complaints/{pk}/transition/", Complaint.objects.get(pk=pk)
    assert api_for(county_officer).post(url, _read(complaint, {"action": "reply", "text": "x"})).status_code == 409
    assert api_for(county_officer).post(url, {"action": "reply", "text": "x"}).status_code == 428
    assigned = api_for(county_officer).post(url, _read(complaint, {"action": "assign", "area": TOWNSHIP,
                                                                   "handling_unit": "老厂乡"}))
    assert assigned.json()["status"] == "assigned"
    assert api_for(other_township_officer).post(url, _read(complaint, {"action": "handle"})).status_code == 404
    assert api_for(township_officer).post(url, _read(complaint, {"action": "handle"})).json()["status"] == "handling"
    replied = api_for(township_officer).post(url, _read(complaint, {"action": "reply", "text": "已答复"}))
    assert replied.json()["status"] == "replied"
    assert api_for(township_officer).post(url, _read(complaint, {"action": "close"})).status_code == 403
    closed = api_for(county_officer).post(url, _read(complaint, {"action": "close"})).json()
    assert closed["status"] == "closed" and [h["to_status"] for h in closed["history"]][-1] == "closed"


def test_list_endpoints_have_fixed_query_counts(api_for, county_officer, inspection, areas, django_assert_num_queries):
    client = api_for(county_officer)
    services.complaint_receive(actor=county_officer, area=areas[COUNTY], channel="petition", received_at=at("2024-03-01"),
                               content="来信")
    counts = {}
    for url in ENDPOINTS:
        client.get(url)
        with django_assert_num_queries(2):  # COUNT + page
            counts[url] = len(client.get(url).json()["results"])
    make_inspection(county_officer, source_kind="audit", title="审计", items=[
        ("扶贫资金使用管理", VILLAGE_A, datetime.date(2024, 5, 1)), ("帮扶工作", VILLAGE_B, datetime.date(2024, 5, 2))])
    for _ in range(3):
        services.complaint_receive(actor=county_officer, area=areas[VILLAGE_B], channel="hotline_12317",
                                   received_at=at("2024-03-02"), content="电话反映", household=None)
    for url in ENDPOINTS:
        with django_assert_num_queries(2):  # COUNT + page
            rows = client.get(url).json()["results"]
        assert len(rows) > counts[url]
    assert Complaint.objects.count() == 4
