"""Import errors, each located by sheet, Excel row and column header, with the reason in Chinese."""
from dataclasses import dataclass

from .columns import COLUMNS_BY_SHEET, SHEETS


@dataclass(frozen=True, slots=True)
class CellError:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def line(self) -> str:
        return format_error(self.as_dict())


def format_error(error: dict) -> str:
    """"工作表 成员信息 第 12 行 身份证号：…" — the form used by the command and the preview."""
    parts = []
    if error.get("sheet"):
        parts.append(f"工作表 {error['sheet']}")
    if error.get("row"):
        parts.append(f"第 {error['row']} 行")
    if error.get("column"):
        parts.append(error["column"])
    place = " ".join(parts)
    return f"{place}：{error['message']}" if place else error["message"]


def _sort_key(error: CellError):
    sheet_index = SHEETS.index(error.sheet) if error.sheet in SHEETS else -1
    headers = [column.header for column in COLUMNS_BY_SHEET.get(error.sheet, ())]
    column_index = headers.index(error.column) if error.column in headers else len(headers)
    return (sheet_index, error.row or 0, column_index)


class ErrorList:
    """Every error of one file; adding the same message for the same cell twice keeps one."""

    def __init__(self):
        self._errors: list[CellError] = []
        self._seen: set[CellError] = set()

    def add(self, sheet: str, row: int | None, column: str, message: str):
        error = CellError(sheet, row, column, message)
        if error not in self._seen:
            self._seen.add(error)
            self._errors.append(error)

    def __len__(self):
        return len(self._errors)

    def __bool__(self):
        return bool(self._errors)

    def rows_with_errors(self, sheet: str) -> set[int]:
        return {error.row for error in self._errors if error.sheet == sheet and error.row}

    def sorted(self) -> list[CellError]:
        return sorted(self._errors, key=_sort_key)

    def as_dicts(self) -> list[dict]:
        return [error.as_dict() for error in self.sorted()]
