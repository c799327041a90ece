"""/api/v1/exit-verifications/: the verifications the user may see (list, retrieve, ?inbox=1 for what waits
for them), the transitions as POST actions taking ``version`` and ``note``, and the endpoints that start a
workflow. Every write goes through the services; their refusals keep the API's one error shape."""

import json

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from assessments.workflows import services
from assessments.workflows.models import (
    Objection,
    ObjectionChannel,
    Verification,
    VerificationStatus,
    WorkflowType,
)
from assessments.workflows.selectors.verifications import inbox, overdue_counts, verification_detail
from assessments.workflows.services.snapshots import snapshot_for_display
from households.models import Household
from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedViewSetMixin
from povalleviation.errors import ApplicationError, NotFound
from villages.choices import AreaLevel
from villages.models import Area


class VerificationSerializer(serializers.ModelSerializer):
    # Plain strings: the codes are listed in the *_display fields' enums elsewhere; this keeps the OpenAPI
    # enum names free of collisions with other apps' "status" fields.
    workflow_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    workflow_type_display = serializers.CharField(source="get_workflow_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    subject = serializers.CharField(source="subject_name", read_only=True)
    stage = serializers.CharField(source="stage_label", read_only=True)
    due_at = serializers.DateField(source="due_on", read_only=True, help_text="当前步骤办理期限（含当日）")
    is_overdue = serializers.BooleanField(read_only=True)
    overdue_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Verification
        fields = [
            "id",
            "workflow_type",
            "workflow_type_display",
            "subject",
            "household",
            "area_code",
            "year",
            "status",
            "status_display",
            "stage",
            "current_step",
            "position",
            "version",
            "note",
            "started_at",
            "step_since",
            "due_at",
            "is_overdue",
            "overdue_days",
            "decided_on",
            "announcement",
        ]
        read_only_fields = fields


class VerificationDetailSerializer(VerificationSerializer):
    decision_snapshot = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    publicities = serializers.SerializerMethodField()
    matches = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta(VerificationSerializer.Meta):
        fields = [
            *VerificationSerializer.Meta.fields,
            "chain",
            "chain_source",
            "decision_snapshot",
            "decision_sha256",
            "events",
            "publicities",
            "matches",
            "available_actions",
        ]
        read_only_fields = fields

    def get_decision_snapshot(self, verification) -> dict | None:
        # Shown with birth years, never birth dates beside the masked ID numbers.
        return snapshot_for_display(verification.decision_snapshot)

    def get_events(self, verification) -> list[dict]:
        return [
            {
                "action": e.action,
                "step": e.step_code,
                "step_label": e.step_label,
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "actor": str(e.actor) if e.actor_id else None,
                "at": e.at,
                "note": e.note,
                "details": e.details,
                "snapshot": snapshot_for_display(e.snapshot),
                "snapshot_sha256": e.snapshot_sha256,
                "parameter_version": e.parameter_version,
            }
            for e in verification.events.all()
        ]

    def get_publicities(self, verification) -> list[dict]:
        return [
            {
                "id": p.pk,
                "step": p.step_code,
                "status": p.status,
                "result": p.result,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "days": p.days,
                "location": p.location,
                "content": p.content,
                "content_sha256": p.content_sha256,
                "objections": [
                    {
                        "id": o.pk,
                        "channel": o.channel,
                        "complainant": o.complainant,
                        "content": o.content,
                        "status": o.status,
                        "resolution": o.resolution,
                    }
                    for o in p.objections.all()
                ],
            }
            for p in verification.publicities.all()
        ]

    def get_matches(self, verification) -> list[dict]:
        return [
            {
                "id": m.pk,
                "person": m.person_name,
                "id_number": m.masked_id_number,
                "source": m.source,
                "detail": m.detail,
                "is_blocking": m.is_blocking,
                "explanation": m.explanation,
            }
            for m in verification.matches.all()
        ]

    def get_available_actions(self, verification) -> list[str]:
        return services.available_actions(self.context["request"].user, verification)


class TransitionInput(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    step = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="页面显示的当前步骤代码"
    )
    details = serializers.DictField(
        required=False,
        default=dict,
        help_text="民主评议记录：meeting_date, participants, attendance, votes_for, votes_against, minutes",
    )


class PublicityInput(TransitionInput):
    location = serializers.CharField(max_length=200)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)


class ObjectionInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ObjectionChannel.choices)
    complainant = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    content = serializers.CharField(max_length=4000)


class ObjectionResolveInput(serializers.Serializer):
    objection = serializers.IntegerField()
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(max_length=4000)


class NominationInput(serializers.Serializer):
    household = serializers.IntegerField()
    note = serializers.CharField(max_length=2000)
    year = serializers.IntegerField(required=False, allow_null=True, default=None)


class AreaApplicationInput(serializers.Serializer):
    area = serializers.CharField(max_length=15, help_text="区划代码")
    note = serializers.CharField(max_length=2000)
    year = serializers.IntegerField(required=False, allow_null=True, default=None)


class OverdueSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    level = serializers.CharField()
    by_step = serializers.ListField(child=serializers.DictField())
    by_area = serializers.ListField(child=serializers.DictField())


class VerificationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Scoped like the pages: outside the user's areas → 404; a step the user may not take → 403."""

    queryset = Verification.objects.all()
    serializer_class = VerificationSerializer
    default_capability = Capability.EXIT_VIEW
    capabilities = {
        "approve": Capability.EXIT_VIEW,
        "announce": Capability.EXIT_VIEW,
        "send_back": Capability.EXIT_VIEW,
        "reject": Capability.EXIT_VIEW,
        "withdraw": Capability.EXIT_VIEW,
        "open_publicity": Capability.EXIT_VIEW,
        "close_publicity": Capability.EXIT_VIEW,
        "objections": Capability.OBJECTION_RECORD,
        "resolve_objection": Capability.PUBLICITY_MANAGE,
        "run_comparison": Capability.IDENTIFICATION_APPROVE_COUNTY,
        "nominate": Capability.EXIT_NOMINATE,
        "return_to_poverty": Capability.RETURN_PROPOSE,
        "village_exit": Capability.VILLAGE_EXIT_APPLY,
        "county_exit": Capability.COUNTY_EXIT_APPLY,
        "overdue_summary": Capability.EXIT_VIEW,
    }
    list_select_related = ("household", "subject_area")
    ordering_default = ("-started_at", "-id")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            params = self.request.query_params
            if params.get("inbox") in ("1", "true"):
                queryset = inbox(user=self.request.user)
            if params.get("workflow_type") in WorkflowType.values:
                queryset = queryset.filter(workflow_type=params["workflow_type"])
            if params.get("status") in VerificationStatus.values:
                queryset = queryset.filter(status=params["status"])
            if params.get("overdue") in ("1", "true"):
                queryset = queryset.filter(status=VerificationStatus.IN_PROGRESS, due_on__lt=timezone.localdate())
        return queryset

    def get_serializer_class(self):
        return VerificationDetailSerializer if self.action == "retrieve" else VerificationSerializer

    def retrieve(self, request, pk=None):
        return Response(VerificationDetailSerializer(self._detail(pk), context={"request": request}).data)

    def _detail(self, pk):
        try:
            return verification_detail(user=self.request.user, pk=pk)
        except Http404 as error:
            raise NotFound("找不到该流程，或不在您的工作范围内。") from error

    def _respond(self, pk, code=status.HTTP_200_OK):
        return Response(
            VerificationDetailSerializer(self._detail(pk), context={"request": self.request}).data,
            status=code,
        )

    def _transition(self, request, pk, service, serializer_class=TransitionInput, **fixed):
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        arguments = {
            "actor": request.user,
            "verification": verification,
            "version": data.pop("version"),
            **fixed,
        }
        step = data.pop("step", "")
        details = data.pop("details", {})
        if service in (services.verification_approve, services.verification_reject):
            arguments["details"] = json.loads(json.dumps(details, default=str))
        if service is not services.verification_withdraw:
            arguments["step_code"] = step or None
        if service is services.publicity_open:
            data.pop("note", None)
        service(**arguments, **data)
        return self._respond(pk)

    @extend_schema(responses=OverdueSummarySerializer)
    @action(detail=False, methods=["get"], url_path="overdue-summary")
    def overdue_summary(self, request):
        """超期统计: running verifications past their step's time limit, by step and by township (or
        ``?level=county`` / ``village``)."""
        level = request.query_params.get("level") or AreaLevel.TOWNSHIP
        if level not in (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
            raise ApplicationError("level 应为 county、township 或 village", field_errors={"level": "无效"})
        summary = overdue_counts(user=request.user, level=level)
        return Response(
            {
                "total": summary["total"],
                "level": level,
                "by_step": summary["by_step"],
                "by_area": summary["by_area"],
            }
        )

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """通过 the waiting step (民主评议 with ``details``, 初核, 审定, 比对审定)."""
        return self._transition(request, pk, services.verification_approve)

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        """公告: the last step of a household exit or identification."""
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        step = verification.waiting_step
        if step is None or step["kind"] != "announcement":
            raise ApplicationError("流程当前不在公告步骤。", code="step_out_of_order")
        return self._transition(request, pk, services.verification_approve)

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """退回 one step, with the reason in ``note``."""
        return self._transition(request, pk, services.verification_return)

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(request, pk, services.verification_reject)

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, pk, services.verification_withdraw)

    @extend_schema(request=PublicityInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="open-publicity")
    def open_publicity(self, request, pk=None):
        return self._transition(request, pk, services.publicity_open, PublicityInput)

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="close-publicity")
    def close_publicity(self, request, pk=None):
        return self._transition(request, pk, services.publicity_close)

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="run-comparison")
    def run_comparison(self, request, pk=None):
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        payload = TransitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.identification_compare(
            actor=request.user, verification=verification, version=payload.validated_data["version"]
        )
        return self._respond(pk)

    @extend_schema(request=ObjectionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        """登记异议 during the running 公示."""
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        payload = ObjectionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.objection_lodge(actor=request.user, verification=verification, **payload.validated_data)
        return self._respond(pk, status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionResolveInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-objection")
    def resolve_objection(self, request, pk=None):
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        payload = ObjectionResolveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        objection = get_object_or_404(
            Objection.objects.filter(publicity__verification=verification),
            pk=payload.validated_data["objection"],
        )
        services.objection_resolve(
            actor=request.user,
            objection=objection,
            upheld=payload.validated_data["upheld"],
            resolution=payload.validated_data["resolution"],
        )
        return self._respond(pk)

    def _start(self, request, starter):
        verification = starter()
        return self._respond(verification.pk, status.HTTP_201_CREATED)

    @extend_schema(request=NominationInput, responses={201: VerificationDetailSerializer})
    @action(detail=False, methods=["post"])
    def nominate(self, request):
        """村民小组提名: start a household exit."""
        payload = NominationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        household = self._household(payload.validated_data["household"])
        return self._start(
            request,
            lambda: services.household_exit_nominate(
                actor=request.user,
                household=household,
                note=payload.validated_data["note"],
                year=payload.validated_data["year"],
            ),
        )

    @extend_schema(request=NominationInput, responses={201: VerificationDetailSerializer})
    @action(detail=False, methods=["post"], url_path="return-to-poverty")
    def return_to_poverty(self, request):
        """返贫申报 for an exited household (``note`` = the reason)."""
        payload = NominationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        household = self._household(payload.validated_data["household"])
        return self._start(
            request,
            lambda: services.return_to_poverty_propose(
                actor=request.user,
                household=household,
                reason=payload.validated_data["note"],
                year=payload.validated_data["year"],
            ),
        )

    def _household(self, pk):
        household = (
            Household.objects.visible_to(self.request.user, Capability.EXIT_VIEW).filter(pk=pk).first()
        )
        if household is None:
            raise NotFound("找不到该户，或不在您的工作范围内。")
        return household

    def _area(self, code):
        area = Area.objects.visible_to(self.request.user, Capability.EXIT_VIEW).filter(code=code).first()
        if area is None:
            raise NotFound("找不到该区域，或不在您的工作范围内。")
        return area

    @extend_schema(request=AreaApplicationInput, responses={201: VerificationDetailSerializer})
    @action(detail=False, methods=["post"], url_path="village-exit")
    def village_exit(self, request):
        payload = AreaApplicationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        village = self._area(payload.validated_data["area"])
        return self._start(
            request,
            lambda: services.village_exit_apply(
                actor=request.user,
                village=village,
                note=payload.validated_data["note"],
                year=payload.validated_data["year"],
            ),
        )

    @extend_schema(request=AreaApplicationInput, responses={201: VerificationDetailSerializer})
    @action(detail=False, methods=["post"], url_path="county-exit")
    def county_exit(self, request):
        payload = AreaApplicationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        county = self._area(payload.validated_data["area"])
        return self._start(
            request,
            lambda: services.county_exit_apply(
                actor=request.user,
                county=county,
                note=payload.validated_data["note"],
                year=payload.validated_data["year"],
            ),
        )
