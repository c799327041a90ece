"""Read-only admin views of the ledger: money moves only through the services."""
from django.contrib import admin

from .models import Disbursement, FundAllocation, FundRecomputeRun, FundSource


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundSource)
class FundSourceAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "kind")


@admin.register(FundAllocation)
class FundAllocationAdmin(ReadOnlyAdmin):
    list_display = ("year", "source", "area_code", "document_number", "amount", "assigned_amount", "disbursed_amount")
    list_select_related = ("source",)


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("paid_on", "voucher_number", "amount", "status", "area_code")


@admin.register(FundRecomputeRun)
class FundRecomputeRunAdmin(ReadOnlyAdmin):
    list_display = ("scope_code", "year", "as_of", "trigger", "started_at", "finished_at", "row_count")
