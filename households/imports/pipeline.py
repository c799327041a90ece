"""Validate-then-commit in one transaction: the entry point of the command, the commit task and the bench.

Before any row is read, ``masked_export_error`` recognises a masked export of the register (its ID numbers
are ``530427********1234``, so every row would fail on its ID number): the whole file is refused with one
sentence instead of one error per cell.
"""
import gc
import io
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.db import IntegrityError, transaction

from households.services.common import translate_integrity_error
from povalleviation.access import Capability, require

from .commit import commit_plans
from .errors import ErrorList
from .plan import ValidationResult
from .template import MARK_SHEET
from .validation import validate_workbook

MASKED_EXPORT_MESSAGE = "该文件是身份证号已遮蔽的导出文件，不能用于导入；请使用含完整身份证号的文件或导入模板"
MASKED_NOTE = "身份证号和联系电话已脱敏"  # the export's 导出说明 sheet says so (``template.mark_workbook``)
# ``idnumber.mask_id_number``: 6 digits, 8 stars, 4 characters (shorter numbers: stars and the last 2).
MASKED_ID = re.compile(r"[0-9]{0,6}\*{4,}[0-9Xx]{0,4}")
FULL_ID = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK_PART = "xl/workbook.xml"
WORKSHEETS = "xl/worksheets/"
CHUNK_BYTES = 1024 * 1024


@dataclass
class ImportOutcome:
    result: ValidationResult
    summary: dict | None = None  # None when nothing was written (errors, or a dry run)

    @property
    def is_committed(self) -> bool:
        return self.summary is not None


@contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a file's rows are read and written.

    A 90,000-row file keeps a few million small objects alive; every full collection walks all of them,
    which cost about a quarter of the import time. The rows hold no reference cycles worth collecting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _zip(source) -> zipfile.ZipFile | None:
    try:
        if isinstance(source, bytes | bytearray):
            return zipfile.ZipFile(io.BytesIO(source))
        if isinstance(source, str | Path):
            return zipfile.ZipFile(source)
        position = source.tell()
        content = source.read()
        source.seek(position)
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _part(archive: zipfile.ZipFile, name: str):
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    return info if info.file_size <= settings.IMPORT_MAX_PART_BYTES else None  # larger: the reader refuses it


def _contains(archive: zipfile.ZipFile, name: str, needle: bytes) -> bool:
    """Whether the part ``name`` holds ``needle``, read in chunks (never the whole part at once)."""
    info = _part(archive, name)
    if info is None:
        return False
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _text_parts(archive: zipfile.ZipFile) -> list[str]:
    """The parts that hold cell texts: the shared strings and every worksheet (inline strings)."""
    return [name for name in archive.namelist()
            if name == SHARED_STRINGS or (name.startswith(WORKSHEETS) and name.endswith(".xml"))]


def _texts(archive: zipfile.ZipFile, name: str):
    """Every text of a part, streamed; each row or shared string is dropped once read."""
    info = _part(archive, name)
    if info is None:
        return
    with archive.open(info) as stream:
        for _event, element in iterparse(stream):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "t" and element.text:
                yield element.text.strip()
            elif tag in ("si", "row"):
                element.clear()


def masked_export_error(source) -> str | None:
    """The one-sentence refusal when ``source`` is a masked export, else None.

    A masked export is recognised by the export's 导出说明 sheet saying the ID numbers are masked, or by its
    ID numbers: when more of the file's ID-number-like texts are masked (``530427********1234``) than are
    whole, the file cannot be imported. The texts are streamed from the zip, each part only if its declared
    size is reasonable, and only when some part holds a "*" at all; anything unreadable is left to the reader.
    """
    archive = _zip(source)
    if archive is None:
        return None
    with archive:
        try:
            if sum(info.file_size for info in archive.infolist()) > settings.IMPORT_MAX_UNPACKED_BYTES:
                return None  # the reader refuses the file for its size, before reading any of it
            if not any(_contains(archive, name, b"*") for name in _text_parts(archive)):
                return None  # the common case: no masked number, nothing more to read
            if _contains(archive, WORKBOOK_PART, MARK_SHEET.encode()) and any(
                    _contains(archive, name, MASKED_NOTE.encode()) for name in _text_parts(archive)):
                return MASKED_EXPORT_MESSAGE
            masked = whole = 0
            for name in _text_parts(archive):
                for text in _texts(archive, name):
                    if 15 <= len(text) <= 18 and MASKED_ID.fullmatch(text):
                        masked += 1
                    elif FULL_ID.fullmatch(text):
                        whole += 1
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, SyntaxError, RuntimeError):
            return None  # ParseError is a SyntaxError; the reader reports the unreadable file
    return MASKED_EXPORT_MESSAGE if masked > whole else None


def validate_source(*, source, actor, lock: bool = False, progress=None) -> ValidationResult:
    """``validation.validate_workbook``, after refusing a masked export as a whole (one error, no row read).
    The web job's validation, the command line and the API all go through here."""
    message = masked_export_error(source)
    if message is not None:
        errors = ErrorList()
        errors.add("", None, "", message)
        return ValidationResult(errors=errors)
    return validate_workbook(source=source, actor=actor, lock=lock, progress=progress)


def import_workbook(*, source, actor, dry_run: bool = False, job=None, progress=None) -> ImportOutcome:
    """Validate ``source`` against the database and, when it has no error and this is not a dry run, write it.

    Validation and writes share one transaction (the households it updates are locked while it runs), so
    what was checked is what lands; any error, or any failure while writing, leaves the database untouched.
    """
    require(actor, Capability.HOUSEHOLD_IMPORT)
    report = progress or (lambda percent, message: None)
    try:
        with collector_paused(), transaction.atomic():
            result = validate_source(source=source, actor=actor, lock=not dry_run, progress=progress)
            if not result.is_valid or dry_run:
                return ImportOutcome(result)
            report(92, f"正在写入 {result.household_rows} 户、{result.member_rows} 名成员…")
            summary = commit_plans(plans=result.households, actor=actor, job=job)
    except IntegrityError as error:
        raise translate_integrity_error(error) from error
    return ImportOutcome(result, summary)
