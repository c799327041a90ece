"""Import workbooks built in the tests with openpyxl: rows keyed by the template's Chinese headers."""
import datetime
import io

import pytest
from openpyxl import Workbook

from conftest import VILLAGE_A
from households.imports.columns import HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET
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
