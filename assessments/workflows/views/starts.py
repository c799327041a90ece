"""Pages that start a workflow: 退出提名 and 返贫申报 from a household, monitoring flags, village and county
exit applications, and the identification application (a household form with the application reason)."""

from abc import ABC, abstractmethod

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from assessments.eligibility.models import EligibilityResult
from assessments.workflows import services
from assessments.workflows.forms import AreaApplyForm, MonitoringForm, NominationForm, ReturnProposalForm
from assessments.workflows.models import WorkflowType
from assessments.workflows.selectors.verifications import area_exit_list, household_verifications
from assessments.workflows.services.deadlines import window_label
from households import forms as household_forms
from households.choices import Relation
from households.models import Household
from households.selectors import editable_areas
from povalleviation.access import Capability, has_capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, ServiceFormView
from villages.models import Area


def place_errors(error: ApplicationError, form):
    placed = False
    for name, message in error.field_errors.items():
        if name in form.fields:
            form.add_error(name, message if isinstance(message, str) else "；".join(map(str, message)))
            placed = True
    if not placed or error.message not in str(form.errors):
        form.add_error(None, error.message)


class HouseholdStartView(ServiceFormView):
    """A small form about one household that starts (or changes) something; 404 outside the user's areas."""

    title = ""
    template_name = "assessments/workflow/household_start.html"

    def get_object(self, request, pk):
        return get_object_or_404(
            Household.objects.visible_to(request.user, self.required_capability).select_related(
                "area", "village"
            ),
            pk=pk,
        )

    def page_context(self, request, household, form):
        return {
            "household": household,
            "form": form,
            "title": self.title,
            "verifications": household_verifications(user=request.user, household=household),
        }

    def place_errors(self, error, form):
        place_errors(error, form)


class VerificationStartView(HouseholdStartView, ABC):
    """Starts a verification of the household (``start`` calls the service) and shows it."""

    success_message = ""

    @abstractmethod
    def start(self, request, household, data):
        ...

    def save(self, request, household, form):
        verification = self.start(request, household, form.cleaned_data)
        messages.success(request, self.success_message)
        return redirect("workflow:detail", pk=verification.pk)


class NominateView(VerificationStartView):
    required_capability = Capability.EXIT_NOMINATE
    form_class = NominationForm
    title = "发起退出提名"
    success_message = "已提名退出，等待村级民主评议"

    def initial(self, request, household):
        return {"year": timezone.localdate().year}

    def page_context(self, request, household, form):
        context = super().page_context(request, household, form)
        year = timezone.localdate().year
        context["eligibility"] = EligibilityResult.objects.filter(household=household, year=year).first()
        context["year"] = year
        try:
            window = services.nomination_window(area=household.village, year=year)
        except ApplicationError as error:
            context["window_error"] = error.message
        else:
            today = timezone.localdate()
            context["window"] = {
                "label": window_label(window),
                "setter": window["start_row"].area.name,
                "citation": window["start_row"].source_citation,
                "is_open": window["start"] <= today <= window["end"],
            }
        return context

    def start(self, request, household, data):
        return services.household_exit_nominate(
            actor=request.user, household=household, note=data["note"], year=data["year"]
        )


class ReturnProposeView(VerificationStartView):
    required_capability = Capability.RETURN_PROPOSE
    form_class = ReturnProposalForm
    title = "返贫申报"
    success_message = "已申报返贫，等待村级民主评议"

    def start(self, request, household, data):
        return services.return_to_poverty_propose(actor=request.user, household=household, reason=data["note"])


class MonitoringView(HouseholdStartView):
    required_capability = Capability.HOUSEHOLD_EDIT
    form_class = MonitoringForm
    title = "动态监测标识"

    def initial(self, request, household):
        return {"flag": household.monitoring_flag}

    def save(self, request, household, form):
        data = form.cleaned_data
        services.monitoring_flag_set(
            actor=request.user, household=household, flag=data["flag"] or "", reason=data["reason"]
        )
        messages.success(request, "监测标识已保存")
        return redirect("households:detail", pk=household.pk)


def apply_capability(workflow_type):
    """Who may apply for a village exit or a county exit."""
    return Capability.VILLAGE_EXIT_APPLY if workflow_type == WorkflowType.VILLAGE_EXIT else Capability.COUNTY_EXIT_APPLY


class AreaExitListView(PageView):
    """贫困村退出 / 贫困县摘帽: each poor area in the user's scope with its latest verification."""

    required_capability = Capability.EXIT_VIEW
    template_name = "assessments/workflow/area_exit_list.html"
    workflow_type = WorkflowType.VILLAGE_EXIT

    def page_context(self, user, **kwargs):
        return dict(
            rows=area_exit_list(user=user, workflow_type=self.workflow_type),
            workflow_type=self.workflow_type,
            title=WorkflowType(self.workflow_type).label,
            can_apply=has_capability(user, apply_capability(self.workflow_type)),
            apply_form=AreaApplyForm(initial={"year": timezone.localdate().year}),
        )


class AreaExitApplyView(CapabilityRequiredMixin, View):
    workflow_type = WorkflowType.VILLAGE_EXIT

    @property
    def required_capability(self):
        return apply_capability(self.workflow_type)

    def post(self, request, code):
        area = get_object_or_404(Area.objects.visible_to(request.user, Capability.EXIT_VIEW), code=code)
        form = AreaApplyForm(request.POST)
        list_view = AreaExitListView.as_view(workflow_type=self.workflow_type)
        if not form.is_valid():
            return self.refuse(request, list_view, "请填写申请说明和年度。", 400)
        apply = (
            services.village_exit_apply
            if self.workflow_type == WorkflowType.VILLAGE_EXIT
            else services.county_exit_apply
        )
        subject = {"village": area} if self.workflow_type == WorkflowType.VILLAGE_EXIT else {"county": area}
        try:
            verification = apply(
                actor=request.user, note=form.cleaned_data["note"], year=form.cleaned_data["year"], **subject
            )
        except ApplicationError as error:
            return self.refuse(request, list_view, f"{area.name}：{error.message}", error.status_code)
        messages.success(request, f"{area.name}已提交{WorkflowType(self.workflow_type).label}申请")
        return redirect("workflow:detail", pk=verification.pk)

    def refuse(self, request, list_view, message, status):
        request.method = "GET"
        response = list_view(request, action_error=message)
        response.status_code = status
        return response


class IdentificationForm(household_forms.HouseholdForm):
    application_note = forms.CharField(
        label="申请理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class IdentificationCreateView(CapabilityRequiredMixin, View):
    """农户申请 (识别纳入): the household and its members, registered as 拟识别, and the chain starts."""

    required_capability = Capability.IDENTIFICATION_PROPOSE
    template_name = "assessments/workflow/identification_form.html"

    def area_choices(self, user):
        return [
            (a.code, f"{a.parent.name} {a.name}" if a.level == "group" else a.name)
            for a in editable_areas(user=user)
        ]

    def get(self, request):
        choices = self.area_choices(request.user)
        initial = {"identification_year": timezone.localdate().year, "category": "general"}
        if len(choices) == 1:
            initial["area"] = choices[0][0]
        form = IdentificationForm(initial=initial, area_choices=choices)
        formset = household_forms.MemberFormSet(
            prefix="members",
            initial=[{"relation": Relation.HEAD, "health_status": "healthy", "labour_capacity": "full"}],
        )
        return render(request, self.template_name, {"form": form, "formset": formset, "creating": True})

    def post(self, request):
        form = IdentificationForm(request.POST, area_choices=self.area_choices(request.user))
        formset = household_forms.MemberFormSet(request.POST, prefix="members")
        status = 400
        if form.is_valid() and formset.is_valid():
            live = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            data = form.household_data()
            year = data.pop("identification_year")
            try:
                verification = services.identification_apply(
                    actor=request.user,
                    area=Area.objects.get(code=form.cleaned_data["area"]),
                    data=data,
                    members=[f.member_data() for f in live],
                    note=form.cleaned_data["application_note"],
                    year=year,
                )
            except ApplicationError as error:
                status = error.status_code
                for key, message in error.field_errors.items():
                    if key.startswith("members."):
                        _, index, field = key.split(".", 2)
                        if int(index) < len(live) and field in live[int(index)].fields:
                            live[int(index)].add_error(field, message)
                            continue
                    if key in form.fields:
                        form.add_error(key, message)
                form.add_error(None, error.message)
            else:
                messages.success(request, "已提交识别纳入申请，等待村级民主评议")
                return redirect("workflow:detail", pk=verification.pk)
        return render(
            request, self.template_name, {"form": form, "formset": formset, "creating": True}, status=status
        )
