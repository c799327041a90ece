"""Import workbooks built in the tests with openpyxl: rows keyed by the template's Chinese headers."""
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from conftest import VILLAGE_A
from households.imports.columns import HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET
from households.imports.template import XLSX_CONTENT_TYPE
from households.tests.factories import make_id_number


def person_id(person: int, *, odd: bool = True) -> str:
    """A valid, unique ID number per person index (400 people per birth date)."""
    birth = (datetime.date(1960, 1, 1) + datetime.timedelta(days=person // 400)).strftime("%Y%m%d")
    return make_id_number(person % 400, birth=birth, odd=odd)


def household_row(person: int, *, village: str = VILLAGE_A, head_name: str | None = None, **columns) -> dict:
    row = {
        "村（组）区划代码": village, "户主姓名": head_name or f"户主{person}", "户主身份证号": person_id(person),
        "住址": f"{person} 号", "联系电话": "13800000000", "识别年度": 2016, "贫困户属性": "一般贫困户",
        "主要致贫原因": "因病", "其他致贫原因": "缺技术、缺资金", "计划脱贫年度": 2019, "易地扶贫搬迁户": "否",
    }
    row.update(columns)
    return row


def member_row(person: int, *, head: int, name: str | None = None, relation: str = "户主", odd: bool = True, **columns) -> dict:
    row = {
        "户主身份证号": person_id(head), "姓名": name or f"户主{person}", "身份证号": person_id(person, odd=odd),
        "与户主关系": relation, "民族": "彝族", "文化程度": "小学", "在校生状况": "非在校生", "健康状况": "健康",
        "劳动能力": "全劳动力", "务工地点": "县内", "务工月数": 6, "享受低保": "否", "特困供养": "否",
        "参加基本医疗保险": "是", "参加大病保险": "是",
    }
    row.update(columns)
    return row


def household_with_spouse(person: int, *, village: str = VILLAGE_A, **household_columns) -> tuple[dict, list[dict]]:
    """One household row and its two member rows (head = ``person``, spouse = ``person + 1``)."""
    return (household_row(person, village=village, **household_columns),
            [member_row(person, head=person), member_row(person + 1, head=person, name=f"配偶{person}", relation="配偶", odd=False)])


def many_households(count: int, *, start: int = 0, village: str = VILLAGE_A) -> tuple[list[dict], list[dict]]:
    households, members = [], []
    for index in range(count):
        household, people = household_with_spouse(start + index * 2, village=village)
        households.append(household)
        members.extend(people)
    return households, members


def workbook_bytes(households: list[dict], members: list[dict], *, number_format_text: bool = True) -> bytes:
    """An .xlsx in the template's layout; a cell value is written as given (a float stays a number)."""
    workbook = Workbook()
    sheets = ((HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, households), (MEMBER_SHEET, MEMBER_COLUMNS, members))
    for index, (title, columns, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append([column.header for column in columns])
        for row in rows:
            sheet.append([row.get(column.header) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- hostile files (test_import_hostile*.py)

TEXT_FILE_NAMED_XLSX = "姓名,身份证号\n张三,1\n".encode()


def _sheet_part(sheet_index: int) -> str:
    return f"xl/worksheets/sheet{sheet_index}.xml"


def rewritten(data: bytes, sheet_index: int, extra_rows) -> bytes:
    """The workbook with ``extra_rows`` (an iterable of XML bytes) added at the end of one sheet's data,
    streamed into the zip so that the test never holds the unpacked sheet."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename != _sheet_part(sheet_index):
                target.writestr(member.filename, content)
                continue
            head, tail = content.split(b"</sheetData>")
            with target.open(member.filename, "w", force_zip64=True) as handle:
                handle.write(head)
                for chunk in extra_rows:
                    handle.write(chunk)
                handle.write(b"</sheetData>" + tail)
    return buffer.getvalue()


def unpacked_size(data: bytes, sheet_index: int) -> int:
    """The size one sheet declares in the zip directory (what the guard compares with its limit)."""
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(_sheet_part(sheet_index)).file_size


def valid_file() -> bytes:
    """Two households of two people each (成员信息 rows 2-5), nothing wrong."""
    households, members = many_households(2)
    return workbook_bytes(households, members)


def far_cell(reference: str) -> bytes:
    """The valid file with one "x" at ``reference`` (e.g. XFD1048576) on 户信息."""
    row = "".join(ch for ch in reference if ch.isdigit())
    return rewritten(valid_file(), 1, [f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()])


def zip_bomb_of_blank_rows(rows: int = 3_000_000) -> bytes:
    """成员信息 followed by ``rows`` rows holding five spaces: a few MB packed, over 200 MB unpacked."""
    def chunks():
        for start in range(3, rows + 3, 10_000):
            yield b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>     </t></is></c></row>' % (n, n)
                           for n in range(start, start + 10_000))
    return rewritten(valid_file(), 2, chunks())


def rows_of_spaces(rows: int = 1_000_000) -> bytes:
    """成员信息 followed by ``rows`` rows holding one space each: under every size limit, over the row limit."""
    chunks = (b"".join(b'<row r="%d"><c r="B%d" t="inlineStr"><is><t> </t></is></c></row>' % (n, n)
                       for n in range(start, start + 10_000)) for start in range(6, rows + 6, 10_000))
    return rewritten(valid_file(), 2, chunks)


def empty_rows_below_the_data(rows: int = 3_000_000) -> bytes:
    """The valid file with ``rows`` empty rows (``<row r="n"/>``, no cell) below 成员信息's data."""
    chunks = (b"".join(b'<row r="%d"/>' % n for n in range(start, start + 10_000)) for start in range(6, rows + 6, 10_000))
    return rewritten(valid_file(), 2, chunks)


def blank_id_numbers() -> bytes:
    """成员信息 rows 3, 4 and 5 have an ID number that is empty, two spaces and an ideographic space (U+3000)."""
    household, people = household_with_spouse(0)
    others, more = household_with_spouse(10)
    people[1]["身份证号"] = None
    more[0]["身份证号"] = "  "
    more[1]["身份证号"] = "\u3000"
    return workbook_bytes([household, others], people + more)


def stray_cell_below_the_data() -> bytes:
    """Five empty rows under 成员信息's data, then a row with only 民族 filled in (row 11)."""
    households, members = many_households(2)
    members += [{} for _ in range(5)] + [{"民族": "汉族"}]
    return workbook_bytes(households, members)


def blank_id_numbers_above_rows_of_spaces(rows: int = 100_000, columns: int = 10) -> bytes:
    """``blank_id_numbers`` with ``rows`` rows of single spaces, ``columns`` wide, below the data: within every
    limit (about 50 MB of sheet XML for 1 M cells), the reader skips them as blank."""
    from households.imports.workbook_guard import column_letters

    letters = [column_letters(number).encode() for number in range(1, columns + 1)]
    chunks = (b"".join(b'<row r="%d">' % n + b"".join(b'<c r="%s%d" t="inlineStr"><is><t> </t></is></c>' % (letter, n)
                                                       for letter in letters) + b"</row>"
                       for n in range(start, min(start + 2_000, rows + 6))) for start in range(6, rows + 6, 2_000))
    return rewritten(blank_id_numbers(), 2, chunks)


FORMULA = '=CONCATENATE("户","主0")'


def formula_without_value() -> bytes:
    """成员信息 row 2's 姓名 is a formula saved without a computed value (openpyxl writes none)."""
    households, members = many_households(2)
    members[0]["姓名"] = FORMULA
    return workbook_bytes(households, members)


def masked_export_file(count: int = 3) -> bytes:
    """``many_households(count)`` as the register's masked export shows them: every ID number 530427********1234
    and every phone 138****0000 (no 导出说明 sheet: the ID numbers alone give it away)."""
    from households.idnumber import mask_id_number
    from povalleviation.personal_data import mask_phone

    households, members = many_households(count)
    for row in households + members:
        for header in ("户主身份证号", "身份证号"):
            if row.get(header):
                row[header] = mask_id_number(row[header])
        if row.get("联系电话"):
            row["联系电话"] = mask_phone(row["联系电话"])
    return workbook_bytes(households, members)


def error_places(result) -> set[tuple]:
    return {(error.sheet, error.row, error.column) for error in result.errors.sorted()}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (the suite's settings send them to Redis, where no worker listens)."""
    from povalleviation.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def xlsx_upload(content: bytes, name: str = "导入.xlsx") -> SimpleUploadedFile:
    """The file as the upload page and the API receive it."""
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)
