"""Hostile files: each is refused (or read) within seconds and bounded memory, with a Chinese sentence."""
import subprocess
import sys
import textwrap
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from households.imports.pipeline import import_workbook
from households.models import Household
from households.tests.import_files import (
    TEXT_FILE_NAMED_XLSX,
    blank_id_numbers,
    empty_rows_below_the_data,
    far_cell,
    formula_without_value,
    rewritten,
    rows_of_spaces,
    stray_cell_below_the_data,
    valid_file,
    zip_bomb_of_blank_rows,
)

pytestmark = pytest.mark.django_db


def messages(outcome) -> list[str]:
    return [error.line() for error in outcome.result.errors.sorted()]


def timed_import(source, actor):
    started = time.perf_counter()
    outcome = import_workbook(source=source, actor=actor)
    return outcome, time.perf_counter() - started


def test_text_file_named_xlsx_is_refused(village_cadre_a):
    outcome, seconds = timed_import(TEXT_FILE_NAMED_XLSX, village_cadre_a)
    assert messages(outcome) == ["无法读取文件：这不是 .xlsx 格式的 Excel 文件（可能是改了扩展名的文本、CSV 或其他文件），"
                                 "请上传由导入模板填写的 .xlsx 文件"]
    assert Household.objects.count() == 0


@pytest.mark.parametrize("reference, column", [("XFD1048576", "XFD"), ("XFD2", "XFD")])
def test_a_far_cell_is_refused_naming_the_column_limit(village_cadre_a, reference, column):
    outcome, seconds = timed_import(far_cell(reference), village_cadre_a)
    assert messages(outcome) == [f"工作表 户信息：工作表“户信息”第 {column} 列（第 16384 列）有内容，超过 100 列的上限："
                                 "请删除表格右侧多余的内容后再导入"]
    assert seconds < 5 and Household.objects.count() == 0


def test_a_far_row_is_refused_naming_the_row_limit(village_cadre_a):
    outcome, _ = timed_import(far_cell("A1048576"), village_cadre_a)
    assert messages(outcome) == ["工作表 户信息：工作表“户信息”第 1048576 行有内容，超过每个工作表 200000 行数据的上限"
                                 "（含空格等看不见的内容）：请删除表格下方多余的行，或分批导入"]


def test_limits_come_from_settings(village_cadre_a, settings):
    settings.IMPORT_MAX_COLUMNS = 10
    outcome, _ = timed_import(far_cell("L2"), village_cadre_a)
    assert "超过 10 列的上限" in messages(outcome)[0]


def test_zip_bomb_of_blank_rows_is_refused_from_the_zip_directory(village_cadre_a):
    bomb = zip_bomb_of_blank_rows()
    assert len(bomb) < 30 * 1024 * 1024  # passes the upload limit: only the unpacked size gives it away
    outcome, seconds = timed_import(bomb, village_cadre_a)
    [message] = messages(outcome)
    assert message.startswith("文件解压后过大：其中一部分解压后有") and "超过每部分 200 MB 的上限" in message
    assert seconds < 5


def test_many_rows_of_spaces_under_the_size_limit_are_refused_early(village_cadre_a):
    outcome, seconds = timed_import(rows_of_spaces(), village_cadre_a)
    assert messages(outcome) == ["工作表 成员信息：工作表“成员信息”第 200002 行有内容，超过每个工作表 200000 行数据的上限"
                                 "（含空格等看不见的内容）：请删除表格下方多余的行，或分批导入"]
    assert seconds < 5


def test_millions_of_empty_rows_below_the_data_are_read_cheaply(village_cadre_a):
    outcome, seconds = timed_import(empty_rows_below_the_data(), village_cadre_a)
    assert outcome.result.is_valid and outcome.is_committed, messages(outcome)
    assert Household.objects.count() == 2 and seconds < 10


def test_blank_id_numbers_however_blank_are_required_cells(village_cadre_a):
    outcome = import_workbook(source=blank_id_numbers(), actor=village_cadre_a)
    lines = messages(outcome)
    for row in (3, 4, 5):
        assert f"工作表 成员信息 第 {row} 行 身份证号：必填项为空" in lines
    assert Household.objects.count() == 0


def test_a_stray_cell_below_the_data_is_reported_at_its_row(village_cadre_a):
    outcome = import_workbook(source=stray_cell_below_the_data(), actor=village_cadre_a)
    lines = messages(outcome)
    assert "工作表 成员信息 第 11 行 身份证号：必填项为空" in lines
    assert all("第 11 行" in line for line in lines if line.startswith("工作表 成员信息")), lines


def test_a_formula_without_a_computed_value_names_the_formula(village_cadre_a):
    outcome = import_workbook(source=formula_without_value(), actor=village_cadre_a)
    assert ('工作表 成员信息 第 2 行 姓名：单元格为公式 =CONCATENATE("户","主0") 但没有计算结果，请在 Excel 中重新计算并保存'
            in messages(outcome))


def test_command_line_has_the_upload_size_limit_and_the_same_checks(village_cadre_a, tmp_path, settings):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell("XFD1048576"))
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_households", str(path), "--user", village_cadre_a.username)
    settings.IMPORT_MAX_FILE_BYTES = 1000
    with pytest.raises(CommandError, match="文件过大（超过 0 MB）|文件过大"):
        call_command("import_households", str(path), "--user", village_cadre_a.username)


def test_reading_a_far_cell_file_stays_under_100_mb(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell("XFD1048576"))
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(rewritten(valid_file(), 2, [b'<row r="2000"><c r="CV2000" t="inlineStr"><is><t>x</t></is></c></row>']))
    script = textwrap.dedent(f"""
        import datetime, os, resource, django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povalleviation.settings")
        django.setup()
        from households.imports.errors import ErrorList
        from households.imports.reader import read_workbook
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for name in ({str(path)!r}, {str(wide)!r}):
            errors = ErrorList()
            read_workbook(open(name, "rb").read(), errors, datetime.date(2026, 1, 1))
            print(len(errors), errors.sorted()[0].message if errors else "")
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    far_line, wide_line, grown = result.stdout.strip().splitlines()[-3:]
    assert "超过 100 列的上限" in far_line
    assert int(grown) < 100, result.stdout
