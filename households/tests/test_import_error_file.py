"""The marked copy of a rejected household import (标注错误的文件): bad cells red with the reason as a comment,
the 错误说明 column listing every reason of the row, the values copied as they were (ID numbers stay text),
a corrected copy importing cleanly, and a file of 100,000 member rows marked in bounded memory."""
import datetime
import io
import subprocess
import sys
import textwrap
import zipfile

import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from conftest import VILLAGE_A, VILLAGE_B
from households.imports.columns import HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET
from households.imports.errorfile import ERROR_COLOR, marked_workbook
from households.imports.pipeline import validate_source
from households.tests.import_files import many_households, person_id, workbook_bytes


def _load(content: bytes):
    assert content is not None
    return load_workbook(io.BytesIO(content))


def _headers(worksheet) -> list:
    return [cell.value for cell in worksheet[1]]


def _error(sheet: str, row: int, column: str, message: str) -> dict:
    return {"sheet": sheet, "row": row, "column": column, "message": message}


def test_bad_cells_are_red_with_their_reasons_and_the_note_column_lists_every_reason_of_the_row():
    households, members = many_households(3)
    households[1]["脱贫年度"] = datetime.date(2018, 12, 20)
    source = load_workbook(io.BytesIO(workbook_bytes(households, members)))
    address = source[HOUSEHOLD_SHEET]["E4"]
    address.value, address.data_type = "=1+1", "s"  # typed as text: stays text, never becomes a formula
    buffer = io.BytesIO()
    source.save(buffer)
    content = buffer.getvalue()
    errors = [
        _error(MEMBER_SHEET, 3, "身份证号", "身份证号码校验位错误"),
        _error(MEMBER_SHEET, 3, "身份证号", "与第 5 行重复"),
        _error(MEMBER_SHEET, 3, "与户主关系", "“表哥”不是有效选项"),
        _error(MEMBER_SHEET, 6, "", "-一户只能有一个户主"),  # a row reason without a column, escaped in the note
        _error(HOUSEHOLD_SHEET, 4, "村(组)区划代码", "不在您的导入范围内"),  # matched as the header is
        _error(HOUSEHOLD_SHEET, None, "", "缺少工作表"),  # no row: nothing to mark
    ]
    workbook = _load(marked_workbook(content, errors))
    assert workbook.sheetnames == [HOUSEHOLD_SHEET, MEMBER_SHEET]

    members_sheet = workbook[MEMBER_SHEET]
    headers = _headers(members_sheet)
    assert headers == [column.header for column in MEMBER_COLUMNS] + ["错误说明"]
    note_column = len(headers)
    id_column = headers.index("身份证号") + 1
    bad_id = members_sheet.cell(row=3, column=id_column)
    assert bad_id.fill.fgColor.rgb == ERROR_COLOR
    assert bad_id.comment.text == "身份证号码校验位错误；与第 5 行重复"
    relation = members_sheet.cell(row=3, column=headers.index("与户主关系") + 1)
    assert relation.fill.fgColor.rgb == ERROR_COLOR and relation.comment.text == "“表哥”不是有效选项"
    assert members_sheet.cell(row=3, column=note_column).value == (
        "身份证号：身份证号码校验位错误；身份证号：与第 5 行重复；与户主关系：“表哥”不是有效选项")
    assert members_sheet.cell(row=6, column=note_column).value == "'-一户只能有一个户主"
    assert members_sheet.cell(row=6, column=note_column).data_type == "s"
    for row in (2, 4, 5, 7):
        assert members_sheet.cell(row=row, column=note_column).value is None
        assert members_sheet.cell(row=row, column=id_column).comment is None
        assert members_sheet.cell(row=row, column=id_column).fill.fgColor.rgb != ERROR_COLOR
    assert members_sheet.max_row == 7

    # Every value copied as it was: ID numbers as text cells formatted "@", numbers as numbers, dates as dates.
    for row, member in enumerate(members, start=2):
        copied = [members_sheet.cell(row=row, column=index).value for index in range(1, note_column)]
        assert copied == [member.get(column.header) for column in MEMBER_COLUMNS]
        id_cell = members_sheet.cell(row=row, column=id_column)
        assert id_cell.data_type == "s" and id_cell.number_format == "@" and id_cell.value == member["身份证号"]
    assert bad_id.value == members[1]["身份证号"] and bad_id.number_format == "@"

    households_sheet = workbook[HOUSEHOLD_SHEET]
    headers = _headers(households_sheet)
    assert headers == [column.header for column in HOUSEHOLD_COLUMNS] + ["错误说明"]
    village = households_sheet.cell(row=4, column=headers.index("村（组）区划代码") + 1)
    assert village.fill.fgColor.rgb == ERROR_COLOR and village.comment.text == "不在您的导入范围内"
    assert village.value == VILLAGE_A and village.data_type == "s"
    assert households_sheet.cell(row=4, column=len(headers)).value == "村(组)区划代码：不在您的导入范围内"
    year = households_sheet.cell(row=2, column=headers.index("识别年度") + 1)
    assert year.value == 2016 and year.data_type == "n"
    exit_date = households_sheet.cell(row=3, column=headers.index("脱贫年度") + 1)
    assert exit_date.value == datetime.datetime(2018, 12, 20) and exit_date.is_date
    address = households_sheet.cell(row=4, column=headers.index("住址") + 1)
    assert address.value == "=1+1" and address.data_type == "s"


def test_an_existing_note_column_is_cleared_and_reused_and_other_sheets_are_left_out():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = MEMBER_SHEET
    sheet.append(["户主身份证号", "姓名", " 错误说明 ", "身份证号 *", "与户主关系"])
    sheet.append([person_id(0), "张三", "上次的说明", person_id(0), "户主"])
    sheet.append([person_id(0), "李四", "上次的说明", 530427196001010000.0, "配偶"])
    sheet.append([person_id(0), "王五", None, person_id(2, odd=False), "子"])
    workbook.create_sheet("备注").append(["随便写的"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    marked = _load(marked_workbook(buffer.getvalue(), [
        _error(MEMBER_SHEET, 3, "身份证号", "身份证号码被保存为数字（科学计数法）"),
        _error("备注", 1, "", "不会标注"),
    ]))
    assert marked.sheetnames == [MEMBER_SHEET]
    members_sheet = marked[MEMBER_SHEET]
    assert _headers(members_sheet) == ["户主身份证号", "姓名", "错误说明", "身份证号 *", "与户主关系"]
    assert [members_sheet.cell(row=row, column=3).value for row in (2, 3, 4)] == [
        None, "身份证号：身份证号码被保存为数字（科学计数法）", None]
    number_id = members_sheet["D3"]  # the header "身份证号 *" is the error's column
    assert number_id.fill.fgColor.rgb == ERROR_COLOR and "科学计数法" in number_id.comment.text
    assert number_id.value == 530427196001010000.0 and number_id.data_type == "n"  # copied as the number it is
    assert members_sheet["D4"].value == person_id(2, odd=False) and members_sheet["D4"].data_type == "s"


def test_an_empty_required_cell_past_the_end_of_its_row_is_marked():
    households, members = many_households(1)
    members[1]["参加大病保险"] = None  # the last column: the row ends before it
    content = workbook_bytes(households, members)
    marked = _load(marked_workbook(content, [_error(MEMBER_SHEET, 3, "参加大病保险", "必填项为空")]))
    members_sheet = marked[MEMBER_SHEET]
    column = [column.header for column in MEMBER_COLUMNS].index("参加大病保险") + 1
    empty = members_sheet.cell(row=3, column=column)
    assert empty.value is None and empty.fill.fgColor.rgb == ERROR_COLOR and empty.comment.text == "必填项为空"
    assert members_sheet.cell(row=3, column=column + 1).value == "参加大病保险：必填项为空"


@pytest.mark.parametrize("content", [b"not a workbook", "姓名,身份证号\n张三,1\n".encode(), b"PK\x03\x04broken"])
def test_a_file_that_cannot_be_read_has_no_marked_copy(content):
    assert marked_workbook(content, [_error(MEMBER_SHEET, 3, "身份证号", "错误")]) is None


@pytest.mark.django_db
def test_a_marked_copy_corrected_in_excel_imports_cleanly(village_cadre_a):
    households, members = many_households(3)
    members[1]["身份证号"] = 530427196001010000.0  # Excel turned the ID number into a number
    households[2]["村（组）区划代码"] = VILLAGE_B  # a village outside the uploader's area
    content = workbook_bytes(households, members)
    result = validate_source(source=content, actor=village_cadre_a)
    errors = result.errors.as_dicts()
    assert [(error["sheet"], error["row"], error["column"]) for error in errors] == [
        (HOUSEHOLD_SHEET, 4, "村（组）区划代码"), (MEMBER_SHEET, 3, "身份证号")]

    workbook = _load(marked_workbook(content, errors))
    members_sheet, households_sheet = workbook[MEMBER_SHEET], workbook[HOUSEHOLD_SHEET]
    id_cell = members_sheet.cell(row=3, column=[c.header for c in MEMBER_COLUMNS].index("身份证号") + 1)
    assert id_cell.fill.fgColor.rgb == ERROR_COLOR and id_cell.number_format == "@"
    id_cell.value = members[1]["身份证号"] = person_id(1, odd=False)  # typed again into the text-formatted cell
    village_cell = households_sheet.cell(row=4, column=[c.header for c in HOUSEHOLD_COLUMNS].index("村（组）区划代码") + 1)
    village_cell.value = VILLAGE_A
    buffer = io.BytesIO()
    workbook.save(buffer)

    again = validate_source(source=buffer.getvalue(), actor=village_cadre_a)
    assert again.is_valid, again.errors.as_dicts()
    assert again.household_rows == 3 and again.member_rows == 6
    assert again.column_notes == []  # the 错误说明 column is not read as a column of the file
    ids = sorted(member.data["id_number"] for plan in again.households for member in plan.members)
    assert ids == sorted(member["身份证号"] for member in members)


MEMBER_ROWS = 100_000


def _large_file(path):
    """户信息 with 1,000 households and 成员信息 with 100,000 members, written row by row (XlsxWriter)."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    text = workbook.add_format({"num_format": "@"})
    for sheet, columns, count in ((HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, 1_000), (MEMBER_SHEET, MEMBER_COLUMNS, MEMBER_ROWS)):
        worksheet = workbook.add_worksheet(sheet)
        for index, column in enumerate(columns):
            worksheet.write_string(0, index, column.header)
        text_columns = [index for index, column in enumerate(columns) if column.is_text_format]
        for row in range(1, count + 1):
            for index in range(len(columns)):
                if index in text_columns:
                    worksheet.write_string(row, index, f"53042719{row:010d}", text)
                else:
                    worksheet.write_number(row, index, row + index)
    workbook.close()


def test_marking_a_file_of_100000_member_rows_stays_within_150_mb(tmp_path):
    source = tmp_path / "large.xlsx"
    _large_file(source)
    target = tmp_path / "marked.xlsx"
    script = textwrap.dedent(f"""
        import os, resource, time, django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")
        django.setup()
        from households.imports.errorfile import marked_workbook
        content = open({str(source)!r}, "rb").read()
        errors = [{{"sheet": "成员信息", "row": 3, "column": "身份证号", "message": "身份证号码校验位错误"}},
                  {{"sheet": "成员信息", "row": 50_000, "column": "姓名", "message": "必填项为空"}},
                  {{"sheet": "户信息", "row": 1_001, "column": "识别年度", "message": "不是有效年份"}}]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        marked = marked_workbook(content, errors)
        seconds = time.monotonic() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
        open({str(target)!r}, "wb").write(marked)
        print(grown, round(seconds))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    grown, seconds = (int(value) for value in result.stdout.strip().splitlines()[-1].split())
    assert grown < 150, result.stdout

    content = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        comments = b"".join(archive.read(name) for name in archive.namelist() if "comments" in name)
    assert comments.count(b"<comment ") == 3
    marked = CalamineWorkbook.from_filelike(io.BytesIO(content))
    members_rows = marked.get_sheet_by_name(MEMBER_SHEET).to_python()
    assert len(members_rows) == MEMBER_ROWS + 1
    note = len(MEMBER_COLUMNS)
    assert members_rows[0][note] == "错误说明"
    assert members_rows[2][note] == "身份证号：身份证号码校验位错误" and members_rows[49_999][note] == "姓名：必填项为空"
    assert sum(1 for row in members_rows if row[note] != "") == 3  # the header and the two rows with errors
    assert members_rows[MEMBER_ROWS][3] == f"53042719{MEMBER_ROWS:010d}"  # the last ID number, still text
    households_rows = marked.get_sheet_by_name(HOUSEHOLD_SHEET).to_python()
    assert len(households_rows) == 1_001 and households_rows[1_000][len(HOUSEHOLD_COLUMNS)] == "识别年度：不是有效年份"
