"""Household export: the template's two sheets and columns, scoped to the user's export areas (an area
outside them is 404), ID numbers masked (first 6 + last 4), labels for enumerations, audited."""
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.models import AuditEvent
from conftest import GROUP_A1, TOWNSHIP, VILLAGE_A, VILLAGE_B
from households.idnumber import mask_id_number
from households.imports.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from households.imports.resources import HouseholdResource, MemberResource
from households.imports.template import template_bytes
from households.models import Household, Member
from households.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

EXPORT_URL = "/households/imports/export/"
PURPOSE = "purpose=入户核查"


def sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}


def test_cadre_export_has_the_template_columns_masked_ids_and_labels(client_for, village_cadre_a, household_a, household_b):
    response = client_for(village_cadre_a).get(f"{EXPORT_URL}?{PURPOSE}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    exported, template = sheets(response.content), sheets(template_bytes())
    assert list(exported) == ["导出说明", "户信息", "成员信息", "收入信息", "帮扶措施", "下拉选项"]
    assert exported["户信息"][0] == template["户信息"][0] == tuple(column.header for column in HOUSEHOLD_COLUMNS)
    assert exported["成员信息"][0] == template["成员信息"][0] == tuple(column.header for column in MEMBER_COLUMNS)
    head_id = make_id_number(101)
    assert exported["户信息"][1:] == [(
        household_a.household_number, GROUP_A1, "李大", head_id[:6] + "********" + head_id[-4:], None, None, 2016,
        "一般贫困户", "因病", None, None, "否", "否", "建档立卡（未脱贫）", None, None, "无", *[None] * 10,
    )]
    members = exported["成员信息"][1:]
    assert [(row[0], row[1], row[2], row[3], row[4]) for row in members] == [
        (household_a.household_number, mask_id_number(head_id), "李大", mask_id_number(head_id), "户主"),
        (household_a.household_number, mask_id_number(head_id), "王秀", mask_id_number(make_id_number(102, odd=False)), "配偶"),
    ]
    assert members[0][8:10] == ("健康", "普通劳动力") and members[0][14] == "是"
    assert head_id not in str(exported) and household_b.household_number not in str(exported)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["成员信息"]["D2"].number_format == "@" and workbook["成员信息"].column_dimensions["D"].number_format == "@"
    audit = AuditEvent.objects.get(action="household.export")
    assert audit.actor == village_cadre_a and audit.changes["households"] == 1 and audit.changes["masked"] is True


def test_export_of_an_area_outside_the_scope_is_404_and_writes_nothing(client_for, village_cadre_a, household_b):
    client = client_for(village_cadre_a)
    assert client.get(f"{EXPORT_URL}?area={VILLAGE_B}&{PURPOSE}").status_code == 404
    assert client.get(f"{EXPORT_URL}?area={TOWNSHIP}&{PURPOSE}").status_code == 404
    assert client.get(f"{EXPORT_URL}?area=999999999999&{PURPOSE}").status_code == 404
    assert client.get(f"{EXPORT_URL}?area={VILLAGE_A}&{PURPOSE}").status_code == 200
    assert AuditEvent.objects.filter(action="household.export").count() == 1


def test_township_exports_both_villages_or_one(client_for, township_officer, household_a, household_b):
    client = client_for(township_officer)
    both = sheets(client.get(f"{EXPORT_URL}?{PURPOSE}").content)
    assert [row[0] for row in both["户信息"][1:]] == [household_a.household_number, household_b.household_number]
    only_b = sheets(client.get(f"{EXPORT_URL}?area={VILLAGE_B}&{PURPOSE}").content)
    assert [row[2] for row in only_b["户信息"][1:]] == ["刀二"] and len(only_b["成员信息"]) == 2


def test_no_capability_and_anonymous(client, client_for, system_admin, household_a):
    assert client_for(system_admin).get(f"{EXPORT_URL}?{PURPOSE}").status_code == 403
    assert client.get(EXPORT_URL).status_code == 302
    assert not AuditEvent.objects.filter(action="household.export").exists()


def test_csv_per_sheet(client_for, village_cadre_a, household_a):
    response = client_for(village_cadre_a).get(f"{EXPORT_URL}?format=csv&sheet=成员信息&{PURPOSE}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(f"导出人：{village_cadre_a.username}") and "用途：入户核查" in lines[0]
    assert lines[1] == ",".join(column.header for column in MEMBER_COLUMNS)
    assert len(lines) == 4 and mask_id_number(make_id_number(101)) in lines[2] and make_id_number(101) not in lines[2]
    assert client_for(village_cadre_a).get(f"{EXPORT_URL}?format=pdf").status_code == 404


def test_resources_mask_by_default_and_label_choices(household_a):
    households = Household.objects.filter(pk=household_a.pk).annotate(
        head_id_number=Member.objects.filter(household_id=household_a.pk, relation="02").values("id_number")[:1])
    masked = HouseholdResource().export(households)
    assert masked.headers == [column.header for column in HOUSEHOLD_COLUMNS]
    assert masked[0][3] == mask_id_number(make_id_number(101)) and masked[0][7] == "一般贫困户"
    full = HouseholdResource(mask_id_numbers=False).export(households)
    assert full[0][3] == make_id_number(101)
    members = MemberResource().export(Member.objects.filter(household=household_a).select_related("household").order_by("id"))
    assert members.headers == [column.header for column in MEMBER_COLUMNS]
    assert [row[3] for row in members] == [mask_id_number(make_id_number(101)), mask_id_number(make_id_number(102, odd=False))]
    assert [row[4] for row in members] == ["户主", "配偶"]


def test_export_command_is_scoped_masked_and_writes_csv(tmp_path, village_cadre_a, household_a, household_b):
    output = tmp_path / "a.xlsx"
    call_command("export_households", "--area", VILLAGE_A, "--user", village_cadre_a.username, "--output", str(output),
                 "--purpose", "年度核查", stdout=io.StringIO())
    exported = sheets(output.read_bytes())
    assert [row[0] for row in exported["户信息"][1:]] == [household_a.household_number]
    assert exported["户信息"][1][3] == mask_id_number(make_id_number(101))
    with pytest.raises(CommandError, match="不在您的工作范围内"):
        call_command("export_households", "--area", VILLAGE_B, "--user", village_cadre_a.username,
                     "--output", str(tmp_path / "b.xlsx"), "--purpose", "年度核查")
    call_command("export_households", "--output", str(tmp_path / "all.csv"), "--purpose", "年度核查", stdout=io.StringIO())
    household_lines = (tmp_path / "all-户信息.csv").read_text(encoding="utf-8-sig").splitlines()
    member_lines = (tmp_path / "all-成员信息.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(household_lines) == 4 and len(member_lines) == 5 and "用途：年度核查" in household_lines[0]
    assert (tmp_path / "all-收入信息.csv").exists() and (tmp_path / "all-帮扶措施.csv").exists()
    assert AuditEvent.objects.filter(action="household.export").count() == 1 + 4  # the xlsx, then one CSV per sheet
