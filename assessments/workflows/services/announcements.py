"""公告 (batch): the county announces the households of one township (or of the whole county) that reached
the 公告 step together, as one numbered document, and every verification in it completes in the same
transaction (DOMAIN.md §5.1 step 7 ⚠ "公告 (batch)"; 000_6ea9a56b91abd59f.txt §五(二十) 公告公示制度).

A single 公告 on one verification's page is a batch of one: every announcement has a number and a list.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.services import audit_record
from assessments.workflows.models import Announcement, Verification, WorkflowType
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict, NotFound
from villages.choices import AreaLevel
from villages.models import Area

from .common import (
    STALE_MESSAGE,
    Action,
    complete_step,
    frozen_copy,
    handler_for,
    refuse_self_approval,
    require_step_actor,
    require_visible,
    require_waiting_step,
    sha256_of,
)

NUMBER_LABELS = {
    WorkflowType.HOUSEHOLD_EXIT: "脱贫退出公告",
    WorkflowType.IDENTIFICATION: "贫困户识别纳入公告",
}
TITLE_LABELS = {
    WorkflowType.HOUSEHOLD_EXIT: "贫困户脱贫退出公告",
    WorkflowType.IDENTIFICATION: "新识别贫困户公告",
}
SCOPE_LEVELS = {AreaLevel.COUNTY, AreaLevel.TOWNSHIP}


def _issuer(scope, step) -> Area:
    """The area at the 公告 step's level that covers the batch (the county, by default)."""
    if scope.level == step["level"]:
        return scope
    issuer = next((a for a in Area.objects.ancestors_of(scope) if a.level == step["level"]), None)
    if issuer is None:
        raise ApplicationError("公告范围不在公告发布单位之下。", field_errors={"scope": "公告范围无效"})
    return issuer


def _row(verification, township_names) -> dict:
    content = handler_for(verification).publicity_content(verification)
    # The 公示 rules (DOMAIN.md §5.1 step 3, §8 Q6): 户主, size, 村民小组, reason — never an ID number.
    return {
        "township": township_names.get(verification.area_code[:9] + "000", ""),
        "village": content.get("village") or content.get("area") or "",
        "group": content.get("group", ""),
        "head_name": content.get("head_name", ""),
        "household_number": content.get("household_number", ""),
        "household_size": content.get("household_size") or 0,
        "reason": content.get("reason", ""),
        "year": verification.year,
    }


def publish_locked(*, actor, scope, verifications, step, announced_on, note="") -> Announcement:
    """Write the 公告 for verifications already locked and checked, then complete each one's 公告 step.
    A refusal on any of them (e.g. data changed since 县级审定) undoes the whole batch."""
    issuer = Area.objects.select_for_update().get(pk=_issuer(scope, step).pk)
    workflow_type = verifications[0].workflow_type
    year = announced_on.year
    sequence = (
        Announcement.objects.filter(issuer=issuer, year=year).aggregate(last=Max("sequence"))["last"] or 0
    ) + 1
    townships = {
        a.code: a.name
        for a in Area.objects.filter(code__in={v.area_code[:9] + "000" for v in verifications})
    }
    verifications = sorted(verifications, key=lambda v: (v.area_code, v.pk))
    rows = [_row(v, townships) for v in verifications]
    number = f"{issuer.name}{NUMBER_LABELS.get(workflow_type, '公告')}〔{year}〕{sequence}号"
    years = sorted({v.year for v in verifications})
    title = f"{scope.name}{'、'.join(map(str, years))}年{TITLE_LABELS.get(workflow_type, '公告')}"
    content = frozen_copy(
        {
            "number": number,
            "title": title,
            "issuer": issuer.name,
            "scope": scope.name,
            "announced_on": announced_on.isoformat(),
            "rows": rows,
            "note": note,
        }
    )
    announcement = Announcement(
        workflow_type=workflow_type,
        issuer=issuer,
        scope=scope,
        scope_code=scope.code,
        year=year,
        sequence=sequence,
        number=number,
        title=title[:120],
        announced_on=announced_on,
        content=content,
        content_sha256=sha256_of(content),
        household_count=len(rows),
        person_count=sum(int(r["household_size"] or 0) for r in rows),
        note=note,
        announced_by=saved_user(actor),
    )
    announcement.full_clean(validate_constraints=False)
    announcement.save()
    details = {"announced_on": announced_on.isoformat(), "announcement_id": announcement.pk, "number": number}
    for verification in verifications:
        verification.announcement = announcement
        try:
            complete_step(
                verification,
                step,
                actor=actor,
                action=Action.ANNOUNCE,
                note=note,
                details=details,
                today=announced_on,
            )
        except ApplicationError as error:
            error.message = f"{verification.subject_name}：{error.message}（整批未公告，可将该户退回后再公告其余各户）"
            raise
    audit_record(
        actor=actor,
        action="announcement.publish",
        target=announcement,
        area=issuer,
        summary=f"发布{number}：{title}，{len(rows)} 户 {announcement.person_count} 人",
        changes={"verifications": [v.pk for v in verifications], "content_sha256": announcement.content_sha256},
    )
    return announcement


def _announced_on(value, verifications) -> datetime.date:
    today = timezone.localdate()
    announced_on = value or today
    earliest = max(timezone.localdate(v.step_since) for v in verifications)
    if announced_on > today or announced_on < earliest:
        raise ApplicationError(
            f"公告日期应在 {earliest} 至 {today} 之间", field_errors={"announced_on": "日期不在允许范围内"}
        )
    return announced_on


@transaction.atomic
def announcement_publish(
    *, actor, scope, versions: dict, announced_on=None, note: str = "", workflow_type=WorkflowType.HOUSEHOLD_EXIT
) -> Announcement:
    """公告 a batch: ``versions`` maps each verification id to the version the page showed. Every one must
    wait at its 公告 step inside ``scope`` (a township or county), be unchanged since shown, and be one the
    actor may announce (not having taken the step before it); otherwise nothing is announced."""
    require_visible(actor, scope.code)
    if scope.level not in SCOPE_LEVELS:
        raise ApplicationError("公告范围应为乡镇或县", field_errors={"scope": "公告范围应为乡镇或县"})
    if not versions:
        raise ApplicationError("请至少选择一户", field_errors={"verifications": "请至少选择一户"})
    ids = sorted(int(pk) for pk in versions)
    verifications = list(
        Verification.objects.select_for_update(of=("self",))
        .select_related("household", "subject_area")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(verifications) != len(ids):
        raise NotFound("找不到所选的流程，或不在您的工作范围内。")
    step = None
    for verification in verifications:
        require_visible(actor, verification.area_code)
        if not verification.area_code.startswith(scope.scope_prefix) or verification.workflow_type != workflow_type:
            raise ApplicationError(f"{verification.subject_name}不属于本次公告的范围。", code="out_of_batch")
        if int(versions.get(verification.pk, versions.get(str(verification.pk), -1))) != verification.version:
            raise Conflict(f"{verification.subject_name}：{STALE_MESSAGE}")
        waiting = require_waiting_step(
            verification,
            None,
            kind="announcement",
            other_kind=f"{verification.subject_name}当前待“{{label}}”，尚未到公告步骤。",
        )
        require_step_actor(actor, waiting, verification.area_code)
        refuse_self_approval(verification, actor)
        step = step or waiting
    return publish_locked(
        actor=actor,
        scope=scope,
        verifications=verifications,
        step=step,
        announced_on=_announced_on(announced_on, verifications),
        note=(note or "").strip(),
    )


def single_scope(verification) -> Area:
    """The batch of one announced from a verification's own page covers its township (or its subject)."""
    if verification.household_id:
        return verification.household.village.parent
    return verification.subject_area
