"""/api/v1/households/ and /api/v1/households/{id}/members/: scoped reads, writes through the services."""
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from households import services
from households.api.serializers import (
    HouseholdCreateSerializer,
    HouseholdDetailSerializer,
    HouseholdSerializer,
    HouseholdWriteSerializer,
    MemberInputSerializer,
    MemberSerializer,
    RevealInputSerializer,
    RevealOutputSerializer,
)
from households.filters import HouseholdFilter
from households.models import Household, Member
from povalleviation.access import Capability
from povalleviation.api.versions import (
    ETAG,
    IF_MATCH,
    VERSION_RESPONSES,
    expected_version,
    with_etag,
)
from povalleviation.api.viewsets import ScopedReadOnlyViewSet
from villages.models import Area

EDIT_DESCRIPTION = (
    "修改户信息，并可在同一次请求中新增、修改、减少成员（members）：不带 id 为新增；带 id 和要修改的字段为修改；"
    "带 id 和 removal（减少原因、日期、说明）为自然减少。户信息和全部成员变更一起保存，任何一项被拒绝则全部不保存，"
    "错误按 members.<序号>.<字段> 返回。必须带上读取到的版本（If-Match 头填详情返回的 ETag，或请求体的 version）："
    "未带时返回 428；他人已修改时返回 409，说明谁在何时改了哪些内容，什么都不保存。"
    "每项变更都记入该户的变更记录和审计日志。"
)


class HouseholdViewSet(ScopedReadOnlyViewSet):
    """建档立卡户: list with filters, retrieve, create, update — all scoped to the user's areas."""

    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    default_capability = Capability.HOUSEHOLD_VIEW
    capabilities = {
        "create": Capability.HOUSEHOLD_EDIT, "update": Capability.HOUSEHOLD_EDIT, "partial_update": Capability.HOUSEHOLD_EDIT,
        "members": Capability.HOUSEHOLD_VIEW, "reveal": Capability.IDNUMBER_REVEAL,
    }
    list_select_related = ("area", "village")
    ordering_default = ("area_code", "household_number")

    def capability_for(self, action):
        if action == "members" and self.request.method == "POST":
            return Capability.HOUSEHOLD_EDIT
        return super().capability_for(action)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(Prefetch("members", queryset=Member.objects.order_by("id")))
        return queryset

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        count = page.paginator.count if page is not None else len(response.data)
        # A search for people by name or ID number is a read of personal data: one audit row per request.
        services.household_search_record(actor=request.user, params=request.query_params, result_count=count,
                                         channel="接口")
        return response

    @extend_schema(responses=HouseholdDetailSerializer, parameters=[ETAG])
    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        data = self.get_serializer(household).data
        services.household_read_record(actor=request.user, household=household, action="household.view",
                                       detail=f"接口，含 {len(data['members'])} 名成员")
        return with_etag(Response(data), household.version)

    @extend_schema(request=RevealInputSerializer, responses=RevealOutputSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """One full value: a member's ID number or the household's phone; each reveal is audited."""
        household = self.get_object()
        data = self.validated_payload(RevealInputSerializer)
        if data["field"] == "phone":
            value = services.household_phone_reveal(actor=request.user, household=household)
            return Response({"field": "phone", "value": value})
        member = get_object_or_404(household.members.all(), pk=data.get("member"))
        return Response({"field": "id_number", "value": services.id_number_reveal(actor=request.user, member=member)})

    @extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdDetailSerializer})
    def create(self, request):
        data = self.validated_payload(HouseholdCreateSerializer)
        area = self.in_scope(Area, Capability.HOUSEHOLD_EDIT, "找不到该村（组），或不在您的工作范围内。", code=data.pop("area"))
        members = data.pop("members")
        data.pop("version", None)
        household = services.household_register(actor=request.user, area=area, data=data, members=members)
        household = Household.objects.prefetch_related("members").select_related("area", "village").get(pk=household.pk)
        return Response(HouseholdDetailSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdWriteSerializer, responses={200: HouseholdDetailSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG], description=EDIT_DESCRIPTION)
    def update(self, request, pk=None, partial=False):
        household = self.get_object()
        data = self.validated_payload(HouseholdWriteSerializer, partial=True)
        version = expected_version(request, data)
        members = data.pop("members", [])
        services.household_edit(actor=request.user, household=household, data=data, members=members, expected_version=version)
        household = Household.objects.prefetch_related("members").select_related("area", "village").get(pk=household.pk)
        return with_etag(Response(HouseholdDetailSerializer(household).data), household.version)

    @extend_schema(request=HouseholdWriteSerializer, responses={200: HouseholdDetailSerializer, **VERSION_RESPONSES},
                   parameters=[IF_MATCH, ETAG], description=EDIT_DESCRIPTION)
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(methods=["GET"], responses=MemberSerializer(many=True))
    @extend_schema(methods=["POST"], request=MemberInputSerializer, responses={201: MemberSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # the whole list, not a page
    def members(self, request, pk=None):
        """The household's registered members (GET), or add one (POST)."""
        household = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            data = self.validated_payload(MemberInputSerializer)
            member = services.member_add(actor=request.user, household=household, data=data)
            return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)
        members = list(household.members.filter(is_registered=True).order_by("id"))
        services.household_read_record(actor=request.user, household=household, action="household.members_view",
                                       detail=f"接口，{len(members)} 名成员")
        return Response(MemberSerializer(members, many=True).data)
