"""The decision transitions (通过, 退回, 不予通过, 撤回) and what a user may do next; each is one service over
the engine in ``common`` (DOMAIN.md §5.0 rules 2, 3 and 6)."""

from django.db import transaction
from django.utils import timezone

from assessments.workflows.default_chains import DECISION_KINDS
from assessments.workflows.models import Verification, VerificationStatus
from povalleviation.errors import ApplicationError

from .common import (
    Action,
    can_take_step,
    complete_step,
    handler_for,
    lock_for_step,
    locked,
    move_with_event,
    refuse_self_approval,
    require_note,
    require_open,
    require_step_actor,
    require_visible,
)

MEETING_FIELDS = ("meeting_date", "participants", "attendance", "votes_for", "votes_against", "minutes")


def clean_meeting(details) -> dict:
    """民主评议 record: date, who took part, attendance, votes and minutes (DOMAIN.md §5.1 step 2)."""
    details = details or {}
    errors = {}
    record = {}
    for name in ("meeting_date", "participants", "minutes"):
        value = str(details.get(name) or "").strip()
        if not value:
            errors[name] = "必填"
        record[name] = value
    for name in ("attendance", "votes_for", "votes_against"):
        try:
            record[name] = int(details.get(name) if details.get(name) not in (None, "") else -1)
        except (TypeError, ValueError):
            record[name] = -1
        if record[name] < 0:
            errors[name] = "请填写人数"
    if not errors and record["votes_for"] + record["votes_against"] > record["attendance"]:
        errors["votes_for"] = "表决人数不能超过参会人数"
    if errors:
        raise ApplicationError("请完整填写民主评议会议记录", field_errors=errors)
    return record


@transaction.atomic
def verification_approve(
    *, actor, verification, version, step_code=None, note="", details=None, today=None
) -> Verification:
    """通过 the waiting step (民主评议, 初核, 审定, 比对审定, 公告). 公示 steps use the publicity services."""
    verification, step = lock_for_step(actor, verification, version=version, step_code=step_code)
    if step["kind"] == "publicity":
        raise ApplicationError("公示步骤请通过“开始公示 / 结束公示”办理。", code="publicity_step")
    refuse_self_approval(verification, actor)
    details = dict(details or {})
    if step["kind"] == "meeting":
        details = clean_meeting(details)
        if details["votes_for"] <= details["votes_against"]:
            raise ApplicationError(
                "赞成票未超过反对票，评议不能通过；如评议未通过请选择“不予通过”。",
                field_errors={"votes_for": "赞成票未超过反对票"},
            )
    today = today or timezone.localdate()
    if step["kind"] == "announcement":
        # A 公告 from the verification's own page is a batch of one, with its own number and document.
        from .announcements import publish_locked, single_scope

        publish_locked(
            actor=actor,
            scope=single_scope(verification),
            verifications=[verification],
            step=step,
            announced_on=today,
            note=(note or "").strip(),
        )
        return verification
    complete_step(
        verification,
        step,
        actor=actor,
        action=Action.APPROVE,
        note=(note or "").strip(),
        details=details,
        today=today,
    )
    return verification


@transaction.atomic
def verification_return(*, actor, verification, version, note, step_code=None) -> Verification:
    """退回: send the attempt back one step, with the reason (the previous step is taken again)."""
    verification, step = lock_for_step(actor, verification, version=version, step_code=step_code)
    note = require_note(note, "退回原因")
    if step["kind"] not in DECISION_KINDS or verification.position < 2:
        raise ApplicationError(
            f"“{step['label']}”步骤不能退回；如不同意请选择“不予通过”。", code="cannot_return"
        )
    move_with_event(
        verification,
        position=verification.position - 1,
        action=Action.RETURN,
        actor=actor,
        step=step,
        note=note,
        snapshot=handler_for(verification).snapshot(verification),
    )
    return verification


def _end(verification, *, actor, action, step, note, details, today):
    """End the attempt (不予通过 or 撤回): its running 公示 stops and the workflow undoes what starting did."""
    from .publicity import close_open_publicity_on_end

    close_open_publicity_on_end(verification, actor=actor)
    handler = handler_for(verification)
    move_with_event(
        verification,
        status=VerificationStatus.REJECTED if action == Action.REJECT else VerificationStatus.WITHDRAWN,
        today=today,
        action=action,
        actor=actor,
        step=step,
        note=note,
        details=details,
        snapshot=handler.snapshot(verification),
    )
    handler.on_end(verification, actor=actor, reason=note, today=today)


@transaction.atomic
def verification_reject(
    *, actor, verification, version, note, step_code=None, details=None, today=None
) -> Verification:
    """不予通过: the attempt ends and the subject returns to its prior state; the history keeps it."""
    verification, step = lock_for_step(actor, verification, version=version, step_code=step_code)
    note = require_note(note, "不予通过的理由")
    if step["kind"] not in DECISION_KINDS:
        raise ApplicationError(f"“{step['label']}”步骤不能作出不予通过的决定。", code="cannot_reject")
    refuse_self_approval(verification, actor)
    details = clean_meeting(details) if step["kind"] == "meeting" else dict(details or {})
    _end(
        verification,
        actor=actor,
        action=Action.REJECT,
        step=step,
        note=note,
        details=details,
        today=today or timezone.localdate(),
    )
    return verification


@transaction.atomic
def verification_withdraw(*, actor, verification, version, note, today=None) -> Verification:
    """撤回 by whoever may start this workflow for the subject (e.g. to correct frozen data)."""
    require_visible(actor, verification.area_code)
    verification = locked(verification, version=version)
    require_open(verification)
    require_step_actor(actor, verification.chain[0], verification.area_code)
    note = require_note(note, "撤回原因")
    _end(
        verification,
        actor=actor,
        action=Action.WITHDRAW,
        step=verification.waiting_step,
        note=note,
        details={},
        today=today or timezone.localdate(),
    )
    return verification


def available_actions(user, verification) -> list[str]:
    """What the user may do now on this verification (for pages and the API)."""
    if verification.status != VerificationStatus.IN_PROGRESS:
        return []
    step = verification.waiting_step
    actions = []
    if can_take_step(user, step, verification.area_code):
        if step["kind"] == "publicity":
            actions.append(
                "close_publicity" if verification_has_open_publicity(verification) else "open_publicity"
            )
        else:
            actions += ["approve", "reject"]
            if verification.position >= 2:
                actions.append("return")
            if step["kind"] == "comparison":
                actions.append("run_comparison")
    if can_take_step(user, verification.chain[0], verification.area_code):
        actions.append("withdraw")
    return actions


def verification_has_open_publicity(verification) -> bool:
    cached = getattr(verification, "open_publicities", None)
    if cached is not None:
        return bool(cached)
    return verification.publicities.filter(status="open").exists()
