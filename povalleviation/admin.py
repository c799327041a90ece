"""Base admin: permissions come from capabilities and rows from ``visible_to``, as everywhere else."""
from django.contrib import admin

from povalleviation.access import has_capability


class ScopedModelAdmin(admin.ModelAdmin):
    view_capability: str | None = None
    change_capability: str | None = None

    # Further capabilities that open the list read-only (the security administrator reads the posts he approves).
    extra_view_capabilities: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = self.model.objects.visible_to(request.user, self.view_capability)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and any(
            has_capability(request.user, capability) for capability in (self.view_capability, *self.extra_view_capabilities)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return bool(self.change_capability) and request.user.is_staff and has_capability(request.user, self.change_capability)

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    # Every admin action the LogEntry records is also an audit event (who, role, area, from where, what).
    def log_addition(self, request, obj, message):
        _audit_admin_action(request, obj, "admin.add", "新增", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _audit_admin_action(request, obj, "admin.change", "修改", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            _audit_admin_action(request, obj, "admin.delete", "删除", "")
        return super().log_deletions(request, queryset)


def _audit_admin_action(request, obj, action, verb, message):
    import json

    from povalleviation.audit import audit_record

    area = getattr(obj, "area", None)
    area_code = getattr(area, "code", "") or (obj.code if obj._meta.label == "villages.Area" else "")
    label = f"后台{verb}{obj._meta.verbose_name}“{str(obj)[:100]}”"
    audit_record(actor=request.user, action=action, target=obj, area_code=area_code or getattr(obj, "area_code", ""),
                 summary=label, changes={"admin_message": json.loads(json.dumps(message, default=str))})
