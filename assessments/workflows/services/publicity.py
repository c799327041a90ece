"""公示 and 异议: open a publicity for the configured number of days, record objections from any channel,
resolve them, and close it no earlier than its end date (DOMAIN.md §5.0 rule 5, P-GV-04 ⚠).

Posting and taking down a notice decide nothing, so the no-self-approval rule does not apply to them; the
decision after a 公示 must still come from someone other than whoever closed it.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from assessments.policy.models import ParameterCode
from assessments.workflows.models import Objection, ObjectionChannel, Publicity, Verification
from povalleviation.access import Capability, covers
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied

from .common import (
    Action,
    complete_step,
    frozen_copy,
    handler_for,
    lock_for_step,
    move,
    require_note,
    require_visible,
    save_with_event,
    sha256_of,
    stage_of,
)


def publicity_days(verification, year: int) -> int:
    """The 公示 duration in force for the subject (parameter ``publicity_days_min``); absence is an error."""
    from assessments.policy.services import ParameterMissing, parameter_value

    area = verification.household.village if verification.household_id else verification.subject_area
    try:
        row = parameter_value(code=ParameterCode.PUBLICITY_DAYS_MIN, area=area, year=year)
    except ParameterMissing as error:
        raise ApplicationError(f"未设置公示天数参数：{error.message}", code="parameter_missing") from error
    if row.value is None or row.value < 0:
        raise ApplicationError("未设置公示天数参数", code="parameter_missing")
    return int(row.value)


def _lock_for_publicity(actor, verification, *, version, step_code):
    return lock_for_step(
        actor,
        verification,
        version=version,
        step_code=step_code,
        kind="publicity",
        other_kind="流程当前待“{label}”，不是公示步骤。",
    )


def _open_publicity(verification):
    return verification.publicities.select_for_update().filter(status=Publicity.Status.OPEN).first()


@transaction.atomic
def publicity_open(
    *,
    actor,
    verification,
    version,
    location: str,
    start_date: datetime.date | None = None,
    step_code=None,
    today=None,
) -> Publicity:
    """Post the 公示. Its content is frozen with a hash and carries no full ID number; the end date is the
    start date plus the parameter's days. The start may be back-dated to when the notice went up, but not
    before the step began."""
    verification, step = _lock_for_publicity(actor, verification, version=version, step_code=step_code)
    if _open_publicity(verification) is not None:
        raise Conflict("该流程已有进行中的公示。")
    location = require_note(location, "公示地点")
    today = today or timezone.localdate()
    start_date = start_date or today
    began = timezone.localdate(verification.step_since)
    if start_date > today or start_date < began:
        raise ApplicationError(
            f"公示开始日期应在 {began} 至 {today} 之间", field_errors={"start_date": "日期不在允许范围内"}
        )
    days = publicity_days(verification, start_date.year)
    content = frozen_copy(handler_for(verification).publicity_content(verification))
    area = verification.household.village if verification.household_id else verification.subject_area
    if step["level"] != area.level:
        area = next((a for a in _ancestors(area) if a.level == step["level"]), area)
    publicity = Publicity(
        verification=verification,
        step_code=step["code"],
        area=area,
        start_date=start_date,
        end_date=start_date + datetime.timedelta(days=days),
        days=days,
        location=location,
        content=content,
        content_sha256=sha256_of(content),
        opened_by=saved_user(actor),
    )
    publicity.full_clean(validate_constraints=False)
    publicity.save()
    # While the notice is up the step is due when the 公示 ends (it closes itself then if nobody objected).
    verification.due_on = publicity.end_date
    save_with_event(
        verification,
        action=Action.PUBLICITY_OPEN,
        actor=actor,
        step=step,
        details={
            "publicity_id": publicity.pk,
            "start_date": start_date.isoformat(),
            "end_date": publicity.end_date.isoformat(),
            "days": days,
            "location": location,
        },
        snapshot=content,
    )
    return publicity


def _ancestors(area):
    from villages.models import Area

    return list(Area.objects.ancestors_of(area))


@transaction.atomic
def publicity_close(*, actor, verification, version, note="", step_code=None, today=None) -> Publicity:
    """End the 公示 once its end date is reached and every objection is resolved; the next step then waits."""
    verification, step = _lock_for_publicity(actor, verification, version=version, step_code=step_code)
    publicity = _open_publicity(verification)
    if publicity is None:
        raise ApplicationError("尚未开始公示。", code="no_publicity")
    today = today or timezone.localdate()
    if today < publicity.end_date:
        raise ApplicationError(f"公示期未满：{publicity.end_date} 起方可结束公示。", code="publicity_running")
    pending = publicity.objections.filter(status=Objection.Status.OPEN).count()
    if pending:
        raise ApplicationError(
            f"尚有 {pending} 条异议未处理，处理完毕后方可结束公示。", code="objections_open"
        )
    publicity.status = Publicity.Status.CLOSED
    publicity.result = Publicity.Result.NO_OBJECTION
    publicity.closed_by = saved_user(actor)
    publicity.closed_at = timezone.now()
    publicity.save(update_fields=["status", "result", "closed_by", "closed_at"])
    objections = publicity.objections.count()
    complete_step(
        verification,
        step,
        actor=actor,
        action=Action.PUBLICITY_CLOSE,
        note=(note or "").strip(),
        details={
            "publicity_id": publicity.pk,
            "end_date": publicity.end_date.isoformat(),
            "objections": objections,
            "closed_by_system": actor is None,
        },
        today=today,
    )
    return publicity


def close_open_publicity_on_end(verification, *, actor):
    """When an attempt is rejected or withdrawn its running 公示 stops (no result)."""
    Publicity.objects.filter(verification=verification, status=Publicity.Status.OPEN).update(
        status=Publicity.Status.CLOSED,
        closed_by=saved_user(actor),
        closed_at=timezone.now(),
    )


def _lock_for_objections(actor, verification, capability, refusal):
    """Objections are handled by whoever holds ``capability`` in the area, whatever step is waiting."""
    require_visible(actor, verification.area_code)
    if actor is not None and not covers(actor, capability, verification.area_code):
        raise PermissionDenied(refusal)
    return Verification.objects.select_for_update().get(pk=verification.pk)


@transaction.atomic
def objection_lodge(*, actor, verification, channel: str, content: str, complainant: str = "") -> Objection:
    """Record an objection received during the 公示 (anyone may object; the recorder needs
    ``objection.record``). The record's version grows, so a decision shown before it is refused."""
    verification = _lock_for_objections(actor, verification, Capability.OBJECTION_RECORD, "您无权登记异议。")
    publicity = _open_publicity(verification)
    if publicity is None:
        raise ApplicationError("该流程当前没有进行中的公示，不能登记异议。", code="no_publicity")
    if channel not in ObjectionChannel.values:
        raise ApplicationError("请选择异议渠道", field_errors={"channel": "请选择异议渠道"})
    content = require_note(content, "异议内容")
    objection = Objection(
        publicity=publicity,
        channel=channel,
        content=content,
        complainant=(complainant or "").strip(),
        lodged_by=saved_user(actor),
    )
    objection.full_clean()
    objection.save()
    save_with_event(
        verification,
        action=Action.OBJECTION_LODGED,
        actor=actor,
        details={
            "objection_id": objection.pk,
            "channel": channel,
            "complainant": objection.complainant,
            "content": content,
        },
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection, upheld: bool, resolution: str) -> Objection:
    """异议成立 → the 公示 ends and the subject returns to the step the chain names (default: 村级评议);
    异议不成立 → the written reason is kept and the 公示 may close once its end date comes."""
    verification = _lock_for_objections(
        actor, objection.publicity.verification, Capability.PUBLICITY_MANAGE, "您无权处理异议。"
    )
    objection = Objection.objects.select_for_update().select_related("publicity").get(pk=objection.pk)
    if objection.status != Objection.Status.OPEN:
        raise Conflict("该异议已被他人处理，请刷新页面查看最新状态。")
    resolution = require_note(resolution, "处理意见")
    now = timezone.now()
    user = saved_user(actor)
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, user, now
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    from_stage = stage_of(verification)
    details = {"objection_id": objection.pk, "upheld": bool(upheld), "resolution": resolution}
    if upheld:
        publicity = objection.publicity
        publicity.objections.filter(status=Objection.Status.OPEN).update(
            status=Objection.Status.UPHELD,
            resolution="公示因其他异议成立而终止，随同退回重新评议",
            resolved_by=user,
            resolved_at=now,
        )
        publicity.status, publicity.result = Publicity.Status.CLOSED, Publicity.Result.OBJECTION_UPHELD
        publicity.closed_by, publicity.closed_at = user, now
        publicity.save(update_fields=["status", "result", "closed_by", "closed_at"])
        step = next(s for s in verification.chain if s["code"] == publicity.step_code)
        target = step.get("upheld_to") or verification.chain[1]["code"]
        move(verification, position=[s["code"] for s in verification.chain].index(target))
        details["returned_to"] = target
    save_with_event(
        verification,
        action=Action.OBJECTION_RESOLVED,
        actor=actor,
        from_stage=from_stage,
        note=resolution,
        details=details,
        snapshot=handler_for(verification).snapshot(verification) if upheld else None,
    )
    return objection


def close_due_publicities(*, today=None) -> dict:
    """Close every 公示 whose end date has come and that has no open objection (the system acts; DOMAIN.md
    §5.1 step 4). Each closure is its own transaction; a refusal leaves that one for a person."""
    today = today or timezone.localdate()
    due = list(
        Publicity.objects.filter(status=Publicity.Status.OPEN, end_date__lte=today)
        .exclude(objections__status=Objection.Status.OPEN)
        .values_list("verification_id", flat=True)
        .distinct()
    )
    closed, refused = 0, []
    for verification_id in due:
        verification = Verification.objects.get(pk=verification_id)
        try:
            publicity_close(actor=None, verification=verification, version=verification.version, today=today)
        except ApplicationError as error:
            refused.append((verification_id, error.message))
        else:
            closed += 1
    return {"closed": closed, "refused": refused}
