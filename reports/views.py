"""Report pages: list, generate form, detail with live progress, review / sign / correct, downloads."""
import datetime
import hashlib

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from povalleviation.access import Capability, covers, has_capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, flash_refusal, forbid_if_denied, paginate

from . import services
from .models import ReportStatus
from .selectors import generatable_areas, report_detail, report_list, report_versions
from .snapshot.common import quarter_bounds


class ReportListView(PageView):
    required_capability = Capability.REPORT_VIEW
    template_name = "reports/report_list.html"

    def page_context(self, user, **kwargs):
        params = self.request.GET
        page, _ = paginate(self.request, report_list(user=user, params=params), 30)
        return dict(page_obj=page, reports=page.object_list, params=params, statuses=ReportStatus.choices,
                    can_generate=has_capability(user, Capability.REPORT_GENERATE))


def _finished_quarters(today: datetime.date, count: int = 12) -> list[tuple[int, int]]:
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    while len(result) < count:
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        if quarter_bounds(year, quarter)[1] <= today:
            result.append((year, quarter))
    return result


class ReportGenerateView(CapabilityRequiredMixin, View):
    required_capability = Capability.REPORT_GENERATE
    template_name = "reports/report_generate.html"

    def _context(self, request, **extra):
        quarters = [(f"{year}Q{quarter}", f"{year}年第{quarter}季度") for year, quarter in _finished_quarters(timezone.localdate())]
        return {"areas": generatable_areas(user=request.user), "quarters": quarters,
                **extra}

    def get(self, request):
        return render(request, self.template_name, self._context(request, selected={}))

    def post(self, request):
        code, period = request.POST.get("area", ""), request.POST.get("period", "")
        area = generatable_areas(user=request.user).filter(code=code).first()
        errors = {}
        if area is None:
            errors["area"] = "请选择您工作范围内的区域"
        try:
            year, quarter = (int(part) for part in period.split("Q"))
        except ValueError:
            errors["period"] = "请选择季度"
        if not errors:
            try:
                report = services.report_generate(actor=request.user, area=area, year=year, quarter=quarter)
                messages.success(request, "已开始生成报告，页面会显示进度。")
                return redirect("reports:detail", pk=report.pk)
            except ApplicationError as error:
                forbid_if_denied(error)
                errors["__all__"] = error.message
        return render(request, self.template_name,
                      self._context(request, errors=errors, selected={"area": code, "period": period}), status=400)


class ReportDetailView(PageView):
    required_capability = Capability.REPORT_VIEW
    template_name = "reports/report_detail.html"

    def page_context(self, user, **kwargs):
        report = report_detail(user=user, pk=kwargs["pk"])
        code = report.area_code
        versions = report_versions(report=report)
        return dict(
            report=report, versions=versions, in_progress=report.status in (
                ReportStatus.QUEUED, ReportStatus.GENERATING),
            summary=report.snapshot.get("summary") if report.snapshot else None,
            can_review=report.status == ReportStatus.DRAFT and covers(user, Capability.REPORT_REVIEW, code)
            and user.pk != report.generated_by_id,
            is_generator=user.pk == report.generated_by_id,
            can_sign=report.status == ReportStatus.REVIEWED and covers(user, Capability.REPORT_SIGN, code),
            can_correct=report.status == ReportStatus.SIGNED and covers(user, Capability.REPORT_GENERATE, code)
            and not any(version.supersedes_id == report.pk for version in versions),
            can_retry=(report.status == ReportStatus.FAILED or services.never_started(report))
            and covers(user, Capability.REPORT_GENERATE, code),
            stuck=services.never_started(report),
        )


class ReportStatusView(CapabilityRequiredMixin, View):
    """The small JSON the detail page polls while the report is being generated."""

    required_capability = Capability.REPORT_VIEW

    def get(self, request, pk):
        report = report_detail(user=request.user, pk=pk)
        return JsonResponse({"status": report.status, "status_label": report.get_status_display(),
                             "progress": report.progress, "message": report.progress_message,
                             "error": report.error_message if report.status == ReportStatus.FAILED else "",
                             "page_count": report.page_count})


class ReportActionView(CapabilityRequiredMixin, View):
    """POST review / sign / correct / retry; every refusal comes from the service."""

    required_capability = Capability.REPORT_VIEW

    def post(self, request, pk, action):
        report = report_detail(user=request.user, pk=pk)
        try:
            if action == "review":
                services.report_review(actor=request.user, report=report, note=request.POST.get("note", ""))
                messages.success(request, "已审核。")
            elif action == "sign":
                services.report_sign(actor=request.user, report=report)
                messages.success(request, "已签发，可下载签署版 PDF。")
            elif action == "correct":
                correction = services.report_correct(actor=request.user, report=report, reason=request.POST.get("reason", ""))
                messages.success(request, "已生成更正版本。")
                return redirect("reports:detail", pk=correction.pk)
            elif action == "retry":
                services.report_generate(actor=request.user, area=report.area, year=report.year, quarter=report.quarter)
                messages.success(request, "已重新开始生成。")
            else:
                raise Http404
        except ApplicationError as error:
            flash_refusal(request, error)
        return redirect("reports:detail", pk=report.pk)


class ReportDownloadView(CapabilityRequiredMixin, View):
    """The draft or the signed PDF; out of the user's areas → 404; every download is audited."""

    required_capability = Capability.REPORT_VIEW

    def get(self, request, pk, kind):
        report = report_detail(user=request.user, pk=pk)
        file = report.signed_pdf if kind == "signed" else report.draft_pdf if kind == "draft" else None
        if not file:
            raise Http404("该报告没有此文件。")
        handle = file.open("rb")
        if kind == "signed":
            found = _sha256_of(handle)
            if found != report.signed_sha256:
                handle.close()
                services.report_signed_file_refused_record(actor=request.user, report=report, found_sha256=found)
                return render(request, "reports/download_refused.html", {"report": report}, status=409)
        services.report_download_record(actor=request.user, report=report, kind=kind)
        suffix = "签署版" if kind == "signed" else "草稿"
        name = f"{report.area.name}{report.year}年第{report.quarter}季度进展报告-第{report.version}版-{suffix}.pdf"
        return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


def _sha256_of(handle) -> str:
    """SHA-256 of an open file, read in blocks; the file is left at its start for streaming."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(block)
    handle.seek(0)
    return digest.hexdigest()
