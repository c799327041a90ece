"""/api/v1/reports/ — quarterly reports, read-only, scoped like every endpoint (filters area, year, quarter, status)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedViewSetMixin
from reports.api.serializers import QuarterlyReportDetailSerializer, QuarterlyReportSerializer
from reports.models import QuarterlyReport
from reports.selectors import filter_reports

FILTERS = [
    OpenApiParameter("area", OpenApiTypes.STR, description="区划代码前缀"),
    OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("quarter", OpenApiTypes.INT),
    OpenApiParameter("status", OpenApiTypes.STR),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class QuarterlyReportViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """季度进展报告（只读）；列表不含数据快照，详情含快照。"""

    queryset = QuarterlyReport.objects.all()
    serializer_class = QuarterlyReportSerializer
    default_capability = Capability.REPORT_VIEW
    list_select_related = ("area",)
    ordering_default = ("-year", "-quarter", "area_code", "-version")

    def get_serializer_class(self):
        return QuarterlyReportDetailSerializer if self.action == "retrieve" else QuarterlyReportSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.defer("snapshot")
        return filter_reports(queryset, self.request.query_params)
