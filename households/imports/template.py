"""The import template, and the layout of every exported workbook: two sheets with Chinese headers,
text-formatted ID and code columns, and drop-down lists of the enumeration labels.

Excel turns an 18-digit number typed into a General cell into a float and loses the last digits
(ARCHITECTURE.md "Known traps"), so the ID and code columns carry the text format ``@`` for the whole
column, and every ID cell written by the system is itself formatted as text.

Workbooks are written in openpyxl's write-only mode (rows stream to disk), so an export of a whole county
needs little memory.
"""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from povalleviation.personal_data import spreadsheet_row, spreadsheet_text

from .columns import COLUMNS_BY_SHEET, SHEETS, Column, Kind

TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="FFF2DCDB")
REQUIRED_FONT = Font(bold=True, color="FFB3261E")
HEADER_FONT = Font(bold=True)
LAST_ROW = 1048576
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "建档立卡户导入模板.xlsx"
COMMENT_AUTHOR = "精准扶贫业务系统"


LISTS_SHEET = "下拉选项"
# Excel refuses a list validation whose formula is longer than 255 characters: longer lists (与户主关系 has the
# whole GB/T 4761 table) are written to a hidden sheet and referenced by range.
INLINE_LIST_LIMIT = 255


def _inline_list(column: Column) -> str:
    return '"' + ",".join(column.labels) + '"'


def long_list_columns() -> list[Column]:
    seen, columns = set(), []
    for sheet in SHEETS:
        for column in COLUMNS_BY_SHEET[sheet]:
            if column.kind == Kind.CHOICE and len(_inline_list(column)) > INLINE_LIST_LIMIT and column.labels:
                key = tuple(column.labels)
                if key not in seen:
                    seen.add(key)
                    columns.append(column)
    return columns


def list_ranges(columns: list[Column]) -> dict[tuple, str]:
    return {tuple(column.labels): f"'{LISTS_SHEET}'!${get_column_letter(index)}$2:${get_column_letter(index)}${len(column.labels) + 1}"
            for index, column in enumerate(columns, start=1)}


def _list_validation(column: Column, ranges: dict | None = None) -> DataValidation:
    formula = (ranges or {}).get(tuple(column.labels)) or _inline_list(column)
    return DataValidation(
        type="list", formula1=formula, allow_blank=not column.required,
        showErrorMessage=True, errorTitle="无效选项", error=f"请从下拉列表中选择{column.header}",
        showInputMessage=bool(column.hint), promptTitle=column.header if column.hint else None,
        prompt=column.hint or None,
    )


def header_note(column: Column) -> str:
    parts = ["必填" if column.required else "选填"]
    if column.hint:
        parts.append(column.hint)
    if column.kind in (Kind.CHOICE, Kind.CAUSES):
        parts.append("可选：" + "、".join(label for label in column.labels if label))
    return "；".join(parts)


def prepare_sheet(worksheet, columns: tuple[Column, ...], *, with_notes: bool = True, list_ranges: dict | None = None):
    """Widths, the text format of text columns, the drop-down lists and the header row (write-only sheet)."""
    header = []
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = worksheet.column_dimensions[letter]
        dimension.width = column.width
        if column.is_text_format:
            dimension.number_format = TEXT_FORMAT
        if column.kind in (Kind.CHOICE, Kind.YES_NO):
            validation = _list_validation(column, list_ranges)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            worksheet.data_validations.append(validation)
        cell = WriteOnlyCell(worksheet, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.number_format = TEXT_FORMAT
        if with_notes:
            comment = Comment(header_note(column), COMMENT_AUTHOR)
            comment.width, comment.height = 240, 90
            cell.comment = comment
        header.append(cell)
    worksheet.freeze_panes = "A2"
    worksheet.append(header)


def new_workbook() -> tuple[Workbook, dict]:
    """A write-only workbook with the template's sheets prepared (and the hidden sheet of long drop-down lists),
    and the sheets by name for appending rows."""
    workbook = Workbook(write_only=True)
    sheets = {}
    long_lists = long_list_columns()
    ranges = list_ranges(long_lists)
    for sheet in SHEETS:
        sheets[sheet] = workbook.create_sheet(sheet)
        prepare_sheet(sheets[sheet], COLUMNS_BY_SHEET[sheet], list_ranges=ranges)
    add_lists_sheet(workbook, long_lists)
    return workbook, sheets


def add_lists_sheet(workbook: Workbook, long_lists: list[Column]):
    """The hidden sheet the long drop-down lists point at (``list_ranges``): a header, then the labels."""
    if not long_lists:
        return
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    lists.append([column.header for column in long_lists])
    for index in range(max(len(column.labels) for column in long_lists)):
        lists.append([column.labels[index] if index < len(column.labels) else None for column in long_lists])


class RowWriter:
    """Appends data rows, storing the text-format columns as text cells formatted ``@``."""

    def __init__(self, worksheet, columns: tuple[Column, ...]):
        self.worksheet = worksheet
        self.text_columns = [index for index, column in enumerate(columns) if column.is_text_format]

    def append(self, values: list):
        row = spreadsheet_row(values)  # a text beginning with = + - @ is written as text, never as a formula
        for index in self.text_columns:
            value = row[index]
            cell = WriteOnlyCell(self.worksheet, value="" if value is None else spreadsheet_text(str(value)))
            cell.number_format = TEXT_FORMAT
            row[index] = cell
        self.worksheet.append(row)


MARK_SHEET = "导出说明"


def _header_footer_text(text: str) -> str:
    return text.replace("&", "&&")  # "&" starts a code in Excel headers and footers


def mark_workbook(workbook: Workbook, sheets: dict, mark: str, *, masked: bool = True):
    """The export's watermark: a first sheet with the line, every sheet's printed header and footer, and the
    workbook's properties (title, description), so who exported it, when and for what travels with the file."""
    note = workbook.create_sheet(MARK_SHEET, 0)
    note.column_dimensions["A"].width = 120
    note.append([spreadsheet_text(mark)])
    note.append(["本文件含有个人信息，仅限上述用途使用，不得外传；"
                 + ("身份证号和联系电话已脱敏。" if masked else "含完整身份证号和联系电话，用毕请删除。")])
    for worksheet in workbook.worksheets:  # every sheet, the hidden list of drop-down labels too
        worksheet.oddHeader.center.text = _header_footer_text(mark)
        worksheet.oddFooter.center.text = _header_footer_text(mark)
        worksheet.oddFooter.right.text = "第 &P 页 / 共 &N 页"
    workbook.properties.title = "建档立卡户导出"
    workbook.properties.subject = mark
    workbook.properties.description = mark
    workbook.properties.keywords = "个人信息"


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_bytes() -> bytes:
    """The downloadable template: headers, formats and drop-downs, no data."""
    workbook, _sheets = new_workbook()
    return workbook_bytes(workbook)
