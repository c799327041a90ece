"""Pages of the 问题整改台账: ledger with counts by 大类 × status, inspection entry, item detail and actions."""
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from povalleviation.access import Capability, covers, scope_prefixes
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, forbid_if_denied, paginate
from villages.codes import county_code
from villages.models import Area

from .. import services
from ..choices import WORKABLE_ITEM_STATUSES, ItemStatus, SourceKind
from ..forms import (
    CloseForm,
    DeadlineForm,
    EscalationForm,
    InspectionForm,
    ProgressForm,
    ReopenForm,
    SubmitForm,
    VerifyForm,
    apply_errors,
    item_formset_class,
)
from ..models import ProgressNote
from ..selectors import (
    category_status_matrix,
    inspection_detail,
    inspection_list,
    item_categories,
    item_detail,
    item_list,
)
from .common import RecordActionView, RecordPageView, area_choices


class LedgerView(PageView):
    """问题整改台账: counts by 大类 × status on top, then the filtered items, overdue rows flagged."""

    required_capability = Capability.INSPECTION_VIEW
    template_name = "oversight/ledger.html"

    def page_context(self, user, **kwargs):
        params = self.request.GET
        items = item_list(user=user, params=params)
        page, query_string = paginate(self.request, items)
        return dict(
            page_obj=page, items=page.object_list, query_string=query_string, params=params,
            matrix=category_status_matrix(items), today=timezone.localdate(), sources=SourceKind.choices,
            statuses=ItemStatus.choices, categories=item_categories(user=user),
            can_create=bool(scope_prefixes(user, Capability.INSPECTION_MANAGE)),
        )


class InspectionListView(PageView):
    required_capability = Capability.INSPECTION_VIEW
    template_name = "oversight/inspection_list.html"

    def page_context(self, user, **kwargs):
        page, query_string = paginate(self.request, inspection_list(user=user))
        return dict(page_obj=page, inspections=page.object_list, query_string=query_string,
                    can_create=bool(scope_prefixes(user, Capability.INSPECTION_MANAGE)))


class InspectionDetailView(PageView):
    required_capability = Capability.INSPECTION_VIEW
    template_name = "oversight/inspection_detail.html"

    def page_context(self, user, **kwargs):
        inspection = inspection_detail(user=user, pk=kwargs["pk"])
        return dict(inspection=inspection, today=timezone.localdate(),
                    can_add=covers(user, Capability.INSPECTION_MANAGE, inspection.issuer_area.code))


class InspectionCreateView(CapabilityRequiredMixin, View):
    """Register an inspection with its 督查报告 and its 具体问题 rows (大类 → 条 → 具体问题)."""

    required_capability = Capability.INSPECTION_MANAGE
    template_name = "oversight/inspection_form.html"

    def _forms(self, data=None):
        user = self.request.user
        choices = area_choices(user, Capability.INSPECTION_MANAGE)
        issuers = area_choices(user, Capability.INSPECTION_MANAGE, levels=["province", "city", "county"])
        today = timezone.localdate()
        form = InspectionForm(data, issuer_choices=issuers, area_choices=choices,
                              initial={"started_on": today, "ended_on": today, "feedback_on": today})
        formset = item_formset_class(self.request.GET.get("rows"))(data, prefix="items",
                                                                   form_kwargs={"area_choices": choices})
        return form, formset

    def get(self, request):
        form, formset = self._forms()
        return render(request, self.template_name, {"form": form, "formset": formset})

    def post(self, request):
        form, formset = self._forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                inspection = self._create(form.cleaned_data, formset)
            except ApplicationError as error:
                forbid_if_denied(error)
                apply_errors(form, error)
            else:
                messages.success(request, f"已登记“{inspection.title}”及其问题清单。")
                return redirect("oversight:inspection_detail", pk=inspection.pk)
        return render(request, self.template_name, {"form": form, "formset": formset}, status=400)

    def _create(self, data, formset):
        areas = {a.code: a for a in Area.objects.filter(code__in={data["issuer_area"], data["area"]})}
        return services.inspection_create(
            actor=self.request.user, issuer_area=areas[data["issuer_area"]], area=areas[data["area"]],
            data={k: v for k, v in data.items() if k not in ("issuer_area", "area")}, findings=findings_from(formset))


def findings_from(formset) -> list[dict]:
    """Group the filled rows by (大类, 条) into the ``findings`` argument of the services."""
    codes = {row.cleaned_data.get("area") for row in formset if row.cleaned_data}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    findings: dict[tuple[str, str], dict] = {}
    for row in formset:
        values = row.cleaned_data
        if not values or not row.has_changed():
            continue
        key = (values["category"].strip(), values["finding"].strip())
        findings.setdefault(key, {"category": key[0], "text": key[1], "items": []})["items"].append({
            "problem": values["problem"], "area": areas[values["area"]], "deadline": values.get("deadline"),
            "responsible_unit": values["responsible_unit"], "responsible_person": values["responsible_person"],
            "measures": values.get("measures", ""),
        })
    return list(findings.values())


class InspectionAddItemsView(CapabilityRequiredMixin, View):
    """补充问题: more 具体问题 for an existing inspection; rows with an existing 大类 and 条 join that finding."""

    required_capability = Capability.INSPECTION_MANAGE
    template_name = "oversight/inspection_items_form.html"

    def _formset(self, inspection, data=None):
        choices = area_choices(self.request.user, Capability.INSPECTION_MANAGE, within=inspection.area)
        return item_formset_class(self.request.GET.get("rows"))(data, prefix="items", form_kwargs={"area_choices": choices})

    def get(self, request, pk):
        inspection = inspection_detail(user=request.user, pk=pk)
        return render(request, self.template_name, {"inspection": inspection, "formset": self._formset(inspection)})

    def post(self, request, pk):
        inspection = inspection_detail(user=request.user, pk=pk)
        formset = self._formset(inspection, request.POST)
        if formset.is_valid():
            try:
                count = services.inspection_items_add(actor=request.user, inspection=inspection, findings=findings_from(formset))
            except ApplicationError as error:
                forbid_if_denied(error)
                formset._non_form_errors = formset.error_class([error.message])
            else:
                messages.success(request, f"已补充 {count} 个具体问题。")
                return redirect("oversight:inspection_detail", pk=inspection.pk)
        return render(request, self.template_name, {"inspection": inspection, "formset": formset}, status=400)

ITEM_ACTIONS = {
    "progress": ("报送整改进展", ProgressForm),
    "submit": ("申请销号", SubmitForm),
    "verify": ("对账", VerifyForm),
    "close": ("销号", CloseForm),
    "reopen": ("重新整改", ReopenForm),
    "deadline": ("调整整改时限", DeadlineForm),
    "escalate": ("约谈 / 通报", EscalationForm),
}


def _initial(name, item):
    today = timezone.localdate()
    if name == "deadline":
        return {"deadline": item.deadline}
    if name == "escalate":
        return {"escalated_on": today, "target": item.responsible_unit}
    return {}


class ItemDetailView(CapabilityRequiredMixin, RecordPageView):
    required_capability = Capability.INSPECTION_VIEW
    template_name = "oversight/item_detail.html"
    selector = staticmethod(item_detail)
    actions = ITEM_ACTIONS

    def may(self, name, item) -> bool:
        user = self.request.user
        issuer = item.finding.inspection.issuer_area.code
        status, uid = item.status, user.pk
        match name:
            case "progress":
                return status in WORKABLE_ITEM_STATUSES and covers(user, Capability.RECTIFICATION_WORK, item.area_code)
            case "submit":
                return status == ItemStatus.IN_PROGRESS and covers(user, Capability.RECTIFICATION_WORK, item.area_code)
            case "verify":
                return (status == ItemStatus.SUBMITTED and covers(user, Capability.RECTIFICATION_VERIFY, issuer)
                        and item.submitted_by_id != uid)
            case "close":
                return (status == ItemStatus.VERIFIED
                        and covers(user, Capability.RECTIFICATION_VERIFY, county_code(item.area_code))
                        and uid not in (item.submitted_by_id, item.verified_by_id))
            case "reopen":
                return status in (ItemStatus.VERIFIED, ItemStatus.CLOSED) and covers(user, Capability.RECTIFICATION_VERIFY, issuer)
            case "deadline":
                return status != ItemStatus.CLOSED and covers(user, Capability.INSPECTION_MANAGE, issuer)
            case "escalate":
                return (status != ItemStatus.CLOSED and item.deadline < timezone.localdate()
                        and covers(user, Capability.INSPECTION_MANAGE, issuer))
        return False

    def make_form(self, name, item, data=None, files=None):
        if data is None:
            return ITEM_ACTIONS[name][1](initial=_initial(name, item))
        return ITEM_ACTIONS[name][1](data, files)

    def page_context(self, item):
        return {"item": item, "inspection": item.finding.inspection, "today": timezone.localdate(),
                "history": [(h, h.deadline) for h in item.history.all()],
                "is_overdue": item.status != ItemStatus.CLOSED and item.deadline < timezone.localdate()}


class ItemActionView(ItemDetailView, RecordActionView):
    detail_url = "oversight:item_detail"

    def perform(self, action, item, data):
        user = self.request.user
        seen = {"actor": user, "item": item, "expected_version": self.expected_version}
        match action:
            case "progress":
                services.rectification_progress_add(actor=user, item=item, text=data["text"], evidence=data.get("evidence"))
            case "submit":
                services.rectification_item_submit(**seen, summary=data["summary"])
            case "verify":
                services.rectification_item_verify(**seen, passed=data["passed"], note=data["note"])
            case "close":
                services.rectification_item_close(**seen, note=data["note"])
            case "reopen":
                services.rectification_item_reopen(**seen, reason=data["reason"])
            case "deadline":
                services.rectification_item_set_deadline(**seen, deadline=data["deadline"], reason=data["reason"])
            case "escalate":
                services.escalation_record(actor=user, item=item, **data)


class EvidenceDownloadView(CapabilityRequiredMixin, View):
    """A progress note's evidence file, only for users who may see the item (outside scope → 404)."""

    required_capability = Capability.INSPECTION_VIEW

    def get(self, request, pk):
        note = get_object_or_404(ProgressNote.objects.visible_to(request.user, Capability.INSPECTION_VIEW)
                                 .exclude(evidence=""), pk=pk)
        return FileResponse(note.evidence.open("rb"), as_attachment=True, filename=note.evidence_name or None)
