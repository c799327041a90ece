from rest_framework import serializers

from projects.choices import BenefitMechanism, ProjectCategory
from projects.models import Project, ProjectBudgetLine


class BudgetLineSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProjectBudgetLine
        fields = ["source", "amount"]


class ProjectSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "number", "name", "area_code", "area_name", "category", "year", "responsible_unit",
                  "planned_start", "planned_finish", "actual_start", "actual_finish", "budget_total", "budget_lines",
                  "expected_households", "expected_persons", "actual_households", "actual_persons",
                  "benefit_mechanism", "status", "status_display", "approved_on", "version"]


class BudgetInputSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="资金来源代码")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class ProjectCreateSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="区划代码（县、乡镇或行政村）")
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=ProjectCategory.choices)
    year = serializers.IntegerField(min_value=2013, max_value=2100)
    responsible_unit = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    planned_start = serializers.DateField()
    planned_finish = serializers.DateField()
    expected_households = serializers.IntegerField(min_value=0)
    expected_persons = serializers.IntegerField(min_value=0)
    benefit_mechanism = serializers.ChoiceField(choices=BenefitMechanism.choices)
    benefit_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    budget = BudgetInputSerializer(many=True)
    beneficiary_household_numbers = serializers.ListField(child=serializers.CharField(), required=False)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["submit", "admit", "return", "approve", "accept", "reject_acceptance",
                                              "close", "cancel"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, help_text=(
        "必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已办理或修改时返回 409"))
