"""Household list filters, shared by the list page and the API."""
import django_filters
from django.db.models import Exists, OuterRef, Q

from households.choices import HouseholdCategory, HouseholdStatus, MonitoringFlag, PovertyCause
from households.idnumber import IdNumberError, normalize_id_number, validate_id_number
from households.models import Household, Member

SORTS = {
    "number": "household_number", "-number": "-household_number",
    "head": "head_name", "-head": "-head_name",
    "year": "identification_year", "-year": "-identification_year",
    "size": "member_count", "-size": "-member_count",
    "status": "status", "-status": "-status",
    "updated": "updated_at", "-updated": "-updated_at",
}


class HouseholdFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(method="filter_area", label="区划代码（含下级）")
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices, label="状态")
    cause = django_filters.ChoiceFilter(choices=PovertyCause.choices, method="filter_cause", label="致贫原因（主要或其他）")
    primary_cause = django_filters.ChoiceFilter(choices=PovertyCause.choices, label="主要致贫原因")
    category = django_filters.ChoiceFilter(choices=HouseholdCategory.choices, label="贫困户属性")
    identification_year = django_filters.NumberFilter(label="识别年度")
    monitoring = django_filters.ChoiceFilter(
        choices=[c for c in MonitoringFlag.choices if c[0]] + [("any", "任一监测")], method="filter_monitoring", label="监测"
    )
    q = django_filters.CharFilter(method="filter_search", label="户主/成员姓名或完整身份证号")
    sort = django_filters.ChoiceFilter(choices=[(k, k) for k in SORTS], method="filter_sort", label="排序")

    class Meta:
        model = Household
        fields = ["area", "status", "cause", "primary_cause", "category", "identification_year", "monitoring", "q", "sort"]

    def filter_area(self, queryset, name, value):
        value = value.strip()
        if not value.isdigit():
            return queryset.none()
        # Trailing zeros of a 12-digit code are padding: 530427000000 covers 530427…
        prefix = value.rstrip("0") if len(value) == 12 else value
        return queryset.filter(area_code__startswith=prefix or value)

    def filter_cause(self, queryset, name, value):
        return queryset.filter(Q(primary_cause=value) | Q(other_causes__contains=f",{value},"))

    def filter_monitoring(self, queryset, name, value):
        return queryset.exclude(monitoring_flag="") if value == "any" else queryset.filter(monitoring_flag=value)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        normalized = normalize_id_number(value) if isinstance(value, str) else ""
        if len(normalized) == 18:
            try:
                number = validate_id_number(normalized).number
            except IdNumberError:
                return queryset.none()
            # Exact match only: an ID number is never searched by fragment.
            return queryset.filter(Exists(Member.objects.filter(household=OuterRef("pk"), id_number=number)))
        return queryset.filter(
            Q(head_name__contains=value)
            | Exists(Member.objects.filter(household=OuterRef("pk"), name__contains=value, is_registered=True))
        )

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(SORTS[value], "pk")
