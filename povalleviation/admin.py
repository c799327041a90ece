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
