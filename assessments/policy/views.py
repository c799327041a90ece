"""Policy pages: parameters by area with inheritance, set/revise/retire with history (the eligibility pages
under /policy/eligibility/ live in ``assessments.eligibility.views``).

Anonymous → login; no capability → 403; a row or area outside the user's areas → 404.
"""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View

from assessments.policy.forms import ParameterForm
from assessments.policy.models import PARAMETER_DEFINITIONS, ParameterCode
from assessments.policy.selectors import (
    default_area,
    parameter_detail,
    parameter_history,
    parameter_overview,
    parameter_rows,
    visible_area,
)
from assessments.policy.services import (
    EDITABLE_FIELDS,
    policy_parameter_create,
    policy_parameter_retire,
    policy_parameter_revise,
)
from povalleviation.access import Capability, covers
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, ServiceFormView
from villages.models import Area


def parse_year(raw, default=None) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default or timezone.localdate().year
    return year if 2000 <= year <= 2100 else (default or timezone.localdate().year)


def area_from_request(request, capability=Capability.POLICY_VIEW):
    code = request.GET.get("area") or request.POST.get("area")
    area = visible_area(user=request.user, code=code, capability=capability) if code else default_area(
        user=request.user, capability=capability
    )
    if area is None:
        raise Http404
    return area


class ParameterListView(PageView):
    """/policy/: what applies at an area in a year (and from which area's row), and the rows set below it."""

    required_capability = Capability.POLICY_VIEW
    template_name = "assessments/policy/parameter_list.html"

    def page_context(self, user, **kwargs):
        area = area_from_request(self.request)
        year = parse_year(self.request.GET.get("year"))
        page = Paginator(parameter_rows(user=user, area=area), 50).get_page(self.request.GET.get("page"))
        return dict(
            area=area, year=year, overview=parameter_overview(user=user, area=area, year=year), page_obj=page,
            rows=page.object_list, query_string=urlencode({"area": area.code, "year": year}),
            ancestors=list(Area.objects.ancestors_of(area)),
            children=list(Area.objects.filter(parent=area).order_by("code")) if area.level != "village" else [],
            can_edit_here=covers(user, Capability.POLICY_EDIT, area.code),
        )


class ParameterFormView(ServiceFormView):
    """The parameter form; a refused save shows it again with status 400."""

    required_capability = Capability.POLICY_EDIT
    template_name = "assessments/policy/parameter_form.html"
    form_class = ParameterForm
    refusal_status = 400


class ParameterCreateView(ParameterFormView):
    """Set a parameter at an area (an override of what it inherits, or a missing value)."""

    def get_object(self, request):
        area = area_from_request(request, capability=Capability.POLICY_EDIT)
        if not covers(request.user, Capability.POLICY_EDIT, area.code):  # an ancestor: shown, never set, from here
            raise Http404
        return area

    def page_context(self, request, area, form):
        defaults = {code: {"unit": d.unit, "comparator": d.comparator, "has_value": d.has_value}
                    for code, d in PARAMETER_DEFINITIONS.items()}
        return {"form": form, "area": area, "title": f"设置政策参数：{area.name}", "definitions": defaults}

    def initial(self, request, area):
        code = request.GET.get("code") if request.GET.get("code") in ParameterCode.values else ParameterCode.INCOME_LINE
        definition = PARAMETER_DEFINITIONS[code]
        return {"code": code, "unit": definition.unit, "comparator": definition.comparator,
                "year_from": parse_year(request.GET.get("year"))}

    def save(self, request, area, form):
        data = form.cleaned_data
        parameter = policy_parameter_create(
            actor=request.user, code=data["code"], area=area, year_from=data["year_from"], year_to=data["year_to"],
            value=data["value"], unit=data["unit"], comparator=data["comparator"],
            source_citation=data["source_citation"], is_from_seeds=data["is_from_seeds"], note=data["note"],
            policy_ref=data["policy_ref"], price_base_year=data["price_base_year"], reason=data["reason"],
        )
        messages.success(request, f"已设置：{parameter}（{parameter.display}）")
        return redirect("policy:parameter_detail", pk=parameter.pk)


class ParameterDetailView(PageView):
    """One parameter with all its versions: value, years, source, who set it, when and why."""

    required_capability = Capability.POLICY_VIEW
    template_name = "assessments/policy/parameter_detail.html"

    def page_context(self, user, **kwargs):
        row = parameter_detail(user=user, pk=kwargs["pk"])
        return dict(parameter=row, versions=list(parameter_history(parameter=row)),
                    can_edit=row.is_current and covers(user, Capability.POLICY_EDIT, row.area.code))


class ParameterEditView(ParameterFormView):
    """Revise a parameter: a new version is written, the old one kept in the history."""

    refusal_status = None  # a stale save is 409, other refusals keep the service's status

    def get_object(self, request, pk):
        row = parameter_detail(user=request.user, pk=pk, capability=Capability.POLICY_EDIT)
        # A form opened before someone revised the row is still posted: the service answers 409 with who and what.
        if not row.is_current and request.method != "POST":
            raise Http404
        return row

    def form_kwargs(self, request, row):
        return {"fixed_code": True}

    def initial(self, request, row):
        return {**{name: getattr(row, name) for name in EDITABLE_FIELDS}, "version": row.version}

    def page_context(self, request, row, form):
        return {"form": form, "area": row.area, "parameter": row, "title": f"修改政策参数：{row.get_code_display()}"}

    def save(self, request, row, form):
        data = form.cleaned_data
        revised = policy_parameter_revise(actor=request.user, parameter=row, reason=data["reason"],
                                          expected_version=data.get("version") if data.get("version") is not None
                                          else row.version, **{name: data[name] for name in EDITABLE_FIELDS})
        messages.success(request, f"已修改为第 {revised.version} 版：{revised.display}")
        return redirect("policy:parameter_detail", pk=revised.pk)


class ParameterRetireView(CapabilityRequiredMixin, View):
    required_capability = Capability.POLICY_EDIT

    def post(self, request, pk):
        row = parameter_detail(user=request.user, pk=pk, capability=Capability.POLICY_EDIT)
        try:
            policy_parameter_retire(actor=request.user, parameter=row, reason=request.POST.get("reason", ""))
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("policy:parameter_detail", pk=row.pk)
        messages.success(request, f"已停用：{row}；该区域改为沿用上级区域的设置（如有）。")
        return redirect(f"{reverse('policy:parameter_list')}?area={row.area.code}&year={row.year_from}")
