"""Excel import of allocations (sheet 资金下达) and vouchers (sheet 报账), and the scoped export.

Every row runs through the real services inside one transaction, each in a savepoint so that all errors
are collected (sheet, row, column, reason); the preview rolls everything back, the commit keeps it only
when no row failed — all or nothing.
"""
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook, load_workbook

from povalleviation.errors import ApplicationError
from povalleviation.personal_data import spreadsheet_row
from projects.models import FundSource, Project
from villages.models import Area

from ..models import FundAllocation, ProjectFunding

ALLOCATION_SHEET, DISBURSEMENT_SHEET = "资金下达", "报账"
ALLOCATION_COLUMNS = ["资金来源代码", "接收区划代码", "资金年度", "下达文号", "下达日期", "金额（元）", "备注"]
DISBURSEMENT_COLUMNS = ["项目编号", "资金来源代码", "接收区划代码", "下达文号", "支付日期", "金额（元）", "凭证号", "收款单位", "摘要"]


class RowError(Exception):
    def __init__(self, column, reason):
        super().__init__(reason)
        self.column, self.reason = column, reason


def _text(value):
    return "" if value is None else str(value).strip()


def _date(value, column):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError as error:
        raise RowError(column, "日期格式应为 YYYY-MM-DD") from error


def _amount(value, column):
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(_text(value))
    except InvalidOperation as error:
        raise RowError(column, "金额不是数字") from error
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RowError(column, "金额须大于 0，最多两位小数")
    return amount


def _rows(workbook, sheet, columns):
    if sheet not in workbook.sheetnames:
        return []
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header = [_text(c) for c in rows[0]] if rows else []
    if header[: len(columns)] != columns:
        raise ApplicationError(f"工作表“{sheet}”的表头应为：{'、'.join(columns)}")
    return [(index + 2, dict(zip(columns, row, strict=False))) for index, row in enumerate(rows[1:]) if any(row)]


def _allocation(actor, row):
    from ..services import fund_allocation_create

    source = FundSource.objects.filter(code=_text(row["资金来源代码"])).first()
    if source is None:
        raise RowError("资金来源代码", "未知的资金来源代码")
    area = Area.objects.filter(code=_text(row["接收区划代码"])).first()
    if area is None:
        raise RowError("接收区划代码", "未知的区划代码")
    try:
        year = int(_text(row["资金年度"]))
    except ValueError as error:
        raise RowError("资金年度", "年度应为四位数字") from error
    return fund_allocation_create(actor=actor, source=source, area=area, year=year, document_number=_text(row["下达文号"]),
                                  allocated_on=_date(row["下达日期"], "下达日期"), amount=_amount(row["金额（元）"], "金额（元）"),
                                  note=_text(row["备注"]))


def _disbursement(actor, row):
    from ..services import fund_disburse

    project = Project.objects.filter(number=_text(row["项目编号"])).first()
    if project is None:
        raise RowError("项目编号", "找不到该项目")
    allocation = FundAllocation.objects.filter(source__code=_text(row["资金来源代码"]), area_code=_text(row["接收区划代码"]),
                                               document_number=_text(row["下达文号"])).first()
    if allocation is None:
        raise RowError("下达文号", "找不到对应的资金下达（来源、区划代码、文号）")
    funding = ProjectFunding.objects.filter(allocation=allocation, project=project).first()
    if funding is None:
        raise RowError("项目编号", "该笔资金未安排到此项目")
    return fund_disburse(actor=actor, funding=funding, amount=_amount(row["金额（元）"], "金额（元）"),
                         paid_on=_date(row["支付日期"], "支付日期"), voucher_number=_text(row["凭证号"]),
                         payee=_text(row["收款单位"]), note=_text(row["摘要"]))


def run_import(*, actor, content: bytes, commit: bool) -> dict:
    """Validate (and on ``commit`` keep) every row; returns counts and errors [{sheet,row,column,reason}]."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not xlsx
        raise ApplicationError("无法读取文件，请上传 .xlsx 格式的 Excel 文件。") from error
    plan = [(ALLOCATION_SHEET, _rows(workbook, ALLOCATION_SHEET, ALLOCATION_COLUMNS), _allocation),
            (DISBURSEMENT_SHEET, _rows(workbook, DISBURSEMENT_SHEET, DISBURSEMENT_COLUMNS), _disbursement)]
    errors, counts = [], {}
    with transaction.atomic():
        for sheet, rows, handler in plan:
            counts[sheet] = len(rows)
            for number, row in rows:
                try:
                    with transaction.atomic():
                        handler(actor, row)
                except RowError as error:
                    errors.append({"sheet": sheet, "row": number, "column": error.column, "reason": error.reason})
                except ApplicationError as error:
                    column = next(iter(error.field_errors), "")
                    errors.append({"sheet": sheet, "row": number, "column": column, "reason": error.message})
        if errors or not commit:
            transaction.set_rollback(True)
    return {"errors": errors, "allocations": counts[ALLOCATION_SHEET], "disbursements": counts[DISBURSEMENT_SHEET],
            "committed": commit and not errors}


def template_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.title = ALLOCATION_SHEET
    workbook.active.append(ALLOCATION_COLUMNS)
    workbook.create_sheet(DISBURSEMENT_SHEET).append(DISBURSEMENT_COLUMNS)
    for sheet in workbook.worksheets:
        for column in sheet.columns:
            column[0].number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_workbook(*, allocations, disbursements) -> bytes:
    """The user's scoped ledger in the import layout (so an export can be corrected and re-imported)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ALLOCATION_SHEET)
    sheet.append(ALLOCATION_COLUMNS + ["已安排（元）", "已报账（元）"])
    for a in allocations.select_related("source").iterator(chunk_size=2000):
        sheet.append(spreadsheet_row([a.source.code, a.area_code, a.year, a.document_number, a.allocated_on.isoformat(),
                                      str(a.amount), a.note, str(a.assigned_amount), str(a.disbursed_amount)]))
    sheet = workbook.create_sheet(DISBURSEMENT_SHEET)
    sheet.append(DISBURSEMENT_COLUMNS + ["审核状态"])
    for d in disbursements.select_related("source", "project", "allocation").iterator(chunk_size=2000):
        sheet.append(spreadsheet_row([d.project.number, d.source.code, d.area_code, d.allocation.document_number,
                                      d.paid_on.isoformat(), str(d.amount), d.voucher_number, d.payee, d.note,
                                      d.get_status_display()]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report(errors) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "错误报告"
    sheet.append(["工作表", "行", "列", "原因"])
    for error in errors:
        sheet.append(spreadsheet_row([error["sheet"], error["row"], error["column"], error["reason"]]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["run_import", "template_workbook", "export_workbook", "error_report"]
