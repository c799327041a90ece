"""Columns the template does not know are listed in the preview (with what they hold) instead of dropped;
common other names of template columns are read as those columns with a note; an unexpected failure inside
validation is an error at the sheet and row being read."""
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from households.imports import validation
from households.imports.columns import (
    HEADER_ALIASES,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_SHEET,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    aliases,
    headers,
)
from households.imports.jobs import import_job_create
from households.imports.pipeline import import_workbook, validate_source
from households.imports.reader import column_letter
from households.models import Household, ImportJob, Member
from households.tests.import_files import (
    many_households,
    xlsx_upload,
)

pytestmark = pytest.mark.django_db


def workbook_with(households, members, *, household_headers=None, member_headers=None) -> bytes:
    """A workbook whose header rows are given; each row dict is keyed by the header written."""
    workbook = Workbook()
    household_headers = household_headers or [column.header for column in HOUSEHOLD_COLUMNS]
    member_headers = member_headers or [column.header for column in MEMBER_COLUMNS]
    for index, (title, titles, rows) in enumerate(((HOUSEHOLD_SHEET, household_headers, households),
                                                   (MEMBER_SHEET, member_headers, members))):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append(titles)
        for row in rows:
            sheet.append([row.get(header) for header in titles])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def renamed(headers_list, old, new):
    return [new if header == old else header for header in headers_list]


def test_unknown_columns_are_listed_with_samples_and_the_file_still_imports(village_cadre_a):
    households, members = many_households(3)
    for index, row in enumerate(households):
        row["贫困村名称"] = "" if index == 0 else f"大村{index}"
    for index, row in enumerate(members):
        row["性别"] = "男" if index % 2 == 0 else "女"
        row["备注栏"] = None
    household_headers = [*headers(HOUSEHOLD_SHEET), "贫困村名称"]
    member_headers = ["性别", *headers(MEMBER_SHEET), "备注栏"]
    content = workbook_with(households, members, household_headers=household_headers, member_headers=member_headers)

    outcome = import_workbook(source=content, actor=village_cadre_a)

    assert outcome.is_committed and outcome.result.errors.as_dicts() == []
    assert Household.objects.count() == 3 and Member.objects.count() == 6
    last = column_letter(len(household_headers) - 1)
    assert outcome.result.unknown_columns == [
        {"sheet": "户信息", "column": last, "header": "贫困村名称", "mapped_to": "", "samples": ["大村1", "大村2"]},
        {"sheet": "成员信息", "column": "A", "header": "性别", "mapped_to": "", "samples": ["男", "女", "男"]},
        {"sheet": "成员信息", "column": chr(ord("A") + len(member_headers) - 1), "header": "备注栏", "mapped_to": "",
         "samples": []},
    ]
    # the member sheet's columns were read from their places after the extra first column
    assert Member.objects.filter(name="配偶0", relation="10", ethnicity="彝族").count() == 1


def test_an_alias_header_imports_its_values_with_a_note(village_cadre_a):
    households, members = many_households(2)
    for index, row in enumerate(households):
        row["详细住址"] = row.pop("住址") + "（详）"
        row["手机号码"] = f"1390000000{index}"
    for row in members:
        row["公民身份号码"] = row.pop("身份证号")
        row["家庭关系"] = row.pop("与户主关系")
    household_headers = renamed(renamed(headers(HOUSEHOLD_SHEET), "住址", "详细住址"), "联系电话", "手机号码")
    member_headers = renamed(renamed(headers(MEMBER_SHEET), "身份证号", "公民身份号码"), "与户主关系", "家庭关系")
    content = workbook_with(households, members, household_headers=household_headers, member_headers=member_headers)

    outcome = import_workbook(source=content, actor=village_cadre_a)

    assert outcome.is_committed, outcome.result.errors.as_dicts()
    assert sorted(Household.objects.values_list("address", flat=True)) == ["0 号（详）", "2 号（详）"]
    assert sorted(Household.objects.values_list("phone", flat=True)) == ["13900000000", "13900000001"]
    assert Member.objects.count() == 4 and Member.objects.filter(relation="10").count() == 2
    assert outcome.result.unknown_columns == []
    assert [(note["sheet"], note["header"], note["mapped_to"]) for note in outcome.result.mapped_columns] == [
        ("户信息", "详细住址", "住址"), ("户信息", "手机号码", "联系电话"),
        ("成员信息", "公民身份号码", "身份证号"), ("成员信息", "家庭关系", "与户主关系"),
    ]


def test_when_both_the_alias_and_the_template_header_are_present_the_template_header_wins(village_cadre_a):
    households, members = many_households(2)
    for row in households:
        row["家庭住址"] = "别名里的地址"
    household_headers = ["家庭住址", *headers(HOUSEHOLD_SHEET)]  # the alias stands first, still loses
    content = workbook_with(households, members, household_headers=household_headers)

    result = validate_source(source=content, actor=village_cadre_a)

    assert result.is_valid
    assert sorted(plan.data["address"] for plan in result.households) == ["0 号", "2 号"]
    assert result.mapped_columns == []
    assert result.unknown_columns == [{"sheet": "户信息", "column": "A", "header": "家庭住址", "mapped_to": "",
                                       "samples": ["别名里的地址", "别名里的地址"]}]


def test_every_alias_names_a_template_column():
    for sheet, table in HEADER_ALIASES.items():
        assert aliases(sheet) == table, f"{sheet}: an alias points to a header the template does not have"
        assert not set(table) & set(headers(sheet))


@pytest.mark.usefixtures("media_root", "eager_tasks")
def test_the_job_page_and_the_api_show_the_columns_not_imported(village_cadre_a, client_for, api_for,
                                                                 django_capture_on_commit_callbacks):
    households, members = many_households(2)
    for row in households:
        row["详细住址"] = row.pop("住址")
        row["家庭年收入"] = 4321.5
    household_headers = [*renamed(headers(HOUSEHOLD_SHEET), "住址", "详细住址"), "家庭年收入"]
    content = workbook_with(households, members, household_headers=household_headers)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(content, "台账.xlsx"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID

    page = client_for(village_cadre_a).get(f"/households/imports/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "未识别的列（未导入）" in html and "家庭年收入" in html and "“4321.5”" in html
    assert "“详细住址”按“住址”导入" in html

    body = api_for(village_cadre_a).get(f"/api/v1/imports/{job.pk}/").json()
    assert [(note["header"], note["mapped_to"], note["samples"]) for note in body["summary"]["column_notes"]] == [
        ("详细住址", "住址", []), ("家庭年收入", "", ["4321.5", "4321.5"]),
    ]


def test_the_command_line_prints_the_notes(village_cadre_a, tmp_path, capsys):
    households, members = many_households(1)
    for row in households:
        row["帮扶联系卡号"] = "张三"
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook_with(households, members, household_headers=[*headers(HOUSEHOLD_SHEET), "帮扶联系卡号"]))
    call_command("import_households", str(path), "--user", village_cadre_a.username, "--dry-run")
    assert "“帮扶联系卡号”未导入（示例：“张三”）" in capsys.readouterr().out


def test_an_unexpected_error_names_the_sheet_and_row_being_read(village_cadre_a, monkeypatch):
    households, members = many_households(10)  # member rows 2..21
    content = workbook_with(households, members)
    real_check = validation._check_lengths

    def failing_check(errors, sheet, row, values, limits):
        if sheet == MEMBER_SHEET and row.number == 17:
            raise AttributeError("'str' object has no attribute 'number'")
        return real_check(errors, sheet, row, values, limits)

    monkeypatch.setattr(validation, "_check_lengths", failing_check)
    outcome = import_workbook(source=content, actor=village_cadre_a)

    assert not outcome.is_committed and Household.objects.count() == 0
    assert outcome.result.errors.as_dicts() == [{
        "sheet": "成员信息", "row": 17, "column": "",
        "message": "读取成员信息第 17 行时出错：无法校验该行的内容，未导入任何数据，请检查该行或联系管理员",
    }]


def test_an_unexpected_error_while_reading_a_sheet_names_its_row(village_cadre_a, monkeypatch):
    from households.imports import reader

    households, members = many_households(4)
    content = workbook_with(households, members)
    real_record = reader.ParsedRow

    def failing_row(number, values, has_error=False):
        if number == 4 and "area_code" in values:
            raise RuntimeError("boom")
        return real_record(number, values, has_error)

    monkeypatch.setattr(reader, "ParsedRow", failing_row)
    result = validate_source(source=content, actor=village_cadre_a)

    assert [(error.sheet, error.row) for error in result.errors.sorted()] == [("户信息", 4)]
    assert result.errors.sorted()[0].message.startswith("读取户信息第 4 行时出错")
