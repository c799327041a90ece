"""Read-only admin views of the register, scoped like every page; changes go through the household pages."""
from django.contrib import admin

from households.models import Household, HouseholdEvent, Member
from povalleviation.access import Capability
from povalleviation.admin import ScopedModelAdmin


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    view_capability = Capability.HOUSEHOLD_VIEW
    change_capability = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Household)
class HouseholdAdmin(ReadOnlyScopedAdmin):
    list_display = ["household_number", "head_name", "area_code", "status", "category", "primary_cause", "member_count"]
    list_filter = ["status", "category", "primary_cause"]
    search_fields = ["household_number", "head_name"]
    ordering = ["area_code", "household_number"]
    exclude = ["phone"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in super().get_readonly_fields(request, obj) if name != "phone"] + ["masked_phone"]

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(Member)
class MemberAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "masked_id_number", "relation", "household", "is_registered"]
    list_select_related = ["household"]
    search_fields = ["name"]
    ordering = ["household_id", "id"]
    # Never the birth date beside the masked number: it is digits 7-14 of the ID number.
    exclude = ["id_number", "birth_date"]

    def get_readonly_fields(self, request, obj=None):
        hidden = {"id_number", "birth_date"}
        return [name for name in super().get_readonly_fields(request, obj) if name not in hidden] + ["masked_id_number", "age"]

    @admin.display(description="年龄（周岁）")
    def age(self, obj):
        return obj.age

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return obj.masked_id_number


@admin.register(HouseholdEvent)
class HouseholdEventAdmin(ReadOnlyScopedAdmin):
    list_display = ["at", "household", "type", "actor", "summary"]
    list_select_related = ["household", "actor"]
    ordering = ["-at"]
