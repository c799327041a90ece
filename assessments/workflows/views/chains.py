"""审核步骤配置: the chain each workflow follows in an area (DOMAIN.md §5.0 rule 1, §8 Q5), who set it and
why, and the form where staff with ``policy.edit`` (county and above) replace it for their area or go back
to the inherited chain. Running verifications keep the chain they started with."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from assessments.workflows.default_chains import STEP_KINDS
from assessments.workflows.models import ApprovalChain, WorkflowType
from assessments.workflows.services import approval_chain_reset, approval_chain_set, chain_for
from povalleviation.access import Capability, covers
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView
from villages.choices import AreaLevel
from villages.models import Area

CHAIN_LEVELS = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY]
KIND_LABELS = {
    "start": "发起（申请/提名）",
    "meeting": "民主评议",
    "publicity": "公示",
    "approval": "审核/审定",
    "comparison": "信息比对与审定",
    "announcement": "公告",
}


def chain_areas(user):
    """The county-or-higher areas the user may see chains of (their own and those below)."""
    return Area.objects.visible_to(user, Capability.POLICY_VIEW).filter(level__in=CHAIN_LEVELS).order_by("code")


def describe(steps) -> list[dict]:
    return [
        {
            **step,
            "level_label": AreaLevel(step["level"]).label,
            "capability_label": Capability(step["capability"]).label
            if step["capability"] in Capability.values
            else step["capability"],
            "kind_label": KIND_LABELS.get(step["kind"], step["kind"]),
        }
        for step in steps
    ]


class ApprovalChainListView(PageView):
    required_capability = Capability.POLICY_VIEW
    template_name = "assessments/workflow/chain_list.html"

    def page_context(self, user, **kwargs):
        # Staff posted below the county (township) see the chains in force at their own area, read-only.
        areas = list(chain_areas(user)) or sorted(
            {post.area for post in user.active_posts() if covers(user, Capability.POLICY_VIEW, post.area.code)},
            key=lambda a: a.code,
        )
        code = self.request.GET.get("area") or (areas[-1].code if areas else "")
        area = next((a for a in areas if a.code == code), None)
        year = timezone.localdate().year
        rows = []
        if area is not None:
            for workflow_type, label in WorkflowType.choices:
                steps, source = chain_for(workflow_type=workflow_type, area=area, year=year)
                rows.append({"type": workflow_type, "label": label, "steps": describe(steps), "source": source})
        return dict(
            areas=areas,
            area=area,
            year=year,
            rows=rows,
            can_edit=area is not None and covers(user, Capability.POLICY_EDIT, area.code),
            history=list(
                ApprovalChain.objects.visible_to(user, Capability.POLICY_VIEW)
                .filter(area=area)
                .select_related("area", "created_by")
                .order_by("-created_at", "-id")
            )
            if area
            else [],
        )


class StepForm(forms.Form):
    order = forms.IntegerField(label="顺序", min_value=0, required=False)
    code = forms.SlugField(label="步骤代码", max_length=40)
    label = forms.CharField(label="步骤名称", max_length=40)
    level = forms.ChoiceField(label="办理层级", choices=[(v, label) for v, label in AreaLevel.choices if v != "group"])
    capability = forms.ChoiceField(label="所需权限", choices=Capability.choices)
    kind = forms.ChoiceField(label="类型", choices=[(k, KIND_LABELS[k]) for k in sorted(STEP_KINDS)])
    upheld_to = forms.CharField(label="异议成立退回到（公示步骤）", max_length=40, required=False)


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


class ChainMetaForm(forms.Form):
    year_from = forms.IntegerField(label="起始年度", min_value=2013, max_value=2100)
    year_to = forms.IntegerField(label="截止年度（可不填）", min_value=2013, max_value=2100, required=False)
    note = forms.CharField(label="依据（文件与条款）", max_length=300)


def chain_area(request, code, workflow_type):
    """The area whose chain of ``workflow_type`` is changed; 404 for an unknown type or an area out of reach."""
    if workflow_type not in WorkflowType.values:
        raise Http404
    return get_object_or_404(chain_areas(request.user), code=code)


class ApprovalChainEditView(CapabilityRequiredMixin, View):
    required_capability = Capability.POLICY_EDIT
    template_name = "assessments/workflow/chain_edit.html"

    def render_page(self, request, area, workflow_type, meta, formset, *, error=None, status=200):
        year = timezone.localdate().year
        steps, source = chain_for(workflow_type=workflow_type, area=area, year=year)
        context = {
            "area": area,
            "workflow_type": workflow_type,
            "workflow_label": WorkflowType(workflow_type).label,
            "current": describe(steps),
            "source": source,
            "meta": meta,
            "formset": formset,
            "action_error": error,
            "can_edit": covers(request.user, Capability.POLICY_EDIT, area.code),
            "has_own": ApprovalChain.objects.filter(area=area, workflow_type=workflow_type, is_active=True).exists(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, code, workflow_type):
        area = chain_area(request, code, workflow_type)
        steps, _ = chain_for(workflow_type=workflow_type, area=area, year=timezone.localdate().year)
        initial = [{**{k: s.get(k, "") for k in StepForm.base_fields}, "order": i} for i, s in enumerate(steps)]
        formset = StepFormSet(prefix="steps", initial=initial)
        meta = ChainMetaForm(initial={"year_from": timezone.localdate().year})
        return self.render_page(request, area, workflow_type, meta, formset)

    def post(self, request, code, workflow_type):
        area = chain_area(request, code, workflow_type)
        meta = ChainMetaForm(request.POST)
        formset = StepFormSet(request.POST, prefix="steps")
        if not (meta.is_valid() and formset.is_valid()):
            return self.render_page(request, area, workflow_type, meta, formset, error="请按提示填写后再提交。", status=400)
        live = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        live.sort(key=lambda d: d["order"] if d.get("order") is not None else 999)
        steps = [
            {
                **{k: d[k] for k in ("code", "label", "level", "capability", "kind")},
                **({"upheld_to": d["upheld_to"]} if d.get("upheld_to") else {}),
            }
            for d in live
        ]
        try:
            approval_chain_set(
                actor=request.user,
                area=area,
                workflow_type=workflow_type,
                year_from=meta.cleaned_data["year_from"],
                year_to=meta.cleaned_data["year_to"],
                steps=steps,
                note=meta.cleaned_data["note"],
            )
        except ApplicationError as error:
            return self.render_page(
                request, area, workflow_type, meta, formset, error=error.message, status=error.status_code
            )
        messages.success(request, f"已保存{area.name}{WorkflowType(workflow_type).label}审核步骤")
        return redirect(f"{_list_url()}?area={area.code}")


def _list_url():
    from django.urls import reverse

    return reverse("workflow:chain_list")


class ApprovalChainResetView(CapabilityRequiredMixin, View):
    """恢复默认 (inherit again), with the reason."""

    required_capability = Capability.POLICY_EDIT

    def post(self, request, code, workflow_type):
        area = chain_area(request, code, workflow_type)
        try:
            approval_chain_reset(
                actor=request.user, area=area, workflow_type=workflow_type, note=request.POST.get("note", "")
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(f"{_list_url()}?area={area.code}")
        messages.success(request, f"{area.name}{WorkflowType(workflow_type).label}已恢复使用上级或默认审核步骤")
        return redirect(f"{_list_url()}?area={area.code}")
