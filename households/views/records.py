"""List and detail (户卡) pages, the card PDF and the ID reveal."""
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from households import extensions
from households.choices import HouseholdCategory, HouseholdStatus, MonitoringFlag, PovertyCause
from households.models import Member
from households.quality import household_quality_warnings
from households.selectors import household_detail, household_events, household_list, last_visit_overdue
from households.services import (
    household_phone_reveal,
    household_read_record,
    household_search_record,
    id_number_reveal,
)
from povalleviation.access import Capability, has_capability
from povalleviation.personal_data import export_mark
from povalleviation.views import CapabilityRequiredMixin, paginate

from .purpose import ask_purpose, purpose_from


class HouseholdListView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.HOUSEHOLD_VIEW
    template_name = "households/household_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        household_filter = household_list(user=self.request.user, params=self.request.GET)
        queryset = household_filter.qs if household_filter.is_valid() else household_filter.queryset.none()
        page, query_string = paginate(self.request, queryset, self.paginate_by)
        # A search for people (name or ID number) is a read of personal data: one audit row per request.
        household_search_record(actor=self.request.user, params=self.request.GET, result_count=page.paginator.count)
        context.update(
            filter=household_filter, page_obj=page, households=page.object_list, query_string=query_string,
            statuses=HouseholdStatus.choices, causes=PovertyCause.choices, categories=HouseholdCategory.choices,
            monitoring_flags=[c for c in MonitoringFlag.choices if c[0]], params=self.request.GET,
            can_edit=has_capability(self.request.user, Capability.HOUSEHOLD_EDIT),
            can_export=has_capability(self.request.user, Capability.HOUSEHOLD_EXPORT),
            can_import=has_capability(self.request.user, Capability.HOUSEHOLD_IMPORT),
        )
        return context


def card_context(request, pk):
    household = household_detail(user=request.user, pk=pk)
    members = list(household.members.all())
    incomes = sorted(household.income_records.all(), key=lambda r: -r.year)
    conditions = sorted(household.living_conditions.all(), key=lambda c: (-c.year, c.assessed_on), reverse=False)
    latest_conditions = max(conditions, key=lambda c: (c.year, c.assessed_on, c.id)) if conditions else None
    return {
        "household": household,
        "members": [m for m in members if m.is_registered],
        "former_members": [m for m in members if not m.is_registered],
        "incomes": incomes,
        "conditions": sorted(conditions, key=lambda c: (c.year, c.assessed_on, c.id), reverse=True),
        "latest_conditions": latest_conditions,
        "measures": sorted(household.measures.all(), key=lambda m: (-m.year, m.id)),
        "assignments": list(household.helper_assignments.all()),
        "visits": sorted(household.visits.all(), key=lambda v: v.visited_on, reverse=True),
        "status_changes": list(household.status_changes.all()),
        "visit_overdue": last_visit_overdue(household),
        "quality_warnings": household_quality_warnings(
            household, [m for m in members if m.is_registered], assignments=household.helper_assignments.all(),
            today=timezone.localdate(),
        ),
    }


class HouseholdDetailView(CapabilityRequiredMixin, TemplateView):
    """户卡: the household's record on one printable page, with its history."""

    required_capability = Capability.HOUSEHOLD_VIEW
    template_name = "households/household_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(card_context(self.request, kwargs["pk"]))
        user = self.request.user
        code = context["household"].area_code
        from povalleviation.access import covers

        context["can_edit"] = covers(user, Capability.HOUSEHOLD_EDIT, code)
        context["can_reveal"] = covers(user, Capability.IDNUMBER_REVEAL, code)
        context["can_visit"] = covers(user, Capability.VISIT_RECORD, code)
        context["events"] = household_events(household=context["household"])
        # Sections other apps add (e.g. the eligibility result), each rendered with this page's context and its own.
        context["card_sections"] = [
            render_to_string(section["template"], {**context, **section["context"]}, request=self.request)
            for section in extensions.card_sections(context["household"])
        ]
        household_read_record(actor=user, household=context["household"], action="household.view",
                              detail=f"含 {len(context['members'])} 名成员")
        return context


class HouseholdCardPdfView(CapabilityRequiredMixin, View):
    """户卡 as a PDF (WeasyPrint, CJK fonts embedded)."""

    required_capability = Capability.HOUSEHOLD_VIEW

    def get(self, request, pk):
        from weasyprint import HTML

        context = card_context(request, pk)
        purpose = purpose_from(request.GET)
        if not purpose:
            return ask_purpose(request, title=f"下载户卡 PDF：{context['household'].head_name}户", submit_label="下载 PDF")
        household = context["household"]
        context["export_mark"] = export_mark(user=request.user, purpose=purpose)
        html = render_to_string("households/household_card_pdf.html", context, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        household_read_record(actor=request.user, household=household, action="household.pdf", detail=f"用途：{purpose}",
                              changes={"purpose": purpose})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="huka-{household.household_number}.pdf"'
        return response


class RevealIdNumberView(CapabilityRequiredMixin, View):
    """One full ID number at a time, for users with the capability; each reveal is audited."""

    required_capability = Capability.IDNUMBER_REVEAL

    def post(self, request, pk, member_pk):
        member = get_object_or_404(
            Member.objects.visible_to(request.user, Capability.IDNUMBER_REVEAL).select_related("household"),
            pk=member_pk, household_id=pk,
        )
        return JsonResponse({"id_number": id_number_reveal(actor=request.user, member=member)})


class RevealPhoneView(CapabilityRequiredMixin, View):
    """The household's full contact phone, for users who may reveal ID numbers there; each reveal is audited."""

    required_capability = Capability.IDNUMBER_REVEAL

    def post(self, request, pk):
        from households.models import Household

        household = get_object_or_404(Household.objects.visible_to(request.user, Capability.IDNUMBER_REVEAL), pk=pk)
        return JsonResponse({"phone": household_phone_reveal(actor=request.user, household=household)})
