"""The uploaded workbook handed back with its errors marked: each bad cell filled red with a comment giving
the reason, and an "错误说明" column after the last column listing every reason of the row."""
import io
from collections import defaultdict

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from povalleviation.personal_data import spreadsheet_text

from .columns import ERROR_NOTE_HEADER
from .template import COMMENT_AUTHOR

ERROR_COLOR = "FFFF9999"
ERROR_FILL = PatternFill("solid", fgColor=ERROR_COLOR)
NOTE_FONT = Font(color="FF9C0006")
_HEADER_TRANSLATION = str.maketrans({"(": "（", ")": "）", "*": None, " ": None, "\u3000": None, "\n": None})


def _header_columns(worksheet) -> tuple[dict[str, int], int | None]:
    """Column index (1-based) by normalised header, and the existing 错误说明 column, if any."""
    by_header, note_column = {}, None
    for cell in worksheet[1]:
        if cell.value is None:
            continue
        header = str(cell.value).translate(_HEADER_TRANSLATION)
        if header == ERROR_NOTE_HEADER:
            note_column = cell.column
        by_header.setdefault(header, cell.column)
    return by_header, note_column


def marked_workbook(source: bytes, errors: list[dict]) -> bytes | None:
    """The original file with the errors marked, or None when the file cannot be opened by openpyxl."""
    try:
        workbook = load_workbook(io.BytesIO(source))
    except Exception:  # not an xlsx openpyxl can read: the error list is all the user gets
        return None
    by_sheet = defaultdict(list)
    for error in errors:
        if error.get("sheet") in workbook.sheetnames and error.get("row"):
            by_sheet[error["sheet"]].append(error)
    for sheet, sheet_errors in by_sheet.items():
        worksheet = workbook[sheet]
        by_header, note_column = _header_columns(worksheet)
        if note_column is None:
            note_column = (worksheet.max_column or 0) + 1
            header = worksheet.cell(row=1, column=note_column, value=ERROR_NOTE_HEADER)
            header.font = Font(bold=True, color="FF9C0006")
            worksheet.column_dimensions[header.column_letter].width = 60
        else:
            for row in range(2, worksheet.max_row + 1):
                worksheet.cell(row=row, column=note_column).value = None
        cell_messages = defaultdict(list)
        row_notes = defaultdict(list)
        for error in sheet_errors:
            column_header = (error.get("column") or "").translate(_HEADER_TRANSLATION)
            column = by_header.get(column_header)
            if column is not None:
                cell_messages[(error["row"], column)].append(error["message"])
            prefix = f"{error['column']}：" if error.get("column") else ""
            row_notes[error["row"]].append(prefix + error["message"])
        for (row, column), messages in cell_messages.items():
            cell = worksheet.cell(row=row, column=column)
            cell.fill = ERROR_FILL
            comment = Comment("；".join(messages), COMMENT_AUTHOR)
            comment.width, comment.height = 300, 120
            cell.comment = comment
        for row, notes in row_notes.items():
            note = worksheet.cell(row=row, column=note_column, value=spreadsheet_text("；".join(notes)))
            note.font = NOTE_FONT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

