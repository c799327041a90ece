"""Rectification items and complaints through the API and the pages: ETag on GET, the version required (428 without), and a
second writer of the version the first already changed gets 409 naming the first."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import COUNTY, TOWNSHIP
from oversight import services
from oversight.models import Complaint, RectificationItem
from oversight.tests.conftest import at, item_of

pytestmark = pytest.mark.django_db


def test_item_stale_deadline_change_is_409_naming_who_submitted(api_for, inspection, township_officer, county_officer):
    item = item_of(inspection, 2)
    url = f"/api/v1/rectification-items/{item.pk}/"
    api_for(township_officer).post(url + "progress/", {"text": "已整改", "evidence": SimpleUploadedFile("a.txt", b"x")},
                                   format="multipart")
    read = api_for(county_officer).get(url)
    version = read.json()["version"]
    assert read["ETag"] == f'W/"{version}"'
    missing = api_for(county_officer).post(url + "deadline/", {"deadline": "2024-12-31", "reason": "延期"})
    assert missing.status_code == 428 and "If-Match" in missing.json()["detail"]
    submitted = api_for(township_officer).post(url + "transition/", {"action": "submit", "text": "完成"},
                                               HTTP_IF_MATCH=f'W/"{version}"')
    assert submitted.status_code == 200 and submitted["ETag"] == f'W/"{version + 1}"'
    stale = api_for(county_officer).post(url + "deadline/", {"deadline": "2024-12-31", "reason": "延期", "version": version})
    assert stale.status_code == 409
    detail = stale.json()["detail"]
    assert str(township_officer) in detail and "申请销号" in detail and "请刷新后再改" in detail
    assert RectificationItem.objects.get(pk=item.pk).deadline != "2024-12-31"


def test_complaint_stale_step_is_409_naming_who_assigned(api_for, county_officer, county_approver, areas):
    created = api_for(county_officer).post("/api/v1/complaints/", {
        "channel": "hotline_12317", "received_at": "2024-03-01T09:00:00+08:00", "area": COUNTY,
        "content": "反映帮扶不到位", "complainant_name": "王小明", "complainant_phone": "13800001234"}, format="json")
    pk = created.json()["id"]
    read = api_for(county_officer).get(f"/api/v1/complaints/{pk}/")
    version = read.json()["version"]
    assert read["ETag"] == f'W/"{version}"'
    url = f"/api/v1/complaints/{pk}/transition/"
    assert api_for(county_officer).post(url, {"action": "assign", "area": TOWNSHIP, "handling_unit": "x"}).status_code == 428
    first = api_for(county_approver).post(url, {"action": "assign", "area": TOWNSHIP, "handling_unit": "老厂乡",
                                                "version": version})
    assert first.status_code == 200
    second = api_for(county_officer).post(url, {"action": "assign", "area": COUNTY, "handling_unit": "县扶贫办",
                                                "version": version})
    assert second.status_code == 409 and "county_approver" in second.json()["detail"]
    assert Complaint.objects.get(pk=pk).handling_unit == "老厂乡"


def test_item_page_stale_deadline_is_409_with_the_message_and_the_typed_reason(client_for, inspection, township_officer,
                                                                              county_officer):
    item = item_of(inspection, 2)
    mine = client_for(county_officer)
    page = mine.get(f"/oversight/items/{item.pk}/").content.decode()
    assert f'name="version" value="{item.version}"' in page
    services.rectification_progress_add(actor=township_officer, item=item, text="已整改")
    stale = mine.post(f"/oversight/items/{item.pk}/do/deadline/",
                      {"deadline": "2024-12-31", "reason": "我写的延期理由", "version": str(item.version)})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert str(township_officer) in page and "请刷新后再改" in page and "我写的延期理由" in page
    assert RectificationItem.objects.get(pk=item.pk).deadline == item.deadline


def test_complaint_page_stale_deadline_is_409_naming_who_assigned(client_for, county_officer, county_approver, areas):
    complaint = services.complaint_receive(actor=county_officer, area=areas[COUNTY], channel="petition",
                                           received_at=at("2024-03-01"), content="来信")
    mine = client_for(county_officer)
    assert f'name="version" value="{complaint.version}"' in mine.get(f"/oversight/complaints/{complaint.pk}/").content.decode()
    services.complaint_step(actor=county_approver, complaint=complaint, step="assign", area=areas[TOWNSHIP],
                            handling_unit="老厂乡", expected_version=complaint.version)
    stale = mine.post(f"/oversight/complaints/{complaint.pk}/do/deadline/",
                      {"reply_deadline": "2024-05-15", "reason": "我填的调整理由", "version": str(complaint.version)})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "county_approver" in page and "交办" in page and "我填的调整理由" in page
    assert Complaint.objects.get(pk=complaint.pk).reply_deadline != datetime.date(2024, 5, 15)
