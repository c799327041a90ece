"""Pages of the complaint and petition ledger (12317 and the other channels): list, entry, detail with actions."""
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from households.models import Household
from povalleviation.access import Capability, covers, scope_prefixes
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, forbid_if_denied, paginate
from villages.models import Area

from .. import services
from ..choices import NOT_REPLIED_STATUSES, ComplaintChannel, ComplaintStatus
from ..forms import AssignForm, ComplaintForm, NoteForm, ReplyDeadlineForm, ReplyForm, apply_errors
from ..selectors import complaint_detail, complaint_list
from .common import RecordActionView, RecordPageView, area_choices

RECEIVING_LEVELS = ["city", "county", "township", "village"]


class ComplaintListView(PageView):
    required_capability = Capability.COMPLAINT_VIEW
    template_name = "oversight/complaint_list.html"

    def page_context(self, user, **kwargs):
        page, query_string = paginate(self.request, complaint_list(user=user, params=self.request.GET))
        return dict(page_obj=page, complaints=page.object_list, query_string=query_string, params=self.request.GET,
                    channels=ComplaintChannel.choices, statuses=ComplaintStatus.choices, today=timezone.localdate(),
                    not_replied=NOT_REPLIED_STATUSES,
                    can_create=bool(scope_prefixes(user, Capability.COMPLAINT_MANAGE)))


class ComplaintCreateView(CapabilityRequiredMixin, View):
    required_capability = Capability.COMPLAINT_MANAGE
    template_name = "oversight/complaint_form.html"

    def _form(self, data=None):
        choices = area_choices(self.request.user, Capability.COMPLAINT_MANAGE, levels=RECEIVING_LEVELS)
        initial = {"received_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
                   "channel": ComplaintChannel.HOTLINE_12317}
        return ComplaintForm(data, area_choices=choices, initial=initial)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                household = None
                if number := data.pop("household_number").strip():
                    household = (Household.objects.visible_to(request.user, Capability.HOUSEHOLD_VIEW)
                                 .filter(household_number=number).first())
                    if household is None:
                        raise ApplicationError("找不到该户编号，或不在您的范围内。",
                                               field_errors={"household_number": "找不到该户编号，或不在您的范围内"})
                complaint = services.complaint_receive(actor=request.user, area=Area.objects.get(code=data.pop("area")),
                                                       household=household, **data)
            except ApplicationError as error:
                forbid_if_denied(error)
                if "household" in error.field_errors:
                    error.field_errors["household_number"] = error.field_errors.pop("household")
                apply_errors(form, error)
            else:
                messages.success(request, f"已受理登记 {complaint.number}，答复期限 {complaint.reply_deadline}。")
                return redirect("oversight:complaint_detail", pk=complaint.pk)
        return render(request, self.template_name, {"form": form}, status=400)


ACTIONS = {
    "assign": ("交办", AssignForm),
    "handle": ("开始办理", NoteForm),
    "reply": ("答复", ReplyForm),
    "close": ("办结", NoteForm),
    "deadline": ("调整答复期限", ReplyDeadlineForm),
}


class ComplaintDetailView(CapabilityRequiredMixin, RecordPageView):
    required_capability = Capability.COMPLAINT_VIEW
    template_name = "oversight/complaint_detail.html"
    selector = staticmethod(complaint_detail)
    actions = ACTIONS

    def may(self, name, complaint) -> bool:
        user, status = self.request.user, complaint.status
        match name:
            case "assign":
                return status == ComplaintStatus.RECEIVED and covers(user, Capability.COMPLAINT_MANAGE, complaint.area_code)
            case "handle":
                return status == ComplaintStatus.ASSIGNED and covers(user, Capability.COMPLAINT_HANDLE, complaint.area_code)
            case "reply":
                return status == ComplaintStatus.HANDLING and covers(user, Capability.COMPLAINT_HANDLE, complaint.area_code)
            case "close":
                return (status == ComplaintStatus.REPLIED
                        and covers(user, Capability.COMPLAINT_MANAGE, complaint.received_area_code))
            case "deadline":
                return (status in NOT_REPLIED_STATUSES
                        and covers(user, Capability.COMPLAINT_MANAGE, complaint.received_area_code))
        return False

    def make_form(self, name, complaint, data=None, files=None):
        form_class = ACTIONS[name][1]
        if name == "assign":
            choices = area_choices(self.request.user, Capability.COMPLAINT_MANAGE, levels=["county", "township", "village"],
                                   within=complaint.area)
            return form_class(data, files, area_choices=choices, initial={"area": complaint.area_code})
        if name == "deadline":
            return form_class(data, files, initial={"reply_deadline": complaint.reply_deadline})
        return form_class(data, files)

    def page_context(self, complaint):
        return {"complaint": complaint, "may_see_contact": services.may_see_contact(self.request.user, complaint),
                "history": [(h, h.reply_deadline) for h in complaint.history.all()],
                "is_overdue": complaint.status in NOT_REPLIED_STATUSES and complaint.reply_deadline < timezone.localdate()}


class ComplaintActionView(ComplaintDetailView, RecordActionView):
    detail_url = "oversight:complaint_detail"

    def perform(self, action, complaint, data):
        user = self.request.user
        if action == "deadline":
            services.complaint_set_deadline(actor=user, complaint=complaint, expected_version=self.expected_version,
                                            reply_deadline=data["reply_deadline"], reason=data["reason"])
            return
        area = Area.objects.get(code=data["area"]) if action == "assign" else None
        services.complaint_step(actor=user, complaint=complaint, step=action, area=area,
                                handling_unit=data.get("handling_unit", ""), expected_version=self.expected_version,
                                text=data["reply_text"] if action == "reply" else data["note"])


class ComplaintContactRevealView(CapabilityRequiredMixin, View):
    """The complainant's full name and phone (JSON), for the officers who take the case; each reveal audited."""

    required_capability = Capability.COMPLAINT_VIEW

    def post(self, request, pk):
        complaint = complaint_detail(user=request.user, pk=pk)
        try:
            contact = services.complaint_contact_reveal(actor=request.user, complaint=complaint)
        except ApplicationError as error:
            forbid_if_denied(error)
            raise
        return JsonResponse(contact)
