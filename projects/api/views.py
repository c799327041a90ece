"""/api/v1/projects/: scoped reads; create and lifecycle transitions through the services."""
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from households.models import Household
from povalleviation.access import Capability
from povalleviation.api.versions import (
    ETAG,
    IF_MATCH,
    VERSION_RESPONSES,
    expected_version,
    with_etag,
)
from povalleviation.api.viewsets import ScopedReadOnlyViewSet
from povalleviation.errors import ApplicationError
from projects import services
from projects.api.serializers import ProjectCreateSerializer, ProjectSerializer, TransitionSerializer
from projects.models import FundSource, Project
from villages.codes import area_prefix
from villages.models import Area


class ProjectViewSet(ScopedReadOnlyViewSet):
    """扶贫项目: list (filters year, status, area), retrieve, create (申报草稿), transition."""

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    default_capability = Capability.PROJECT_VIEW
    capabilities = {"create": Capability.PROJECT_SUBMIT, "transition": Capability.PROJECT_VIEW}
    list_select_related = ("area",)
    ordering_default = ("-year", "area_code", "number")

    def get_queryset(self):
        queryset = super().get_queryset().prefetch_related("budget_lines__source")
        params = self.request.query_params
        if params.get("year", "").isdigit():
            queryset = queryset.filter(year=int(params["year"]))
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("area", "").isdigit():
            queryset = queryset.filter(area_code__startswith=area_prefix(params["area"]))
        return queryset

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer})
    def create(self, request):
        data = self.validated_payload(ProjectCreateSerializer)
        area = self.in_scope(Area, Capability.PROJECT_SUBMIT, code=data.pop("area"))
        sources = {s.code: s for s in FundSource.objects.all()}
        budget = []
        for line in data.pop("budget"):
            if line["source"] not in sources:
                raise ApplicationError(f"未知的资金来源代码 {line['source']}", field_errors={"budget": "资金来源代码有误"})
            budget.append({"source": sources[line["source"]], "amount": line["amount"]})
        numbers = data.pop("beneficiary_household_numbers", [])
        households = list(Household.objects.visible_to(request.user, Capability.HOUSEHOLD_VIEW).filter(household_number__in=numbers))
        if len(households) != len(set(numbers)):
            raise ApplicationError("部分户编号不存在或不在您的范围内。", field_errors={"beneficiary_household_numbers": "户编号有误"})
        project = services.project_create(actor=request.user, area=area, data=data, budget=budget, beneficiaries=households)
        return Response(ProjectSerializer(Project.objects.prefetch_related("budget_lines__source").select_related("area")
                                          .get(pk=project.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProjectSerializer, parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        project = self.get_object()
        return with_etag(Response(ProjectSerializer(project).data), project.version)

    @extend_schema(request=TransitionSerializer, responses={200: ProjectSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """申报 / 入库 / 退回 / 批复 / 验收 / 完结 / 取消; each service checks capability, area and self-approval."""
        project = self.get_object()
        data = self.validated_payload(TransitionSerializer)
        version = expected_version(request, data)
        name, reason = data["action"], data["reason"]
        seen = {"actor": request.user, "project": project, "expected_version": version}
        calls = {
            "submit": lambda: services.project_submit(**seen),
            "admit": lambda: services.project_admit(**seen, reason=reason),
            "return": lambda: services.project_return(**seen, reason=reason),
            "approve": lambda: services.project_approve(**seen, reason=reason),
            "accept": lambda: services.project_accept(**seen, passed=True, reason=reason),
            "reject_acceptance": lambda: services.project_accept(**seen, passed=False, reason=reason),
            "close": lambda: services.project_close(**seen, reason=reason),
            "cancel": lambda: services.project_cancel(**seen, reason=reason),
        }
        calls[name]()
        project = self.get_queryset().get(pk=project.pk)
        return with_etag(Response(ProjectSerializer(project).data), project.version)
