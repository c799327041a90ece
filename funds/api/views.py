"""/api/v1/fund-allocations/, /api/v1/disbursements/, /api/v1/spend-ratios/ — scoped like every endpoint."""
import datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from funds import services
from funds.api.serializers import (
    DisbursementCreateSerializer,
    DisbursementSerializer,
    FundAllocationCreateSerializer,
    FundAllocationSerializer,
    PublishSerializer,
    ReviewSerializer,
    SpendRatioSerializer,
)
from funds.choices import DisbursementStatus
from funds.models import Disbursement, FundAllocation, ProjectFunding
from funds.selectors import spend_summary
from povalleviation.access import Capability, covers
from povalleviation.api.versions import (
    ETAG,
    IF_MATCH,
    VERSION_RESPONSES,
    expected_version,
    with_etag,
)
from povalleviation.api.viewsets import HasActionCapability, ScopedReadOnlyViewSet, visible_or_not_found
from povalleviation.errors import ApplicationError
from projects.models import FundSource
from villages.models import Area


def _year_filter(queryset, params):
    if params.get("year", "").isdigit():
        queryset = queryset.filter(year=int(params["year"]))
    if params.get("area", "").isdigit():
        queryset = queryset.filter(area_code__startswith=params["area"])
    return queryset


class FundAllocationViewSet(ScopedReadOnlyViewSet):
    """资金下达 (filters: year; area = code prefix of the receiving area)."""

    queryset = FundAllocation.objects.all()
    serializer_class = FundAllocationSerializer
    default_capability = Capability.FUND_VIEW
    capabilities = {"create": Capability.FUND_ALLOCATE, "publish": Capability.FUND_ALLOCATE}
    list_select_related = ("source", "area")
    ordering_default = ("-year", "area_code", "id")

    def get_queryset(self):
        return _year_filter(super().get_queryset(), self.request.query_params)

    @extend_schema(request=FundAllocationCreateSerializer, responses={201: FundAllocationSerializer})
    def create(self, request):
        data = self.validated_payload(FundAllocationCreateSerializer)
        area = self.in_scope(Area, Capability.FUND_ALLOCATE, code=data.pop("area"))
        source = FundSource.objects.filter(code=data.pop("source")).first()
        if source is None:
            raise ApplicationError("未知的资金来源代码", field_errors={"source": "资金来源代码有误"})
        allocation = services.fund_allocation_create(actor=request.user, source=source, area=area, **data)
        return Response(FundAllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=FundAllocationSerializer, parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        allocation = self.get_object()
        return with_etag(Response(FundAllocationSerializer(allocation).data), allocation.version)

    @extend_schema(request=PublishSerializer, responses={200: FundAllocationSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """分配结果公开 (P-FD-08), with the version read."""
        allocation = self.get_object()
        data = self.validated_payload(PublishSerializer)
        version = expected_version(request, data)
        allocation = services.fund_allocation_publish(actor=request.user, allocation=allocation, expected_version=version,
                                                      **data)
        return with_etag(Response(FundAllocationSerializer(allocation).data), allocation.version)


class DisbursementViewSet(ScopedReadOnlyViewSet):
    """报账凭证 (filters: year; area = receiving area's code prefix); create and review through the services."""

    queryset = Disbursement.objects.all()
    serializer_class = DisbursementSerializer
    default_capability = Capability.FUND_VIEW
    capabilities = {"create": Capability.DISBURSEMENT_RECORD, "review": Capability.FUND_VIEW}
    list_select_related = ("source", "project")
    ordering_default = ("-paid_on", "-id")

    def get_queryset(self):
        return _year_filter(super().get_queryset(), self.request.query_params)

    @extend_schema(request=DisbursementCreateSerializer, responses={201: DisbursementSerializer})
    def create(self, request):
        data = self.validated_payload(DisbursementCreateSerializer)
        funding = self.in_scope(ProjectFunding, Capability.DISBURSEMENT_RECORD, "找不到该资金安排，或不在您的工作范围内。",
                                pk=data.pop("funding"))
        disbursement = services.fund_disburse(actor=request.user, funding=funding, **data)
        disbursement = Disbursement.objects.select_related("source", "project").get(pk=disbursement.pk)
        return Response(DisbursementSerializer(disbursement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """乡级 or 县级 审核, whichever step the voucher is at and the user holds."""
        disbursement = self.get_object()
        data = self.validated_payload(ReviewSerializer)
        township_step = disbursement.status == DisbursementStatus.RECORDED and covers(
            request.user, Capability.DISBURSEMENT_REVIEW_TOWNSHIP, disbursement.project_area_code)
        review = services.disbursement_review_township if township_step else services.disbursement_review_county
        review(actor=request.user, disbursement=disbursement, **data)
        return Response(DisbursementSerializer(self.get_queryset().get(pk=disbursement.pk)).data)


def _row(row):
    area = row.get("area")
    source = row.get("source")
    return {"label": row["label"], "code": source.code if source else (area.code if area else None),
            "allocated": row["allocated"], "disbursed": row["disbursed"], "pending": row["pending"],
            "ratio": row["ratio"], "target": row["target"], "below_target": row["below_target"]}


def _contribution(area, result):
    return {"area": area.code, "area_name": area.name, "policy_ref": result["policy_ref"], "parameter": result["code"],
            "label": result["label"], "measured": result["measured"], "measured_text": result["measured_text"],
            "target": result["target_text"], "below_target": result["below_target"], "detail": result["detail"],
            "citation": result["citation"]}


class SpendRatioView(APIView):
    """支出进度 of an area (and its sources and sub-areas) for a fiscal year as of a date, with the local
    contribution targets (P-FD-04…07) evaluated for the area and its sub-areas."""

    permission_classes = [permissions.IsAuthenticated, HasActionCapability]

    def capability_for(self, action):
        return Capability.FUND_VIEW

    action = "list"

    @extend_schema(parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, required=True, description="区划代码"),
        OpenApiParameter("year", OpenApiTypes.INT, required=True, description="资金年度"),
        OpenApiParameter("as_of", OpenApiTypes.DATE, required=False, description="截至日期，默认今天或年末"),
    ], responses=SpendRatioSerializer)
    def get(self, request):
        params = request.query_params
        try:
            year = int(params.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError(year)
            as_of = datetime.date.fromisoformat(params["as_of"]) if params.get("as_of") else min(
                timezone.localdate(), datetime.date(year, 12, 31))
        except (ValueError, OverflowError) as error:
            raise ValidationError({"year": "year 必须是年份，as_of 必须是 YYYY-MM-DD"}) from error
        area = visible_or_not_found(Area, request.user, Capability.FUND_VIEW, code=params.get("area", ""))
        summary = spend_summary(area=area, year=year, as_of=as_of)
        data = {"area": area.code, "year": year, "as_of": as_of, "total": _row(summary["total"]),
                "by_source": [_row(r) for r in summary["by_source"]], "by_area": [_row(r) for r in summary["by_child"]],
                "local_contribution": {k: (str(v) if v is not None else None) for k, v in summary["local_contribution"].items()},
                "contribution_targets": [_contribution(item["area"], result) for item in summary["contributions"]
                                         for result in item["results"]]}
        return Response(SpendRatioSerializer(data).data)
