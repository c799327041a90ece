"""Reading the uploaded workbook with python-calamine: its sheets, headers (template columns, other names of
them, columns not imported) and rows, each cell typed by the parsers of ``cells``. Every problem is recorded
per cell.

Nothing reaches calamine before ``workbook_guard.inspect_workbook`` has checked the file (zip directory,
unpacked sizes, the farthest cell of each sheet within IMPORT_MAX_ROWS × IMPORT_MAX_COLUMNS), so the
rectangle calamine builds is bounded; its rows are then turned into Python one at a time (``iter_rows``).
"""
import io
import logging
import os
from dataclasses import dataclass, field

from django.conf import settings
from python_calamine import CalamineWorkbook

from .cells import CellProblem, cell_parser, cell_text, is_blank
from .columns import (
    COLUMNS_BY_SHEET,
    ERROR_NOTE_HEADER,
    OPTIONAL_SHEETS,
    SHEETS,
    Column,
    Kind,
    aliases,
)
from .errors import ErrorList
from .workbook_guard import SheetScan, WorkbookRefused, file_too_large_message, inspect_workbook

logger = logging.getLogger(__name__)

REQUIRED_MESSAGE = "必填项为空"
_HEADER_TRANSLATION = str.maketrans({"(": "（", ")": "）", "*": None, " ": None, "\u3000": None, "\n": None})


@dataclass
class ParsedRow:
    """One data row: its Excel row number, the typed values by column key, and whether any cell failed."""

    number: int
    values: dict
    has_error: bool = False


@dataclass
class ParsedSheet:
    name: str
    present: bool = False
    keys: set = field(default_factory=set)  # column keys found in the header row
    rows: list = field(default_factory=list)
    # Headers read under another name, and headers not imported (``column_note``), in the sheet's order.
    column_notes: list = field(default_factory=list)


SAMPLE_COUNT = 3  # non-empty values shown for a column that is not imported
SAMPLE_LENGTH = 30


def column_letter(index: int) -> str:
    """Excel's letter of the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_index(letter: str) -> int:
    """The 0-based index of Excel's column ``letter`` (A → 0, AA → 26)."""
    index = 0
    for character in letter:
        index = index * 26 + ord(character) - ord("A") + 1
    return index - 1


def column_note(sheet: str, index: int, header: str, *, mapped_to: str = "") -> dict:
    """A header the preview mentions: read as ``mapped_to``, or (no ``mapped_to``) not imported, with samples."""
    return {"sheet": sheet, "column": column_letter(index), "header": header, "mapped_to": mapped_to, "samples": []}


def _sample(raw) -> str:
    text = cell_text(raw)
    return text if len(text) <= SAMPLE_LENGTH else text[:SAMPLE_LENGTH] + "…"


def _normalised_header(value) -> str:
    return str(value).translate(_HEADER_TRANSLATION) if value is not None else ""


def formula_message(formula: str) -> str:
    shown = f" ={formula}" if formula else ""
    return f"单元格为公式{shown} 但没有计算结果，请在 Excel 中重新计算并保存"


def source_bytes(source) -> bytes:
    """The file's bytes; a path or file larger than the upload limit is refused before it is read."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    limit = settings.IMPORT_MAX_FILE_BYTES
    if hasattr(source, "read"):
        data = source.read(limit + 1)
    else:
        if os.path.getsize(source) > limit:
            raise WorkbookRefused(file_too_large_message(limit))
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise WorkbookRefused(file_too_large_message(limit))
    return data


def open_workbook(data: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _header_positions(sheet: str, header_row: list, errors: ErrorList) -> tuple[dict[str, int], list[dict]]:
    """The column index of each template column, and the notes on the other headers (``column_note``).

    Template headers are placed first, so that a template header wins over an alias of it wherever it stands;
    an alias then takes a column still free, and any other non-blank header (except the 错误说明 of a
    corrected error file) is noted as not imported.
    """
    by_header = {column.header.translate(_HEADER_TRANSLATION): column for column in COLUMNS_BY_SHEET[sheet]}
    by_alias = {alias.translate(_HEADER_TRANSLATION): by_header[header.translate(_HEADER_TRANSLATION)]
                for alias, header in aliases(sheet).items()}
    positions: dict[str, int] = {}
    others = []
    for index, raw in enumerate(header_row):
        header = _normalised_header(raw)
        column = by_header.get(header)
        if column is None:
            if header and header != ERROR_NOTE_HEADER:
                others.append((index, header, str(raw).strip()))
            continue
        if column.key in positions:
            errors.add(sheet, 1, column.header, f"表头“{column.header}”出现了两次")
            continue
        positions[column.key] = index
    notes = []
    for index, header, shown in others:
        column = by_alias.get(header)
        if column is not None and column.key not in positions:
            positions[column.key] = index
            notes.append(column_note(sheet, index, shown, mapped_to=column.header))
        else:
            notes.append(column_note(sheet, index, shown))
    for column in COLUMNS_BY_SHEET[sheet]:
        if column.required and column.key not in positions:
            errors.add(sheet, 1, column.header, f"缺少必填列“{column.header}”；请使用导入模板")
    return positions, notes


# Columns whose cells take few distinct values (choices, 是/否, codes, years, counts): each distinct raw value
# is parsed once per file. Text and ID columns are left out (mostly distinct; IDs have their own cache).
_REPEATING_KINDS = {Kind.CHOICE, Kind.YES_NO, Kind.CODE, Kind.YEAR, Kind.YEAR_OR_DATE, Kind.INTEGER, Kind.CAUSES}


def _remembered(column: Column, parse):
    if column.kind not in _REPEATING_KINDS:
        return parse
    results = {}

    def parse_once(raw):
        try:
            result = results[raw]
        except KeyError:
            try:
                result = parse(raw)
            except CellProblem as problem:
                result = problem
            except TypeError:  # an unhashable cell value cannot be remembered
                return parse(raw)
            results[raw] = result
        except TypeError:
            return parse(raw)
        if result.__class__ is CellProblem:
            raise result
        return result

    return parse_once


def _parse_rows(sheet: str, table, positions: dict, note_index, errors: ErrorList, today, id_cache,
                formulas: dict | None = None, samples: dict | None = None, cursor=None) -> list:
    """``table`` yields the data rows (Excel row 2 on); ``formulas`` maps (row, column index) to the formula
    of a cell saved without its computed value. ``samples`` maps the index of a column that is not imported
    to the list its first non-empty values are added to (until SAMPLE_COUNT). ``cursor`` (``ReadingCursor``)
    is given the row being read when anything escapes this loop."""
    columns = COLUMNS_BY_SHEET[sheet]
    formulas = formulas or {}
    formula_rows = {row for row, _ in formulas}
    present = [(column.key, positions[column.key], _remembered(column, cell_parser(column, today, id_cache, sheet)),
                column.required, column.default,
                column.header) for column in columns if column.key in positions]
    missing_defaults = {column.key: column.default for column in columns if column.key not in positions}
    rows = []
    half = max(len(present) // 2, 1)
    pending = dict(samples) if samples else None  # columns still short of samples; empty after a few rows
    number = 1
    try:
        for number, cells in enumerate(table, start=2):
            if pending:
                _take_samples(pending, cells)
            width = len(cells)
            if cells.count("") > width - half and number not in formula_rows and all(
                is_blank(raw) for index, raw in enumerate(cells) if index != note_index
            ):
                continue
            values = dict(missing_defaults)
            has_error = False
            for key, index, parse, required, default, header in present:
                raw = cells[index] if index < width else ""
                if raw == "" or raw is None or (raw.__class__ is str and is_blank(raw)):
                    formula = formulas.get((number, index)) if formulas else None
                    if formula is not None:
                        errors.add(sheet, number, header, formula_message(formula))
                        has_error = True
                    elif required:
                        errors.add(sheet, number, header, REQUIRED_MESSAGE)
                        has_error = True
                    values[key] = default
                    continue
                try:
                    values[key] = parse(raw)
                except CellProblem as problem:
                    errors.add(sheet, number, header, str(problem))
                    values[key] = None
                    has_error = True
                except Exception:  # a defect in a parser names the cell instead of failing the whole file
                    logger.exception("import cell %s row %s column %s", sheet, number, header)
                    errors.add(sheet, number, header, "无法读取此单元格的内容，请检查后重新填写")
                    values[key] = None
                    has_error = True
            rows.append(ParsedRow(number, values, has_error))
    except Exception:  # named by validate_workbook's error row
        if cursor is not None:
            cursor.at(sheet, number)
        raise
    return rows


def _take_samples(pending: dict, cells: list):
    width = len(cells)
    for index in list(pending):
        raw = cells[index] if index < width else None
        if raw != "" and not is_blank(raw):
            found = pending[index]
            found.append(_sample(raw))
            if len(found) >= SAMPLE_COUNT:
                del pending[index]


def _sheet_rows(sheet):
    """The sheet's rows from A1 on, one list at a time: calamine yields rows from row 1 but starts each at
    the first used column, so the columns before it are put back."""
    start = sheet.start
    if start is None:
        return
    padding = [""] * start[1]
    for cells in sheet.iter_rows():
        yield padding + cells if padding else cells


def parse_sheet(workbook: CalamineWorkbook, sheet: str, errors: ErrorList, today, id_cache=None,
                scan: SheetScan | None = None, cursor=None) -> ParsedSheet:
    parsed = ParsedSheet(name=sheet)
    if cursor is not None:
        cursor.at(sheet, 1)
    if sheet not in workbook.sheet_names:
        if sheet not in OPTIONAL_SHEETS:
            errors.add(sheet, None, "", f"缺少工作表“{sheet}”；请使用导入模板")
        return parsed
    rows = _sheet_rows(workbook.get_sheet_by_name(sheet))
    header = next(rows, None)
    if header is None:
        errors.add(sheet, 1, "", "工作表为空，缺少表头")
        return parsed
    parsed.present = True
    positions, parsed.column_notes = _header_positions(sheet, header, errors)
    parsed.keys = set(positions)
    note_index = next((i for i, raw in enumerate(header) if _normalised_header(raw) == ERROR_NOTE_HEADER), None)
    samples = {column_index(note["column"]): note["samples"] for note in parsed.column_notes if not note["mapped_to"]}
    parsed.rows = _parse_rows(sheet, rows, positions, note_index, errors, today, {} if id_cache is None else id_cache,
                              scan.formulas if scan is not None else None, samples, cursor)
    return parsed


def read_workbook(source, errors: ErrorList, today, cursor=None) -> dict[str, ParsedSheet]:
    """Every sheet of the template, parsed (the optional ones not present when the file lacks them); a file that
    is not a readable workbook, or one past a limit, is one error."""
    unread = {sheet: ParsedSheet(name=sheet) for sheet in SHEETS}
    try:
        data = source_bytes(source)
        scans = inspect_workbook(data, SHEETS)
    except WorkbookRefused as refused:
        errors.add(refused.sheet, None, "", refused.message)
        return unread
    try:
        workbook = open_workbook(data)
    except Exception:  # calamine raises its own error types for every kind of unreadable file
        logger.info("unreadable import workbook", exc_info=True)
        errors.add("", None, "", "无法读取文件：请上传由导入模板填写的 .xlsx 格式 Excel 文件")
        return unread
    id_cache = {}
    return {sheet: parse_sheet(workbook, sheet, errors, today, id_cache, scans.get(sheet), cursor) for sheet in SHEETS}
