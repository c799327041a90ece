"""返贫 and monitoring. An exited household that falls back (突发灾祸, 因病、因学、因灾 — 000_6ea9a56b91abd59f.txt
§三(十四); 002_3c24fdc0372bba72.txt §二(二)) goes through 申报 → 村民主评议 → 村公示 → 乡镇审核 → 县级审定
(DOMAIN.md §5.6, §8 Q20: the identification chain, the county decides) and re-enters help as 返贫. A
household at risk can be flagged for monitoring (边缘户 ⚠, DOMAIN.md §8 Q18) without any status change.
"""

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_record
from assessments.workflows.models import Verification, WorkflowType
from households.choices import HouseholdStatus, MonitoringFlag
from households.models import Household
from households.services import household_set_status, household_update
from povalleviation.errors import ApplicationError

from .chains import chain_for
from .common import (
    WorkflowHandler,
    register,
    require_note,
    require_step_actor,
    require_visible,
    verification_start,
)
from .snapshots import evaluate_eligibility, household_publicity_content, household_snapshot

WORKFLOW = "return_to_poverty"


@register
class ReturnToPovertyHandler(WorkflowHandler):
    workflow_type = WorkflowType.RETURN_TO_POVERTY

    def snapshot(self, verification) -> dict:
        household = verification.household
        return household_snapshot(
            household, verification.year, eligibility=evaluate_eligibility(household, verification.year)
        )

    def publicity_content(self, verification) -> dict:
        return household_publicity_content(
            verification, title=f"{verification.year} 年拟认定返贫户公示", reason=verification.note
        )

    def on_complete(self, verification, *, actor, today, snapshot):
        household_set_status(
            actor=actor,
            household=verification.household,
            to_status=HouseholdStatus.RETURNED,
            reason=f"返贫认定：{verification.note}",
            effective_date=today,
            workflow=WORKFLOW,
        )


@transaction.atomic
def return_to_poverty_propose(
    *, actor, household, reason: str, year: int | None = None, today=None
) -> Verification:
    """返贫申报 for an exited household, with the reason (the household stays 已脱贫 until the county decides)."""
    require_visible(actor, household.area_code)
    household = Household.objects.select_for_update().select_related("area").get(pk=household.pk)
    year = year or (today or timezone.localdate()).year
    steps, _ = chain_for(workflow_type=WorkflowType.RETURN_TO_POVERTY, area=household.area, year=year)
    require_step_actor(actor, steps[0], household.area_code)
    reason = require_note(reason, "返贫原因")
    if household.status != HouseholdStatus.EXITED:
        raise ApplicationError(
            f"只有已脱贫户可以申报返贫，该户当前为“{household.get_status_display()}”。", code="not_exited"
        )
    return verification_start(
        actor=actor,
        workflow_type=WorkflowType.RETURN_TO_POVERTY,
        subject_area=household.area,
        household=household,
        year=year,
        note=reason,
        prior_household_status=household.status,
    )


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
