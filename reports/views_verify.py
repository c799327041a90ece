"""Public verification pages of signed quarterly reports: no login, no personal data (DOMAIN.md §6.3).

The QR code on a signed report points at ``/reports/verify/<token>/``: it shows what was signed (area,
quarter, version, whether a newer version supersedes it), by whom and when, and the SHA-256 of the signed
file; a PDF uploaded there is checked against that report. ``/reports/verify/`` finds the report by hash.
"""
from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views import View

from .models import QuarterlyReport
from .verification import verify_against_report, verify_upload


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} MB"
    return f"{size / 1024:.0f} KB"


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label="报告 PDF 文件",
        help_text="选择手中的报告 PDF 文件，系统将核对它是否为签署版原件、电子签名是否完好。",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": "报告 PDF 文件：请选择要核验的文件。", "empty": "报告 PDF 文件：文件是空的。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REPORT_VERIFY_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"报告 PDF 文件：文件过大，最大 {size_text(limit)}。")
        return upload


def bound_form(request) -> VerifyUploadForm:
    """The upload form; a request body far above the limit is refused before Django stores the upload."""
    limit = settings.REPORT_VERIFY_MAX_UPLOAD_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + 64 * 1024:
        form = VerifyUploadForm(data={})
        form.is_valid()
        form.errors.clear()
        form.add_error("file", f"报告 PDF 文件：文件过大，最大 {size_text(limit)}。")
        return form
    return VerifyUploadForm(request.POST, request.FILES)


def _newer_version(report: QuarterlyReport) -> QuarterlyReport | None:
    try:
        return report.superseded_by
    except QuarterlyReport.DoesNotExist:
        return None


class ReportVerifyView(View):
    """The page behind a signed report's QR code."""

    template_name = "reports/verify.html"

    def _report(self, token):
        return get_object_or_404(
            QuarterlyReport.objects.select_related("area", "supersedes", "superseded_by"), verification_token=token
        )

    def _render(self, request, report, form, result=None, status=200):
        context = {"report": report, "newer": _newer_version(report), "form": form, "result": result}
        return render(request, self.template_name, context, status=status)

    def get(self, request, token):
        return self._render(request, self._report(token), VerifyUploadForm())

    def post(self, request, token):
        report = self._report(token)
        form = bound_form(request)
        if not form.is_valid():
            return self._render(request, report, form, status=400)
        result = verify_against_report(form.cleaned_data["file"].read(), report)
        return self._render(request, report, VerifyUploadForm(), result)


class VerifyUploadPageView(View):
    """Upload a PDF with no link at hand: the report is found by the file's SHA-256."""

    template_name = "reports/verify_upload.html"

    def get(self, request):
        return render(request, self.template_name, {"form": VerifyUploadForm()})

    def post(self, request):
        form = bound_form(request)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        result = verify_upload(form.cleaned_data["file"].read())
        newer = _newer_version(result.report) if result.report else None
        return render(request, self.template_name, {"form": VerifyUploadForm(), "result": result, "newer": newer})
