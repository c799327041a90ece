"""Read-only admin views of the register, scoped like every page; changes go through the household pages."""
from django.contrib import admin

from households.models import Household, HouseholdEvent, Member
from povalleviation.access import Capability
from povalleviation.admin import ScopedModelAdmin


def _shown(name: str, description: str):
    """An admin column of the model's own property (a masked number, the age)."""
    return admin.display(description=description)(lambda admin_view, obj: getattr(obj, name))


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    view_capability = Capability.HOUSEHOLD_VIEW
    change_capability = None
    # Shown (read-only) in place of the ``exclude``d fields, e.g. a masked number.
    shown_instead: list = []

    def get_readonly_fields(self, request, obj=None):
        hidden = set(self.exclude or ())
        return [field.name for field in self.model._meta.fields if field.name not in hidden] + self.shown_instead


@admin.register(Household)
class HouseholdAdmin(ReadOnlyScopedAdmin):
    list_display = ["household_number", "head_name", "area_code", "status", "category", "primary_cause", "member_count"]
    list_filter = ["status", "category", "primary_cause"]
    search_fields = ["household_number", "head_name"]
    ordering = ["area_code", "household_number"]
    exclude = ["phone"]
    shown_instead = ["masked_phone"]

    masked_phone = _shown("masked_phone", "联系电话")


@admin.register(Member)
class MemberAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "masked_id_number", "relation", "household", "is_registered"]
    list_select_related = ["household"]
    search_fields = ["name"]
    ordering = ["household_id", "id"]
    # Never the birth date beside the masked number: it is digits 7-14 of the ID number.
    exclude = ["id_number", "birth_date"]
    shown_instead = ["masked_id_number", "age"]

    age = _shown("age", "年龄（周岁）")
    masked_id_number = _shown("masked_id_number", "身份证号")


@admin.register(HouseholdEvent)
class HouseholdEventAdmin(ReadOnlyScopedAdmin):
    list_display = ["at", "household", "type", "actor", "summary"]
    list_select_related = ["household", "actor"]
    ordering = ["-at"]
