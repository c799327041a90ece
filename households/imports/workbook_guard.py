"""Checks an uploaded .xlsx before anything parses it, so that no file can exhaust the worker's memory.

A workbook is a zip of XML parts. python-calamine builds each sheet as a dense rectangle from A1 to the
farthest cell holding a value, so one "x" at XFD1048576 asks for 512 GiB and a 1.3 MB file can unpack to
350 MB of sheet XML. Before calamine sees the file this module:

* refuses anything that is not a zip (a text or CSV file renamed .xlsx, an old .xls), and files over the
  upload limit (``IMPORT_MAX_FILE_BYTES``, the same for the web, the API and the command line);
* reads the zip directory and refuses a part declared larger than ``IMPORT_MAX_PART_BYTES`` or a total over
  ``IMPORT_MAX_UNPACKED_BYTES``, then unpacks every part as a stream (1 MB at a time, nothing kept) to
  make sure no part holds more than it declares;
* scans the two sheets' XML as it streams by: the farthest row and column of a cell holding a value must stay
  within ``IMPORT_MAX_ROWS`` data rows and ``IMPORT_MAX_COLUMNS`` columns (the scan stops at the first cell
  past them, so five million rows of spaces are refused after the first few MB), and formula cells saved
  without a computed value are collected so that validation can name the formula.

Every refusal is one Chinese sentence naming the limit (and the sheet).
"""
import functools
import html
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings

CHUNK_BYTES = 1024 * 1024
MAX_PARTS = 10_000
MAX_FORMULAS_KEPT = 1_000
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Excel, WPS, LibreOffice, openpyxl and XlsxWriter all write a cell's reference first (<c r="B7" …>); a cell
# without one (positioned by counting) is refused, see _problem_pattern. Self-closing cells hold no value.
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>/]*>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)
_OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookRefused(Exception):
    """The file is not read at all; ``message`` is the sentence shown to the uploader."""

    def __init__(self, message: str, sheet: str = ""):
        super().__init__(message)
        self.message = message
        self.sheet = sheet


@dataclass
class SheetScan:
    """What the scan learnt about one sheet: formula cells without a value, by (Excel row, column index)."""

    formulas: dict = field(default_factory=dict)


def limits() -> dict:
    return {
        "file": settings.IMPORT_MAX_FILE_BYTES, "part": settings.IMPORT_MAX_PART_BYTES,
        "unpacked": settings.IMPORT_MAX_UNPACKED_BYTES, "rows": settings.IMPORT_MAX_ROWS,
        "columns": settings.IMPORT_MAX_COLUMNS,
    }


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def file_too_large_message(size_limit: int | None = None) -> str:
    size_limit = settings.IMPORT_MAX_FILE_BYTES if size_limit is None else size_limit
    return f"文件过大（超过 {megabytes(size_limit)}），请分批导入"


def column_index(letters: bytes | str) -> int:
    """1-based column number of "A", "Z", "AA", … "XFD"."""
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if data.startswith(_OLD_EXCEL_SIGNATURE):
        raise WorkbookRefused("这是旧版 .xls 格式的文件：请在 Excel 或 WPS 中“另存为” .xlsx 格式后再导入")
    not_xlsx = "无法读取文件：这不是 .xlsx 格式的 Excel 文件（可能是改了扩展名的文本、CSV 或其他文件），请上传由导入模板填写的 .xlsx 文件"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused(not_xlsx) from None
    if "xl/workbook.xml" not in archive.namelist():
        raise WorkbookRefused(not_xlsx)
    return archive


def _check_directory(archive: zipfile.ZipFile, limit: dict):
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise WorkbookRefused(f"文件结构异常（包含 {len(members)} 个部件），已拒绝读取")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise WorkbookRefused("文件已加密（设置了打开密码）：请取消密码后另存为 .xlsx 再导入")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRefused("文件使用了不支持的压缩方式：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入")
        if member.file_size > limit["part"]:
            raise WorkbookRefused(
                f"文件解压后过大：其中一部分解压后有 {megabytes(member.file_size)}，超过每部分 {megabytes(limit['part'])} "
                "的上限（可能是“压缩炸弹”或含大量空白行的文件），已拒绝读取"
            )
        total += member.file_size
    if total > limit["unpacked"]:
        raise WorkbookRefused(
            f"文件解压后过大：共 {megabytes(total)}，超过 {megabytes(limit['unpacked'])} 的上限，已拒绝读取；请分批导入"
        )


def _sheet_parts(archive: zipfile.ZipFile, wanted: tuple[str, ...]) -> dict[str, str]:
    """Zip path of each wanted sheet, resolved as calamine resolves it (workbook.xml → its relationships)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError):
        raise WorkbookRefused("文件已损坏或不是有效的 .xlsx 文件，无法读取") from None
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in relations.iter(f"{_NS_PACKAGE_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        name = sheet.get("name")
        if name in wanted and name not in parts:
            target = targets.get(sheet.get(f"{_NS_REL}id"), "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            parts[name] = path
    return parts


def _greater_than(limit: str, alphabet: str) -> str:
    """A regex matching the strings of ``alphabet`` (no leading zero/"A"-less forms) that sort after ``limit``
    as numbers or column letters do: longer, or as long and larger from some position on."""
    low, high = alphabet[0], alphabet[-1]
    first = alphabet[1] if alphabet == "0123456789" else low  # row numbers have no leading zero
    options = [f"[{first}-{high}][{low}-{high}]{{{len(limit)},}}"]
    for position, character in enumerate(limit):
        if character != high:
            larger = alphabet[alphabet.index(character) + 1]
            rest = len(limit) - position - 1
            options.append(f"{re.escape(limit[:position])}[{larger}-{high}]" + (f"[{low}-{high}]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(options) + ")"


@functools.lru_cache(maxsize=8)
def _problem_pattern(max_rows: int, max_columns: int) -> re.Pattern:
    """One pass finds the first cell past the limits, or a cell without its reference first."""
    far_column = _greater_than(column_letters(max_columns), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far_row = _greater_than(str(max_rows + 1), "0123456789")
    return re.compile(
        rf'<c(?! r=")[\s>/]|<c r="(?:({far_column})(\d+)|([A-Z]+)({far_row}))"[^>/]*>'.encode("ascii")
    )


def _scan_chunk(text: bytes, sheet: str, scan: SheetScan, limit: dict):
    problem = _problem_pattern(limit["rows"], limit["columns"]).search(text)
    if problem is not None:
        if problem.group(1):
            column = column_index(problem.group(1))
            raise WorkbookRefused(
                f"工作表“{sheet}”第 {column_letters(column)} 列（第 {column} 列）有内容，超过 {limit['columns']} 列的上限："
                "请删除表格右侧多余的内容后再导入", sheet)
        if problem.group(4):
            raise WorkbookRefused(
                f"工作表“{sheet}”第 {int(problem.group(4))} 行有内容，超过每个工作表 {limit['rows']} 行数据的上限"
                "（含空格等看不见的内容）：请删除表格下方多余的行，或分批导入", sheet)
        raise WorkbookRefused(f"工作表“{sheet}”的单元格缺少位置信息，无法安全读取：请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入", sheet)
    if len(scan.formulas) < MAX_FORMULAS_KEPT and b"<f" in text:
        for letter, row, formula in _FORMULA_WITHOUT_VALUE.findall(text)[:MAX_FORMULAS_KEPT]:
            text_of_formula = html.unescape(formula.decode("utf-8", "replace")).strip()
            scan.formulas[(int(row), column_index(letter) - 1)] = text_of_formula


def _stream_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, sheet: str | None, limit: dict) -> SheetScan:
    """Unpack one part 1 MB at a time (nothing kept); scan it when it is one of the sheets."""
    scan = SheetScan()
    carried = b""
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if sheet is None:
                    continue
                text = carried + chunk
                cut = text.rfind(b"<c")
                if cut <= 0 and len(text) > 8 * CHUNK_BYTES:  # one huge cell: scan it, keep a tag's worth
                    cut = len(text) - 64
                if cut > 0:
                    _scan_chunk(text[:cut], sheet, scan, limit)
                    carried = text[cut:]
                else:
                    carried = text
            decompressor = getattr(handle, "_decompressor", None)
            if member.compress_type == zipfile.ZIP_DEFLATED and decompressor is not None and not decompressor.eof:
                raise WorkbookRefused("文件已损坏（部件的实际大小与声明不符），已拒绝读取")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
        raise WorkbookRefused("文件已损坏或不是有效的 .xlsx 文件，无法读取") from None
    if sheet is not None and carried:
        _scan_chunk(carried, sheet, scan, limit)
    return scan


def inspect_workbook(data: bytes, sheets: tuple[str, ...]) -> dict[str, SheetScan]:
    """Refuse (WorkbookRefused) a file that could not be read safely; else what the scan found per sheet."""
    limit = limits()
    if len(data) > limit["file"]:
        raise WorkbookRefused(file_too_large_message(limit["file"]))
    archive = _open_zip(data)
    with archive:
        _check_directory(archive, limit)
        parts = _sheet_parts(archive, sheets)
        sheet_by_part = {path: name for name, path in parts.items()}
        scans = {}
        for member in archive.infolist():
            sheet = sheet_by_part.get(member.filename)
            scan = _stream_part(archive, member, sheet, limit)
            if sheet is not None:
                scans[sheet] = scan
    return scans
