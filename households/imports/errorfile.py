"""The uploaded workbook handed back with its errors marked: each bad cell filled red with a comment giving
the reason, and an "错误说明" column (the file's own one, cleared, else one after the last column) listing
every reason of the row.

The copy is streamed: the upload is read one row at a time (openpyxl read-only mode, the values Excel saved,
formulas as their computed values) and written one row at a time into a new workbook (write-only mode), so
memory stays a few tens of MB whatever the number of rows, and time grows with the rows. Each sheet of the
template in the upload is copied row for row with its values: text stays text (formatted "@", so that an ID
number typed again is not turned into a number by Excel), numbers stay numbers, dates stay dates. Other
sheets, formats, formulas and drop-down lists of the upload are not copied; the template's column widths,
text formats and header style are applied to the columns it knows.
"""
import contextlib
import datetime
import io
import logging
from collections import defaultdict

import xlsxwriter
from openpyxl import load_workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from povalleviation.personal_data import spreadsheet_text

from .columns import COLUMNS_BY_SHEET, ERROR_NOTE_HEADER, SHEETS, aliases
from .template import COMMENT_AUTHOR, TEXT_FORMAT

logger = logging.getLogger(__name__)

ERROR_COLOR = "FFFF9999"
ERROR_FILL = PatternFill("solid", fgColor=ERROR_COLOR)  # what the marked cells carry, as openpyxl reads it
NOTE_COLOR = "#9C0006"
NOTE_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"
_HEADER_TRANSLATION = str.maketrans({"(": "（", ")": "）", "*": None, " ": None, "\u3000": None, "\n": None})
# A dimension wider than this is not trusted for placing the 错误说明 column (the reader refuses such files).
_MAX_DIMENSION_COLUMNS = 16384
_COMMENT_OPTIONS = {"author": COMMENT_AUTHOR, "x_scale": 2.5, "y_scale": 1.5}


def _normalised(value) -> str:
    return str(value).translate(_HEADER_TRANSLATION) if value is not None else ""


def _header_columns(header: list) -> tuple[dict[str, int], int | None]:
    """Column index (0-based) by normalised header, and the existing 错误说明 column, if any."""
    by_header, note_index = {}, None
    for index, value in enumerate(header):
        if value is None:
            continue
        normalised = _normalised(value)
        if normalised == ERROR_NOTE_HEADER and note_index is None:
            note_index = index
        by_header.setdefault(normalised, index)
    return by_header, note_index


def _template_columns(sheet: str) -> dict:
    """The template's Column by normalised header, its aliases included (widths, text formats, header style)."""
    columns = {column.header.translate(_HEADER_TRANSLATION): column for column in COLUMNS_BY_SHEET[sheet]}
    for alias, header in aliases(sheet).items():
        columns.setdefault(alias.translate(_HEADER_TRANSLATION), columns[header.translate(_HEADER_TRANSLATION)])
    return columns


class _Formats:
    """The copy's cell formats, by kind of value, plain or marked red: text is formatted "@" so that Excel keeps
    what is typed into it as text (an ID number is not turned into a number)."""

    def __init__(self, workbook):
        def kinds(extra: dict) -> dict:
            return {
                "text": workbook.add_format({"num_format": TEXT_FORMAT, **extra}),
                "number": workbook.add_format(extra) if extra else None,
                "date": workbook.add_format({"num_format": DATE_FORMAT, **extra}),
                "datetime": workbook.add_format({"num_format": DATETIME_FORMAT, **extra}),
                "time": workbook.add_format({"num_format": TIME_FORMAT, **extra}),
                "duration": workbook.add_format({"num_format": "[h]:mm:ss", **extra}),
            }

        self.plain = kinds({})
        self.marked = kinds({"bg_color": "#" + ERROR_COLOR[2:], "pattern": 1})
        # In the template's text columns every cell is formatted "@", a number too (an ID number Excel turned
        # into one is typed again as text there).
        self.plain_text_column = {**self.plain, "number": self.plain["text"]}
        self.marked_text_column = {**self.marked, "number": self.marked["text"]}
        self.text_column = self.plain["text"]
        header = {"bold": True, "bg_color": "#F2DCDB", "pattern": 1, "align": "center", "valign": "vcenter",
                  "num_format": TEXT_FORMAT}
        self.header = {False: workbook.add_format(header),
                       True: workbook.add_format({**header, "font_color": "#B3261E"})}
        self.marked_header = workbook.add_format({**header, "bg_color": "#" + ERROR_COLOR[2:]})
        self.note_header = workbook.add_format({"bold": True, "font_color": NOTE_COLOR, "num_format": TEXT_FORMAT})
        self.note = workbook.add_format({"font_color": NOTE_COLOR, "num_format": TEXT_FORMAT})


_MIDNIGHT = datetime.time()


def _write(worksheet, row: int, column: int, value, formats: dict):
    """One value of the upload, of the same kind: text as text, numbers as numbers, dates as dates."""
    kind = value.__class__
    if kind is str:
        if value:
            worksheet.write_string(row, column, value, formats["text"])
        elif formats["number"] is not None:
            worksheet.write_blank(row, column, None, formats["text"])
    elif kind is bool:
        worksheet.write_boolean(row, column, value, formats["number"])
    elif kind is int or kind is float:
        worksheet.write_number(row, column, value, formats["number"])
    elif kind is datetime.datetime:
        shown = "date" if value.time() == _MIDNIGHT else "datetime"
        worksheet.write_datetime(row, column, value, formats[shown])
    elif kind is datetime.date:
        worksheet.write_datetime(row, column, value, formats["date"])
    elif kind is datetime.time:
        worksheet.write_datetime(row, column, value, formats["time"])
    elif kind is datetime.timedelta:
        worksheet.write_datetime(row, column, value, formats["duration"])
    elif value is None:
        if formats["number"] is not None:
            worksheet.write_blank(row, column, None, formats["text"])
    else:
        worksheet.write_string(row, column, str(value), formats["text"])


def _comment(worksheet, row: int, column: int, messages: list[str]):
    worksheet.write_comment(row, column, "；".join(messages), _COMMENT_OPTIONS)


def _sheet_errors(sheet_errors: list[dict], by_header: dict) -> tuple[dict, dict]:
    """The reasons by row and 0-based column of the cells they name, and every reason of each row."""
    cell_messages, row_notes = defaultdict(lambda: defaultdict(list)), defaultdict(list)
    for error in sheet_errors:
        column = by_header.get(_normalised(error.get("column") or ""))
        if column is not None:
            cell_messages[error["row"]][column].append(error["message"])
        prefix = f"{error['column']}：" if error.get("column") else ""
        row_notes[error["row"]].append(prefix + error["message"])
    return cell_messages, row_notes


def _copy_sheet(source: ReadOnlyWorksheet, target, sheet: str, sheet_errors: list[dict], formats: _Formats):
    """Copy ``source`` row by row into ``target`` (rows and columns 0-based there), marking ``sheet_errors``."""
    dimension_columns = source.max_column if source.max_column and source.max_column <= _MAX_DIMENSION_COLUMNS else 0
    source.reset_dimensions()  # a wrong <dimension> would cut rows short: read every cell the rows hold
    rows = source.iter_rows(values_only=True)
    header = list(next(rows, ()))
    while header and (header[-1] is None or header[-1] == ""):
        header.pop()
    by_header, note_index = _header_columns(header)
    if note_index is None:
        note_index = max(len(header), dimension_columns)
    cell_messages, row_notes = _sheet_errors(sheet_errors, by_header)

    template = _template_columns(sheet)
    target.freeze_panes(1, 0)
    header_messages = cell_messages.get(1, {})
    text_columns = set()
    for index, value in enumerate(header):
        if index == note_index:
            continue
        column = template.get(_normalised(value)) if value is not None else None
        if index in header_messages:
            _write(target, 0, index, value, formats.marked)
            _comment(target, 0, index, header_messages[index])
        elif column is not None:
            _write(target, 0, index, value, {**formats.plain, "text": formats.header[column.required]})
        else:
            _write(target, 0, index, value, formats.plain)
        if column is not None:
            target.set_column(index, index, column.width, formats.text_column if column.is_text_format else None)
            if column.is_text_format:
                text_columns.add(index)
    target.write_string(0, note_index, ERROR_NOTE_HEADER, formats.note_header)
    if row_notes.get(1):  # reasons about the header row itself (a column missing or given twice)
        target.write_comment(0, note_index, spreadsheet_text("；".join(row_notes[1])), _COMMENT_OPTIONS)
    target.set_column(note_index, note_index, NOTE_WIDTH)

    plain = {index: formats.plain_text_column for index in text_columns}
    marked_formats = {index: formats.marked_text_column for index in text_columns}
    write_string, text_format = target.write_string, formats.plain["text"]
    for number, values in enumerate(rows, start=2):
        line = number - 1
        notes = row_notes.get(number)
        marked = cell_messages.get(number, {}) if notes else {}
        for index, value in enumerate(values):
            if value is None or index == note_index or index in marked:
                continue  # the file's own 错误说明 is replaced by this check's reasons
            if value.__class__ is str:
                if value:
                    write_string(line, index, value, text_format)
            else:
                _write(target, line, index, value, plain.get(index, formats.plain))
        if notes:
            for index, messages in marked.items():
                if index != note_index:
                    _write(target, line, index, values[index] if index < len(values) else None,
                           marked_formats.get(index, formats.marked))
                    _comment(target, line, index, messages)
            target.write_string(line, note_index, spreadsheet_text("；".join(notes)), formats.note)


def marked_workbook(source: bytes, errors: list[dict]) -> bytes | None:
    """A copy of the upload's template sheets with the errors marked, or None when the file cannot be read."""
    by_sheet = defaultdict(list)
    for error in errors:
        if error.get("sheet") in SHEETS and error.get("row"):
            by_sheet[error["sheet"]].append(error)
    try:
        upload = load_workbook(io.BytesIO(source), read_only=True, data_only=True)
    except Exception:  # not an xlsx openpyxl can read: the error list is all the user gets
        logger.info("no marked workbook: the upload cannot be opened", exc_info=True)
        return None
    buffer = io.BytesIO()
    # constant_memory: each row goes to a temporary file once the next one starts; strings are written inline.
    copy = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False,
                                        "remove_timezone": True})
    try:
        formats = _Formats(copy)
        sheets = [sheet for sheet in upload.sheetnames
                  if sheet in SHEETS and isinstance(upload[sheet], ReadOnlyWorksheet)]
        for sheet in sheets:
            _copy_sheet(upload[sheet], copy.add_worksheet(sheet), sheet, by_sheet.get(sheet, []), formats)
        copy.close()
    except Exception:  # a sheet openpyxl cannot read to the end: the error list is all the user gets
        logger.warning("no marked workbook: the upload cannot be copied", exc_info=True)
        return None
    finally:
        upload.close()
        if not copy.fileclosed:  # given up: close it anyway, so that its temporary files go
            with contextlib.suppress(Exception):
                copy.close()
    return buffer.getvalue() if sheets else None
