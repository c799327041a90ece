"""Oversight pages: anonymous / no capability (403) / out of area (404) / in area, actions by role, forms that keep
input and show Chinese errors per field, pinned query counts."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from conftest import COUNTY, TOWNSHIP, VILLAGE_A, VILLAGE_B
from oversight import services
from oversight.models import Complaint, Inspection, RectificationItem
from oversight.tests.conftest import at, item_of, make_inspection


def text(response):
    return response.content.decode()


@pytest.mark.parametrize("name", ["oversight:ledger", "oversight:inspection_list", "oversight:complaint_list"])
def test_lists_refuse_anonymous_and_users_without_capability(client, client_for, system_admin, name):
    assert client.get(reverse(name)).status_code == 302
    assert client_for(system_admin).get(reverse(name)).status_code == 403


def test_village_cadres_see_the_ledger_but_not_complaints(client_for, village_cadre_a, inspection):
    assert client_for(village_cadre_a).get(reverse("oversight:complaint_list")).status_code == 403
    page = text(client_for(village_cadre_a).get(reverse("oversight:ledger")))
    assert "目标精准把握具体问题1" in page and "帮扶工作具体问题3" in page
    assert "政策举措落实具体问题2" not in page  # 勐炳村 is not his village


def test_ledger_counts_by_category_and_status_and_flags_overdue(client_for, county_officer, inspection):
    future = timezone.localdate() + datetime.timedelta(days=30)
    make_inspection(county_officer, source_kind="audit", title="审计", items=[("扶贫资金使用管理", VILLAGE_A, future)])
    page = text(client_for(county_officer).get(reverse("oversight:ledger")))
    assert "按问题大类和状态统计" in page and "扶贫资金使用管理" in page
    assert page.count('class="overdue"') == 3  # the fixture's three items are open past their 2024 deadlines
    assert page.count("oversight/items/") == 4
    filtered = text(client_for(county_officer).get(reverse("oversight:ledger"), {"category": "帮扶工作"}))
    assert "帮扶工作具体问题3" in filtered and "目标精准把握具体问题1" not in filtered
    by_area = text(client_for(county_officer).get(reverse("oversight:ledger"), {"area": VILLAGE_B, "overdue": "1"}))
    assert "政策举措落实具体问题2" in by_area and "目标精准把握具体问题1" not in by_area


def test_ledger_query_count_is_fixed(client_for, county_officer, inspection, django_assert_num_queries):
    client = client_for(county_officer)
    client.get(reverse("oversight:ledger"))
    # 9 = session, user, second-factor device (county level), posts, then the ledger's own queries.
    with django_assert_num_queries(9):
        client.get(reverse("oversight:ledger"))
    make_inspection(county_officer, source_kind="audit", title="审计", items=[
        ("扶贫资金使用管理", VILLAGE_A, datetime.date(2024, 5, 1)), ("帮扶工作", VILLAGE_B, datetime.date(2024, 5, 2)),
        ("目标精准把握", VILLAGE_B, datetime.date(2024, 5, 3))])
    with django_assert_num_queries(9):
        page = client.get(reverse("oversight:ledger"))
    assert text(page).count("oversight/items/") == 6


def test_item_detail_out_of_area_is_404_and_actions_follow_the_role(client_for, inspection, other_township_officer,
                                                                    township_officer, county_officer):
    item = item_of(inspection, 1)
    url = reverse("oversight:item_detail", args=[item.pk])
    assert client_for(other_township_officer).get(url).status_code == 404
    township_page = text(client_for(township_officer).get(url))
    assert "报送整改进展" in township_page and "对账" not in township_page.split("办理记录")[0].split("<h2>办理</h2>")[1]
    county_page = text(client_for(county_officer).get(url))
    assert "调整整改时限" in county_page and "约谈 / 通报" in county_page
    assert client_for(other_township_officer).get(reverse("oversight:inspection_detail", args=[inspection.pk])).status_code == 404


def test_progress_with_evidence_then_download_scoped(client_for, inspection, township_officer, other_township_officer):
    item = item_of(inspection, 1)
    response = client_for(township_officer).post(reverse("oversight:item_action", args=[item.pk, "progress"]), {
        "text": "已完成入户核实", "evidence": SimpleUploadedFile("核实表.txt", b"household check list")})
    assert response.status_code == 302
    note = item.progress_notes.get()
    assert note.evidence_name == "核实表.txt"
    download = reverse("oversight:evidence", args=[note.pk])
    assert client_for(other_township_officer).get(download).status_code == 404
    got = client_for(township_officer).get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"household check list"


def test_refused_action_keeps_input_and_shows_the_reason(client_for, inspection, township_officer, county_officer):
    item = item_of(inspection, 1)
    client = client_for(township_officer)
    response = client.post(reverse("oversight:item_action", args=[item.pk, "submit"]), {"summary": "我的整改说明"})
    assert response.status_code == 400
    assert "请先报送整改进展" in text(response) and "我的整改说明" in text(response)
    client.post(reverse("oversight:item_action", args=[item.pk, "progress"]), {"text": "进展"})
    client.post(reverse("oversight:item_action", args=[item.pk, "submit"]), {"summary": "完成"})
    refused = client_for(county_officer).post(reverse("oversight:item_action", args=[item.pk, "verify"]),
                                              {"passed": "0", "note": ""})
    assert refused.status_code == 400 and "退回理由不能为空" in text(refused)
    item.refresh_from_db()
    assert item.status == "submitted"


def test_wrong_role_action_is_403_and_changes_nothing(client_for, inspection, township_officer):
    item = item_of(inspection, 1)
    services.rectification_progress_add(actor=township_officer, item=item, text="进展")
    services.rectification_item_submit(actor=township_officer, item=item, summary="完成")
    response = client_for(township_officer).post(reverse("oversight:item_action", args=[item.pk, "verify"]), {"passed": "1"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "submitted"


def test_inspection_form_creates_the_tree_and_keeps_input_on_errors(client_for, county_officer, township_officer):
    url = reverse("oversight:inspection_create")
    assert client_for(township_officer).get(url).status_code == 403
    base = {"title": "2024年暗访", "source_kind": "unannounced", "issuer_area": COUNTY, "issuer_unit": "县督查组",
            "area": TOWNSHIP, "started_on": "2024-01-02", "ended_on": "2024-01-01", "feedback_on": "2024-01-10",
            "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "200",
            "items-0-category": "帮扶工作", "items-0-finding": "走访不到位", "items-0-problem": "帮扶干部未按月走访",
            "items-0-area": VILLAGE_A, "items-0-responsible_unit": "太和村", "items-0-responsible_person": "村支书",
            "items-1-category": "帮扶工作", "items-1-finding": "走访不到位", "items-1-problem": "走访记录不实",
            "items-1-area": VILLAGE_B, "items-1-responsible_unit": "勐炳村", "items-1-responsible_person": "村主任",
            "items-1-deadline": "2024-02-01"}
    refused = client_for(county_officer).post(url, base)
    assert refused.status_code == 400 and "检查结束日期不能早于开始日期" in text(refused) and "帮扶干部未按月走访" in text(refused)
    assert not Inspection.objects.exists()
    created = client_for(county_officer).post(url, base | {"ended_on": "2024-01-05"})
    assert created.status_code == 302
    inspection = Inspection.objects.get()
    finding = inspection.findings.get()
    assert finding.category == "帮扶工作" and finding.items.count() == 2
    assert sorted(finding.items.values_list("deadline", flat=True)) == [datetime.date(2024, 2, 1), datetime.date(2024, 4, 9)]


def _complaint(actor, areas, area=COUNTY):
    return services.complaint_receive(actor=actor, area=areas[area], channel="hotline_12317", received_at=at("2024-03-01"),
                                      content="反映帮扶不到位", complainant_name="王小明", complainant_phone="13800001234")


def test_complaint_pages_scope_masking_and_actions(client_for, county_officer, township_officer, other_township_officer,
                                                   auditor, areas):
    complaint = _complaint(county_officer, areas)
    services.complaint_assign(actor=county_officer, complaint=complaint, area=areas[TOWNSHIP], handling_unit="老厂乡")
    listing = text(client_for(county_officer).get(reverse("oversight:complaint_list")))
    assert complaint.number in listing and "王**" in listing and "138****1234" in listing and "13800001234" not in listing
    assert complaint.number not in text(client_for(other_township_officer).get(reverse("oversight:complaint_list")))
    url = reverse("oversight:complaint_detail", args=[complaint.pk])
    assert client_for(other_township_officer).get(url).status_code == 404
    assert "13800001234" not in text(client_for(auditor).get(url))
    township_page = text(client_for(township_officer).get(url))
    assert "13800001234" not in township_page and "138****1234" in township_page and "开始办理" in township_page
    assert "查看完整联系方式" in township_page and "查看完整联系方式" not in text(client_for(auditor).get(url))
    contact_url = reverse("oversight:complaint_contact", args=[complaint.pk])
    assert client_for(auditor).post(contact_url).status_code == 403
    assert client_for(other_township_officer).post(contact_url).status_code == 404
    assert client_for(township_officer).post(contact_url).json() == {"complainant_name": "王小明",
                                                                       "complainant_phone": "13800001234"}
    assert AuditEvent.objects.filter(action="complaint.contact_reveal", actor=township_officer).count() == 1
    assert not AuditEvent.objects.filter(action="complaint.contact_reveal").exclude(actor=township_officer).exists()
    client_for(township_officer).post(reverse("oversight:complaint_action", args=[complaint.pk, "handle"]), {"note": ""})
    refused = client_for(township_officer).post(reverse("oversight:complaint_action", args=[complaint.pk, "reply"]), {"reply_text": ""})
    assert refused.status_code == 400 and "该字段是必填项" in text(refused)
    client_for(township_officer).post(reverse("oversight:complaint_action", args=[complaint.pk, "reply"]), {"reply_text": "已答复"})
    assert client_for(township_officer).post(reverse("oversight:complaint_action", args=[complaint.pk, "close"]), {}).status_code == 403
    client_for(county_officer).post(reverse("oversight:complaint_action", args=[complaint.pk, "close"]), {"note": "办结"})
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_complaint_form_errors_per_field(client_for, county_officer, township_officer, areas):
    url = reverse("oversight:complaint_create")
    assert client_for(township_officer).get(url).status_code == 403
    data = {"channel": "petition", "received_at": "2024-03-01T09:30", "area": COUNTY, "content": "来信反映补助评定不公",
            "complainant_phone": "abc", "reply_deadline": "2024-02-01"}
    refused = client_for(county_officer).post(url, data)
    assert refused.status_code == 400 and "电话号码只能包含数字" in text(refused) and "来信反映补助评定不公" in text(refused)
    refused = client_for(county_officer).post(url, data | {"complainant_phone": "0389-1234567"})
    assert refused.status_code == 400 and "早于受理日期" in text(refused)
    assert not Complaint.objects.exists()
    created = client_for(county_officer).post(url, data | {"complainant_phone": "", "reply_deadline": ""})
    assert created.status_code == 302
    assert Complaint.objects.get().reply_deadline == datetime.date(2024, 4, 30)


def test_complaint_list_query_count_is_fixed(client_for, county_officer, areas, django_assert_num_queries):
    _complaint(county_officer, areas)
    client = client_for(county_officer)
    client.get(reverse("oversight:complaint_list"))
    # 7 = session, user, second-factor device (county level), posts, then the list's own queries.
    with django_assert_num_queries(7):
        client.get(reverse("oversight:complaint_list"))
    for _ in range(4):
        _complaint(county_officer, areas, area=VILLAGE_B)
    with django_assert_num_queries(7):
        page = client.get(reverse("oversight:complaint_list"))
    assert text(page).count("oversight/complaints/") >= 5
    assert RectificationItem.objects.count() == 0


def test_adding_items_to_an_inspection_joins_existing_findings(client_for, county_officer, township_officer, inspection):
    url = reverse("oversight:inspection_add_items", args=[inspection.pk])
    assert client_for(township_officer).get(url).status_code == 403
    page = client_for(county_officer).get(url, {"rows": "5"})
    assert text(page).count("<legend>问题") == 5
    data = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "200",
            "items-0-category": "目标精准把握", "items-0-finding": "目标精准把握方面问题1", "items-0-problem": "补充问题甲",
            "items-0-area": VILLAGE_A, "items-0-responsible_unit": "太和村", "items-0-responsible_person": "村支书",
            "items-1-category": "扶贫资金使用管理", "items-1-finding": "资金公示不及时", "items-1-problem": "补充问题乙",
            "items-1-area": VILLAGE_B, "items-1-responsible_unit": "勐炳村", "items-1-responsible_person": "村主任"}
    assert client_for(county_officer).post(url, data).status_code == 302
    assert inspection.findings.count() == 4
    assert inspection.findings.get(number=1).items.count() == 2
    assert inspection.findings.get(number=4).items.get().problem == "补充问题乙"
