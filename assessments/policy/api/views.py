"""/api/v1/policy-parameters/: scoped reads; writes through the services."""
import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from assessments.policy.models import Comparator, ParameterCode, PolicyParameter
from assessments.policy.selectors import parameter_history
from assessments.policy.services import EDITABLE_FIELDS, policy_parameter_create, policy_parameter_revise
from povalleviation.access import Capability
from povalleviation.api.versions import (
    ETAG,
    IF_MATCH,
    VERSION_RESPONSES,
    expected_version,
    with_etag,
)
from povalleviation.api.viewsets import ScopedViewSetMixin
from povalleviation.errors import NotFound
from villages.codes import area_prefix
from villages.models import Area


class PolicyParameterSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    code_display = serializers.CharField(source="get_code_display", read_only=True)
    display = serializers.CharField(read_only=True)
    created_by = serializers.StringRelatedField(read_only=True, allow_null=True)  # null for loaded parameters

    class Meta:
        model = PolicyParameter
        fields = [
            "id", "series", "version", "code", "code_display", "area_code", "area_name", "year_from", "year_to", "value",
            "unit", "comparator", "display", "price_base_year", "policy_ref", "source_citation", "is_from_seeds", "note",
            "is_current", "change_reason", "created_by", "created_at", "superseded_at", "supersede_reason",
        ]


class PolicyParameterWriteSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ParameterCode.choices, required=False)
    area = serializers.CharField(max_length=15, required=False, help_text="区划代码（新建时必填）")
    year_from = serializers.IntegerField(required=False)
    year_to = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, allow_null=True)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    comparator = serializers.ChoiceField(choices=Comparator.choices, required=False, allow_blank=True)
    price_base_year = serializers.IntegerField(required=False, allow_null=True)
    policy_ref = serializers.CharField(max_length=20, required=False, allow_blank=True)
    source_citation = serializers.CharField(max_length=300, required=False)
    is_from_seeds = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField(required=False, help_text=(
        "修改时必须提供读取到的版本号（或用 If-Match 头）：都没有时返回 428，他人已修改或停用时返回 409"))


class PolicyParameterFilter(django_filters.FilterSet):
    code = django_filters.ChoiceFilter(choices=ParameterCode.choices)
    area = django_filters.CharFilter(method="filter_area", label="区划代码（含下级）")
    year = django_filters.NumberFilter(method="filter_year", label="适用年度")
    current = django_filters.BooleanFilter(method="filter_current", label="仅现行版本（默认是）")

    class Meta:
        model = PolicyParameter
        fields = ["code", "is_from_seeds"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area__code__startswith=area_prefix(value))

    def filter_year(self, queryset, name, value):
        return queryset.covering_year(int(value))

    def filter_current(self, queryset, name, value):
        return queryset if value is False else queryset.filter(is_current=True)

    @property
    def qs(self):
        queryset = super().qs
        if "current" not in self.data:
            queryset = queryset.filter(is_current=True)
        return queryset


class PolicyParameterViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    """政策参数: scoped list and detail; create / update write new versions through the services."""

    queryset = PolicyParameter.objects.all()
    serializer_class = PolicyParameterSerializer
    filterset_class = PolicyParameterFilter
    default_capability = Capability.POLICY_VIEW
    capabilities = {"create": Capability.POLICY_EDIT, "update": Capability.POLICY_EDIT,
                    "partial_update": Capability.POLICY_EDIT, "history": Capability.POLICY_VIEW}
    list_select_related = ("area", "created_by")
    ordering_default = ("area__code", "code", "year_from", "-version")

    @extend_schema(request=PolicyParameterWriteSerializer, responses={201: PolicyParameterSerializer})
    def create(self, request):
        payload = PolicyParameterWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        area = Area.objects.visible_to(request.user, Capability.POLICY_EDIT).filter(code=data.pop("area", "")).first()
        if area is None:
            raise NotFound("找不到该区域，或不在您的工作范围内。")
        for required in ("code", "year_from", "source_citation"):
            if required not in data:
                raise serializers.ValidationError({required: ["必填"]})
        parameter = policy_parameter_create(actor=request.user, area=area, **data)
        return Response(PolicyParameterSerializer(parameter).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PolicyParameterSerializer, parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        parameter = self.get_object()
        return with_etag(Response(self.get_serializer(parameter).data), parameter.version)

    @extend_schema(request=PolicyParameterWriteSerializer, responses={200: PolicyParameterSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    def update(self, request, pk=None, partial=False):
        # Superseded rows too (the list filter shows current ones only): a stale save is a 409, not a 404.
        parameter = get_object_or_404(self.get_queryset(), pk=pk)
        payload = PolicyParameterWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data)
        changes = {name: data[name] for name in EDITABLE_FIELDS if name in data}
        revised = policy_parameter_revise(actor=request.user, parameter=parameter, reason=data.get("reason", ""),
                                          expected_version=version, **changes)
        return with_etag(Response(PolicyParameterSerializer(revised).data), revised.version)

    @extend_schema(request=PolicyParameterWriteSerializer, responses={200: PolicyParameterSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(responses=PolicyParameterSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, not a page
    def history(self, request, pk=None):
        """Every version of this parameter, newest first."""
        return Response(PolicyParameterSerializer(parameter_history(parameter=self.get_object()), many=True).data)
