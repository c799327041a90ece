"""Reading the uploaded workbook with python-calamine and turning each cell into a typed value.

calamine returns every numeric cell as a float; for the ID columns that is exactly how an ID number that
Excel stored as a number shows up, and such a cell is refused with ``idnumber.check_excel_cell``'s message
instead of being converted (the last digits are already lost). Every problem is recorded per cell.
"""
import io
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook

from households.idnumber import IdNumberError, check_excel_cell, validate_id_number

from .columns import (
    CAUSE_SEPARATORS,
    COLUMNS_BY_SHEET,
    ERROR_NOTE_HEADER,
    NO,
    SHEETS,
    YES,
    Column,
    Kind,
)
from .errors import ErrorList

REQUIRED_MESSAGE = "必填项为空"
_HEADER_TRANSLATION = str.maketrans({"(": "（", ")": "）", "*": None, " ": None, "\u3000": None, "\n": None})
_FULL_WIDTH_DIGITS = str.maketrans({0xFF10 + i: chr(ord("0") + i) for i in range(10)})
_YES_VALUES = {YES, "Y", "y", "TRUE", "true", "True", "1"}
_NO_VALUES = {NO, "N", "n", "FALSE", "false", "False", "0"}


class CellProblem(Exception):
    """A cell that cannot be read as its column's kind; the message is shown to the uploader."""


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


def _normalised_header(value) -> str:
    return str(value).translate(_HEADER_TRANSLATION) if value is not None else ""


def _text(raw) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _code(raw) -> str:
    text = "".join(_text(raw).translate(_FULL_WIDTH_DIGITS).split())
    if not (text.isascii() and text.isdigit()):
        raise CellProblem(f"“{text}”不是有效代码，只能填写数字")
    return text


def _integer(raw) -> int:
    if isinstance(raw, bool):
        raise CellProblem("请填写整数")
    if isinstance(raw, float | int):
        if float(raw).is_integer():
            return int(raw)
        raise CellProblem(f"“{raw}”不是整数")
    text = _text(raw).translate(_FULL_WIDTH_DIGITS)
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()):
        raise CellProblem(f"“{text}”不是整数")
    return int(text)


def _year(raw) -> int:
    try:
        year = _integer(raw)
    except CellProblem:
        raise CellProblem(f"“{_text(raw)}”不是有效年份，请填写 4 位年份，如 2016") from None
    if not 1900 <= year <= 2100:
        raise CellProblem(f"“{year}”不是有效年份，请填写 4 位年份，如 2016")
    return year


def _choice(column: Column, raw) -> str:
    text = _text(raw)
    try:
        return column.label_to_value[text]
    except KeyError:
        options = "、".join(label for label in column.labels if label)
        raise CellProblem(f"“{text}”不是有效选项，请从下拉列表中选择（{options}）") from None


def _causes(column: Column, raw) -> list[str]:
    text = _text(raw)
    for separator in CAUSE_SEPARATORS[1:]:
        text = text.replace(separator, CAUSE_SEPARATORS[0])
    labels = [label for label in text.split(CAUSE_SEPARATORS[0]) if label]
    unknown = [label for label in labels if label not in column.label_to_value]
    if unknown:
        raise CellProblem(f"未知的致贫原因：{'、'.join(unknown)}（可选：{'、'.join(column.labels)}）")
    return list(dict.fromkeys(column.label_to_value[label] for label in labels))


def _yes_no(raw) -> bool:
    if raw is True or raw is False:
        return raw
    text = _text(raw)
    if text in _YES_VALUES:
        return True
    if text in _NO_VALUES:
        return False
    raise CellProblem(f"“{text}”无效，请填写“是”或“否”")


def _id_number(raw, today):
    try:
        return validate_id_number(raw if raw.__class__ is str else check_excel_cell(raw), today=today)
    except IdNumberError as error:
        raise CellProblem(error.message) from None


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def cell_parser(column: Column, today, id_cache: dict):
    """A function reading one non-blank cell of ``column``: the typed value, or CellProblem.

    The common case (a clean text cell) takes the shortest path; anything else falls back to the full
    parser, which also words the error. ID numbers repeat across the sheets (户主身份证号 on every member
    row), so their results are cached by raw value in ``id_cache``, shared by both sheets of one file.
    """
    kind = column.kind
    if kind == Kind.TEXT:
        return lambda raw: raw.strip() if raw.__class__ is str else _text(raw)
    if kind == Kind.ID_NUMBER:
        def parse_id(raw):
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            cached = id_cache.get(key)
            if cached is None:
                try:
                    cached = _id_number(raw, today)
                except CellProblem as problem:
                    cached = problem
                id_cache[key] = cached
            if cached.__class__ is CellProblem:
                raise cached
            return cached
        return parse_id
    if kind == Kind.CHOICE:
        mapping = column.label_to_value

        def parse_choice(raw):
            if raw.__class__ is str:
                value = mapping.get(raw)
                if value is not None:
                    return value
            return _choice(column, raw)
        return parse_choice
    if kind == Kind.YES_NO:
        return lambda raw: True if raw == YES else False if raw == NO else _yes_no(raw)
    if kind == Kind.CODE:
        return lambda raw: raw if raw.__class__ is str and raw.isascii() and raw.isdigit() else _code(raw)
    if kind == Kind.INTEGER:
        return _integer
    if kind == Kind.YEAR:
        return _year
    if kind == Kind.CAUSES:
        return lambda raw: _causes(column, raw)
    raise ValueError(f"unknown column kind {kind!r}")


def open_workbook(source) -> CalamineWorkbook:
    if isinstance(source, bytes | bytearray):
        return CalamineWorkbook.from_filelike(io.BytesIO(source))
    if hasattr(source, "read"):
        return CalamineWorkbook.from_filelike(source)
    return CalamineWorkbook.from_path(str(source))


def _header_positions(sheet: str, header_row: list, errors: ErrorList) -> dict[str, int]:
    by_header = {column.header.translate(_HEADER_TRANSLATION): column for column in COLUMNS_BY_SHEET[sheet]}
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_row):
        header = _normalised_header(raw)
        column = by_header.get(header)
        if column is None:
            continue  # unknown columns (notes, 错误说明 of a corrected error file) are ignored
        if column.key in positions:
            errors.add(sheet, 1, column.header, f"表头“{column.header}”出现了两次")
            continue
        positions[column.key] = index
    for column in COLUMNS_BY_SHEET[sheet]:
        if column.required and column.key not in positions:
            errors.add(sheet, 1, column.header, f"缺少必填列“{column.header}”；请使用导入模板")
    return positions


# Columns whose cells take few distinct values (choices, 是/否, codes, years, counts): each distinct raw value
# is parsed once per file. Text and ID columns are left out (mostly distinct; IDs have their own cache).
_REPEATING_KINDS = {Kind.CHOICE, Kind.YES_NO, Kind.CODE, Kind.YEAR, Kind.INTEGER, Kind.CAUSES}


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


def _parse_rows(sheet: str, table: list, positions: dict, note_index, errors: ErrorList, today, id_cache) -> list:
    columns = COLUMNS_BY_SHEET[sheet]
    present = [(column.key, positions[column.key], _remembered(column, cell_parser(column, today, id_cache)),
                column.required, column.default,
                column.header) for column in columns if column.key in positions]
    missing_defaults = {column.key: column.default for column in columns if column.key not in positions}
    rows = []
    half = max(len(present) // 2, 1)
    for number, cells in enumerate(table[1:], start=2):
        width = len(cells)
        if cells.count("") > width - half and all(
            _is_blank(raw) for index, raw in enumerate(cells) if index != note_index
        ):
            continue
        values = dict(missing_defaults)
        has_error = False
        for key, index, parse, required, default, header in present:
            raw = cells[index] if index < width else ""
            if raw == "" or raw is None or (raw.__class__ is str and raw.isspace()):
                if required:
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
        rows.append(ParsedRow(number, values, has_error))
    return rows


def parse_sheet(workbook: CalamineWorkbook, sheet: str, errors: ErrorList, today, id_cache=None) -> ParsedSheet:
    parsed = ParsedSheet(name=sheet)
    if sheet not in workbook.sheet_names:
        errors.add(sheet, None, "", f"缺少工作表“{sheet}”；请使用导入模板")
        return parsed
    table = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    if not table:
        errors.add(sheet, 1, "", "工作表为空，缺少表头")
        return parsed
    parsed.present = True
    positions = _header_positions(sheet, table[0], errors)
    parsed.keys = set(positions)
    note_index = next((i for i, raw in enumerate(table[0]) if _normalised_header(raw) == ERROR_NOTE_HEADER), None)
    parsed.rows = _parse_rows(sheet, table, positions, note_index, errors, today, {} if id_cache is None else id_cache)
    return parsed


def read_workbook(source, errors: ErrorList, today) -> dict[str, ParsedSheet]:
    """Both sheets, parsed; a file that is not a readable workbook is one error."""
    try:
        workbook = open_workbook(source)
    except Exception:  # calamine raises its own error types for every kind of unreadable file
        errors.add("", None, "", "无法读取文件：请上传由导入模板填写的 .xlsx 格式 Excel 文件")
        return {sheet: ParsedSheet(name=sheet) for sheet in SHEETS}
    id_cache = {}
    return {sheet: parse_sheet(workbook, sheet, errors, today, id_cache) for sheet in SHEETS}
