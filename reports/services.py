"""Writes of quarterly reports: generate, review, sign, correct, record downloads (DOMAIN.md §6.3).

draft → reviewed (by someone other than the person who generated it) → signed. A signed report is never
changed: every service refuses, and on PostgreSQL a trigger rejects UPDATE/DELETE of a signed row
(migration 0002). A correction is a new version that references the signed one (``supersedes``).
"""
import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.services import audit_record
from povalleviation.access import Capability, require
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from povalleviation.queue import send_now, send_on_commit, stale_minutes

from .models import QuarterlyReport, ReportStatus
from .snapshot.common import quarter_bounds
from .snapshot.movement import imbalance_message

logger = logging.getLogger(__name__)

ACTION_LABELS = {
    "report.generate": "生成季度报告", "report.generated": "季度报告生成完成", "report.review": "审核季度报告",
    "report.sign": "签发季度报告", "report.correct": "更正季度报告", "report.download": "下载季度报告", "report.download_refused": "拒绝下载（签署版文件被改动）",
}
IN_WORK = {ReportStatus.QUEUED, ReportStatus.GENERATING, ReportStatus.DRAFT, ReportStatus.REVIEWED}


def _queue(report_id: int):
    """Send the generation once this transaction commits; the report's heartbeat says when it was queued."""
    QuarterlyReport.objects.filter(pk=report_id).update(heartbeat_at=timezone.now())
    send_on_commit("reports.generate_quarterly_report", report_id)


def never_started(report: QuarterlyReport, minutes: int | None = None) -> bool:
    """A report queued for ``minutes`` (QUEUE_UNSTARTED_MINUTES) whose generation never started."""
    minutes = stale_minutes() if minutes is None else minutes
    since = report.heartbeat_at or report.created_at
    return (report.status == ReportStatus.QUEUED and since is not None
            and since < timezone.now() - datetime.timedelta(minutes=minutes))


def requeue_unstarted_reports(*, minutes: int) -> int:
    """Sweeper (``povalleviation.queue``): send again every report queued for ``minutes`` that never started.

    Safe to send twice: the task builds only a report still waiting. Each send moves the heartbeat."""
    now = timezone.now()
    cutoff = now - datetime.timedelta(minutes=minutes)
    waiting = QuarterlyReport.objects.filter(status=ReportStatus.QUEUED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    count = 0
    for report_id in list(waiting.values_list("pk", flat=True)[:200]):
        if QuarterlyReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(heartbeat_at=now):
            logger.warning("report %s queued since before %s never started, sending it again", report_id, cutoff)
            count += send_now("reports.generate_quarterly_report", report_id)
    return count


def _locked(report: QuarterlyReport) -> QuarterlyReport:
    return QuarterlyReport.objects.select_for_update().select_related("area").get(pk=report.pk)


def refuse_if_signed(report: QuarterlyReport):
    if report.status == ReportStatus.SIGNED:
        raise Conflict("报告已签发，不能再修改；如需更正，请生成更正版本。", code="report_signed")


@transaction.atomic
def report_generate(*, actor, area, year: int, quarter: int) -> QuarterlyReport:
    """Create (or retry a failed) report for the area and quarter and queue its generation after commit."""
    require(actor, Capability.REPORT_GENERATE, area.code)
    errors = {}
    if not isinstance(quarter, int) or not 1 <= quarter <= 4:
        errors["quarter"] = "季度必须是 1–4"
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "年度必须在 2000–2100 之间"
    if errors:
        raise ApplicationError("；".join(f"{'季度' if k == 'quarter' else '年度'}：{v}" for k, v in errors.items()),
                               field_errors=errors)
    _, as_of = quarter_bounds(year, quarter)
    if as_of > timezone.localdate():
        raise ApplicationError(f"季度：{year}年第{quarter}季度尚未结束（截至 {as_of}），不能生成报告",
                               field_errors={"quarter": "该季度尚未结束"})
    latest = (QuarterlyReport.objects.select_for_update().filter(area=area, year=year, quarter=quarter)
              .order_by("-version").first())
    if latest is not None and never_started(latest):
        # queued long ago and never started (its task was lost): queue it again instead of refusing
        latest.generated_by = actor
        latest.save(update_fields=["generated_by"])
        audit_record(actor=actor, action="report.generate", target=latest, area=area, summary=f"重新排队生成{latest}",
                     changes={"year": year, "quarter": quarter, "version": latest.version, "requeued": True})
        _queue(latest.pk)
        return latest
    if latest is not None and latest.status in IN_WORK:
        raise Conflict(f"{area.name}{year}年第{quarter}季度已有报告（第{latest.version}版，{latest.get_status_display()}），"
                       "请在该报告上继续操作", code="report_exists")
    if latest is not None and latest.status == ReportStatus.SIGNED:
        raise Conflict("该季度报告已签发；如需更正，请在已签发报告上生成更正版本", code="report_signed")
    if latest is not None:  # a failed generation: try again with the same row
        report = latest
        report.status, report.progress, report.progress_message, report.error_message = ReportStatus.QUEUED, 0, "", ""
        report.generated_by = actor
        report.save(update_fields=["status", "progress", "progress_message", "error_message", "generated_by"])
    else:
        report = QuarterlyReport(area=area, area_code=area.code, year=year, quarter=quarter, as_of=as_of, generated_by=actor)
        report.full_clean()
        report.save()
    audit_record(actor=actor, action="report.generate", target=report, area=area,
                 summary=f"生成{report}", changes={"year": year, "quarter": quarter, "version": report.version})
    _queue(report.pk)
    return report


@transaction.atomic
def report_review(*, actor, report: QuarterlyReport, note: str = "") -> QuarterlyReport:
    """Approve the draft's figures; the reviewer must not be the person who generated it."""
    report = _locked(report)
    require(actor, Capability.REPORT_REVIEW, report.area_code)
    refuse_if_signed(report)
    if report.status != ReportStatus.DRAFT:
        raise Conflict(f"只能审核待审核的报告（当前：{report.get_status_display()}）", code="invalid_transition")
    if actor is not None and actor.pk == report.generated_by_id:
        raise PermissionDenied("审核人不能是报告编制人，请由其他同事审核。")
    note = (note or "").strip()
    if len(note) > 500:
        raise ApplicationError("审核意见：不能超过 500 字", field_errors={"note": "不能超过 500 字"})
    report.status, report.reviewed_by, report.reviewed_at, report.review_note = (
        ReportStatus.REVIEWED, actor, timezone.now(), note)
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(actor=actor, action="report.review", target=report, area_code=report.area_code,
                 summary=f"审核{report}", changes={"note": note})
    return report


def _signer_name(actor) -> str:
    if actor is None:
        return "系统"
    return actor.full_name or actor.username


@transaction.atomic
def report_sign(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    """Render the reviewed report from its snapshot, sign it (PAdES) and keep the signed file and its SHA-256."""
    from .rendering import render_report_pdf, verify_url
    from .signing import sign_pdf

    report = _locked(report)
    require(actor, Capability.REPORT_SIGN, report.area_code)
    refuse_if_signed(report)
    if report.status != ReportStatus.REVIEWED:
        raise Conflict(f"只能签发已审核的报告（当前：{report.get_status_display()}）", code="invalid_transition")
    unbalanced = imbalance_message(report.snapshot or {})
    if unbalanced:
        raise Conflict(unbalanced, code="movement_unbalanced")
    pdf, pages = render_report_pdf(report, final=True)
    unit = settings.REPORT_SIGNING_UNIT
    signed = sign_pdf(pdf, signer_name=_signer_name(actor), signer_unit=unit,
                      reason=f"签发{report.area.name}{report.year}年第{report.quarter}季度进展报告", verify_url=verify_url(report))
    report.signed_pdf.save(f"{report.area_code}-{report.period_label}-v{report.version}-signed.pdf",
                           ContentFile(signed.data), save=False)
    report.signed_sha256 = signed.sha256
    report.signed_at = signed.signed_at or timezone.now()
    report.signed_by, report.signer_name, report.signer_unit = actor, _signer_name(actor), unit
    report.certificate_subject = signed.certificate_subject[:300]
    report.page_count = pages
    report.status = ReportStatus.SIGNED
    report.save()
    audit_record(actor=actor, action="report.sign", target=report, area_code=report.area_code,
                 summary=f"签发{report}", changes={"sha256": signed.sha256, "certificate": report.certificate_subject})
    return report


@transaction.atomic
def report_correct(*, actor, report: QuarterlyReport, reason: str) -> QuarterlyReport:
    """A new version of a signed report, generated again from the data as of the same date."""
    report = _locked(report)
    require(actor, Capability.REPORT_GENERATE, report.area_code)
    if report.status != ReportStatus.SIGNED:
        raise Conflict("只有已签发的报告需要更正；未签发的报告请直接审核或重新生成", code="invalid_transition")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("更正原因：必填", field_errors={"reason": "必填"})
    if QuarterlyReport.objects.filter(supersedes=report).exists():
        raise Conflict("该报告已有更正版本", code="already_corrected")
    newer = QuarterlyReport.objects.filter(area_id=report.area_id, year=report.year, quarter=report.quarter,
                                           version__gt=report.version).exists()
    if newer:
        raise Conflict("该季度已有更新的版本，请更正最新版本", code="not_latest")
    correction = QuarterlyReport(
        area=report.area, area_code=report.area_code, year=report.year, quarter=report.quarter, as_of=report.as_of,
        version=report.version + 1, supersedes=report, correction_reason=reason[:300], generated_by=actor,
    )
    correction.full_clean()
    correction.save()
    audit_record(actor=actor, action="report.correct", target=correction, area_code=report.area_code,
                 summary=f"更正{report}", changes={"supersedes": report.pk, "reason": reason})
    _queue(correction.pk)
    return correction


@transaction.atomic
def report_download_record(*, actor, report: QuarterlyReport, kind: str) -> None:
    """Audit one download (the file itself is streamed by the view)."""
    sha = report.signed_sha256 if kind == "signed" else ""
    audit_record(actor=actor, action="report.download", target=report, area_code=report.area_code,
                 summary=f"下载{report}（{'签署版' if kind == 'signed' else '草稿'}）", changes={"kind": kind, "sha256": sha})


def report_signed_file_refused_record(*, actor, report: QuarterlyReport, found_sha256: str) -> None:
    """Audit a refused download: the signed file on disk no longer matches the SHA-256 stored at signing."""
    audit_record(actor=actor, action="report.download_refused", target=report, area_code=report.area_code,
                 outcome="failure",
                 summary=f"拒绝下载{report}签署版：文件与签发时保存的 SHA-256 不符",
                 changes={"kind": "signed", "stored_sha256": report.signed_sha256, "found_sha256": found_sha256})


def quarter_is_finished(year: int, quarter: int, today: datetime.date | None = None) -> bool:
    return quarter_bounds(year, quarter)[1] <= (today or timezone.localdate())
