"""Every hostile file, sent the three ways a village cadre imports — the API (/api/v1/imports/), the web upload
page (/households/imports/) and the command line (import_households) — gets the Chinese sentence meant for it
(the limit named; 必填项为空 at the row and column; the formula named; the masked-export sentence), ends in a
finished state (校验未通过, never left 校验中), writes nothing, and is done within seconds.

The validation task runs in-process (Celery eager, as in test_import_jobs.py) on the suite's PostgreSQL;
each channel, upload to final job state, is held to 20 seconds (they take 0.1–5 s). The peak memory of the
reading step for the largest files is measured in a subprocess, as in test_import_hostile.py.

A marked copy of the upload (bad cells in red) is offered only when some error is at a cell and the sheets are
not far larger than their data rows: making it loads every cell into openpyxl (households.imports.jobs).
"""
import functools
import html
import io
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from households.imports.pipeline import import_workbook
from households.models import Household, HouseholdEvent, ImportJob, Member
from households.tests.import_files import (
    FORMULA,
    TEXT_FILE_NAMED_XLSX,
    blank_id_numbers,
    blank_id_numbers_above_rows_of_spaces,
    empty_rows_below_the_data,
    far_cell,
    formula_without_value,
    many_households,
    masked_export_file,
    rows_of_spaces,
    stray_cell_below_the_data,
    unpacked_size,
    workbook_bytes,
    xlsx_upload,
    zip_bomb_of_blank_rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "eager_tasks")]

SECONDS = 20  # per file and channel, upload to final state; none takes more than a few
FIVE_MILLION = 5_000_000
OLD_EXCEL_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE compound file: .xls saved by Excel 97-2003


@dataclass(frozen=True)
class Expected:
    """What the uploader must be told: ``errors`` are (sheet, row, column, message). A file refused as a whole
    is told exactly these; a file read row by row is told at least these (its other rows may have more)."""

    errors: tuple[tuple, ...]
    whole_file: bool
    marked: bool | None = None  # a marked copy of the upload is offered; by default when some error has a row

    @property
    def offers_marked_file(self) -> bool:
        return not self.whole_file if self.marked is None else self.marked


def _refused(sheet: str, message: str) -> Expected:
    return Expected(((sheet, None, "", message),), whole_file=True)


COLUMN_LIMIT = "工作表“户信息”第 XFD 列（第 16384 列）有内容，超过 100 列的上限：请删除表格右侧多余的内容后再导入"


def _row_limit(sheet: str, row: int) -> str:
    return (f"工作表“{sheet}”第 {row} 行有内容，超过每个工作表 200000 行数据的上限（含空格等看不见的内容）："
            "请删除表格下方多余的行，或分批导入")


def _zip_bomb_refusal(content: bytes) -> Expected:
    size = unpacked_size(content, 2)
    assert size > 200 * 1024 * 1024 and len(content) < 30 * 1024 * 1024  # only the unpacked size gives it away
    return _refused("", f"文件解压后过大：其中一部分解压后有 {size / 1024 / 1024:.0f} MB，超过每部分 200 MB 的上限"
                        "（可能是“压缩炸弹”或含大量空白行的文件），已拒绝读取")


CASES = {
    "far cell XFD1048576": (lambda: far_cell("XFD1048576"), lambda content: _refused("户信息", COLUMN_LIMIT)),
    "far cell XFD2": (lambda: far_cell("XFD2"), lambda content: _refused("户信息", COLUMN_LIMIT)),
    "far row A1048576": (lambda: far_cell("A1048576"), lambda content: _refused("户信息", _row_limit("户信息", 1048576))),
    "zip bomb of blank rows": (zip_bomb_of_blank_rows, _zip_bomb_refusal),
    "a million rows of spaces": (rows_of_spaces, lambda content: _refused("成员信息", _row_limit("成员信息", 200002))),
    "text file named .xlsx": (lambda: TEXT_FILE_NAMED_XLSX, lambda content: _refused(
        "", "无法读取文件：这不是 .xlsx 格式的 Excel 文件（可能是改了扩展名的文本、CSV 或其他文件），请上传由导入模板填写的 .xlsx 文件")),
    "old .xls named .xlsx": (lambda: OLD_EXCEL_SIGNATURE + bytes(4096), lambda content: _refused(
        "", "这是旧版 .xls 格式的文件：请在 Excel 或 WPS 中“另存为” .xlsx 格式后再导入")),
    "blank ID numbers (empty, spaces, U+3000)": (blank_id_numbers, lambda content: Expected(tuple(
        ("成员信息", row, "身份证号", "必填项为空") for row in (3, 4, 5)), whole_file=False)),
    # Within every limit, but 1 M cells of spaces: the error list is given without a marked copy, which would
    # take openpyxl most of a minute and 500 MB to make.
    "blank ID numbers above 100,000 rows of spaces": (blank_id_numbers_above_rows_of_spaces, lambda content: Expected(
        tuple(("成员信息", row, "身份证号", "必填项为空") for row in (3, 4, 5)), whole_file=False, marked=False)),
    "stray cell below the data": (stray_cell_below_the_data, lambda content: Expected(
        (("成员信息", 11, "身份证号", "必填项为空"),), whole_file=False)),
    "formula without a computed value": (formula_without_value, lambda content: Expected(
        (("成员信息", 2, "姓名", f"单元格为公式 {FORMULA} 但没有计算结果，请在 Excel 中重新计算并保存"),), whole_file=False)),
    "masked export": (masked_export_file, lambda content: _refused(
        "", "该文件是身份证号已遮蔽的导出文件，不能用于导入；请使用含完整身份证号的文件或导入模板")),
}


@functools.cache
def _built(name: str) -> bytes:
    return CASES[name][0]()  # the large files take a second to build: once per run, shared by the channels


@pytest.fixture
def registered(village_cadre_a):
    """The three households of ``many_households(3)`` already registered in village A (the masked export is
    theirs), so that "nothing written" is checked against a register that holds something."""
    assert import_workbook(source=workbook_bytes(*many_households(3)), actor=village_cadre_a).is_committed


@pytest.fixture(params=list(CASES))
def hostile(request, registered):
    """(name, file content, Expected) of one hostile file; the register already holds three households."""
    name = request.param
    content = _built(name)
    return name, content, CASES[name][1](content)


def _line(sheet, row, column, message) -> str:
    """The command line's form: 工作表 成员信息 第 3 行 身份证号：必填项为空."""
    place = " ".join(part for part in (sheet and f"工作表 {sheet}", row and f"第 {row} 行", column) if part)
    return f"{place}：{message}" if place else message


def _assert_told(reported: list[tuple], expected: Expected):
    """Reported errors (sheet, row, column, message) against the expected ones; every message is Chinese and
    none is the catch-all 系统错误."""
    if expected.whole_file:
        assert reported == list(expected.errors)
    else:
        assert set(expected.errors) <= set(reported), reported
        assert all(sheet and row and column for sheet, row, column, _ in reported), reported  # each at its cell
    assert all("系统错误" not in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
               for *_, message in reported), reported


def _counts() -> tuple:
    return Household.objects.count(), Member.objects.count(), HouseholdEvent.objects.count()


def _assert_failed_job(job: dict, expected: Expected, errors: list):
    assert job["status"] == "invalid" and job["is_running"] is False and job["progress"] == 100, job
    assert job["message"] == f"校验未通过：共 {len(errors)} 处错误，未导入任何数据"
    assert job["error_count"] == len(errors)
    if expected.whole_file:  # no row was read
        assert (job["household_rows"], job["member_rows"]) == (0, 0), job


def test_the_api_reports_each_hostile_file_in_chinese_and_finishes(hostile, api_for, village_cadre_a,
                                                                   django_capture_on_commit_callbacks):
    name, content, expected = hostile
    api, before = api_for(village_cadre_a), _counts()
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/imports/", {"file": xlsx_upload(content, f"{name}.xlsx")}, format="multipart")
    assert created.status_code == 201, created.content.decode()
    job = api.get(f"/api/v1/imports/{created.json()['id']}/").json()
    errors = api.get(f"/api/v1/imports/{job['id']}/errors/").json()
    seconds = time.perf_counter() - started

    assert errors["status"] == "invalid" and errors["count"] == len(errors["errors"])
    _assert_told([(e["sheet"], e["row"], e["column"], e["message"]) for e in errors["errors"]], expected)
    _assert_failed_job(job, expected, errors["errors"])
    assert job["finished_at"] is not None and ImportJob.objects.get(pk=job["id"]).status == ImportJob.Status.INVALID
    # A file refused as a whole has no cell to mark: no marked copy is made (nor offered) of it.
    assert (job["error_file_url"] is not None) == expected.offers_marked_file
    refused = api.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert refused.status_code == 409 and "校验未通过" in refused.json()["detail"]
    assert _counts() == before and seconds < SECONDS, seconds


def test_the_upload_page_reports_each_hostile_file_in_chinese_and_finishes(hostile, client_for, village_cadre_a,
                                                                           django_capture_on_commit_callbacks):
    name, content, expected = hostile
    page, before = client_for(village_cadre_a), _counts()
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post("/households/imports/", {"file": xlsx_upload(content, f"{name}.xlsx")})
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.get()
    assert response["Location"] == f"/households/imports/{job.pk}/"
    body = page.get(response["Location"]).content.decode()
    status = page.get(f"/households/imports/{job.pk}/status/").json()
    seconds = time.perf_counter() - started

    job.refresh_from_db()
    _assert_told([(e["sheet"], e["row"], e["column"], e["message"]) for e in job.errors], expected)
    _assert_failed_job(status, expected, job.errors)
    for sheet, row, column, message in expected.errors:  # the error table: 工作表, 行, 列, 错误原因
        assert (f'<tr><td>{sheet}</td><td class="num">{row or "—"}</td><td>{column or "—"}</td>'
                f'<td class="wrap">{html.escape(message)}</td></tr>') in body
    assert "校验未通过" in body and f"错误明细（共 {len(job.errors)} 处，未导入任何数据）" in body
    assert 'data-running="0"' in body and "确认导入</button>" not in body and "系统错误" not in body
    assert (f'href="/households/imports/{job.pk}/errors.xlsx"' in body) == expected.offers_marked_file
    assert _counts() == before and seconds < SECONDS, seconds


def test_the_command_line_reports_each_hostile_file_in_chinese(hostile, village_cadre_a, tmp_path):
    name, content, expected = hostile
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content)
    before, out, err = _counts(), io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError) as refused:
        call_command("import_households", str(path), "--user", village_cadre_a.username, stdout=out, stderr=err)
    seconds = time.perf_counter() - started

    lines = err.getvalue().splitlines()
    assert str(refused.value) == f"共 {len(lines)} 处错误，未导入任何数据。"
    expected_lines = [_line(*error) for error in expected.errors]
    if expected.whole_file:
        assert lines == expected_lines
    else:
        assert set(expected_lines) <= set(lines), lines
    assert all("系统错误" not in line for line in lines)
    assert _counts() == before and seconds < SECONDS, seconds


# ---------------------------------------------------------------- millions of empty rows: read, not refused

@functools.cache
def _five_million_empty_rows() -> bytes:
    return empty_rows_below_the_data(FIVE_MILLION)


def test_five_million_empty_rows_validate_and_commit_through_the_api_in_seconds(api_for, village_cadre_a,
                                                                                django_capture_on_commit_callbacks):
    """5 M ``<row/>`` below two households: the job previews 2 households and 4 members (not 5 M rows), the
    confirmation writes them, and the job ends 已导入."""
    api = api_for(village_cadre_a)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/imports/", {"file": xlsx_upload(_five_million_empty_rows(), "空行.xlsx")}, format="multipart")
    job = api.get(f"/api/v1/imports/{created.json()['id']}/").json()
    assert job["status"] == "valid" and job["is_running"] is False, job["message"]
    assert (job["household_rows"], job["member_rows"]) == (2, 4) and job["message"].startswith("校验通过：新建 2 户")
    assert Household.objects.count() == 0  # nothing before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = api.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert confirmed.status_code == 202
    job = api.get(f"/api/v1/imports/{job['id']}/").json()
    seconds = time.perf_counter() - started
    assert job["status"] == "committed" and job["is_running"] is False, job["message"]
    assert job["message"].startswith("导入完成：新建 2 户") and Household.objects.count() == 2 and Member.objects.count() == 4
    assert seconds < 2 * SECONDS, seconds  # the file is read twice: to validate, and again inside the commit


def test_five_million_empty_rows_through_the_page_and_the_command_line(client_for, village_cadre_a, tmp_path,
                                                                       django_capture_on_commit_callbacks):
    page = client_for(village_cadre_a)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post("/households/imports/", {"file": xlsx_upload(_five_million_empty_rows(), "空行.xlsx")})
    body = page.get(response["Location"]).content.decode()
    assert "确认导入</button>" in body and "户信息 2 行，成员信息 4 行" in body and "新建 <strong>2</strong> 户" in body

    path = tmp_path / "空行.xlsx"
    path.write_bytes(_five_million_empty_rows())
    out = io.StringIO()
    call_command("import_households", str(path), "--user", village_cadre_a.username, "--dry-run", stdout=out)
    assert "校验通过（未写入）：户信息 2 行（新建 2 户" in out.getvalue() and "成员信息 4 行" in out.getvalue()
    assert Household.objects.count() == 0 and time.perf_counter() - started < 2 * SECONDS


# ---------------------------------------------------------------- peak memory of the reading step

def _reading_step(path) -> tuple[int, str, int, str]:
    """In a fresh process: the masked-export check and the reader on the file at ``path``. Returns how much the
    process grew (MB of peak resident memory, file included), the masked-export verdict, the data rows read
    and the first error."""
    script = textwrap.dedent(f"""
        import datetime, os, resource, django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")
        django.setup()
        from households.imports.errors import ErrorList
        from households.imports.pipeline import masked_export_error
        from households.imports.reader import read_workbook
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        data = open({str(path)!r}, "rb").read()
        errors = ErrorList()
        masked = masked_export_error(data)
        sheets = read_workbook(data, errors, datetime.date(2026, 1, 1))
        rows = sum(len(sheet.rows) for sheet in sheets.values()) if sheets and not errors else 0
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
        print(grown, masked, rows, errors.sorted()[0].message if errors else "-", sep="|")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    grown, masked, rows, message = result.stdout.strip().splitlines()[-1].split("|")
    return int(grown), masked, int(rows), message


def test_reading_the_zip_bomb_stays_under_100_mb(tmp_path):
    """Refused from the zip directory: none of its 221 MB is unpacked."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_built("zip bomb of blank rows"))
    grown, masked, rows, message = _reading_step(path)
    assert message.startswith("文件解压后过大：其中一部分解压后有") and masked == "None" and rows == 0
    assert grown < 100, grown


def test_reading_five_million_empty_rows_stays_under_100_mb(tmp_path):
    """Streamed past: the 2 household rows and 4 member rows are read, not 5 M rows."""
    path = tmp_path / "empty.xlsx"
    path.write_bytes(_five_million_empty_rows())
    grown, masked, rows, message = _reading_step(path)
    assert (masked, rows, message) == ("None", 6, "-")
    assert grown < 100, grown
