"""Reading one cell of the household workbook as its column's kind (``columns.Kind``): the parsers, and the
Chinese message of a cell that cannot be read (``CellProblem``). The reader (``reader``) applies them row by row.

calamine returns every numeric cell as a float; for the ID columns that is exactly how an ID number that Excel
stored as a number shows up, and such a cell is refused with ``idnumber.check_excel_cell``'s message instead of
being converted (the last digits are already lost).
"""
import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from households.idnumber import IdNumberError, check_excel_cell, validate_id_number

from .aliases import normalise_label, value_aliases
from .columns import CAUSE_SEPARATORS, NO, YES, Column, Kind

# Characters that make a cell look empty: str.isspace() covers spaces, tabs, U+3000 and no-break spaces;
# these zero-width ones are not whitespace to Python but are invisible in Excel.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_FULL_WIDTH_DIGITS = str.maketrans({0xFF10 + i: chr(ord("0") + i) for i in range(10)})
_YES_VALUES = {YES, "Y", "y", "TRUE", "true", "True", "1"}
_NO_VALUES = {NO, "N", "n", "FALSE", "false", "False", "0"}


class CellProblem(Exception):
    """A cell that cannot be read as its column's kind; the message is shown to the uploader."""


def cell_text(raw) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _code(raw) -> str:
    text = "".join(cell_text(raw).translate(_FULL_WIDTH_DIGITS).split())
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
    text = cell_text(raw).translate(_FULL_WIDTH_DIGITS)
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()):
        raise CellProblem(f"“{text}”不是整数")
    return int(text)


def _year(raw) -> int:
    if isinstance(raw, str) and raw.strip().endswith("年"):
        raw = raw.strip()[:-1]
    try:
        year = _integer(raw)
    except CellProblem:
        raise CellProblem(f"“{cell_text(raw)}”不是有效年份，请填写 4 位年份，如 2016") from None
    if not 1900 <= year <= 2100:
        raise CellProblem(f"“{year}”不是有效年份，请填写 4 位年份，如 2016")
    return year


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _year_or_date(raw) -> int | datetime.date:
    """A year (2016, "2016年") or a date (a date cell, "2016-12-20", "2016年12月20日")."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        match = _DATE_TEXT.match(raw.strip().translate(_FULL_WIDTH_DIGITS))
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise CellProblem(f"“{raw.strip()}”不是有效日期") from None
    try:
        return _year(raw)
    except CellProblem:
        raise CellProblem(f"“{cell_text(raw)}”不是有效年份或日期，请填写 4 位年份（如 2016）或日期（如 2016-12-20）") from None


MONEY_LIMIT = Decimal("9999999999.99")
_CENT = Decimal("0.01")


def _money(raw) -> Decimal:
    """An amount in 元 to the fen: numbers, or text with 元 and thousands separators; never negative."""
    if isinstance(raw, bool):
        raise CellProblem("请填写金额（元）")
    if isinstance(raw, int | float):
        amount = Decimal(repr(float(raw)))
    else:
        text = cell_text(raw).translate(_FULL_WIDTH_DIGITS).replace(",", "").replace("，", "").removesuffix("元").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellProblem(f"“{cell_text(raw)}”不是有效金额，请填写数字（元）") from None
    if not amount.is_finite():
        raise CellProblem(f"“{cell_text(raw)}”不是有效金额，请填写数字（元）")
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if abs(rounded - amount) > Decimal("0.000001"):
        raise CellProblem(f"“{cell_text(raw)}”最多保留两位小数（精确到分）")
    if rounded < 0:
        raise CellProblem(f"金额不能为负数（填写的是 {cell_text(raw)}）")
    if rounded > MONEY_LIMIT:
        raise CellProblem(f"“{cell_text(raw)}”超出金额上限")
    return rounded


def _choice(column: Column, raw, sheet: str = "") -> str:
    """A label of the column's list, else an alias from the column's alias table (``aliases``)."""
    text = cell_text(raw)
    value = column.label_to_value.get(text)
    if value is not None:
        return value
    normalised = normalise_label(text)
    for label, choice in column.label_to_value.items():
        if normalise_label(label) == normalised:
            return choice
    value = value_aliases(column.alias_key or column.key, sheet).get(normalised)
    if value is not None and value in column.label_to_value.values():
        return value
    options = "、".join(label for label in column.labels if label)
    raise CellProblem(f"“{text}”不是有效选项，请从下拉列表中选择（{options}）")


def _causes(column: Column, raw, sheet: str = "") -> list[str]:
    """Several 致贫原因 labels (or their aliases) separated by 、 or the other separators people type."""
    text = cell_text(raw)
    for separator in CAUSE_SEPARATORS[1:]:
        text = text.replace(separator, CAUSE_SEPARATORS[0])
    labels = [label for label in text.split(CAUSE_SEPARATORS[0]) if label]
    known = value_aliases(column.alias_key or column.key, sheet)
    values = [column.label_to_value.get(label) or known.get(normalise_label(label)) for label in labels]
    unknown = [label for label, value in zip(labels, values, strict=True) if value is None]
    if unknown:
        raise CellProblem(f"未知的致贫原因：{'、'.join(unknown)}（可选：{'、'.join(column.labels)}）")
    return list(dict.fromkeys(values))


def _yes_no(raw) -> bool:
    if raw is True or raw is False:
        return raw
    text = cell_text(raw)
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


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip().strip(_INVISIBLE).strip())


def cell_parser(column: Column, today, id_cache: dict, sheet: str = ""):
    """A function reading one non-blank cell of ``column``: the typed value, or CellProblem.

    The common case (a clean text cell) takes the shortest path; anything else falls back to the full
    parser, which also words the error. ID numbers repeat across the sheets (户主身份证号 on every member
    row), so their results are cached by raw value in ``id_cache``, shared by both sheets of one file.
    """
    kind = column.kind
    if kind == Kind.TEXT:
        return lambda raw: raw.strip() if raw.__class__ is str else cell_text(raw)
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
            return _choice(column, raw, sheet)
        return parse_choice
    if kind == Kind.YES_NO:
        return lambda raw: True if raw == YES else False if raw == NO else _yes_no(raw)
    if kind == Kind.CODE:
        return lambda raw: raw if raw.__class__ is str and raw.isascii() and raw.isdigit() else _code(raw)
    if kind == Kind.INTEGER:
        return _integer
    if kind == Kind.YEAR:
        return _year
    if kind == Kind.YEAR_OR_DATE:
        return _year_or_date
    if kind == Kind.MONEY:
        return _money
    if kind == Kind.CAUSES:
        return lambda raw: _causes(column, raw, sheet)
    raise ValueError(f"unknown column kind {kind!r}")
