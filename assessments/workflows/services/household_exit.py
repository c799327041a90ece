"""Household exit (贫困户脱贫): 村民小组提名 → 村级民主评议 → 村内公示 → 乡级初核 → 县级审定 → 公告
(000_6ea9a56b91abd59f.txt §三(四) "脱贫一个、验收一个、销号一个"; DOMAIN.md §5.1).

Nomination is refused unless every eligibility gate passes; the household becomes 拟退出 (its facts frozen)
and, at 公告, 已脱贫 effective on the announcement date. Rejection or withdrawal restores its prior state.
"""

from django.db import transaction

from assessments.workflows.models import WorkflowType
from households.choices import HouseholdStatus
from povalleviation.errors import ApplicationError

from .common import register
from .deadlines import refuse_outside_nomination_window
from .household_handler import HouseholdHandler
from .snapshots import evaluate_eligibility, failing_criteria, household_snapshot

NOMINABLE_STATUSES = {HouseholdStatus.HELPED, HouseholdStatus.RETURNED}
CRITERION_LABELS = {
    "INCOME_PER_CAPITA": "人均纯收入未稳定超过脱贫标准",
    "FOOD": "不愁吃",
    "CLOTHING": "不愁穿",
    "COMPULSORY_EDUCATION": "义务教育有保障",
    "MEDICAL_INSURED": "基本医疗有保障",
    "HOUSING_SAFE": "住房安全有保障",
    "WATER_SAFE": "饮水安全",
    "ELIGIBILITY": "无法评估（缺少资料或参数）",
}


def criterion_labels(codes) -> str:
    return "、".join(CRITERION_LABELS.get(code, code) for code in codes)


def refuse_unless_eligible(result):
    failing = failing_criteria(result)
    if result is None or result.passed is not True or failing:
        raise ApplicationError(
            f"未达到脱贫标准，不能提名退出。未通过或无法判断的项目：{criterion_labels(failing) or '—'}。",
            code="not_eligible",
            field_errors={"eligibility": failing},
        )


@register
class HouseholdExitHandler(HouseholdHandler):
    workflow_type = WorkflowType.HOUSEHOLD_EXIT
    publicity_title = "{year} 年拟退出贫困户公示"
    completed_status = HouseholdStatus.EXITED
    completed_reason = "{year} 年脱贫退出（公告）"
    held_status = HouseholdStatus.EXIT_PENDING
    ended_reason = "退出流程终止：{reason}"

    def check_before_completing(self, verification, step, *, actor, snapshot):
        if step["kind"] not in ("approval", "announcement"):
            return
        nominated = (
            verification.events.filter(action="start").values_list("snapshot", flat=True).first() or {}
        )
        if nominated.get("facts_sha256") != snapshot["facts_sha256"]:
            raise ApplicationError(
                "该户的收入、成员或两不愁三保障数据与提名时不一致，请撤回后重新提名。", code="facts_changed"
            )
        eligibility = snapshot.get("eligibility") or {}
        if eligibility.get("passed") is not True:
            raise ApplicationError(
                "按现行标准复核未通过，不能通过本步骤；可退回或不予通过。", code="not_eligible"
            )


@transaction.atomic
def household_exit_nominate(*, actor, household, note: str, year: int | None = None, today=None):
    """村民小组提名: start the exit of a household (帮扶中 or 返贫) that meets every eligibility gate, inside
    the area's nomination window (DOMAIN.md §5.1 step 1)."""
    handler = HouseholdExitHandler()
    household, year, note = handler.locked_for_start(
        actor, household, year=year, today=today, note=note, note_label="提名理由"
    )
    if household.status not in NOMINABLE_STATUSES:
        raise ApplicationError(
            f"该户当前状态为“{household.get_status_display()}”，只有帮扶中或返贫的户可以提名退出。",
            code="not_nominable",
        )
    refuse_outside_nomination_window(area=household.village, year=year, today=today)
    result = evaluate_eligibility(household, year)
    refuse_unless_eligible(result)
    warnings = []
    if household.planned_exit_year and household.planned_exit_year != year:
        warnings.append(
            f"该户计划脱贫年度为 {household.planned_exit_year} 年，与本次退出年度 {year} 年不一致"
        )
    verification = handler.start(
        actor=actor,
        household=household,
        year=year,
        note=note,
        details={"warnings": warnings},
        first_snapshot=household_snapshot(household, year, eligibility=result),
    )
    handler.set_status(
        household,
        HouseholdStatus.EXIT_PENDING,
        actor=actor,
        reason=f"村民小组提名 {year} 年退出",
        today=today,
    )
    return verification
