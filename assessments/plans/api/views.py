"""/api/v1/exit-plans/ (scoped list/retrieve; create, edit, approve, revise through the services) and
/api/v1/plan-vs-actual/?area=CODE&year=YYYY."""
import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments.plans import services as plan_services
from assessments.plans.models import PLAN_FIGURES, ExitPlan, ExitPlanStatus
from assessments.plans.selectors import exit_plan_list, exit_plan_versions, plan_sum_warnings, plan_vs_actual
from povalleviation.access import Capability
from povalleviation.api.viewsets import HasActionCapability, ScopedReadOnlyViewSet
from povalleviation.errors import ApplicationError
from villages.models import Area

_FIGURE_KWARGS = {"required": False, "allow_null": True, "min_value": 0}


class ExitPlanSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    # A plain string (not a choice field) so the schema's enum names stay unique across apps.
    status = serializers.CharField(read_only=True, help_text="draft 草稿 / approved 已审批（锁定）/ superseded 已被取代")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.StringRelatedField(allow_null=True)  # null for plans loaded from the seed file
    approved_by = serializers.StringRelatedField(allow_null=True)  # null until approved

    class Meta:
        model = ExitPlan
        fields = [
            "id", "area", "area_name", "year", "version", "previous", "status", "status_display", *PLAN_FIGURES,
            "persons_wan", "source", "note", "revision_reason", "created_by", "approved_by", "approved_at",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class ExitPlanDetailSerializer(ExitPlanSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(ExitPlanSerializer.Meta):
        fields = [*ExitPlanSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, plan) -> list[str]:
        return plan_sum_warnings(plan=plan)


class ExitPlanFiguresSerializer(serializers.Serializer):
    households = serializers.IntegerField(**_FIGURE_KWARGS)
    persons = serializers.IntegerField(**_FIGURE_KWARGS)
    persons_wan = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True, min_value=0)
    villages = serializers.IntegerField(**_FIGURE_KWARGS)
    townships = serializers.IntegerField(**_FIGURE_KWARGS)
    counties = serializers.IntegerField(**_FIGURE_KWARGS)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ExitPlanCreateSerializer(ExitPlanFiguresSerializer):
    area = serializers.CharField(max_length=15)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class ExitPlanReviseSerializer(ExitPlanFiguresSerializer):
    reason = serializers.CharField(max_length=300)


class ExitPlanViewSet(ScopedReadOnlyViewSet):
    """年度脱贫计划: the user's areas only; a locked (approved) plan changes only through a revision."""

    queryset = ExitPlan.objects.all()
    serializer_class = ExitPlanSerializer
    default_capability = Capability.PLAN_VIEW
    capabilities = {
        "create": Capability.PLAN_EDIT, "update": Capability.PLAN_EDIT, "partial_update": Capability.PLAN_EDIT,
        "approve": Capability.PLAN_EDIT, "revise": Capability.PLAN_EDIT, "versions": Capability.PLAN_VIEW,
    }
    list_select_related = ("area", "area__parent", "created_by", "approved_by")
    ordering_default = ("-year", "area__code", "version")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        year = params.get("year", "")
        queryset = exit_plan_list(user=self.request.user, year=int(year) if year.isdigit() else None,
                                  area_code=params.get("area") or None,
                                  include_superseded=params.get("all_versions") in ("1", "true"))
        if params.get("status") in ExitPlanStatus.values:
            queryset = queryset.filter(status=params["status"])
        return queryset

    def get_serializer_class(self):
        return ExitPlanDetailSerializer if self.action == "retrieve" else ExitPlanSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="计划年度"),
            OpenApiParameter("area", str, description="区划代码（含下级）"),
            OpenApiParameter("status", str, enum=ExitPlanStatus.values),
            OpenApiParameter("all_versions", bool, description="包含已被取代的版本"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _reply(self, plan, code=status.HTTP_200_OK):
        plan = ExitPlan.objects.select_related("area", "area__parent", "created_by", "approved_by").get(pk=plan.pk)
        return Response(ExitPlanDetailSerializer(plan).data, status=code)

    @extend_schema(request=ExitPlanCreateSerializer, responses={201: ExitPlanDetailSerializer})
    def create(self, request):
        data = self.validated_payload(ExitPlanCreateSerializer)
        area = self.in_scope(Area, Capability.PLAN_EDIT, code=data.pop("area"))
        plan = plan_services.exit_plan_create(actor=request.user, area=area, **data)
        return self._reply(plan, status.HTTP_201_CREATED)

    @extend_schema(request=ExitPlanFiguresSerializer, responses=ExitPlanDetailSerializer)
    def update(self, request, pk=None, partial=False):
        plan = self.get_object()
        data = self.validated_payload(ExitPlanFiguresSerializer, partial=partial)
        plan = plan_services.exit_plan_update(actor=request.user, plan=plan, **data)
        return self._reply(plan)

    @extend_schema(request=ExitPlanFiguresSerializer, responses=ExitPlanDetailSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(request=None, responses=ExitPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve and lock a draft (another person with plan.edit at the same or a higher level)."""
        plan = plan_services.exit_plan_approve(actor=request.user, plan=self.get_object())
        return self._reply(plan)

    @extend_schema(request=ExitPlanReviseSerializer, responses={201: ExitPlanDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new draft version of an approved plan, referencing it."""
        plan = self.get_object()
        data = self.validated_payload(ExitPlanReviseSerializer)
        revision = plan_services.exit_plan_revise(actor=request.user, plan=plan, reason=data.pop("reason"), **data)
        return self._reply(revision, status.HTTP_201_CREATED)

    @extend_schema(responses=ExitPlanSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, not a page
    def versions(self, request, pk=None):
        """Every version of this plan's area and year."""
        return Response(ExitPlanSerializer(exit_plan_versions(plan=self.get_object()), many=True).data)


def _figures(values):
    return None if values is None else dict(values)


def _percentages(values):
    return {name: float(value) if value is not None else None for name, value in values.items()}


def _row(row):
    plan = row["plan"]
    return {
        "area": row["area"].code, "area_name": row["area"].name, "level": row["area"].level,
        "plan_id": plan.pk if plan else None, "plan_version": plan.version if plan else None,
        "plan_status": plan.status if plan else None, "planned": _figures(row["planned"]), "actual": row["actual"],
        "completion": _percentages(row["completion"]),
    }


class PlanVsActualViewSet(viewsets.ViewSet):
    """计划与实际对比: one area (and its children) in one year; actual exits from the status history."""

    permission_classes = [permissions.IsAuthenticated, HasActionCapability]

    def capability_for(self, action):
        return Capability.PLAN_VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, required=True, description="区划代码"),
            OpenApiParameter("year", int, required=True, description="年度"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="截至日期（默认今天或年底）"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        code = request.query_params.get("area", "").strip()
        year = request.query_params.get("year", "").strip()
        as_of = request.query_params.get("as_of", "").strip()
        errors = {}
        if not code:
            errors["area"] = "必填"
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            errors["year"] = "请填写 2000—2100 之间的年度"
        try:
            as_of_date = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            errors["as_of"] = "日期格式应为 YYYY-MM-DD"
        if errors:
            raise ApplicationError("请指定区域和年度", field_errors=errors)
        data = plan_vs_actual(user=request.user, area_code=code, year=int(year), as_of=as_of_date)
        base = data["base"]
        return Response({
            "area": {"code": data["area"].code, "name": data["area"].name, "level": data["area"].level},
            "year": data["year"], "as_of": data["as_of"].isoformat(),
            "own": _row(data["own"]), "children": [_row(row) for row in data["rows"]],
            "children_planned": data["children_planned"], "children_actual": data["children_actual"],
            "warnings": data["warnings"],
            "base": None if base is None else {
                "base_year": base.base_year, "end_year": base.end_year, "label": base.label, "source": base.source,
                **base.figures(), "persons_wan": str(base.persons_wan) if base.persons_wan is not None else None,
                "prior_exited_households": base.prior_exited_households,
                "prior_exited_persons": base.prior_exited_persons,
                "prior_exited_villages": base.prior_exited_villages,
                "prior_exited_townships": base.prior_exited_townships,
            },
            "series": [
                {"year": item["year"], "planned": _figures(item["planned"]), "actual": item["actual"],
                 "completion": _percentages(item["completion"]), "planned_cumulative": item["planned_cumulative"],
                 "actual_cumulative": item["actual_cumulative"],
                 "completion_cumulative": _percentages(item["completion_cumulative"])}
                for item in data["series"]
            ],
        })
