"""Excel import: the template, every error located by sheet/row/column, all-or-nothing commits, re-import
updates, duplicates without leaking other areas, scope per row, the command."""
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from accounts.models import AuditEvent
from conftest import GROUP_A1, VILLAGE_A, VILLAGE_B
from households.choices import HouseholdStatus
from households.idnumber import IdNumberError, check_excel_cell, id_check_digit
from households.imports.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from households.imports.existing import SAME_PERSON_ELSEWHERE_HIDDEN
from households.imports.pipeline import import_workbook
from households.models import Household, HouseholdEvent, HouseholdStatusChange, Member
from households.services import household_set_status
from households.tests.factories import make_id_number
from households.tests.import_files import error_places as places
from households.tests.import_files import (
    household_row,
    household_with_spouse,
    many_households,
    member_row,
    person_id,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

def excel_message() -> str:
    try:
        check_excel_cell(4.30102199003072e17)
    except IdNumberError as error:
        return error.message
    raise AssertionError("a float ID cell must be refused")


def test_template_has_two_sheets_chinese_headers_text_ids_and_dropdowns(client_for, village_cadre_a):
    response = client_for(village_cadre_a).get("/households/imports/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:4] == ["户信息", "成员信息", "收入信息", "帮扶措施"]
    households, members = workbook["户信息"], workbook["成员信息"]
    assert [cell.value for cell in households[1]] == [column.header for column in HOUSEHOLD_COLUMNS]
    assert [cell.value for cell in members[1]][:5] == ["户编号", "户主身份证号", "姓名", "身份证号", "与户主关系"]
    assert [cell.value for cell in members[1]] == [column.header for column in MEMBER_COLUMNS]
    assert households.column_dimensions["D"].number_format == "@"  # 户主身份证号
    assert members.column_dimensions["B"].number_format == "@" and members.column_dimensions["D"].number_format == "@"
    lists = {str(validation.sqref).split(":")[0]: validation.formula1 for validation in members.data_validations.dataValidation}
    # 与户主关系: the whole GB/T 4761 list, too long for an inline list, on the hidden sheet.
    assert lists["E2"] == "'下拉选项'!$A$2:$A$84"
    options = workbook["下拉选项"]
    relation_labels = [row[0] for row in options.iter_rows(min_row=2, values_only=True) if row[0]]
    assert options.sheet_state == "hidden" and relation_labels[:5] == ["户主", "配偶", "夫", "妻", "子"]
    assert "孙子" in relation_labels and "岳母" in relation_labels and len(relation_labels) == 83
    assert "长期慢性病" in lists["I2"] and "普通劳动力" in lists["J2"] and lists["M2"] == '"是,否"'
    assert "乡（镇）内务工" in lists["K2"] and "未区分" not in lists["K2"]  # 务工地点: the retired 县内 not offered
    house_lists = {str(v.sqref).split(":")[0]: v.formula1 for v in households.data_validations.dataValidation}
    assert "低保贫困户" in house_lists["H2"] and "因病" in house_lists["I2"] and house_lists["L2"] == '"是,否"'


def test_five_bad_rows_among_a_thousand_households_land_nothing_and_are_reported(village_cadre_a):
    households, members = many_households(1000)
    households[10]["识别年度"] = None  # blank required cell
    households[500]["主要致贫原因"] = "因懒"  # not a label
    original = members[301]["身份证号"]
    members[301]["身份证号"] = original[:-1] + ("0" if original[-1] != "0" else "1")  # wrong check digit
    members[1201]["务工月数"] = 13
    members[1999]["健康状况"] = "很好"
    outcome = import_workbook(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert not outcome.is_committed
    assert places(outcome.result) == {
        ("户信息", 12, "识别年度"), ("户信息", 502, "主要致贫原因"), ("成员信息", 303, "身份证号"),
        ("成员信息", 1203, "务工月数"), ("成员信息", 2001, "健康状况"),
    }
    assert len(outcome.result.errors) == 5
    assert Household.objects.count() == 0 and Member.objects.count() == 0 and HouseholdEvent.objects.count() == 0


def test_valid_import_then_same_file_again_updates_instead_of_duplicating(village_cadre_a):
    households, members = many_households(3)
    households[0]["村（组）区划代码"] = GROUP_A1
    outcome = import_workbook(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert outcome.is_committed and outcome.summary["households_created"] == 3
    first = Household.objects.get(head_name="户主0")
    assert first.area_code == GROUP_A1 and first.village.code == VILLAGE_A and first.member_count == 2
    assert sorted(Household.objects.values_list("household_number", flat=True)) == [f"{VILLAGE_A}{n:04d}" for n in (1, 2, 3)]
    head = Member.objects.get(id_number=person_id(0))
    assert head.relation == "02" and head.sex == "male" and str(head.birth_date) == "1960-01-01"
    identified = HouseholdStatusChange.objects.filter(from_status="", to_status="identified", workflow="import",
                                                      actor=village_cadre_a)
    assert identified.count() == 3
    # The file gives the 识别年度 (2016) only: the history is dated 1 July of that year and says so.
    assert {(change.effective_date, change.reason) for change in identified} == {
        (datetime.date(2016, 7, 1), "Excel 导入建档（原台账只记年度，生效日期按当年 7 月 1 日记）")}
    assert HouseholdEvent.objects.filter(type="imported").count() == 3
    assert AuditEvent.objects.filter(action="household.import", actor=village_cadre_a).count() == 1

    again = import_workbook(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert again.summary["households_created"] == 0 and again.summary["households_unchanged"] == 3
    assert Household.objects.count() == 3 and Member.objects.count() == 6

    households[1]["住址"] = "新址 8 号"
    members[3]["务工月数"] = 10  # the spouse of household 2
    members.append(member_row(90, head=2, name="新生儿", relation="子", 劳动能力="无劳动力（非劳动年龄）"))
    changed = import_workbook(source=workbook_bytes(households, members), actor=village_cadre_a)
    assert changed.summary == {"households_created": 0, "households_updated": 1, "households_unchanged": 2,
                               "members_created": 1, "members_updated": 1, "households_by_status": {},
                               "incomes_created": 0, "incomes_updated": 0, "measures_created": 0, "helpers_assigned": 0,
                               "history_text": ""}
    second = Household.objects.get(head_name="户主2")
    assert Household.objects.count() == 3 and second.address == "新址 8 号" and second.member_count == 3
    assert second.version == 2
    assert Member.objects.get(id_number=person_id(3, odd=False)).work_months == 10
    assert HouseholdEvent.objects.filter(household=second, type="imported").count() == 2


def test_reimport_by_household_number_keeps_members_missing_from_the_file(village_cadre_a, household_a):
    household = household_row(101, 户编号=household_a.household_number, head_name="李大", 户主身份证号=make_id_number(101),
                              village=GROUP_A1, 联系电话="13911112222")
    people = [member_row(0, head=0, name="李大", 户主身份证号="", 户编号=household_a.household_number, 身份证号=make_id_number(101))]
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a)
    assert outcome.is_committed, outcome.result.errors.as_dicts()
    household_a.refresh_from_db()
    assert household_a.phone == "13911112222" and household_a.member_count == 2  # the spouse stays
    assert Household.objects.count() == 1


def test_numeric_id_cells_are_refused_with_the_excel_message(village_cadre_a):
    household, people = household_with_spouse(0)
    people[1]["身份证号"] = 530427196001010000.0
    second, others = household_with_spouse(10)
    others[1]["身份证号"] = "4.30102199003072E+17"
    outcome = import_workbook(source=workbook_bytes([household, second], people + others), actor=village_cadre_a)
    messages = {(error.row, error.column): error.message for error in outcome.result.errors.sorted()}
    assert messages == {(3, "身份证号"): excel_message(), (5, "身份证号"): excel_message()}
    assert Member.objects.count() == 0


def test_full_width_id_with_spaces_and_lower_case_x_is_accepted(village_cadre_a):
    sequence = next(n for n in range(500) if make_id_number(n).endswith("X"))
    number = make_id_number(sequence)
    full_width = " ".join(chr(0xFF10 + int(c)) if c.isdigit() else "ｘ" for c in number)
    household = household_row(0, 户主身份证号=full_width)
    people = [member_row(0, head=0, 户主身份证号=full_width, 身份证号=number[:-1] + "x")]
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a)
    assert outcome.is_committed, outcome.result.errors.as_dicts()
    assert Member.objects.get().id_number == number and id_check_digit(number[:17]) == "X"


def test_duplicate_person_within_the_file(village_cadre_a):
    first, first_people = household_with_spouse(0)
    second, second_people = household_with_spouse(10)
    second_people[1]["身份证号"] = first_people[1]["身份证号"]
    outcome = import_workbook(source=workbook_bytes([first, second], first_people + second_people), actor=village_cadre_a)
    errors = outcome.result.errors.sorted()
    assert [(e.sheet, e.row, e.column) for e in errors] == [("成员信息", 5, "身份证号")]
    assert "与第 3 行重复" in errors[0].message


def test_duplicate_against_another_village_reveals_no_household_or_area(village_cadre_a, household_b):
    household, people = household_with_spouse(0)
    people[1]["身份证号"] = make_id_number(201)  # 刀二, head of a household in 勐炳村
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a)
    errors = outcome.result.errors.sorted()
    assert [(e.row, e.column) for e in errors] == [(3, "身份证号")]
    assert errors[0].message == SAME_PERSON_ELSEWHERE_HIDDEN
    assert "刀二" not in errors[0].message and household_b.household_number not in errors[0].message
    assert "勐炳" not in errors[0].message and VILLAGE_B not in errors[0].message


def test_duplicate_against_a_visible_household_names_it(village_cadre_a, household_a):
    household, people = household_with_spouse(0)
    people[1]["身份证号"] = make_id_number(102, odd=False)  # 王秀, spouse in household_a
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a)
    (error,) = outcome.result.errors.sorted()
    assert household_a.household_number in error.message and "李大" in error.message


def test_rows_of_another_village_are_refused_per_row(village_cadre_a):
    own, own_people = household_with_spouse(0)
    other, other_people = household_with_spouse(10, village=VILLAGE_B)
    outcome = import_workbook(source=workbook_bytes([own, other], own_people + other_people), actor=village_cadre_a)
    errors = outcome.result.errors.sorted()
    assert [(e.sheet, e.row, e.column) for e in errors] == [("户信息", 3, "村（组）区划代码")]
    assert "不在您的导入范围内" in errors[0].message
    assert Household.objects.count() == 0


def test_frozen_household_is_refused(village_cadre_a, household_a):
    household_set_status(actor=village_cadre_a, household=household_a, to_status=HouseholdStatus.HELPED, reason="帮扶")
    household_set_status(actor=village_cadre_a, household=household_a, to_status=HouseholdStatus.EXIT_PENDING, reason="拟退出")
    household = household_row(0, head_name="李大", 户主身份证号=make_id_number(101), village=GROUP_A1, 住址="改")
    people = [member_row(0, head=0, name="李大", 户主身份证号=make_id_number(101), 身份证号=make_id_number(101))]
    outcome = import_workbook(source=workbook_bytes([household], people), actor=village_cadre_a)
    (error,) = outcome.result.errors.sorted()
    assert error.row == 2 and "冻结" in error.message
    household_a.refresh_from_db()
    assert household_a.address == ""


def test_blank_required_cells_head_and_links_are_reported_per_cell(village_cadre_a):
    household, people = household_with_spouse(0, 户主姓名="")
    people[1].update(姓名=None, 与户主关系=None)
    lonely = household_row(20)  # its head is missing from 成员信息
    stray = member_row(40, head=30)  # no such household row
    outcome = import_workbook(source=workbook_bytes([household, lonely], people + [stray]), actor=village_cadre_a)
    assert places(outcome.result) == {
        ("户信息", 2, "户主姓名"), ("户信息", 3, "户主身份证号"), ("成员信息", 3, "姓名"), ("成员信息", 3, "与户主关系"),
        ("成员信息", 4, "户主身份证号"),
    }


def test_missing_sheet_and_unreadable_file(village_cadre_a):
    outcome = import_workbook(source=b"not a workbook", actor=village_cadre_a)
    assert [error.message for error in outcome.result.errors.sorted()][0].startswith("无法读取文件")
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    missing = import_workbook(source=buffer.getvalue(), actor=village_cadre_a)
    assert {error.message for error in missing.result.errors.sorted()} == {"缺少工作表“户信息”；请使用导入模板",
                                                                            "缺少工作表“成员信息”；请使用导入模板"}


def test_command_exits_non_zero_on_a_bad_file_and_imports_a_good_one(village_cadre_a, tmp_path, capsys):
    households, members = many_households(2)
    members[3]["身份证号"] = "53042719600101123"  # 17 characters
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook_bytes(households, members))
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_households", str(bad), "--user", village_cadre_a.username)
    assert "工作表 成员信息 第 5 行 身份证号：身份证号码应为 18 位，实际为 17 位" in capsys.readouterr().err
    assert Household.objects.count() == 0

    households, members = many_households(2)
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook_bytes(households, members))
    call_command("import_households", str(good), "--user", village_cadre_a.username, "--dry-run")
    assert Household.objects.count() == 0 and "校验通过" in capsys.readouterr().out
    call_command("import_households", str(good), "--user", village_cadre_a.username)
    assert Household.objects.count() == 2 and Member.objects.count() == 4
    assert "新建 2 户" in capsys.readouterr().out


def test_command_refuses_a_user_without_the_capability(system_admin, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(workbook_bytes(*many_households(1)))
    with pytest.raises(CommandError, match="没有导入建档立卡户的权限"):
        call_command("import_households", str(path), "--user", system_admin.username)


def test_generated_file_is_deterministic_and_imports_cleanly(tmp_path, areas):
    from villages.models import Area

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        call_command("generate_household_file", "--households", "7", "--members-per-household", "3.5", "--output", str(path),
                     "--village-codes", VILLAGE_A, VILLAGE_B, stdout=io.StringIO())
    rows = [[tuple(row) for row in load_workbook(path).worksheets[1].iter_rows(values_only=True)] for path in (first, second)]
    assert rows[0] == rows[1] and len(rows[0]) == 1 + 24  # floor(7 × 3.5) = 24 members
    assert Area.objects.filter(code__in=[VILLAGE_A, VILLAGE_B]).count() == 2
    outcome = import_workbook(source=first.read_bytes(), actor=None)
    assert outcome.is_committed, outcome.result.errors.as_dicts()[:3]
    assert Household.objects.count() == 7 and Member.objects.count() == 24


def test_generated_file_is_stored_as_excel_saves_it_and_reads_like_the_inline_form(tmp_path):
    """The bench file keeps its strings in the shared-string table, as Excel and WPS save a filled-in template;
    the inline form (openpyxl's write-only export) of the same rows reads back to exactly the same cells."""
    import zipfile

    from python_calamine import CalamineWorkbook

    from households.imports.generator import Village, write_household_file

    villages = [Village(VILLAGE_A, "甲村"), Village(VILLAGE_B, "乙村")]
    shared, inline = tmp_path / "shared.xlsx", tmp_path / "inline.xlsx"
    write_household_file(shared, households=9, members_per_household=3.5, villages=villages)
    write_household_file(inline, households=9, members_per_household=3.5, villages=villages, inline_strings=True)
    with zipfile.ZipFile(shared) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
        assert 't="inlineStr"' not in archive.read("xl/worksheets/sheet2.xml").decode()
    tables = [{name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
              for book in (CalamineWorkbook.from_path(str(path)) for path in (shared, inline))]
    assert tables[0] == tables[1] and len(tables[0]["成员信息"]) == 1 + 31  # floor(9 × 3.5) members
    id_cells = [row[3] for row in tables[0]["成员信息"][1:]]
    assert all(isinstance(cell, str) and len(cell) == 18 for cell in id_cells)


def test_the_same_bad_value_in_several_rows_is_reported_on_each_row(village_cadre_a):
    first, first_people = household_with_spouse(0, 贫困户属性="不知道")
    second, second_people = household_with_spouse(10, 贫困户属性="不知道")
    outcome = import_workbook(source=workbook_bytes([first, second], first_people + second_people), actor=village_cadre_a)
    errors = outcome.result.errors.sorted()
    assert [(e.sheet, e.row, e.column) for e in errors] == [("户信息", 2, "贫困户属性"), ("户信息", 3, "贫困户属性")]
    assert errors[0].message == errors[1].message and "不知道" in errors[0].message
    assert Household.objects.count() == 0
