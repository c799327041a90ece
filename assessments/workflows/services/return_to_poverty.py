"""返贫 and monitoring. An exited household that falls back (突发灾祸, 因病、因学、因灾 — 000_6ea9a56b91abd59f.txt
§三(十四); 002_3c24fdc0372bba72.txt §二(二)) goes through 申报 → 村民主评议 → 村公示 → 乡镇审核 → 县级审定
(DOMAIN.md §5.6, §8 Q20: the identification chain, the county decides) and re-enters help as 返贫. A
household at risk can be flagged for monitoring (边缘户 ⚠, DOMAIN.md §8 Q18) without any status change.
"""

from django.db import transaction

from accounts.services import audit_record
from assessments.workflows.models import Verification, WorkflowType
from households.choices import HouseholdStatus, MonitoringFlag
from households.models import Household
from households.services import household_update
from povalleviation.errors import ApplicationError

from .common import register, require_note
from .household_handler import HouseholdHandler


@register
class ReturnToPovertyHandler(HouseholdHandler):
    workflow_type = WorkflowType.RETURN_TO_POVERTY
    publicity_title = "{year} 年拟认定返贫户公示"
    completed_status = HouseholdStatus.RETURNED
    completed_reason = "返贫认定：{note}"


@transaction.atomic
def return_to_poverty_propose(
    *, actor, household, reason: str, year: int | None = None, today=None
) -> Verification:
    """返贫申报 for an exited household, with the reason (the household stays 已脱贫 until the county decides)."""
    handler = ReturnToPovertyHandler()
    household, year, reason = handler.locked_for_start(
        actor, household, year=year, today=today, note=reason, note_label="返贫原因"
    )
    if household.status != HouseholdStatus.EXITED:
        raise ApplicationError(
            f"只有已脱贫户可以申报返贫，该户当前为“{household.get_status_display()}”。", code="not_exited"
        )
    return handler.start(actor=actor, household=household, year=year, note=reason)


@transaction.atomic
def monitoring_flag_set(*, actor, household, flag: str, reason: str) -> Household:
    """Flag a household for monitoring (脱贫监测户 / 边缘户) or clear the flag, with the reason; the change goes
    through ``household_update`` (its capability check, freeze rule and event)."""
    if flag not in MonitoringFlag.values:
        raise ApplicationError("监测标识无效", field_errors={"flag": "监测标识无效"})
    reason = require_note(reason, "原因")
    household = household_update(actor=actor, household=household, data={"monitoring_flag": flag})
    audit_record(
        actor=actor,
        action="household.monitoring_flag",
        target=household,
        area_code=household.area_code,
        summary=f"{household.head_name}户监测标识：{MonitoringFlag(flag).label}（{reason}）",
        changes={"monitoring_flag": flag, "reason": reason},
    )
    return household
