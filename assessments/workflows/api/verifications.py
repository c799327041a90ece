"""/api/v1/exit-verifications/: the verifications the user may see (list, retrieve, ?inbox=1 for what waits
for them), the transitions as POST actions taking ``version`` and ``note``, and the endpoints that start a
workflow. Every write goes through the services; their refusals keep the API's one error shape."""

import json

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from assessments.workflows import services
from assessments.workflows.api.serializers import (
    AreaApplicationInput,
    NominationInput,
    ObjectionInput,
    ObjectionResolveInput,
    OverdueSummarySerializer,
    PublicityInput,
    TransitionInput,
    VerificationDetailSerializer,
    VerificationSerializer,
)
from assessments.workflows.models import Objection, Verification, VerificationStatus, WorkflowType
from assessments.workflows.selectors.verifications import inbox, overdue_counts, verification_detail
from households.models import Household
from povalleviation.access import Capability
from povalleviation.api.viewsets import ScopedViewSetMixin
from povalleviation.errors import ApplicationError, NotFound
from villages.choices import AreaLevel
from villages.models import Area


def _endpoint(func, name, doc, *, detail, url_path, request, responses):
    """``func`` as the POST action ``name`` of the viewset, documented with ``doc`` and in the schema."""
    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc
    func = action(detail=detail, methods=["post"], url_path=url_path)(func)
    return extend_schema(request=request, responses=responses)(func)


def _transition_action(name, service, input_class=TransitionInput, *, url_path=None, doc=None):
    """One transition of a verification: ``service`` through ``VerificationViewSet._transition``, answered with
    the verification in detail."""

    def transition(self, request, pk=None):
        return self._transition(request, pk, service, input_class)

    return _endpoint(transition, name, doc, detail=True, url_path=url_path, request=input_class,
                     responses=VerificationDetailSerializer)


def _start_action(name, input_class, service, *, subject, note_as="note", url_path=None, doc=None):
    """One endpoint that starts a workflow: validate ``input_class``, find the subject in the user's areas
    (``household`` by id → 404 outside them; ``area`` by code → 404 outside them), call ``service`` with it as
    ``subject`` and ``note`` as ``note_as``, answer 201 with the new verification in detail."""

    def start(self, request):
        payload = input_class(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        found = self._household(data["household"]) if "household" in data else self._area(data["area"])
        verification = service(actor=request.user, **{subject: found, note_as: data["note"]}, year=data["year"])
        return self._respond(verification.pk, status.HTTP_201_CREATED)

    return _endpoint(start, name, doc, detail=False, url_path=url_path, request=input_class,
                     responses={201: VerificationDetailSerializer})


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

    def _target(self, request, pk, input_class):
        """The verification (404 outside the user's areas) and the validated input."""
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        payload = input_class(data=request.data)
        payload.is_valid(raise_exception=True)
        return verification, payload.validated_data

    def _transition(self, request, pk, service, serializer_class=TransitionInput, **fixed):
        verification, data = self._target(request, pk, serializer_class)
        data = dict(data)
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

    approve = _transition_action(
        "approve", services.verification_approve, doc="通过 the waiting step (民主评议 with ``details``, 初核, 审定, 比对审定)."
    )

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        """公告: the last step of a household exit or identification."""
        verification = get_object_or_404(self.get_queryset(), pk=pk)
        step = verification.waiting_step
        if step is None or step["kind"] != "announcement":
            raise ApplicationError("流程当前不在公告步骤。", code="step_out_of_order")
        return self._transition(request, pk, services.verification_approve)

    send_back = _transition_action(
        "send_back", services.verification_return, url_path="return", doc="退回 one step, with the reason in ``note``."
    )
    reject = _transition_action("reject", services.verification_reject)
    withdraw = _transition_action("withdraw", services.verification_withdraw)
    open_publicity = _transition_action(
        "open_publicity", services.publicity_open, PublicityInput, url_path="open-publicity"
    )
    close_publicity = _transition_action("close_publicity", services.publicity_close, url_path="close-publicity")

    @extend_schema(request=TransitionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="run-comparison")
    def run_comparison(self, request, pk=None):
        verification, data = self._target(request, pk, TransitionInput)
        services.identification_compare(actor=request.user, verification=verification, version=data["version"])
        return self._respond(pk)

    @extend_schema(request=ObjectionInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        """登记异议 during the running 公示."""
        verification, data = self._target(request, pk, ObjectionInput)
        services.objection_lodge(actor=request.user, verification=verification, **data)
        return self._respond(pk, status.HTTP_201_CREATED)

    @extend_schema(request=ObjectionResolveInput, responses=VerificationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-objection")
    def resolve_objection(self, request, pk=None):
        verification, data = self._target(request, pk, ObjectionResolveInput)
        objection = get_object_or_404(Objection.objects.filter(publicity__verification=verification), pk=data["objection"])
        services.objection_resolve(
            actor=request.user, objection=objection, upheld=data["upheld"], resolution=data["resolution"]
        )
        return self._respond(pk)

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

    nominate = _start_action(
        "nominate", NominationInput, services.household_exit_nominate, subject="household",
        doc="村民小组提名: start a household exit.",
    )
    return_to_poverty = _start_action(
        "return_to_poverty", NominationInput, services.return_to_poverty_propose, subject="household",
        note_as="reason", url_path="return-to-poverty",
        doc="返贫申报 for an exited household (``note`` = the reason).",
    )
    village_exit = _start_action(
        "village_exit", AreaApplicationInput, services.village_exit_apply, subject="village", url_path="village-exit"
    )
    county_exit = _start_action(
        "county_exit", AreaApplicationInput, services.county_exit_apply, subject="county", url_path="county-exit"
    )
