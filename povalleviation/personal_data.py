"""Personal-data protection shared by pages, PDFs, exports and the API (PIPL).

* Phone numbers and names are shown masked (``138****5678``, ``王**``); the full value only through an
  audited reveal.
* A masked ID number keeps digits 1-6 and 15-18; digits 7-14 are the birth date, so wherever an ID is shown
  masked the person's age or birth year is shown instead of the birth date (``age_on``).
* Spreadsheet cells are escaped against formula injection (OWASP "CSV Injection"): a text beginning with
  ``= + - @``, a tab or a carriage return is prefixed with a single quote, so Excel, WPS and LibreOffice
  show it as text instead of running it.
* Every export carries who made it, when and for what (``export_mark``).
"""
import datetime

from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; shorter numbers keep nothing but their length class."""
    text = "".join((phone or "").split())
    if not text:
        return ""
    if len(text) >= 8:
        return text[:3] + "****" + text[-4:]
    return "****"


def mask_name(name: str | None) -> str:
    """``王小明`` → ``王**``: the family name and the length only."""
    text = (name or "").strip()
    if not text:
        return ""
    return text[0] + "*" * max(len(text) - 1, 1) if len(text) > 1 else "*"


def age_on(birth_date: datetime.date | None, day: datetime.date | None = None) -> int | None:
    """Age in full years (周岁) on ``day`` (today by default)."""
    if birth_date is None:
        return None
    day = day or timezone.localdate()
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def spreadsheet_text(value):
    """A cell value that no spreadsheet will evaluate: text starting with a formula character gets a leading
    single quote (numbers, dates and booleans are returned unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_row(values) -> list:
    return [spreadsheet_text(value) for value in values]


def export_mark(*, user, purpose: str, at: datetime.datetime | None = None) -> str:
    """The visible watermark line of an export: who, when, what for."""
    at = timezone.localtime(at or timezone.now())
    who = getattr(user, "username", "") or "系统"
    full_name = (getattr(user, "get_full_name", lambda: "")() or "").strip()
    if full_name and full_name != who:
        who = f"{full_name}（{who}）"
    return f"导出人：{who}　导出时间：{at:%Y-%m-%d %H:%M}　用途：{purpose or '未填写'}　仅限工作使用，不得外传"
