"""Read pages: the inbox (待办), the list of verifications and one verification with its steps, snapshots,
公示 and objections, and the forms for what the viewer may do next."""

import json

from django.core.paginator import Paginator

from assessments.workflows.forms import (
    ExplainForm,
    MeetingForm,
    ObjectionForm,
    ObjectionResolveForm,
    PublicityOpenForm,
    ReasonForm,
    TransitionForm,
)
from assessments.workflows.models import VerificationStatus, WorkflowType
from assessments.workflows.selectors.verifications import (
    inbox,
    overdue_counts,
    verification_detail,
    verification_list,
)
from assessments.workflows.services import available_actions
from povalleviation.access import Capability, covers
from povalleviation.views import PageView
from villages.choices import AreaLevel


class InboxView(PageView):
    """待办: the steps waiting for this user and the objections to resolve."""

    required_capability = Capability.EXIT_VIEW
    template_name = "assessments/workflow/inbox.html"

    def page_context(self, user, **kwargs):
        items = list(inbox(user=user)[:200])
        overdue_only = self.request.GET.get("overdue") == "1"
        return {
            "overdue_count": sum(1 for v in items if v.is_overdue),
            "overdue_only": overdue_only,
            "items": [v for v in items if v.is_overdue] if overdue_only else items,
        }


class VerificationListView(PageView):
    required_capability = Capability.EXIT_VIEW
    template_name = "assessments/workflow/verification_list.html"

    def page_context(self, user, **kwargs):
        workflow_type = (
            self.request.GET.get("type") if self.request.GET.get("type") in WorkflowType.values else ""
        )
        status = (
            self.request.GET.get("status")
            if self.request.GET.get("status") in VerificationStatus.values
            else ""
        )
        overdue = self.request.GET.get("overdue") == "1"
        page = Paginator(
            verification_list(
                user=user, workflow_type=workflow_type, status=status, overdue=overdue
            ),
            50,
        )
        page_obj = page.get_page(self.request.GET.get("page"))
        return dict(
            page_obj=page_obj,
            verifications=page_obj.object_list,
            workflow_types=WorkflowType.choices,
            statuses=VerificationStatus.choices,
            params={"type": workflow_type, "status": status, "overdue": "1" if overdue else ""},
            overdue=overdue_counts(user=user),
            is_paginated=page.num_pages > 1,
        )


def step_rows(verification) -> list[dict]:
    """Each step with its state (done, waiting, to come) and the latest completion event."""
    completed = {}
    for event in verification.events.all():
        if (
            event.action in ("start", "approve", "publicity_close", "announce")
            and event.step_position is not None
        ):
            completed[event.step_position] = event
    rows = []
    for index, step in enumerate(verification.chain):
        if verification.status == VerificationStatus.COMPLETED or index < verification.position:
            state = "done"
        elif index == verification.position and verification.is_open:
            state = "current"
        else:
            state = "pending"
        rows.append(
            {
                "step": step,
                "state": state,
                "event": completed.get(index) if state == "done" else None,
                "level_label": AreaLevel(step["level"]).label,
                "capability_label": Capability(step["capability"]).label,
            }
        )
    return rows


def action_forms(verification, *, bound_action=None, data=None) -> dict:
    """The forms for the waiting step; the one that failed is bound to what the user typed."""
    step = verification.waiting_step or {}
    initial = {"version": verification.version, "step": step.get("code", "")}

    def make(name, form_class, extra_initial=None):
        if bound_action == name and data is not None:
            return form_class(data, prefix=name)
        return form_class(initial={**initial, **(extra_initial or {})}, prefix=name)

    from django.utils import timezone

    approve_class = MeetingForm if step.get("kind") == "meeting" else TransitionForm
    reject_class = MeetingForm if step.get("kind") == "meeting" else ReasonForm
    return {
        "approve": make("approve", approve_class),
        "reject": make("reject", reject_class),
        "return": make("return", ReasonForm),
        "withdraw": make("withdraw", ReasonForm),
        "open_publicity": make("open_publicity", PublicityOpenForm, {"start_date": timezone.localdate()}),
        "close_publicity": make("close_publicity", TransitionForm),
        "run_comparison": make("run_comparison", TransitionForm),
    }


def detail_context(request, pk, *, bound_action=None, data=None, error=None) -> dict:
    from assessments.workflows.services.snapshots import snapshot_for_display

    verification = verification_detail(user=request.user, pk=pk)
    user = request.user
    publicities = list(verification.publicities.all())
    open_publicity = next((p for p in publicities if p.status == "open"), None)
    events = list(verification.events.all())
    for event in events:
        event.snapshot_text = (
            json.dumps(snapshot_for_display(event.snapshot), ensure_ascii=False, indent=2) if event.snapshot else ""
        )
    return {
        "verification": verification,
        "steps": step_rows(verification),
        "events": events,
        "publicities": publicities,
        "open_publicity": open_publicity,
        "matches": list(verification.matches.all()),
        "actions": available_actions(user, verification),
        "forms": action_forms(verification, bound_action=bound_action, data=data),
        "can_lodge": open_publicity is not None
        and covers(user, Capability.OBJECTION_RECORD, verification.area_code),
        "can_resolve": covers(user, Capability.PUBLICITY_MANAGE, verification.area_code),
        "objection_form": ObjectionForm(data, prefix="objection")
        if bound_action == "objection"
        else ObjectionForm(prefix="objection"),
        "resolve_form": ObjectionResolveForm(prefix="resolve"),
        "explain_form": ExplainForm(initial={"version": verification.version}, prefix="explain"),
        "bound_action": bound_action,
        "action_error": error,
    }


class VerificationDetailView(PageView):
    required_capability = Capability.EXIT_VIEW
    template_name = "assessments/workflow/verification_detail.html"

    def page_context(self, user, **kwargs):
        return detail_context(self.request, kwargs["pk"])
