"""Read-only admin views of the ledgers, scoped like every page; changes go through the oversight pages."""
from django.contrib import admin

from povalleviation.access import Capability
from povalleviation.admin import ScopedModelAdmin

from .models import (
    Complaint,
    ComplaintHistory,
    Escalation,
    Inspection,
    RectificationHistory,
    RectificationItem,
)


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    view_capability = Capability.INSPECTION_VIEW
    change_capability = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "source_kind", "issuer_unit", "area_code", "feedback_on", "default_deadline"]
    list_filter = ["source_kind"]
    ordering = ["-feedback_on", "-id"]


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "area_code", "responsible_unit", "deadline", "status"]
    list_filter = ["status"]
    ordering = ["deadline", "id"]


@admin.register(RectificationHistory)
class RectificationHistoryAdmin(ReadOnlyScopedAdmin):
    list_display = ["item", "event", "from_status", "to_status", "deadline", "actor", "at"]
    list_select_related = ["item", "actor"]
    ordering = ["-at", "-id"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyScopedAdmin):
    list_display = ["item", "kind", "escalated_on", "target"]
    list_select_related = ["item"]
    ordering = ["-escalated_on", "-id"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyScopedAdmin):
    view_capability = Capability.COMPLAINT_VIEW
    list_display = ["number", "channel", "received_at", "area_code", "reply_deadline", "status"]
    list_filter = ["channel", "status"]
    ordering = ["-received_at", "-id"]
    exclude = ["complainant_name", "complainant_phone"]

    def get_readonly_fields(self, request, obj=None):
        hidden = {"complainant_name", "complainant_phone"}
        return [name for name in super().get_readonly_fields(request, obj) if name not in hidden]


@admin.register(ComplaintHistory)
class ComplaintHistoryAdmin(ReadOnlyScopedAdmin):
    view_capability = Capability.COMPLAINT_VIEW
    list_display = ["complaint", "event", "from_status", "to_status", "area_code", "actor", "at"]
    list_select_related = ["complaint", "actor"]
    ordering = ["-at", "-id"]
