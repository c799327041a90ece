"""The generation step run by the Celery task and the management command: snapshot → PDF → draft."""
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record

from .models import QuarterlyReport, ReportStatus
from .snapshot import build_snapshot, snapshot_digest

logger = logging.getLogger(__name__)


def _progress(report_id: int, percent: int, message: str):
    # A plain UPDATE outside any transaction, so the page's status endpoint sees it at once.
    QuarterlyReport.objects.filter(pk=report_id, status=ReportStatus.GENERATING).update(
        progress=percent, progress_message=message[:200])


def report_build(report_id: int) -> QuarterlyReport | None:
    """Generate the report if it is waiting (queued, or generating after a lost worker); otherwise do nothing
    (idempotent: a second delivery of the task finds it done)."""
    from .rendering import render_report_pdf

    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().select_related("area").filter(pk=report_id).first()
        if report is None or report.status not in (ReportStatus.QUEUED, ReportStatus.GENERATING):
            return report
        report.status, report.progress, report.progress_message = ReportStatus.GENERATING, 5, "开始生成"
        report.save(update_fields=["status", "progress", "progress_message"])
    try:
        snapshot = build_snapshot(area=report.area, year=report.year, quarter=report.quarter,
                                  progress=lambda percent, message: _progress(report_id, percent, message))
        report.snapshot, report.snapshot_sha256 = snapshot, snapshot_digest(snapshot)
        report.generated_at = timezone.now()
        _progress(report_id, 75, "排版 PDF")
        pdf, pages = render_report_pdf(report)
    except Exception as error:  # recorded on the report so the page shows it; the task does not retry
        logger.exception("report %s generation failed", report_id)
        QuarterlyReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED, error_message=f"{type(error).__name__}: {error}"[:2000],
            progress_message="生成失败")
        return QuarterlyReport.objects.get(pk=report_id)
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update().get(pk=report_id)
        if locked.status != ReportStatus.GENERATING:
            return locked
        locked.snapshot, locked.snapshot_sha256, locked.generated_at = snapshot, report.snapshot_sha256, report.generated_at
        locked.draft_pdf.save(f"{locked.area_code}-{locked.period_label}-v{locked.version}.pdf", ContentFile(pdf), save=False)
        locked.page_count, locked.status, locked.progress, locked.progress_message = pages, ReportStatus.DRAFT, 100, "已完成"
        locked.save()
        audit_record(actor=locked.generated_by, action="report.generated", target=locked, area_code=locked.area_code,
                     summary=f"{locked}生成完成，{pages} 页", changes={"snapshot_sha256": locked.snapshot_sha256})
    return locked
