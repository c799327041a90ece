import django_filters

from villages.choices import AreaLevel
from villages.models import Area


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices, label="层级")
    parent = django_filters.CharFilter(field_name="parent__code", label="上级区划代码")
    within = django_filters.CharFilter(method="filter_within", label="区划代码前缀（含下级）")
    name = django_filters.CharFilter(lookup_expr="contains", label="名称包含")
    is_poor_village = django_filters.BooleanFilter(label="贫困村")

    class Meta:
        model = Area
        fields = ["level", "parent", "within", "name", "is_poor_village"]

    def filter_within(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        if area is None:
            return queryset.none()
        return queryset.within(area)
