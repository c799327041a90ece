"""Read-only admin views of the ledger, scoped like every page: money moves only through the services."""
from django.contrib import admin

from povalleviation.access import Capability, has_capability
from povalleviation.admin import ScopedModelAdmin
from projects.models import FundSource

from .models import Disbursement, FundAllocation, FundDelay, FundRecomputeRun


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    view_capability = Capability.FUND_VIEW


class ReadOnlyReferenceAdmin(admin.ModelAdmin):
    """Unscoped reference rows (fund sources, recompute runs): visible to whoever may see funds at all."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and has_capability(request.user, Capability.FUND_VIEW)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FundSource)
class FundSourceAdmin(ReadOnlyReferenceAdmin):
    list_display = ("code", "name", "level", "kind")


@admin.register(FundAllocation)
class FundAllocationAdmin(ReadOnlyScopedAdmin):
    list_display = ("year", "source", "area_code", "document_number", "amount", "published_on", "assigned_amount",
                    "disbursed_amount")
    list_select_related = ("source",)


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyScopedAdmin):
    list_display = ("paid_on", "voucher_number", "amount", "status", "area_code")


@admin.register(FundDelay)
class FundDelayAdmin(ReadOnlyScopedAdmin):
    list_display = ("recorded_on", "project", "kind", "delay_days", "cause", "responsible_party", "responsible_unit")
    list_select_related = ("project",)


@admin.register(FundRecomputeRun)
class FundRecomputeRunAdmin(ReadOnlyReferenceAdmin):
    list_display = ("scope_code", "year", "as_of", "trigger", "started_at", "finished_at", "row_count")
