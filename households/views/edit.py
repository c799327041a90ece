"""Register and edit households with their members inline; smaller forms for yearly facts and help.

A rejected form is shown again with everything typed and each field's error (the services decide; their
field errors are mapped back onto the form fields).
"""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from accounts.conflicts import is_stale
from households import forms as household_forms
from households import services
from households.choices import STATUS_TRANSITIONS, HouseholdStatus, Relation
from households.models import Household, Member
from households.selectors import editable_areas
from povalleviation.access import Capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin
from villages.models import Area


def _area_choices(user):
    return [(area.code, f"{area.parent.name} {area.name}" if area.level == "group" else area.name) for area in editable_areas(user=user)]


def _apply_errors(error: ApplicationError, form, formset=None, member_forms_by_index=None):
    """Put a service's field errors on the form fields; anything else becomes a form-level error."""
    placed = False
    for key, message in error.field_errors.items():
        if key.startswith("members.") and formset is not None:
            _, index, field = key.split(".", 2)
            target = (member_forms_by_index or {}).get(int(index))
            if target is not None and field in target.fields:
                target.add_error(field, message)
                placed = True
                continue
        elif key in form.fields:
            form.add_error(key, message)
            placed = True
            continue
    if not placed:
        form.add_error(None, error.message)


def _live_member_forms(formset):
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class HouseholdCreateView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_EDIT
    template_name = "households/household_form.html"

    def get(self, request):
        choices = _area_choices(request.user)
        initial = {"identification_year": timezone.localdate().year, "category": "general"}
        if len(choices) == 1:
            initial["area"] = choices[0][0]
        form = household_forms.HouseholdForm(initial=initial, area_choices=choices)
        formset = household_forms.MemberFormSet(prefix="members", initial=[{"relation": Relation.HEAD, "health_status": "healthy",
                                                                           "labour_capacity": "full"}])
        return render(request, self.template_name, {"form": form, "formset": formset, "creating": True})

    def post(self, request):
        form = household_forms.HouseholdForm(request.POST, area_choices=_area_choices(request.user))
        formset = household_forms.MemberFormSet(request.POST, prefix="members")
        if form.is_valid() and formset.is_valid():
            live = _live_member_forms(formset)
            area = Area.objects.get(code=form.cleaned_data["area"])
            try:
                household = services.household_register(
                    actor=request.user, area=area, data=form.household_data(), members=[f.member_data() for f in live]
                )
            except ApplicationError as error:
                _apply_errors(error, form, formset, dict(enumerate(live)))
            else:
                messages.success(request, f"已建档：{household.head_name}户，户编号 {household.household_number}")
                return redirect("households:detail", pk=household.pk)
        return render(request, self.template_name, {"form": form, "formset": formset, "creating": True}, status=400)


class HouseholdEditView(CapabilityRequiredMixin, View):
    required_capability = Capability.HOUSEHOLD_EDIT
    template_name = "households/household_form.html"

    def get_household(self, request, pk):
        return get_object_or_404(Household.objects.visible_to(request.user, Capability.HOUSEHOLD_EDIT).select_related("area"), pk=pk)

    def get(self, request, pk):
        household = self.get_household(request, pk)
        form = household_forms.HouseholdForm(
            initial={**{name: getattr(household, name) for name in (
                "address", "phone", "identification_year", "category", "primary_cause", "other_cause_note", "monitoring_flag",
                "planned_exit_year", "is_relocated", "is_zhiguo_minzu", "version")},
                "other_causes": household.other_cause_list, "area": household.area.code},
            area_choices=[(household.area.code, household.area.name)],
        )
        form.fields["area"].disabled = True
        members = household.members.filter(is_registered=True).order_by("id")
        # The edit form holds the full ID numbers and phone of the household: opening it is an audited read.
        services.household_read_record(actor=request.user, household=household, action="household.edit_view",
                                       detail=f"含 {len(members)} 名成员的完整身份证号和联系电话")
        formset = household_forms.MemberFormSet(prefix="members", initial=[
            {"member_id": m.pk, **{name: getattr(m, name) for name in household_forms.MemberForm.base_fields if hasattr(m, name)}}
            for m in members
        ])
        return render(request, self.template_name, {"form": form, "formset": formset, "household": household})

    def post(self, request, pk):
        household = self.get_household(request, pk)
        form = household_forms.HouseholdForm(request.POST, area_choices=[(household.area.code, household.area.name)],
                                             initial={"area": household.area.code})
        form.fields["area"].disabled = True
        formset = household_forms.MemberFormSet(request.POST, prefix="members")
        if form.is_valid() and formset.is_valid():
            live = _live_member_forms(formset)
            members = [{"id": f.cleaned_data.get("member_id"), **f.member_data()} for f in live]
            try:
                services.household_edit(actor=request.user, household=household, data=form.household_data(), members=members,
                                        expected_version=form.cleaned_data.get("version"))
            except ApplicationError as error:
                _apply_errors(error, form, formset, dict(enumerate(live)))
                status = error.status_code if is_stale(error) else 400
            else:
                messages.success(request, "已保存")
                return redirect("households:detail", pk=household.pk)
        else:
            status = 400
        return render(request, self.template_name, {"form": form, "formset": formset, "household": household}, status=status)


class HouseholdActionView(CapabilityRequiredMixin, View):
    """A small form about one household (income, 两不愁三保障, measure, helper, visit, status, member removal).
    ``perform`` calls the service; it may answer the success message (default: 「<title>已保存」)."""

    required_capability = Capability.HOUSEHOLD_EDIT
    form_class = None
    title = ""
    template_name = "households/household_action.html"

    def get_household(self, request, pk):
        return get_object_or_404(Household.objects.visible_to(request.user, self.required_capability), pk=pk)

    def form_kwargs(self, household):
        return {}

    def initial(self, household):
        return {}

    def extra_context(self, household) -> dict:
        return {}

    def render_form(self, request, household, form, status=200):
        context = {"form": form, "household": household, "title": self.title, **self.extra_context(household)}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk, **kwargs):
        household = self.get_household(request, pk)
        return self.render_form(request, household, self.form_class(initial=self.initial(household), **self.form_kwargs(household)))

    def post(self, request, pk, **kwargs):
        household = self.get_household(request, pk)
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs(household))
        if form.is_valid():
            try:
                saved = self.perform(request, household, form.cleaned_data, **kwargs)
            except ApplicationError as error:
                _apply_errors(error, form)
            else:
                messages.success(request, saved or f"{self.title}已保存")
                return redirect("households:detail", pk=household.pk)
        return self.render_form(request, household, form, status=400)


class IncomeView(HouseholdActionView):
    form_class = household_forms.IncomeForm
    title = "登记年度收入"

    def initial(self, household):
        return {"year": timezone.localdate().year}

    def perform(self, request, household, data):
        year = data.pop("year")
        services.income_record_save(actor=request.user, household=household, year=year, data=data)


class LivingConditionsView(HouseholdActionView):
    form_class = household_forms.LivingConditionsForm
    title = "登记两不愁三保障"

    def initial(self, household):
        return {"year": timezone.localdate().year, "assessed_on": timezone.localdate()}

    def perform(self, request, household, data):
        year, assessed_on = data.pop("year"), data.pop("assessed_on")
        services.living_conditions_record(actor=request.user, household=household, year=year, assessed_on=assessed_on, data=data)


class HelpMeasureView(HouseholdActionView):
    form_class = household_forms.HelpMeasureForm
    title = "新增帮扶措施"

    def initial(self, household):
        return {"year": timezone.localdate().year}

    def perform(self, request, household, data):
        services.help_measure_add(actor=request.user, household=household, data=data)


class HelperAssignView(HouseholdActionView):
    form_class = household_forms.HelperForm
    title = "结对帮扶责任人"

    def initial(self, household):
        return {"start_date": timezone.localdate()}

    def perform(self, request, household, data):
        services.helper_pair(actor=request.user, household=household, name=data["name"], unit=data["unit"], phone=data["phone"],
                             position=data["position"], start_date=data["start_date"])


class VisitView(HouseholdActionView):
    required_capability = Capability.VISIT_RECORD
    form_class = household_forms.VisitForm
    title = "记录走访"

    def initial(self, household):
        return {"visited_on": timezone.localdate(), "visitor_name": str(self.request.user)}

    def perform(self, request, household, data):
        services.visit_record(actor=request.user, household=household, data=data)


class StatusChangeView(HouseholdActionView):
    form_class = household_forms.StatusChangeForm
    title = "变更状态"
    # Exit and 返贫 go through their workflows; here only 帮扶 assignment and removal corrections.
    MANUAL_TARGETS = {HouseholdStatus.HELPED, HouseholdStatus.REMOVED}

    def form_kwargs(self, household):
        allowed = STATUS_TRANSITIONS.get(household.status, set()) & self.MANUAL_TARGETS
        return {"choices": [(s.value, s.label) for s in HouseholdStatus if s in allowed]}

    def initial(self, household):
        return {"effective_date": timezone.localdate()}

    def perform(self, request, household, data):
        services.household_set_status(actor=request.user, household=household, to_status=data["to_status"],
                                      reason=data["reason"], effective_date=data["effective_date"])


class MemberRemoveView(HouseholdActionView):
    form_class = household_forms.MemberRemoveForm
    title = "成员自然减少"

    def initial(self, household):
        return {"left_date": timezone.localdate()}

    def perform(self, request, household, data, member_pk):
        member = get_object_or_404(Member.objects.filter(household=household, is_registered=True), pk=member_pk)
        services.member_remove(actor=request.user, member=member, status=data["status"], left_date=data["left_date"],
                               reason=data["reason"])
