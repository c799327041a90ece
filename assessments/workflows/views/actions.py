"""POST handlers of the verification page: one transition per request, through the services.

A refused transition shows the page again with the reason and what was typed, with the service's status
(400 invalid, 403 not allowed, 404 outside the user's areas, 409 changed by someone else).
"""

from abc import ABC, abstractmethod

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from assessments.workflows import services
from assessments.workflows.forms import ExplainForm, ObjectionForm, ObjectionResolveForm
from assessments.workflows.models import ComparisonMatch, Objection
from assessments.workflows.selectors.verifications import verification_detail
from assessments.workflows.views.pages import action_forms, detail_context
from povalleviation.access import Capability, scope_q
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin

TEMPLATE = "assessments/workflow/verification_detail.html"
SUCCESS = {
    "approve": "已办理",
    "reject": "已作出不予通过的决定",
    "return": "已退回上一步",
    "withdraw": "已撤回",
    "open_publicity": "已开始公示",
    "close_publicity": "已结束公示",
    "run_comparison": "已完成信息比对",
}


def show_error(request, pk, *, action, error, status):
    context = detail_context(request, pk, bound_action=action, data=request.POST, error=error)
    return render(request, TEMPLATE, context, status=status)


class TransitionView(CapabilityRequiredMixin, View):
    required_capability = Capability.EXIT_VIEW

    def post(self, request, pk):
        verification = verification_detail(user=request.user, pk=pk)
        action = request.POST.get("action", "")
        if action not in SUCCESS:
            return show_error(request, pk, action=None, error="未知的操作", status=400)
        form = action_forms(verification, bound_action=action, data=request.POST)[action]
        if not form.is_valid():
            return show_error(request, pk, action=action, error="请按提示填写后再提交。", status=400)
        data = form.cleaned_data
        common = {"actor": request.user, "verification": verification, "version": data["version"]}
        try:
            if action == "approve":
                details = form.details() if hasattr(form, "details") else {}
                services.verification_approve(
                    **common, step_code=data["step"] or None, note=data["note"], details=details
                )
            elif action == "reject":
                details = form.details() if hasattr(form, "details") else {}
                services.verification_reject(
                    **common, step_code=data["step"] or None, note=data["note"], details=details
                )
            elif action == "return":
                services.verification_return(**common, step_code=data["step"] or None, note=data["note"])
            elif action == "withdraw":
                services.verification_withdraw(**common, note=data["note"])
            elif action == "open_publicity":
                services.publicity_open(
                    **common,
                    step_code=data["step"] or None,
                    location=data["location"],
                    start_date=data["start_date"],
                )
            elif action == "close_publicity":
                services.publicity_close(**common, step_code=data["step"] or None, note=data["note"])
            else:
                services.identification_compare(
                    actor=request.user, verification=verification, version=data["version"]
                )
        except ApplicationError as error:
            return show_error(request, pk, action=action, error=error.message, status=error.status_code)
        messages.success(request, SUCCESS[action])
        return redirect("workflow:detail", pk=pk)


class SideFormView(CapabilityRequiredMixin, View, ABC):
    """A form of the verification page beside the transitions (prefix ``action``), about ``target``; a refusal
    shows the page again with the reason, a success goes back to the page with ``success_message``."""

    action = ""
    form_class = None
    invalid_message = ""
    success_message = ""

    @abstractmethod
    def target(self, request, pk):
        """The object the form is about, and the pk of its verification."""

    @abstractmethod
    def perform(self, request, target, data):
        ...

    def post(self, request, pk):
        target, verification_pk = self.target(request, pk)
        form = self.form_class(request.POST, prefix=self.action)
        if not form.is_valid():
            return show_error(request, verification_pk, action=self.action, error=self.invalid_message, status=400)
        try:
            self.perform(request, target, form.cleaned_data)
        except ApplicationError as error:
            return show_error(
                request, verification_pk, action=self.action, error=error.message, status=error.status_code
            )
        messages.success(request, self.success_message)
        return redirect("workflow:detail", pk=verification_pk)


class ObjectionLodgeView(SideFormView):
    required_capability = Capability.OBJECTION_RECORD
    action = "objection"
    form_class = ObjectionForm
    invalid_message = "请按提示填写异议后再提交。"
    success_message = "已登记异议；处理完毕前不能结束公示"

    def target(self, request, pk):
        verification = verification_detail(user=request.user, pk=pk)
        return verification, verification.pk

    def perform(self, request, verification, data):
        services.objection_lodge(actor=request.user, verification=verification, **data)


class ObjectionResolveView(SideFormView):
    required_capability = Capability.PUBLICITY_MANAGE
    action = "resolve"
    form_class = ObjectionResolveForm
    invalid_message = "请填写处理意见。"
    success_message = "异议已处理"

    def target(self, request, pk):
        objection = get_object_or_404(
            Objection.objects.visible_to(request.user, Capability.EXIT_VIEW).select_related(
                "publicity__verification"
            ),
            pk=pk,
        )
        return objection, objection.publicity.verification_id

    def perform(self, request, objection, data):
        services.objection_resolve(
            actor=request.user, objection=objection, upheld=data["upheld"], resolution=data["resolution"]
        )


class MatchExplainView(SideFormView):
    required_capability = Capability.IDENTIFICATION_APPROVE_COUNTY
    action = "explain"
    form_class = ExplainForm
    invalid_message = "请填写核实说明。"
    success_message = "已填写核实说明"

    def target(self, request, pk):
        match = get_object_or_404(
            ComparisonMatch.objects.filter(
                scope_q(request.user, Capability.EXIT_VIEW, "verification__area_code")
            ).select_related("verification"),
            pk=pk,
        )
        return match, match.verification_id

    def perform(self, request, match, data):
        services.comparison_match_explain(
            actor=request.user, match=match, version=data["version"], explanation=data["explanation"]
        )
