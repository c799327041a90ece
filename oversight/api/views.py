"""/api/v1/inspections/, /api/v1/rectification-items/, /api/v1/complaints/: scoped reads; writes via services."""
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from households.models import Household
from oversight import services
from oversight.api.serializers import (
    ComplaintContactSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintSerializer,
    ComplaintTransitionSerializer,
    DeadlineInputSerializer,
    EscalationInputSerializer,
    InspectionCreateSerializer,
    InspectionSerializer,
    ItemTransitionSerializer,
    ProgressInputSerializer,
    RectificationItemDetailSerializer,
    RectificationItemSerializer,
)
from oversight.models import Complaint, ComplaintHistory, Inspection, RectificationHistory, RectificationItem
from oversight.selectors import complaint_list, item_list
from povalleviation.access import Capability
from povalleviation.api.versions import (
    ETAG,
    IF_MATCH,
    VERSION_RESPONSES,
    expected_version,
    with_etag,
)
from povalleviation.api.viewsets import ScopedReadOnlyViewSet, visible_or_not_found
from povalleviation.errors import ApplicationError
from villages.models import Area


def _area(user, capability, code, field):
    return visible_or_not_found(Area, user, capability, field_errors={field: "区划代码有误或不在您的范围内"}, code=code)


class _TodayContext:
    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": timezone.localdate()}


class InspectionViewSet(ScopedReadOnlyViewSet):
    """督查检查: list, retrieve, create with its finding tree (大类 → 条 → 具体问题)."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    default_capability = Capability.INSPECTION_VIEW
    capabilities = {"create": Capability.INSPECTION_MANAGE}
    list_select_related = ("area", "issuer_area")
    ordering_default = ("-feedback_on", "-id")

    @extend_schema(request=InspectionCreateSerializer, responses={201: InspectionSerializer})
    def create(self, request):
        data, user = self.validated_payload(InspectionCreateSerializer), request.user
        issuer = _area(user, Capability.INSPECTION_MANAGE, data.pop("issuer_area"), "issuer_area")
        area = _area(user, Capability.INSPECTION_MANAGE, data.pop("area"), "area")
        findings = []
        for finding in data.pop("findings"):
            items = [dict(item, area=_area(user, Capability.INSPECTION_MANAGE, item["area"], "findings")) for item in finding["items"]]
            findings.append({"category": finding["category"], "text": finding["text"], "items": items})
        inspection = services.inspection_create(actor=user, issuer_area=issuer, area=area, data=data, findings=findings)
        return Response(InspectionSerializer(Inspection.objects.select_related("area", "issuer_area").get(pk=inspection.pk)).data,
                        status=status.HTTP_201_CREATED)


ITEM_FILTERS = [
    OpenApiParameter("source", OpenApiTypes.STR, description="问题来源"),
    OpenApiParameter("category", OpenApiTypes.STR, description="问题大类"),
    OpenApiParameter("status", OpenApiTypes.STR, description="状态"),
    OpenApiParameter("area", OpenApiTypes.STR, description="区划代码（含下级）"),
    OpenApiParameter("overdue", OpenApiTypes.STR, description="1 = 只看超期"),
    OpenApiParameter("inspection", OpenApiTypes.INT, description="督查检查 id"),
]


class RectificationItemViewSet(_TodayContext, ScopedReadOnlyViewSet):
    """整改事项: list (filters), retrieve with history; progress, transitions, deadline and escalation via services."""

    queryset = RectificationItem.objects.all()
    serializer_class = RectificationItemSerializer
    default_capability = Capability.INSPECTION_VIEW
    capabilities = {"progress": Capability.INSPECTION_VIEW, "transition": Capability.INSPECTION_VIEW, "deadline": Capability.INSPECTION_VIEW,
                    "escalate": Capability.INSPECTION_VIEW}

    def get_queryset(self):
        if self.action == "list":
            return item_list(user=self.request.user, params=self.request.query_params)
        return (RectificationItem.objects.visible_to(self.request.user, Capability.INSPECTION_VIEW)
                .select_related("area", "finding__inspection")
                .prefetch_related(_history_prefetch()).order_by("id"))

    def get_serializer_class(self):
        return RectificationItemSerializer if self.action == "list" else RectificationItemDetailSerializer

    @extend_schema(parameters=ITEM_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _detail(self, item):
        item = self.get_queryset().get(pk=item.pk)
        return with_etag(Response(RectificationItemDetailSerializer(item, context=self.get_serializer_context()).data),
                         item.version)

    @extend_schema(responses=RectificationItemDetailSerializer, parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request={"multipart/form-data": ProgressInputSerializer}, responses=RectificationItemDetailSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def progress(self, request, pk=None):
        """报送整改进展（可附佐证材料）."""
        item = self.get_object()
        data = self.validated_payload(ProgressInputSerializer)
        services.rectification_progress_add(actor=request.user, item=item, text=data["text"], evidence=data.get("evidence"))
        return self._detail(item)

    @extend_schema(request=ItemTransitionSerializer, responses={200: RectificationItemDetailSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """申请销号 / 对账通过 / 对账退回 / 销号 / 重新整改; each service checks capability, area and self-verification."""
        item = self.get_object()
        data, user = self.validated_payload(ItemTransitionSerializer), request.user
        version = expected_version(request, data)
        name, text = data["action"], data["text"]
        seen = {"actor": user, "item": item, "expected_version": version}
        calls = {
            "submit": lambda: services.rectification_item_submit(**seen, summary=text),
            "verify": lambda: services.rectification_item_verify(**seen, passed=True, note=text),
            "return": lambda: services.rectification_item_verify(**seen, passed=False, note=text),
            "close": lambda: services.rectification_item_close(**seen, note=text),
            "reopen": lambda: services.rectification_item_reopen(**seen, reason=text),
        }
        calls[name]()
        return self._detail(item)

    @extend_schema(request=DeadlineInputSerializer, responses={200: RectificationItemDetailSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    @action(detail=True, methods=["post"])
    def deadline(self, request, pk=None):
        """调整整改时限（组织单位）."""
        item = self.get_object()
        data = self.validated_payload(DeadlineInputSerializer)
        version = expected_version(request, data)
        services.rectification_item_set_deadline(actor=request.user, item=item, expected_version=version, **data)
        return self._detail(item)

    @extend_schema(request=EscalationInputSerializer, responses=RectificationItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """约谈 / 通报 an overdue item."""
        item = self.get_object()
        services.escalation_record(actor=request.user, item=item, **self.validated_payload(EscalationInputSerializer))
        return self._detail(item)


def _history_prefetch():
    from django.db.models import Prefetch

    return Prefetch("history", RectificationHistory.objects.select_related("actor"))


COMPLAINT_FILTERS = [
    OpenApiParameter("channel", OpenApiTypes.STR, description="渠道"),
    OpenApiParameter("status", OpenApiTypes.STR, description="状态"),
    OpenApiParameter("area", OpenApiTypes.STR, description="区划代码（含下级）"),
    OpenApiParameter("overdue", OpenApiTypes.STR, description="1 = 只看超期未答复"),
]


class ComplaintViewSet(_TodayContext, ScopedReadOnlyViewSet):
    """投诉信访: list (contacts masked), retrieve with history, receive, and the handling steps via services."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    default_capability = Capability.COMPLAINT_VIEW
    capabilities = {"create": Capability.COMPLAINT_MANAGE, "transition": Capability.COMPLAINT_VIEW, "reveal": Capability.COMPLAINT_VIEW}

    def get_queryset(self):
        if self.action == "list":
            return complaint_list(user=self.request.user, params=self.request.query_params).select_related("household")
        from django.db.models import Prefetch

        return (Complaint.objects.visible_to(self.request.user, Capability.COMPLAINT_VIEW).select_related("area", "household")
                .prefetch_related(Prefetch("history", ComplaintHistory.objects.select_related("actor"))).order_by("id"))

    def get_serializer_class(self):
        return ComplaintSerializer if self.action == "list" else ComplaintDetailSerializer

    @extend_schema(parameters=COMPLAINT_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _detail(self, complaint):
        complaint = self.get_queryset().get(pk=complaint.pk)
        return with_etag(Response(ComplaintDetailSerializer(complaint, context=self.get_serializer_context()).data),
                         complaint.version)

    @extend_schema(responses=ComplaintDetailSerializer, parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintDetailSerializer})
    def create(self, request):
        data = self.validated_payload(ComplaintCreateSerializer)
        area = _area(request.user, Capability.COMPLAINT_MANAGE, data.pop("area"), "area")
        household = None
        if number := data.pop("household_number"):
            household = Household.objects.visible_to(request.user, Capability.HOUSEHOLD_VIEW).filter(household_number=number).first()
            if household is None:
                raise ApplicationError("找不到该户编号，或不在您的范围内。", field_errors={"household_number": "户编号有误"})
        complaint = services.complaint_receive(actor=request.user, area=area, household=household, **data)
        response = self._detail(complaint)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=None, responses=ComplaintContactSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The complainant's full name and phone, for the receiving office and the handling area; audited."""
        return Response(services.complaint_contact_reveal(actor=request.user, complaint=self.get_object()))

    @extend_schema(request=ComplaintTransitionSerializer, responses={200: ComplaintDetailSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG])
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """交办 / 开始办理 / 答复 / 办结; each service checks capability, area and the order of steps."""
        complaint = self.get_object()
        data, user = self.validated_payload(ComplaintTransitionSerializer), request.user
        version = expected_version(request, data)
        step = data["action"]
        area = _area(user, Capability.COMPLAINT_VIEW, data["area"], "area") if step == "assign" else None
        services.complaint_step(actor=user, complaint=complaint, step=step, text=data["text"], area=area,
                                handling_unit=data["handling_unit"], expected_version=version)
        return self._detail(complaint)
