"""Pages of annual exit plans: list, entry and edit of drafts, approval (lock), revision, version history,
and plan versus actual by area and year (DOMAIN.md §5.12, §6.2).

Anonymous → login; no capability → 403; a plan or area outside the user's posts → 404. Refusals by the
services are shown on the page and change nothing.
"""
import datetime

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from assessments.plans import services as plan_services
from assessments.plans.models import PLAN_FIGURES, ExitPlanStatus
from assessments.plans.selectors import (
    FIGURE_LABELS,
    exit_plan_detail,
    exit_plan_list,
    exit_plan_versions,
    exit_plan_years,
    plan_sum_warnings,
    plan_vs_actual,
    plannable_areas,
    viewable_plan_areas,
)
from povalleviation.access import Capability, covers, has_capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, ServiceFormView
from villages.choices import AreaLevel


class ExitPlanForm(forms.Form):
    households = forms.IntegerField(label="计划脱贫户数", min_value=0, required=False)
    persons = forms.IntegerField(label="计划脱贫人数（人）", min_value=0, required=False)
    persons_wan = forms.DecimalField(label="或：计划脱贫人数（万人）", min_value=0, max_digits=8, decimal_places=2,
                                     required=False)
    villages = forms.IntegerField(label="计划退出贫困村数", min_value=0, required=False)
    townships = forms.IntegerField(label="计划摘帽贫困乡数", min_value=0, required=False)
    counties = forms.IntegerField(label="计划摘帽贫困县数", min_value=0, required=False)
    source = forms.CharField(label="依据文件", max_length=300, required=False)
    note = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def figures(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in [*PLAN_FIGURES, "persons_wan", "source", "note"]}


class ExitPlanCreateForm(ExitPlanForm):
    area = forms.ChoiceField(label="区域")
    year = forms.IntegerField(label="计划年度", min_value=2000, max_value=2100)
    field_order = ["area", "year"]

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices


class ExitPlanReviseForm(ExitPlanForm):
    reason = forms.CharField(label="修订原因", max_length=300)
    field_order = ["reason"]


# The services name the revision reason ``revision_reason``; the form calls it ``reason``.
PLAN_ERROR_ALIASES = {"revision_reason": "reason", "__all__": None}


def _initial(plan) -> dict:
    initial = {name: getattr(plan, name) for name in [*PLAN_FIGURES, "source", "note"]}
    if plan.persons_wan is not None:
        initial["persons_wan"], initial["persons"] = plan.persons_wan, None
    return initial


def _saved(request, plan):
    """After a save: the sum warnings as messages, then the plan's page."""
    for warning in plan_sum_warnings(plan=plan):
        messages.warning(request, f"提醒：{warning}")
    return redirect("plan:plan_detail", pk=plan.pk)


class PlanListView(PageView):
    required_capability = Capability.PLAN_VIEW
    template_name = "assessments/plan/plan_list.html"

    def page_context(self, user, **kwargs):
        raw_year = self.request.GET.get("year", "")
        year = int(raw_year) if raw_year.isdigit() else None
        this_year = timezone.localdate().year
        plan_years = exit_plan_years(user=user)
        past_plan_years = [y for y in plan_years if y <= this_year]
        return {
            "plans": list(exit_plan_list(user=user, year=year)),
            "years": sorted(set(plan_years) | {this_year}, reverse=True),
            "selected_year": year,
            "compare_year": year or (max(past_plan_years) if past_plan_years else this_year),
            "areas": list(viewable_plan_areas(user=user)),
            "can_edit": has_capability(user, Capability.PLAN_EDIT),
        }


class PlanCompareRedirectView(CapabilityRequiredMixin, View):
    """The list page's area/year chooser lands on the plan-versus-actual page."""

    required_capability = Capability.PLAN_VIEW

    def get(self, request):
        code, year = request.GET.get("area", ""), request.GET.get("year", "")
        if not (code.isdigit() and len(code) == 12 and year.isdigit() and len(year) == 4):
            messages.error(request, "请选择区域和年度")
            return redirect("plan:plan_list")
        return redirect("plan:plan_vs_actual", area_code=code, year=int(year))


class PlanFormView(ServiceFormView):
    """The plan form page (entry, draft edit, revision); ``plan`` is the plan changed, if any."""

    required_capability = Capability.PLAN_EDIT
    template_name = "assessments/plan/plan_form.html"
    error_aliases = PLAN_ERROR_ALIASES
    title = ""
    revising = False

    def page_context(self, request, plan, form):
        context = {"form": form, "title": self.title}
        if plan is not None:
            context["plan"] = plan
        if self.revising:
            context["revising"] = True
        return context


class PlanCreateView(PlanFormView):
    form_class = ExitPlanCreateForm
    title = "录入脱贫计划"
    refusal_status = 400

    def form_kwargs(self, request, plan):
        return {"area_choices": [(a.code, f"{a.name}（{a.get_level_display()}）")
                                 for a in plannable_areas(user=request.user)]}

    def initial(self, request, plan):
        return {"year": timezone.localdate().year, "area": request.GET.get("area", "")}

    def save(self, request, plan, form):
        area = plannable_areas(user=request.user).get(code=form.cleaned_data["area"])
        plan = plan_services.exit_plan_create(actor=request.user, area=area, year=form.cleaned_data["year"],
                                              **form.figures())
        messages.success(request, f"已录入 {area.name} {plan.year}年脱贫计划（草稿），请由另一位有权限的人员审批")
        return _saved(request, plan)


class PlanDetailView(PageView):
    required_capability = Capability.PLAN_VIEW
    template_name = "assessments/plan/plan_detail.html"

    def page_context(self, user, **kwargs):
        plan = exit_plan_detail(user=user, pk=kwargs["pk"])
        may_edit = covers(user, Capability.PLAN_EDIT, plan.area.code)
        is_draft = plan.status == ExitPlanStatus.DRAFT
        return {
            "plan": plan,
            "figures": [(FIGURE_LABELS[name], getattr(plan, name)) for name in PLAN_FIGURES],
            "versions": exit_plan_versions(plan=plan),
            "warnings": plan_sum_warnings(plan=plan),
            "can_edit": may_edit and is_draft,
            "can_approve": may_edit and is_draft and user.pk not in (plan.created_by_id, plan.updated_by_id),
            "is_own_draft": may_edit and is_draft and user.pk in (plan.created_by_id, plan.updated_by_id),
            "can_revise": may_edit and plan.status == ExitPlanStatus.APPROVED,
        }


class PlanChangeView(PlanFormView):
    """A form about one plan, offered only while the plan has ``required_status``."""

    required_status = None
    wrong_status_message = ""

    def get_object(self, request, pk):
        return exit_plan_detail(user=request.user, pk=pk, capability=Capability.PLAN_EDIT)

    def initial(self, request, plan):
        return _initial(plan)

    def refuse_form(self, request, plan):
        if plan.status == self.required_status:
            return None
        messages.error(request, self.wrong_status_message)
        return redirect("plan:plan_detail", pk=plan.pk)


class PlanEditView(PlanChangeView):
    """Edit a draft. A locked plan is never edited: the page says so and offers a revision."""

    form_class = ExitPlanForm
    title = "修改脱贫计划草稿"
    required_status = ExitPlanStatus.DRAFT
    wrong_status_message = "该计划已审批锁定，不能修改；如需调整请修订为新版本"

    def save(self, request, plan, form):
        plan = plan_services.exit_plan_update(actor=request.user, plan=plan, **form.figures())
        messages.success(request, "计划草稿已保存")
        return _saved(request, plan)


class PlanApproveView(CapabilityRequiredMixin, View):
    required_capability = Capability.PLAN_EDIT

    def post(self, request, pk):
        plan = exit_plan_detail(user=request.user, pk=pk, capability=Capability.PLAN_EDIT)
        try:
            plan = plan_services.exit_plan_approve(actor=request.user, plan=plan)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已审批 {plan.area.name} {plan.year}年脱贫计划第{plan.version}版，计划已锁定")
        return redirect("plan:plan_detail", pk=plan.pk)


class PlanReviseView(PlanChangeView):
    """Revise an approved plan: a new draft version that references it; the old version is kept."""

    form_class = ExitPlanReviseForm
    title = "修订脱贫计划"
    revising = True
    required_status = ExitPlanStatus.APPROVED
    wrong_status_message = "只能修订已审批的现行计划"

    def save(self, request, plan, form):
        revision = plan_services.exit_plan_revise(actor=request.user, plan=plan, reason=form.cleaned_data["reason"],
                                                  **form.figures())
        messages.success(request, f"已生成第{revision.version}版修订草稿，审批后取代第{plan.version}版")
        return _saved(request, revision)


def _shown_figures(area, rows) -> list[str]:
    """Households and persons always; units below the area's level only where a plan or an exit exists."""
    shown = ["households", "persons"]
    possible = {
        "villages": area.level in (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP),
        "townships": area.level in (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY),
        "counties": area.level in (AreaLevel.PROVINCE, AreaLevel.CITY),
    }
    for name, allowed in possible.items():
        if allowed and any((r["planned"] and r["planned"][name] is not None) or r["actual"][name] for r in rows):
            shown.append(name)
    return shown


def _cells(row, shown):
    planned = row["planned"] or {}
    return [(planned.get(name), row["actual"][name], row["completion"][name]) for name in shown]


class PlanVsActualView(PageView):
    required_capability = Capability.PLAN_VIEW
    template_name = "assessments/plan/plan_vs_actual.html"

    def page_context(self, user, **kwargs):
        year = int(kwargs["year"])
        if not 2000 <= year <= 2100:
            raise Http404
        as_of = None
        if self.request.GET.get("as_of"):
            try:
                as_of = datetime.date.fromisoformat(self.request.GET["as_of"])
            except ValueError:
                messages.error(self.request, "截至日期格式应为 YYYY-MM-DD，已按今天计算")
        data = plan_vs_actual(user=user, area_code=kwargs["area_code"], year=year, as_of=as_of)
        everything = [data["own"], *data["rows"]]
        shown = _shown_figures(data["area"], everything)
        children_row = {"planned": data["children_planned"], "actual": data["children_actual"],
                        "completion": {name: None for name in PLAN_FIGURES}}
        area = data["area"]
        return {
            **data,
            "figure_headers": [FIGURE_LABELS[name] for name in shown],
            "own_cells": _cells(data["own"], shown),
            "child_rows": [{"row": row, "cells": _cells(row, shown)} for row in data["rows"]],
            "children_cells": _cells(children_row, shown),
            "series_rows": [
                {"item": item, "cells": _cells(item, shown),
                 "cumulative": _cells({"planned": item["planned_cumulative"], "actual": item["actual_cumulative"],
                                       "completion": item["completion_cumulative"]}, shown)}
                for item in data["series"]
            ],
            "can_edit": covers(user, Capability.PLAN_EDIT, area.code),
            "previous_year_url": reverse("plan:plan_vs_actual", args=[area.code, year - 1]),
            "next_year_url": reverse("plan:plan_vs_actual", args=[area.code, year + 1]),
        }
