"""Pages of the 项目库: list, detail with the lifecycle actions, entry form, 公示 and objections."""
import datetime
from abc import ABC, abstractmethod
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import PermissionDenied as PageForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.conflicts import is_stale
from households.models import Household
from povalleviation.access import Capability, covers, scope_prefixes
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, PageView, flash_refusal, forbid_if_denied, paginate
from villages.models import Area

from . import services
from .choices import ProjectCategory, ProjectStatus
from .forms import ObjectionForm, ProjectForm, PublicityForm
from .models import Project, ProjectObjection, ProjectPublicity
from .selectors import project_detail, project_list, public_publicities


def _attempt(request, call, done):
    """Run a service call: flash ``done``, or the refusal (a permission refusal is a 403)."""
    try:
        call()
    except ApplicationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, done)


def _submit(request, form, *, incomplete, call, done):
    """A posted form: flash ``incomplete`` when invalid, else ``call(**cleaned_data)`` through ``_attempt``."""
    if not form.is_valid():
        messages.error(request, incomplete)
    else:
        _attempt(request, lambda: call(**form.cleaned_data), done)


class ProjectListView(PageView):
    required_capability = Capability.PROJECT_VIEW
    template_name = "projects/project_list.html"

    def page_context(self, user, **kwargs):
        params = self.request.GET
        page, query_string = paginate(self.request, project_list(user=user, params=params))
        return dict(page_obj=page, projects=page.object_list, params=params, query_string=query_string,
                    statuses=ProjectStatus.choices, categories=ProjectCategory.choices,
                    can_create=bool(scope_prefixes(user, Capability.PROJECT_SUBMIT)))


def _area_choices(user):
    prefixes = scope_prefixes(user, Capability.PROJECT_SUBMIT)
    areas = Area.objects.visible_to(user, Capability.PROJECT_SUBMIT).filter(level__in=["county", "township", "village"])
    return [(a.code, f"{a.code} {a.name}") for a in areas.order_by("code")] if prefixes else []


def _households(user, numbers):
    found = {h.household_number: h for h in Household.objects.visible_to(user, Capability.HOUSEHOLD_VIEW)
             .filter(household_number__in=numbers)}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ApplicationError(f"找不到这些户编号（或不在您的范围内）：{'、'.join(missing)}",
                               field_errors={"household_numbers": "户编号有误"})
    return list(found.values())


class ProjectFormView(CapabilityRequiredMixin, View):
    required_capability = Capability.PROJECT_SUBMIT
    template_name = "projects/project_form.html"

    def get_project(self, pk):
        if pk is None:
            return None
        return get_object_or_404(Project.objects.visible_to(self.request.user, Capability.PROJECT_SUBMIT), pk=pk)

    def get(self, request, pk=None):
        project = self.get_project(pk)
        initial = {"year": timezone.localdate().year}
        if project is not None:
            initial = {name: getattr(project, name) for name in services.EDITABLE_FIELDS} | {"area": project.area_code,
                                                                                          "version": project.version}
            initial |= {f"budget_{line.source.code}": line.amount for line in project.budget_lines.select_related("source")}
            initial["household_numbers"] = "\n".join(project.beneficiaries.filter(is_actual=False)
                                                     .values_list("household__household_number", flat=True))
        form = ProjectForm(initial=initial, area_choices=_area_choices(request.user))
        return render(request, self.template_name, {"form": form, "project": project})

    def post(self, request, pk=None):
        project = self.get_project(pk)
        form = ProjectForm(request.POST, area_choices=_area_choices(request.user))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
            try:
                households = _households(request.user, form.household_number_list())
                if project is None:
                    area = Area.objects.get(code=form.cleaned_data["area"])
                    project = services.project_create(actor=request.user, area=area, data=data, budget=form.budget(),
                                                      beneficiaries=households)
                    messages.success(request, f"已登记项目 {project.number}，可提交申报。")
                else:
                    version = form.cleaned_data.get("version")
                    services.project_update(actor=request.user, project=project, data=data, budget=form.budget(),
                                            beneficiaries=households,
                                            expected_version=project.version if version is None else version)
                    messages.success(request, "已保存。")
                return redirect("projects:detail", pk=project.pk)
            except ApplicationError as error:
                forbid_if_denied(error)
                form.add_error(None, error.message)
                return render(request, self.template_name, {"form": form, "project": project},
                              status=error.status_code if is_stale(error) else 400)
        return render(request, self.template_name, {"form": form, "project": project}, status=400)


# Lifecycle buttons: action → (capability, statuses where offered, label, needs reason).
ACTIONS = {
    "submit": (Capability.PROJECT_SUBMIT, {"draft", "returned"}, "提交申报", False),
    "admit": (Capability.PROJECT_LIBRARY_ADMIT, {"submitted"}, "批准入库", False),
    "return": (Capability.PROJECT_LIBRARY_ADMIT, {"submitted", "in_library"}, "退回", True),
    "approve": (Capability.PROJECT_APPROVE, {"in_library"}, "立项批复", False),
    "start": (Capability.PROJECT_IMPLEMENT, {"approved"}, "开工", False),
    "complete": (Capability.PROJECT_IMPLEMENT, {"in_progress"}, "竣工", False),
    "accept": (Capability.PROJECT_ACCEPT, {"completed"}, "验收通过", False),
    "reject_acceptance": (Capability.PROJECT_ACCEPT, {"completed"}, "验收不通过", True),
    "close": (Capability.PROJECT_ACCEPT, {"accepted"}, "完结", False),
    "cancel": (Capability.PROJECT_VIEW, {"draft", "submitted", "returned", "in_library", "approved"}, "取消项目", True),
}


def available_actions(user, project):
    offered = []
    for name, (capability, statuses, label, needs_reason) in ACTIONS.items():
        if project.status in statuses and covers(user, capability, project.area_code):
            if name == "cancel" and not (covers(user, Capability.PROJECT_SUBMIT, project.area_code)
                                         or covers(user, Capability.PROJECT_APPROVE, project.area_code)):
                continue
            offered.append({"name": name, "label": label, "needs_reason": needs_reason})
    return offered


class ProjectDetailView(PageView):
    required_capability = Capability.PROJECT_VIEW
    template_name = "projects/project_detail.html"

    def page_context(self, user, **kwargs):
        project = project_detail(user=user, pk=kwargs["pk"])
        code = project.area_code
        return dict(
            project=project, actions=available_actions(user, project), today=timezone.localdate(),
            can_edit=project.status in {"draft", "returned"} and covers(user, Capability.PROJECT_SUBMIT, code),
            can_publicize=covers(user, Capability.PUBLICITY_MANAGE, code),
            can_fund=covers(user, Capability.FUND_ALLOCATE, code),
            can_disburse=covers(user, Capability.DISBURSEMENT_RECORD, code),
            publicity_form=PublicityForm(initial={"published_on": timezone.localdate()}),
            objection_form=ObjectionForm(initial={"received_on": timezone.localdate()}),
            expected=[b for b in project.beneficiaries.all() if not b.is_actual],
            actual=[b for b in project.beneficiaries.all() if b.is_actual],
        )


def _date(value, default=None):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError as error:
        raise ApplicationError("日期格式有误") from error


class ProjectActionView(CapabilityRequiredMixin, View):
    required_capability = Capability.PROJECT_VIEW

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise PageForbidden("未知操作")
        project = get_object_or_404(Project.objects.visible_to(request.user, Capability.PROJECT_VIEW), pk=pk)
        try:
            self.perform(action, project)
        except ApplicationError as error:
            if not is_stale(error):
                flash_refusal(request, error)
                return redirect("projects:detail", pk=project.pk)
            # Shown before someone else acted: the page as it is now, the message and what was typed (409).
            context = ProjectDetailView(request=request, kwargs={"pk": pk}).page_context(request.user, pk=pk)
            stale = {"action": action, "label": ACTIONS[action][2], "message": error.message,
                     "reason": request.POST.get("reason", "")}
            return render(request, ProjectDetailView.template_name, {**context, "stale": stale}, status=error.status_code)
        messages.success(request, f"已{ACTIONS[action][2]}。")
        return redirect("projects:detail", pk=project.pk)

    def perform(self, action, project):
        data, user, today = self.request.POST, self.request.user, timezone.localdate()
        reason = data.get("reason", "")
        # The version the page showed (a stale one is refused, naming who acted since).
        shown = (data.get("version") or "").strip()
        seen = {"actor": user, "project": project, "expected_version": int(shown) if shown.isdigit() else None}
        match action:
            case "submit":
                services.project_submit(**seen)
            case "admit":
                services.project_admit(**seen, reason=reason)
            case "return":
                services.project_return(**seen, reason=reason)
            case "approve":
                services.project_approve(**seen, approved_on=_date(data.get("date"), today))
            case "start":
                services.project_start(**seen, started_on=_date(data.get("date"), today))
            case "complete":
                services.project_complete(
                    **seen, finished_on=_date(data.get("date"), today),
                    actual_households=int(data.get("actual_households") or 0),
                    actual_persons=int(data.get("actual_persons") or 0),
                    beneficiaries=_households(user, data.get("household_numbers", "").split()))
            case "accept" | "reject_acceptance":
                services.project_accept(**seen, passed=action == "accept", reason=reason)
            case "close":
                services.project_close(**seen, reason=reason)
            case "cancel":
                services.project_cancel(**seen, reason=reason)


class _PublicityPostView(CapabilityRequiredMixin, View, ABC):
    """POST one form of the 公示 part of the project page about a ``model`` object in the user's scope: flash the
    outcome and go back to the project (``project_of`` leads from the object to the project's id). With a
    ``form_class`` an invalid form flashes ``incomplete``; ``call`` gets the object and the cleaned data."""

    required_capability = Capability.PUBLICITY_MANAGE
    model = None
    project_of = "pk"
    form_class = None
    incomplete = ""
    done = ""

    @abstractmethod
    def call(self, obj, **data):
        ...

    def post(self, request, pk):
        obj = get_object_or_404(self.model.objects.visible_to(request.user, Capability.PUBLICITY_MANAGE), pk=pk)
        if self.form_class is None:
            _attempt(request, lambda: self.call(obj), self.done)
        else:
            _submit(request, self.form_class(request.POST), incomplete=self.incomplete, done=self.done,
                    call=lambda **data: self.call(obj, **data))
        return redirect("projects:detail", pk=attrgetter(self.project_of)(obj))


class PublicityCreateView(_PublicityPostView):
    model, form_class = Project, PublicityForm
    incomplete, done = "公示信息不完整。", "已发布公示。"

    def call(self, project, **data):
        services.project_publicity_open(actor=self.request.user, project=project, **data)


class ObjectionCreateView(_PublicityPostView):
    model, project_of, form_class = ProjectPublicity, "project_id", ObjectionForm
    incomplete, done = "异议信息不完整。", "已登记异议。"

    def call(self, publicity, **data):
        services.project_objection_record(actor=self.request.user, publicity=publicity, **data)


class ObjectionResolveView(_PublicityPostView):
    model, project_of, done = ProjectObjection, "publicity.project_id", "已处理异议。"

    def call(self, objection):
        services.project_objection_resolve(actor=self.request.user, objection=objection,
                                           upheld=self.request.POST.get("upheld") == "1",
                                           resolution=self.request.POST.get("resolution", ""))


class PublicNoticeView(TemplateView):
    """公告公示 of a county or village, open to everyone: snapshots only, no names or ID numbers."""

    template_name = "projects/public_notice.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = get_object_or_404(Area, code=kwargs["code"], level__in=["county", "township", "village"])
        publicities = list(public_publicities(area=area))
        today = timezone.localdate()
        for publicity in publicities:
            publicity.is_open = publicity.ends_on >= today
        context.update(area=area, publicities=publicities, today=today,
                       children=Area.objects.filter(parent=area, level__in=["township", "village"]).order_by("code"))
        return context
