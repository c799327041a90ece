"""Read-only admin list of quarterly reports, scoped like the report pages (``report.view`` at the user's
areas). Reports change only through the workflow services (generate, review, sign, correct); the PDFs are
downloaded from the report page, where every download is recorded, so the admin shows no file links and
not the snapshot itself (its SHA-256 identifies it)."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from povalleviation.access import Capability
from povalleviation.admin import ScopedModelAdmin

from .models import QuarterlyReport

HIDDEN_FIELDS = {"snapshot", "draft_pdf", "signed_pdf"}


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ScopedModelAdmin):
    view_capability = Capability.REPORT_VIEW
    change_capability = None  # no capability changes a report here: add, change and delete are refused
    list_display = ["area_code", "area", "year", "quarter", "version", "status", "generated_by", "generated_at",
                    "signed_at"]
    list_filter = ["status", "year", "quarter"]
    list_select_related = ["area", "generated_by"]
    search_fields = ["area_code", "area__name"]
    ordering = ["-year", "-quarter", "area_code", "-version"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    def get_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name not in HIDDEN_FIELDS] + ["report_page"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="报告页面（下载 PDF）")
    def report_page(self, obj):
        url = reverse("reports:detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, url)
