"""The auditor's export of what the audit-log page shows (Excel or CSV), itself audited as ``audit.export``.

Every text cell is escaped against formula injection (``personal_data.spreadsheet_text``) and the first row
carries who exported it, when and why (``personal_data.export_mark``).
"""
import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from povalleviation.access import Capability, require
from povalleviation.personal_data import export_mark, spreadsheet_row
from povalleviation.roles import Role

from .choices import AuditOutcome

EXPORT_LIMIT = 50_000
HEADERS = ["时间", "用户名", "角色", "操作", "操作代码", "结果", "说明", "对象", "区域代码", "来源地址", "客户端"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
ROLE_LABELS = dict(Role.choices)
OUTCOME_LABELS = dict(AuditOutcome.choices)


def role_labels(codes: str) -> str:
    return "、".join(ROLE_LABELS.get(code, code) for code in codes.split(",") if code)


def event_row(event) -> list:
    target = f"{event.object_type}#{event.object_id}" if event.object_type else ""
    return [
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        event.username or (event.actor.username if event.actor_id else "系统"),
        role_labels(event.role), event.action_display, event.action, OUTCOME_LABELS.get(event.outcome, event.outcome),
        event.summary, target, event.area_code, event.ip_address or "", event.user_agent,
    ]


@dataclass
class AuditExport:
    content: bytes
    file_name: str
    content_type: str
    count: int


def _xlsx(rows, mark: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(spreadsheet_row([mark]))
    sheet.append(spreadsheet_row(HEADERS))
    for row in rows:
        sheet.append(spreadsheet_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows, mark: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spreadsheet_row([mark]))
    writer.writerow(spreadsheet_row(HEADERS))
    writer.writerows(spreadsheet_row(row) for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@transaction.atomic
def audit_export(*, actor, events, file_format: str, filters: dict) -> AuditExport:
    """Export ``events`` (the page's filtered, scoped queryset) and record the export."""
    from .services import audit_record

    require(actor, Capability.AUDIT_VIEW)
    rows = [event_row(event) for event in events.select_related("actor")[:EXPORT_LIMIT]]
    total = len(rows)
    mark = export_mark(user=actor, purpose="审计日志查阅")
    if total == EXPORT_LIMIT:
        mark += f"　仅含前 {EXPORT_LIMIT} 条，请缩小筛选范围"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "xlsx":
        export = AuditExport(_xlsx(rows, mark), f"审计日志-{stamp}.xlsx", XLSX_CONTENT_TYPE, total)
    else:
        export = AuditExport(_csv(rows, mark), f"审计日志-{stamp}.csv", CSV_CONTENT_TYPE, total)
    shown = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    audit_record(
        actor=actor, action="audit.export",
        summary=f"导出审计日志 {total} 条（{file_format}）" + (f"，筛选：{shown}" if shown else ""),
        changes={"format": file_format, "count": total, "filters": shown},
    )
    return export
