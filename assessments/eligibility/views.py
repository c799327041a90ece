"""Eligibility pages (under /policy/eligibility/): recompute runs with a progress bar and 「立即重算」;
village and county results, explained.

Anonymous → login; no capability → 403; an area outside the user's areas → 404.
"""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View

from assessments.eligibility.forms import RecomputeForm
from assessments.eligibility.models import AreaEligibilityResult
from assessments.eligibility.selectors import (
    area_results,
    explained_area_results,
    recompute_areas,
    recompute_runs,
)
from assessments.eligibility.services import recompute_run_start
from assessments.policy.views import area_from_request, parse_year
from povalleviation.access import Capability, has_capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, apply_form_errors
from villages.models import Area


class RunListView(PageView):
    """Recompute runs in the user's areas, with progress, and 「立即重算」 for county staff."""

    required_capability = Capability.POLICY_VIEW
    template_name = "assessments/eligibility/run_list.html"

    def page_context(self, user, form=None, **kwargs):
        page = Paginator(recompute_runs(user=user), 30).get_page(self.request.GET.get("page"))
        can_start = has_capability(user, Capability.ELIGIBILITY_RECOMPUTE)
        if can_start and form is None:
            form = RecomputeForm(area_choices=self._choices(), initial={"year": timezone.localdate().year})
        return dict(page_obj=page, runs=page.object_list, form=form, can_start=can_start,
                    active_ids=[run.pk for run in page.object_list if run.is_active])

    def _choices(self):
        return [(a.code, a.name) for a in recompute_areas(user=self.request.user)]



class RunStartView(RunListView):
    required_capability = Capability.ELIGIBILITY_RECOMPUTE

    def post(self, request):
        form = RecomputeForm(request.POST, area_choices=self._choices())
        if form.is_valid():
            area = Area.objects.get(code=form.cleaned_data["area"])
            try:
                run = recompute_run_start(actor=request.user, area=area, year=form.cleaned_data["year"])
            except ApplicationError as error:
                apply_form_errors(error, form)
            else:
                messages.success(request, f"已发起 {area.name} {run.year} 年度重算，进度见下表。")
                return redirect("eligibility:run_list")
        elif request.POST.get("area") and request.POST.get("area") not in dict(self._choices()):
            raise Http404
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get(self, request, *args, **kwargs):
        return redirect("eligibility:run_list")



class RunStatusView(CapabilityRequiredMixin, View):
    """JSON polled by the run list while runs are in progress: ?ids=1,2."""

    required_capability = Capability.POLICY_VIEW

    def get(self, request):
        ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.strip().isdigit()][:50]
        runs = recompute_runs(user=request.user).filter(pk__in=ids)
        return JsonResponse({"runs": [
            {"id": run.pk, "status": run.status, "status_label": run.get_status_display(), "progress": run.progress,
             "total": run.total, "evaluated": run.evaluated, "changed": run.changed_count, "passed": run.passed_count,
             "failed": run.failed_count, "unknown": run.unknown_count, "duration_seconds": run.duration_seconds,
             "error": run.error}
            for run in runs
        ]})



class AreaResultListView(PageView):
    """Village (出列) and county (摘帽) results of a year, explained."""

    required_capability = Capability.POLICY_VIEW
    template_name = "assessments/eligibility/area_results.html"

    def page_context(self, user, **kwargs):
        area = area_from_request(self.request)
        latest = area_results(user=user, area_code=area.code).values_list("year", flat=True).first()
        year = parse_year(self.request.GET.get("year"), default=latest)
        page = Paginator(area_results(user=user, year=year, area_code=area.code), 50).get_page(self.request.GET.get("page"))
        return dict(area=area, year=year, page_obj=page, results=explained_area_results(page.object_list),
                    levels=AreaEligibilityResult.Level, query_string=urlencode({"area": area.code, "year": year}))
