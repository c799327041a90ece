"""Fund pages: the dashboard per area, allocations, project funding, vouchers (报账) and their review."""
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied as PageForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.conflicts import is_stale
from povalleviation.access import Capability, covers, scope_prefixes
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, flash_refusal, forbid_if_denied, paginate
from projects.models import FundSource, Project
from villages.models import Area

from . import services
from .choices import DisbursementStatus
from .forms import AllocationForm, DelayForm, DisbursementForm, FundingForm, PublishForm
from .models import Disbursement, FundAllocation, ProjectFunding
from .selectors import (
    allocation_list,
    disbursement_list,
    project_fund_rows,
    spend_summary,
    visible_area,
)


def dashboard_params(request):
    """Area (default: the user's widest post), year (default: this year), as-of date (default: today)."""
    params = request.GET
    code = params.get("area") or (scope_prefixes(request.user, Capability.FUND_VIEW) or [""])[0].ljust(12, "0")
    area = visible_area(user=request.user, code=code)
    today = timezone.localdate()
    try:
        year = int(params.get("year") or today.year)
        as_of = datetime.date.fromisoformat(params["as_of"]) if params.get("as_of") else min(today, datetime.date(year, 12, 31))
    except ValueError:
        year, as_of = today.year, today
    source = FundSource.objects.filter(pk=params.get("source")).first() if params.get("source", "").isdigit() else None
    return area, year, as_of, source


class DashboardView(CapabilityRequiredMixin, TemplateView):
    """支出进度 by source and by sub-area, vs target, as tables and bar charts, with drill-down links."""

    required_capability = Capability.FUND_VIEW
    template_name = "funds/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area, year, as_of, _ = dashboard_params(self.request)
        context.update(spend_summary(area=area, year=year, as_of=as_of))
        context["can_allocate"] = covers(self.request.user, Capability.FUND_ALLOCATE, area.code)
        context["ancestors"] = Area.objects.ancestors_of(area).visible_to(self.request.user, Capability.FUND_VIEW)
        return context


class ProjectDrillView(CapabilityRequiredMixin, TemplateView):
    """The projects behind a dashboard number: arranged and paid as of the date."""

    required_capability = Capability.FUND_VIEW
    template_name = "funds/project_drill.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area, year, as_of, source = dashboard_params(self.request)
        context.update(area=area, year=year, as_of=as_of, source=source,
                       rows=project_fund_rows(user=self.request.user, area=area, year=year, as_of=as_of, source=source),
                       can_attribute=covers(self.request.user, Capability.FUND_ALLOCATE, area.code),
                       query_string=self.request.GET.urlencode())
        return context


class AllocationListView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.FUND_VIEW
    template_name = "funds/allocation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        area = visible_area(user=self.request.user, code=params["area"]) if params.get("area") else None
        source = FundSource.objects.filter(pk=params.get("source")).first() if params.get("source", "").isdigit() else None
        year = int(params["year"]) if params.get("year", "").isdigit() else None
        queryset = allocation_list(user=self.request.user, area=area, year=year, source=source)
        page, _ = paginate(self.request, queryset)
        context.update(page_obj=page, allocations=page.object_list, params=params, sources=FundSource.objects.all(),
                       can_allocate=bool(scope_prefixes(self.request.user, Capability.FUND_ALLOCATE)))
        return context


def _allocation_areas(user):
    areas = Area.objects.visible_to(user, Capability.FUND_ALLOCATE).filter(level__in=["county", "township", "village"])
    return [(a.code, f"{a.code} {a.name}") for a in areas.order_by("code")]


class AllocationCreateView(CapabilityRequiredMixin, View):
    required_capability = Capability.FUND_ALLOCATE
    template_name = "funds/allocation_form.html"

    def get(self, request):
        form = AllocationForm(initial={"year": timezone.localdate().year, "allocated_on": timezone.localdate()},
                              area_choices=_allocation_areas(request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = AllocationForm(request.POST, area_choices=_allocation_areas(request.user))
        if form.is_valid():
            data = dict(form.cleaned_data)
            area = Area.objects.get(code=data.pop("area"))
            try:
                allocation = services.fund_allocation_create(actor=request.user, area=area, **data)
                messages.success(request, "已登记资金下达。")
                return redirect("funds:allocation_detail", pk=allocation.pk)
            except ApplicationError as error:
                forbid_if_denied(error)
                form.add_error(None, error.message)
        return render(request, self.template_name, {"form": form}, status=400)


class AllocationDetailView(CapabilityRequiredMixin, View):
    required_capability = Capability.FUND_VIEW
    template_name = "funds/allocation_detail.html"

    def get_allocation(self, request, pk):
        return get_object_or_404(FundAllocation.objects.visible_to(request.user, Capability.FUND_VIEW)
                                 .select_related("source", "area"), pk=pk)

    def get(self, request, pk, form=None, publish_form=None, status=None):
        allocation = self.get_allocation(request, pk)
        fundings = ProjectFunding.objects.filter(allocation=allocation).select_related("project__area")
        return render(request, self.template_name, {
            "allocation": allocation, "fundings": fundings, "form": form or FundingForm(),
            "publish_form": publish_form or PublishForm(initial={"published_on": allocation.allocated_on,
                                                                 "version": allocation.version}),
            "can_assign": covers(request.user, Capability.FUND_ALLOCATE, allocation.area_code),
        }, status=status or (400 if form else 200))

    def post(self, request, pk):
        allocation = self.get_allocation(request, pk)
        if not covers(request.user, Capability.FUND_ALLOCATE, allocation.area_code):
            raise PageForbidden("您没有安排资金的权限。")
        form = FundingForm(request.POST)
        if form.is_valid():
            project = Project.objects.visible_to(request.user, Capability.PROJECT_VIEW).filter(
                number=form.cleaned_data["project_number"]).first()
            if project is None:
                form.add_error("project_number", "找不到该项目，或不在您的范围内。")
            else:
                try:
                    services.project_funding_assign(actor=request.user, allocation=allocation, project=project,
                                                    amount=form.cleaned_data["amount"])
                    messages.success(request, f"已安排到项目 {project.number}。")
                    return redirect("funds:allocation_detail", pk=allocation.pk)
                except ApplicationError as error:
                    forbid_if_denied(error)
                    form.add_error(None, error.message)
        return self.get(request, pk, form=form)


class AllocationPublishView(AllocationDetailView):
    """公开资金分配结果 (P-FD-08): required before any 报账 against the allocation. A save from a page shown before
    someone else changed the allocation is answered on the page: 409, the message, what was typed."""

    required_capability = Capability.FUND_ALLOCATE
    http_method_names = ["post", "options"]

    def post(self, request, pk):
        allocation = get_object_or_404(FundAllocation.objects.visible_to(request.user, Capability.FUND_VIEW), pk=pk)
        form = PublishForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写公开日期和公开方式或地点。")
        else:
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.fund_allocation_publish(actor=request.user, allocation=allocation, **data,
                                                 expected_version=allocation.version if version is None else version)
                messages.success(request, "已登记分配结果公开。")
            except ApplicationError as error:
                if not is_stale(error):
                    flash_refusal(request, error)
                    return redirect("funds:allocation_detail", pk=allocation.pk)
                form.add_error(None, error.message)
                return self.get(request, pk, publish_form=form, status=error.status_code)
        return redirect("funds:allocation_detail", pk=allocation.pk)


class DelayCreateView(CapabilityRequiredMixin, View):
    """认定延误原因 (P-FD-10) for a project behind schedule, from the drill-down."""

    required_capability = Capability.FUND_ALLOCATE
    template_name = "funds/delay_form.html"

    def get_project(self, request, pk):
        return get_object_or_404(Project.objects.visible_to(request.user, Capability.FUND_VIEW).select_related("area"),
                                 pk=pk)

    def get(self, request, pk):
        project = self.get_project(request, pk)
        form = DelayForm(initial={"recorded_on": timezone.localdate()})
        return render(request, self.template_name, {"form": form, "project": project, "next": request.GET.get("next", "")})

    def post(self, request, pk):
        project = self.get_project(request, pk)
        form = DelayForm(request.POST)
        if form.is_valid():
            try:
                services.fund_delay_record(actor=request.user, project=project, **form.cleaned_data)
                messages.success(request, "已认定延误原因和责任主体。")
                target = request.POST.get("next", "")
                if target.startswith("/funds/"):  # back to the drill-down it came from, never off-site
                    return redirect(target)
                return redirect("projects:detail", pk=project.pk)
            except ApplicationError as error:
                forbid_if_denied(error)
                form.add_error(None, error.message)
        return render(request, self.template_name, {"form": form, "project": project, "next": request.POST.get("next", "")},
                      status=400)


class DisbursementListView(CapabilityRequiredMixin, TemplateView):
    """Vouchers behind a number (area/source/year/as-of filters) and the review queue."""

    required_capability = Capability.FUND_VIEW
    template_name = "funds/disbursement_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params, user = self.request.GET, self.request.user
        area = visible_area(user=user, code=params["area"]) if params.get("area") else None
        source = FundSource.objects.filter(pk=params.get("source")).first() if params.get("source", "").isdigit() else None
        as_of = datetime.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
        year = int(params["year"]) if params.get("year", "").isdigit() else None
        project = Project.objects.filter(pk=params["project"]).first() if params.get("project", "").isdigit() else None
        queryset = disbursement_list(user=user, area=area, year=year, source=source, as_of=as_of, project=project,
                                     status=params.get("status") or None)
        page, query_string = paginate(self.request, queryset)
        township_prefixes = scope_prefixes(user, Capability.DISBURSEMENT_REVIEW_TOWNSHIP)
        county_prefixes = scope_prefixes(user, Capability.DISBURSEMENT_REVIEW_COUNTY)
        for d in page.object_list:
            d.can_review = d.recorded_by_id != user.pk and d.township_reviewer_id != user.pk and (
                (d.status == DisbursementStatus.RECORDED and any(d.project_area_code.startswith(p) for p in township_prefixes))
                or (d.status in (DisbursementStatus.TOWNSHIP_CHECKED, DisbursementStatus.RECORDED)
                    and any(d.project_area_code.startswith(p) for p in county_prefixes)))
        context.update(page_obj=page, disbursements=page.object_list, params=params, statuses=DisbursementStatus.choices,
                       sources=FundSource.objects.all(), query_string=query_string)
        return context


class DisbursementCreateView(CapabilityRequiredMixin, View):
    required_capability = Capability.DISBURSEMENT_RECORD
    template_name = "funds/disbursement_form.html"

    def get_funding(self, request):
        return get_object_or_404(ProjectFunding.objects.visible_to(request.user, Capability.DISBURSEMENT_RECORD)
                                 .select_related("project", "allocation__source"), pk=request.GET.get("funding") or 0)

    def get(self, request):
        funding = self.get_funding(request)
        form = DisbursementForm(initial={"paid_on": timezone.localdate()})
        return render(request, self.template_name, {"form": form, "funding": funding})

    def post(self, request):
        funding = self.get_funding(request)
        form = DisbursementForm(request.POST)
        if form.is_valid():
            try:
                services.fund_disburse(actor=request.user, funding=funding, **form.cleaned_data)
                messages.success(request, "已登记报账。")
                return redirect("projects:detail", pk=funding.project_id)
            except ApplicationError as error:
                forbid_if_denied(error)
                form.add_error(None, error.message)
        return render(request, self.template_name, {"form": form, "funding": funding}, status=400)


class DisbursementReviewView(CapabilityRequiredMixin, View):
    required_capability = Capability.FUND_VIEW

    def post(self, request, pk):
        disbursement = get_object_or_404(Disbursement.objects.visible_to(request.user, Capability.FUND_VIEW), pk=pk)
        approve, note = request.POST.get("decision") == "approve", request.POST.get("note", "")
        township_step = disbursement.status == DisbursementStatus.RECORDED and covers(
            request.user, Capability.DISBURSEMENT_REVIEW_TOWNSHIP, disbursement.project_area_code)
        review = services.disbursement_review_township if township_step else services.disbursement_review_county
        try:
            review(actor=request.user, disbursement=disbursement, approve=approve, note=note)
            messages.success(request, "已审核。")
        except ApplicationError as error:
            flash_refusal(request, error)
        return redirect("funds:disbursement_list")
