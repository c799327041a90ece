from django.contrib import admin

from povalleviation.access import Capability
from povalleviation.admin import ScopedModelAdmin
from villages import services
from villages.models import Area


@admin.register(Area)
class AreaAdmin(ScopedModelAdmin):
    view_capability = Capability.AREA_MANAGE
    change_capability = Capability.AREA_MANAGE
    list_display = ["code", "name", "level", "parent", "is_poor_village", "is_deep_poverty_village"]
    list_filter = ["level", "is_poor_village", "is_deep_poverty_village"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # A code or level change is a code-history matter, not an edit.
        return [*self.readonly_fields, "code", "level", "parent"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
            updated = services.area_update(actor=request.user, area=obj, **changes)
            obj.pk = updated.pk
        else:
            fields = {name: value for name, value in form.cleaned_data.items() if name not in ("code", "name", "level", "parent")}
            created = services.area_create(
                actor=request.user, code=obj.code, name=obj.name, level=obj.level, parent=obj.parent, **fields
            )
            obj.pk = created.pk
