"""/api/v1/eligibility-results/, /api/v1/area-eligibility-results/ and /api/v1/recompute-runs/: scoped
reads; a run is started through the service."""
import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from assessments.eligibility.models import AreaEligibilityResult, EligibilityResult, RecomputeRun
from assessments.eligibility.selectors import result_details
from assessments.eligibility.services import recompute_run_start
from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedReadOnlyViewSet
from villages.codes import area_prefix
from villages.models import Area


class EligibilityResultSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    area_code = serializers.CharField(source="household.area_code", read_only=True)
    criteria = serializers.JSONField(read_only=True, help_text="各项指标的原因代码；有住院费用时 _hospital 为所用数值")
    criteria_detail = serializers.SerializerMethodField(help_text="各项指标：结论、原因与所用数值、参数记录")
    data_fingerprint = serializers.CharField(read_only=True, help_text="所用数据的 MD5 指纹")

    class Meta:
        model = EligibilityResult
        fields = ["id", "household", "household_number", "head_name", "area_code", "year", "passed", "criteria",
                  "criteria_detail", "income_record_id", "per_capita_income", "conditions_id", "members", "uninsured",
                  "school_age", "dropouts", "school_status_missing", "parameter_version", "data_fingerprint",
                  "computed_at", "run"]

    def get_criteria_detail(self, result) -> dict:
        return self.context["details"][result.pk]



class ResultFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    passed = django_filters.BooleanFilter()
    area = django_filters.CharFilter(method="filter_area", label="区划代码（含下级）")
    area_path = "household__area_code"

    def filter_area(self, queryset, name, value):
        return queryset.filter(**{f"{self.area_path}__startswith": area_prefix(value)})



class EligibilityResultFilter(ResultFilter):
    class Meta:
        model = EligibilityResult
        fields = ["year", "passed"]



class EligibilityResultViewSet(ScopedReadOnlyViewSet):
    """户脱贫标准评估 (advisory), scoped like the households: ?year=&area=&passed=."""

    queryset = EligibilityResult.objects.all()
    serializer_class = EligibilityResultSerializer
    filterset_class = EligibilityResultFilter
    default_capability = Capability.HOUSEHOLD_VIEW
    list_select_related = ("household",)
    ordering_default = ("household__area_code", "household_id", "-year")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()])[0])

    def _serialize(self, results):
        details, _ = result_details(results)
        return EligibilityResultSerializer(results, many=True, context={**self.get_serializer_context(),
                                                                        "details": details}).data



class AreaEligibilityResultSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = AreaEligibilityResult
        fields = ["id", "area_code", "area_name", "level", "year", "passed", "criteria", "parameter_version",
                  "data_fingerprint", "computed_at", "run"]



class AreaEligibilityResultFilter(ResultFilter):
    area_path = "area__code"

    class Meta:
        model = AreaEligibilityResult
        fields = ["year", "passed", "level"]



class AreaEligibilityResultViewSet(ScopedReadOnlyViewSet):
    """村、县退出标准评估: ?year=&area=&level=."""

    queryset = AreaEligibilityResult.objects.all()
    serializer_class = AreaEligibilityResultSerializer
    filterset_class = AreaEligibilityResultFilter
    default_capability = Capability.POLICY_VIEW
    list_select_related = ("area",)
    ordering_default = ("-year", "area__code")



class RecomputeRunSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    requested_by = serializers.StringRelatedField(read_only=True, allow_null=True)  # null for nightly runs

    class Meta:
        model = RecomputeRun
        fields = ["id", "job", "area_code", "area_name", "year", "status", "trigger", "parameter_version", "total",
                  "evaluated", "changed_count", "passed_count", "failed_count", "unknown_count", "areas_evaluated",
                  "progress", "error", "requested_by", "created_at", "started_at", "finished_at", "duration_seconds"]



class RecomputeRunStartSerializer(serializers.Serializer):
    area = serializers.CharField(max_length=15, help_text="县（或乡镇、村）的区划代码")
    year = serializers.IntegerField()



class RecomputeRunViewSet(ScopedReadOnlyViewSet):
    """重算批次: scoped list and detail; POST starts a run (queued when the request commits)."""

    queryset = RecomputeRun.objects.all()
    serializer_class = RecomputeRunSerializer
    default_capability = Capability.POLICY_VIEW
    capabilities = {"create": Capability.ELIGIBILITY_RECOMPUTE}
    list_select_related = ("area", "requested_by")
    ordering_default = ("-created_at", "-id")

    @extend_schema(request=RecomputeRunStartSerializer, responses={202: RecomputeRunSerializer})
    def create(self, request):
        data = self.validated_payload(RecomputeRunStartSerializer)
        area = self.in_scope(Area, Capability.ELIGIBILITY_RECOMPUTE, code=data["area"])
        run = recompute_run_start(actor=request.user, area=area, year=data["year"])
        return Response(RecomputeRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
