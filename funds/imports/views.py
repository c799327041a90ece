"""Excel import (upload → preview with every error → commit all or nothing) and the scoped export."""
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from povalleviation.access import Capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin

from ..forms import ImportForm
from ..models import FundImportBatch
from ..selectors import allocation_list, disbursement_list, visible_area
from .excel import error_report, export_workbook, template_workbook
from .services import fund_import_batch_confirm, fund_import_batch_create

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


class ImportUploadView(CapabilityRequiredMixin, View):
    required_capability = Capability.FUND_ALLOCATE
    template_name = "funds/import_upload.html"

    def get(self, request):
        if request.GET.get("template"):
            return _xlsx(template_workbook(), "funds-template.xlsx")
        return render(request, self.template_name, {"form": ImportForm()})

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            batch = fund_import_batch_create(actor=request.user, file_name=upload.name, content=content)
        except ApplicationError as error:
            form.add_error("file", error.message)
            return render(request, self.template_name, {"form": form}, status=400)
        return redirect("funds:import_preview", pk=batch.pk)


class ImportPreviewView(CapabilityRequiredMixin, View):
    required_capability = Capability.FUND_ALLOCATE

    def get_batch(self, request, pk):
        return get_object_or_404(FundImportBatch, pk=pk, uploaded_by=request.user)

    def get(self, request, pk):
        batch = self.get_batch(request, pk)
        if request.GET.get("errors"):
            return _xlsx(error_report(batch.errors), f"import-errors-{batch.pk}.xlsx")
        return render(request, "funds/import_preview.html", {"batch": batch})

    def post(self, request, pk):
        batch = self.get_batch(request, pk)
        try:
            result = fund_import_batch_confirm(actor=request.user, batch=batch)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("funds:import_preview", pk=batch.pk)
        if result["committed"]:
            messages.success(request, f"已导入资金下达 {result['allocations']} 笔、报账 {result['disbursements']} 笔。")
        else:
            messages.error(request, "数据已变化，导入时发现错误，全部未导入。")
        return redirect("funds:import_preview", pk=batch.pk)


class ExportView(CapabilityRequiredMixin, View):
    """The ledger the user may see (optionally one area and year) in the import layout."""

    required_capability = Capability.FUND_VIEW

    def get(self, request):
        area = visible_area(user=request.user, code=request.GET["area"]) if request.GET.get("area") else None
        year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
        content = export_workbook(allocations=allocation_list(user=request.user, area=area, year=year),
                                  disbursements=disbursement_list(user=request.user, area=area, year=year))
        return _xlsx(content, f"funds-{area.code if area else 'all'}-{year or 'all'}.xlsx")
