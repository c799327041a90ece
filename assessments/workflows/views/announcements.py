"""公告 pages: the batch page where the county announces the households of one township (or the county)
that passed 县级审定, the list of 公告, one 公告 as a printable page and as a PDF (WeasyPrint, like the
household card)."""

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View

from assessments.workflows.models import WorkflowType
from assessments.workflows.selectors.announcements import (
    announcement_candidates,
    announcement_detail,
    announcement_list,
    announcement_scopes,
)
from assessments.workflows.services import announcement_publish
from povalleviation.access import Capability, has_capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView
from villages.choices import AreaLevel
from villages.models import Area


class AnnouncementListView(PageView):
    required_capability = Capability.EXIT_VIEW
    template_name = "assessments/workflow/announcement_list.html"

    def page_context(self, user, **kwargs):
        can_announce = has_capability(user, Capability.EXIT_ANNOUNCE)
        return dict(
            announcements=list(announcement_list(user=user)[:200]),
            can_announce=can_announce,
            scopes=announcement_scopes(user=user) if can_announce else [],
            identification_scopes=(announcement_scopes(user=user, workflow_type=WorkflowType.IDENTIFICATION)
                                   if can_announce else []),
        )


# The two household workflows that end in a 公告 (DOMAIN.md §5.1 step 7, §5.4): what the page calls the
# households and what they become.
BATCH_TYPES = {
    WorkflowType.HOUSEHOLD_EXIT: {"label": "脱贫退出", "passed": "已通过县级审定", "outcome": "已脱贫", "done": "已脱贫"},
    WorkflowType.IDENTIFICATION: {"label": "识别纳入", "passed": "已通过县级比对审定", "outcome": "贫困户（纳入建档立卡）",
                                  "done": "纳入建档立卡"},
}


def _batch_type(value) -> str:
    return value if value in BATCH_TYPES else WorkflowType.HOUSEHOLD_EXIT


def _parse_selection(values) -> dict:
    """Checkbox values "id:version" → {id: version}; anything else is ignored."""
    selection = {}
    for value in values:
        pk, _, version = str(value).partition(":")
        if pk.isdigit() and version.isdigit():
            selection[int(pk)] = int(version)
    return selection


class AnnouncementBatchView(CapabilityRequiredMixin, View):
    """公告 (batch): pick a township (or the county), tick the households, give the date, announce."""

    required_capability = Capability.EXIT_ANNOUNCE
    template_name = "assessments/workflow/announcement_batch.html"

    def scope(self, request, code):
        return get_object_or_404(
            Area.objects.visible_to(request.user, Capability.EXIT_ANNOUNCE).filter(
                level__in=[AreaLevel.TOWNSHIP, AreaLevel.COUNTY]
            ),
            code=code,
        )

    def render_page(self, request, scope, *, error=None, selection=None, status=200, announced_on=None, note="",
                    workflow_type=WorkflowType.HOUSEHOLD_EXIT):
        candidates = announcement_candidates(user=request.user, scope=scope, workflow_type=workflow_type) if scope else []
        counties = list(
            Area.objects.visible_to(request.user, Capability.EXIT_ANNOUNCE).filter(level=AreaLevel.COUNTY)
        )
        context = {
            "scope": scope,
            "scopes": announcement_scopes(user=request.user, workflow_type=workflow_type),
            "workflow_type": workflow_type,
            "batch_type": BATCH_TYPES[workflow_type],
            "batch_types": [(value, kind["label"]) for value, kind in BATCH_TYPES.items()],
            "counties": counties,
            "candidates": candidates,
            "selected": set(selection) if selection is not None else {v.pk for v in candidates},
            "announced_on": announced_on or timezone.localdate(),
            "note": note,
            "action_error": error,
            "people": sum(v.household.member_count for v in candidates if v.household_id),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        code = request.GET.get("scope", "")
        return self.render_page(request, self.scope(request, code) if code else None,
                                workflow_type=_batch_type(request.GET.get("type")))

    def post(self, request):
        scope = self.scope(request, request.POST.get("scope", ""))
        workflow_type = _batch_type(request.POST.get("type"))
        selection = _parse_selection(request.POST.getlist("v"))
        note = request.POST.get("note", "").strip()[:2000]
        try:
            announced_on = datetime.date.fromisoformat(request.POST.get("announced_on", ""))
        except ValueError:
            return self.render_page(
                request, scope, error="请填写公告日期", selection=selection, status=400, note=note,
                workflow_type=workflow_type,
            )
        try:
            announcement = announcement_publish(
                actor=request.user, scope=scope, versions=selection, announced_on=announced_on, note=note,
                workflow_type=workflow_type,
            )
        except ApplicationError as error:
            return self.render_page(
                request,
                scope,
                error=error.message,
                selection=selection,
                status=error.status_code,
                announced_on=announced_on,
                note=note,
                workflow_type=workflow_type,
            )
        messages.success(request, f"已发布{announcement.number}，{announcement.household_count} 户"
                                  f"{BATCH_TYPES[workflow_type]['done']}")
        return redirect("workflow:announcement_detail", pk=announcement.pk)


class AnnouncementDetailView(PageView):
    required_capability = Capability.EXIT_VIEW
    template_name = "assessments/workflow/announcement_detail.html"

    def page_context(self, user, **kwargs):
        return {"announcement": announcement_detail(user=user, pk=kwargs["pk"])}


class AnnouncementPdfView(CapabilityRequiredMixin, View):
    """The 公告 as an A4 PDF for the notice board (CJK fonts embedded)."""

    required_capability = Capability.EXIT_VIEW

    def get(self, request, pk):
        from weasyprint import HTML

        announcement = announcement_detail(user=request.user, pk=pk)
        html = render_to_string(
            "assessments/workflow/announcement_pdf.html", {"announcement": announcement}, request=request
        )
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="gonggao-{announcement.pk}.pdf"'
        return response
