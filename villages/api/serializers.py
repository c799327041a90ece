from rest_framework import serializers

from villages.models import Area


class AreaSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Area
        fields = [
            "id", "code", "name", "level", "level_display", "parent_code", "poverty_county_designation",
            "is_poor_township", "is_poor_village", "poor_village_designation_year", "is_deep_poverty_village",
            "is_natural_village", "planned_exit_year", "actual_exit_date",
        ]
