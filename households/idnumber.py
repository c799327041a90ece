"""Validation and normalisation of Chinese resident ID numbers (居民身份证号码), GB 11643-1999.

An 18-character citizen identity number (公民身份号码) defined by GB 11643-1999 is made of:

* digits 1-6: the address code (行政区划代码) of the place of first registration;
* digits 7-14: the birth date, ``YYYYMMDD``;
* digits 15-17: the sequence code; the 17th digit is odd for men and even for women;
* character 18: the check character, ISO 7064 MOD 11-2 over the first 17 digits ("X" stands for 10).

This module is pure Python (no Django imports) so it can be shared by forms, spreadsheet imports and API
serializers. Error messages are in Chinese because they are shown to the people entering the data; each
error also carries a stable machine-readable ``code``.

Only the province prefix of the address code is checked. A number keeps the address code of the first
registration for life, and address codes are retired and created over time (重庆 50xxxx only exists since
1997, yet people born in 1950 hold such numbers), so an address code that is newer than the birth date or
absent from a current code list is *not* an error under GB 11643-1999.
"""

from __future__ import annotations

import datetime
import numbers
import re
from dataclasses import dataclass
from operator import mul
from typing import Literal

__all__ = [
    "ERROR_CODES",
    "PROVINCE_CODES",
    "IdNumberError",
    "IdNumberInfo",
    "check_excel_cell",
    "id_check_digit",
    "mask_id_number",
    "normalize_id_number",
    "upgrade_15_to_18",
    "validate_id_number",
]

#: Province-level codes (the first two digits) accepted by :func:`validate_id_number` (GB/T 2260).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip

#: Every value :attr:`IdNumberError.code` can take.
ERROR_CODES: frozenset[str] = frozenset(
    {
        "empty",
        "length",
        "characters",
        "province",
        "birth_date",
        "future",
        "too_old",
        "check_digit",
        "excel_float",
    }
)

# ISO 7064 MOD 11-2 as tabulated in GB 11643-1999: weight of digit i is 2**(18-i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_ASCII_ZERO_WEIGHT = 48 * sum(_WEIGHTS)  # the weighted sum of ASCII codes exceeds that of the digits by this

_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

# Full-width digits and Latin letters (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) -> ASCII.
_FULL_WIDTH = str.maketrans(
    {
        **{0xFF10 + i: chr(ord("0") + i) for i in range(10)},
        **{0xFF21 + i: chr(ord("A") + i) for i in range(26)},
        **{0xFF41 + i: chr(ord("a") + i) for i in range(26)},
    }
)
# Invisible format characters that ride along with text copied from web pages and spreadsheets.
_INVISIBLE = str.maketrans(dict.fromkeys(("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")))

_BODY_17 = re.compile(r"[0-9]{17}")
_LEGACY_15 = re.compile(r"[0-9]{15}")
_ALLOWED_CHARS = frozenset("0123456789X")
_CLEAN_18 = re.compile(r"[0-9]{17}[0-9X]")
# What a number looks like after a spreadsheet stored it as a float: 4.30102199003072E+17 or 430102...0.0
_EXCEL_SCIENTIFIC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
_EXCEL_TRAILING_ZERO = re.compile(r"[+-]?[0-9]+\.0+")

_EXCEL_FLOAT_MESSAGE = "身份证号码被保存为数字（科学计数法），后几位已丢失；请将该列设为文本格式后重新输入"


class IdNumberError(ValueError):
    """A resident ID number failed one of the GB 11643-1999 rules.

    ``code`` is one of :data:`ERROR_CODES` and is stable for programs; ``message`` is the Chinese text
    for the person who typed the number. ``str(error)`` is the message.
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown IdNumberError code: {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        # Keep the exception picklable (e.g. when it travels back from a Celery worker).
        return (self.__class__, (self.code, self.message))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.code!r}, {self.message!r})"


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """What a valid GB 11643-1999 number tells: the normalised number, birth date, sex and address code."""

    number: str
    birth_date: datetime.date
    sex: Literal["male", "female"]
    address_code: str


def normalize_id_number(raw: str | None) -> str:
    """Clean up a typed or pasted ID number without judging it (GB 11643-1999 layout).

    Full-width digits and letters (``０``-``９``, ``Ｘ``/``ｘ``) become ASCII, every whitespace character
    is removed wherever it is (spaces, tabs, line breaks, NBSP, the ideographic space U+3000) together with
    zero-width characters, and a trailing ``x`` is upper-cased. ``None`` gives ``""``. The result may still
    be invalid; see :func:`validate_id_number`.
    """
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise TypeError(
            f"normalize_id_number() expects a str, not {type(raw).__name__}; "
            "pass spreadsheet cells through check_excel_cell() first"
        )
    cleaned = "".join(raw.translate(_FULL_WIDTH).translate(_INVISIBLE).split())
    if cleaned.endswith("x"):
        cleaned = cleaned[:-1] + "X"
    return cleaned


def id_check_digit(first17: str) -> str:
    """Return the check character ("0"-"9" or "X") for the first 17 digits, per GB 11643-1999.

    ISO 7064 MOD 11-2: the 17 digits are weighted 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
    summed, and the remainder modulo 11 (0..10) maps to 1, 0, X, 9, 8, 7, 6, 5, 4, 3, 2.
    Raises ``ValueError`` unless ``first17`` is exactly 17 ASCII digits.
    """
    if not isinstance(first17, str) or not _BODY_17.fullmatch(first17):
        raise ValueError(f"first17 must be exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """Upgrade a legacy 15-digit number to the 18-character form of GB 11643-1999.

    The two-digit birth year of the old numbers is always 19xx: "19" is inserted after the 6-digit address
    code and the check character is appended. The input is normalised first; the result is not otherwise
    validated (run :func:`validate_id_number` on it). Raises :class:`IdNumberError` (code ``"empty"``,
    ``"characters"`` or ``"length"``) unless the input is 15 digits.
    """
    number = normalize_id_number(number15)
    if not number:
        raise IdNumberError("empty", "请填写 15 位旧身份证号码")
    if not number.isascii() or not number.isdigit():
        raise IdNumberError("characters", "15 位旧身份证号码只能包含数字")
    if not _LEGACY_15.fullmatch(number):
        raise IdNumberError("length", f"15 位旧身份证号码应为 15 位，实际为 {len(number)} 位")
    first17 = number[:6] + "19" + number[6:]
    return first17 + id_check_digit(first17)


def _looks_like_excel_number(text: str) -> bool:
    return bool(_EXCEL_SCIENTIFIC.fullmatch(text) or _EXCEL_TRAILING_ZERO.fullmatch(text))


def check_excel_cell(value: object) -> str:
    """Refuse a spreadsheet cell in which the ID number was stored as a number; otherwise return ``str(value)``.

    Spreadsheets keep numbers as doubles with 15 significant digits, so an 18-character GB 11643-1999 number
    stored as a number has lost its last digits (and an "X" cannot be stored at all). That is the case for
    int and float values (and other numeric types such as ``Decimal``), and for text that reads like one,
    e.g. ``"4.30102199003072E+17"`` or ``"430102199003072000.0"``. Those raise :class:`IdNumberError` with
    code ``"excel_float"``. An empty cell (``None``) gives ``""``; booleans are returned as text.
    The returned string is not normalised or validated.
    """
    if value is None:
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        raise IdNumberError("excel_float", _EXCEL_FLOAT_MESSAGE)
    text = str(value)
    if _looks_like_excel_number(normalize_id_number(text)):
        raise IdNumberError("excel_float", _EXCEL_FLOAT_MESSAGE)
    return text


def _first_bad_character(number: str) -> tuple[int, str] | None:
    """1-based position and character of the first character that breaks the digits-then-check rule."""
    for index, char in enumerate(number):
        allowed = _ALLOWED_CHARS if index == len(number) - 1 else _ALLOWED_CHARS - {"X"}
        if char not in allowed:
            return index + 1, char
    return None


def _characters_error(position: int, char: str) -> IdNumberError:
    return IdNumberError(
        "characters", f"身份证号码只能包含数字，最后一位可以是 X（第 {position} 位为“{char}”）"
    )


def _valid_clean_number(number: str, today: datetime.date) -> IdNumberInfo | None:
    """The common case, an already clean 18-character number (ASCII digits, "X" only last), checked without
    the step-by-step diagnosis: its ``IdNumberInfo`` when it passes every rule, ``None`` when any rule fails
    (the caller then runs the full checks, which word the error). An import reads tens of thousands."""
    if number[:2] not in PROVINCE_CODES:
        return None
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if birth_date > today or birth_date < _EARLIEST_BIRTH_DATE:
        return None
    total = sum(map(mul, _WEIGHTS, number[:17].encode())) - _ASCII_ZERO_WEIGHT
    if number[17] != _CHECK_CHARS[total % 11]:
        return None
    return IdNumberInfo(number=number, birth_date=birth_date, sex="male" if int(number[16]) % 2 else "female",
                        address_code=number[:6])


def validate_id_number(raw: str | None, *, today: datetime.date | None = None) -> IdNumberInfo:
    """Normalise and validate a resident ID number per GB 11643-1999; return what it encodes.

    The number is first cleaned with :func:`normalize_id_number`, then checked in this order, raising
    :class:`IdNumberError` at the first failed rule:

    1. ``"empty"``: nothing left after cleaning;
    2. ``"excel_float"``: a number (int/float) or text such as ``"4.30102199003072E+17"``, see
       :func:`check_excel_cell`;
    3. ``"characters"``: a character other than a digit or "X" (reported before the length so that
       ``110105-19491231-002X`` gets a useful message);
    4. ``"length"``: not 18 characters; 15 digits get a message asking for the upgrade of the legacy
       number (see :func:`upgrade_15_to_18`);
    5. ``"characters"``: an "X" anywhere but in the last position;
    6. ``"province"``: the first two digits are not one of :data:`PROVINCE_CODES`;
    7. ``"birth_date"``: digits 7-14 are not a real calendar date;
    8. ``"future"``: born after ``today``; ``"too_old"``: born before 1900-01-01;
    9. ``"check_digit"``: the 18th character is not the ISO 7064 MOD 11-2 check character.

    ``today`` defaults to :func:`datetime.date.today` (the server's local date); callers in a time-zone
    aware application should pass their local date (e.g. Django's ``timezone.localdate()``).
    The address code beyond the province prefix is deliberately not checked (see the module docstring).
    """
    if raw is not None and not isinstance(raw, str):
        check_excel_cell(raw)  # raises for numbers
        raise TypeError(f"validate_id_number() expects a str, not {type(raw).__name__}")
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()  # the local (Beijing) date, not the server's UTC date
    elif isinstance(today, datetime.datetime):
        today = today.date()
    if len(raw or "") == 18 and _CLEAN_18.fullmatch(raw):
        info = _valid_clean_number(raw, today)
        if info is not None:
            return info
    number = normalize_id_number(raw)
    if not number:
        raise IdNumberError("empty", "请填写身份证号码")
    if _looks_like_excel_number(number):
        raise IdNumberError("excel_float", _EXCEL_FLOAT_MESSAGE)

    for position, char in enumerate(number, start=1):
        if char not in _ALLOWED_CHARS:
            raise _characters_error(position, char)

    if len(number) != 18:
        if _LEGACY_15.fullmatch(number):
            raise IdNumberError(
                "length",
                "这是 15 位旧号码，须升级为 18 位身份证号码（在第 6 位后插入“19”，并在末尾补上校验码）",
            )
        raise IdNumberError("length", f"身份证号码应为 18 位，实际为 {len(number)} 位")

    bad = _first_bad_character(number)
    if bad is not None:
        raise _characters_error(*bad)

    province = number[:2]
    if province not in PROVINCE_CODES:
        raise IdNumberError("province", f"身份证号码前两位 {province} 不是有效的省级行政区划代码")

    birth_text = number[6:14]
    try:
        birth_date = datetime.date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise IdNumberError("birth_date", f"身份证号码中的出生日期 {birth_text} 不是有效日期") from None

    if birth_date > today:
        raise IdNumberError("future", f"出生日期不能晚于今天（身份证号码中的出生日期为 {birth_text}）")
    if birth_date < _EARLIEST_BIRTH_DATE:
        raise IdNumberError("too_old", f"出生日期不能早于 1900 年（身份证号码中的出生日期为 {birth_text}）")

    expected = id_check_digit(number[:17])
    actual = number[17]
    if actual != expected:
        raise IdNumberError("check_digit", f"身份证号码第 18 位校验码错误：应为 {expected}，实际为 {actual}")

    return IdNumberInfo(
        number=number,
        birth_date=birth_date,
        sex="male" if int(number[16]) % 2 == 1 else "female",
        address_code=number[:6],
    )


def mask_id_number(number: str | None) -> str:
    """Mask an ID number for display, GB 11643-1999 layout: ``110105********002X``.

    The number is normalised first. From 18 characters on, the first 6 (address code) and the last 4 are
    kept and everything between becomes ``*``. Shorter strings (e.g. legacy 15-digit numbers or typing
    mistakes) keep only their last 2 characters; strings of 1 or 2 characters are masked completely.
    ``None`` and ``""`` give ``""``.
    """
    if number is None:
        return ""
    text = normalize_id_number(str(number))
    if len(text) >= 18:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) <= 2:
        return "*" * len(text)
    return "*" * (len(text) - 2) + text[-2:]
