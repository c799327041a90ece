"""Village exit (贫困村出列: 村级申请 → 乡级初评 → 县级初核 → 市级审定) and county exit (贫困县摘帽: 县级申请 →
市级初核 → 省级审定), decided on snapshots of their aggregates (000_6ea9a56b91abd59f.txt §三(四); DOMAIN.md
§5.2, §5.4). The last step sets the area's actual exit date."""

from django.db import transaction

from accounts.services import audit_record
from assessments.policy.models import ParameterCode
from assessments.workflows.models import WorkflowType
from assessments.workflows.selectors.verifications import county_indicators, village_indicators
from povalleviation.errors import ApplicationError
from villages.choices import AreaLevel
from villages.models import Area
from villages.services import area_update

from .common import WorkflowHandler, register, verification_start


def threshold_checks(*, area, year: int, indicators: dict, checks) -> dict:
    """Compare indicators with the parameters in force; a missing parameter is reported, never assumed."""
    from assessments.eligibility.criteria import compare
    from assessments.policy.services import parameter_values_for_area

    rows = parameter_values_for_area(area=area, year=year, codes=[code for code, _ in checks])
    results = {}
    for code, indicator in checks:
        row, value = rows.get(code), indicators.get(indicator)
        if row is None or row.value is None:
            results[code] = {"status": "unknown", "reason": "no_parameter", "value": value}
        elif value is None:
            results[code] = {
                "status": "unknown",
                "reason": "no_value",
                "threshold": row.value,
                "parameter_id": row.pk,
            }
        else:
            passed = compare(value, row.comparator, row.value)
            results[code] = {
                "status": "pass" if passed else "fail",
                "value": value,
                "threshold": row.value,
                "comparator": row.comparator,
                "parameter_id": row.pk,
                "citation": row.source_citation,
            }
    return results


VILLAGE_CHECKS = [
    (ParameterCode.VILLAGE_INCIDENCE_MAX, "poverty_incidence"),
    (ParameterCode.VILLAGE_COLLECTIVE_INCOME_MIN, "collective_income"),
]
COUNTY_CHECKS = [(ParameterCode.COUNTY_INCIDENCE_MAX, "poverty_incidence")]
CHECK_LABELS = {
    ParameterCode.VILLAGE_INCIDENCE_MAX: "贫困发生率",
    ParameterCode.VILLAGE_COLLECTIVE_INCOME_MIN: "村集体经济收入",
    ParameterCode.COUNTY_INCIDENCE_MAX: "贫困发生率",
}


def refuse_failed_checks(snapshot):
    failed = [code for code, check in snapshot["checks"].items() if check["status"] == "fail"]
    if failed:
        raise ApplicationError(
            "未达到退出标准：" + "、".join(CHECK_LABELS.get(code, code) for code in failed) + "。",
            code="not_eligible",
            field_errors={"checks": failed},
        )


class AreaExitHandler(WorkflowHandler):
    """One handler per kind of area exit: the level and designation of the areas that may apply, the
    aggregates the exit is judged on and the parameters they are checked against."""

    def __init__(self, workflow_type, *, level, designated, not_designated, indicators, checks):
        self.workflow_type = workflow_type
        self.level = level
        self.designated = designated  # the Area field that marks a 贫困村 / 贫困县
        self.not_designated = not_designated  # (message, code) refusing any other area
        self.indicators = indicators  # (area, year) -> the aggregates of the area in the year
        self.checks = checks

    def snapshot(self, verification) -> dict:
        return self.build(verification.subject_area, verification.year)

    def build(self, area, year) -> dict:
        indicators = self.indicators(area, year)
        indicators["checks"] = threshold_checks(
            area=area, year=year, indicators=indicators, checks=self.checks
        )
        parameter_ids = sorted(
            c["parameter_id"] for c in indicators["checks"].values() if c.get("parameter_id")
        )
        indicators["eligibility"] = {"parameter_version": ",".join(str(i) for i in parameter_ids)}
        return indicators

    def publicity_content(self, verification) -> dict:
        indicators = self.indicators(verification.subject_area, verification.year)
        return {
            "title": f"{verification.year} 年拟{verification.get_workflow_type_display()}公示",
            "area": verification.subject_area.name,
            "year": verification.year,
            "poverty_incidence": indicators["poverty_incidence"],
            "poor_households": indicators["poor_households"],
            "poor_people": indicators["poor_people"],
            "reason": verification.note,
        }

    def check_before_completing(self, verification, step, *, actor, snapshot):
        if step["kind"] in ("approval", "announcement"):
            refuse_failed_checks(snapshot)

    def on_complete(self, verification, *, actor, today, snapshot):
        area = area_update(actor=None, area=verification.subject_area, actual_exit_date=today)
        audit_record(
            actor=actor,
            action=f"{verification.workflow_type}.completed",
            target=area,
            area=area,
            summary=f"{area.name}{verification.get_workflow_type_display()}审定通过，退出日期 {today}",
            changes={
                "actual_exit_date": today.isoformat(),
                "verification": verification.pk,
                "snapshot_sha256": verification.decision_sha256,
            },
        )

    def apply(self, *, actor, area, note, year, today):
        """The 申请 that starts the exit, refused unless the area is designated poor, not exited yet and
        passes the checks now."""
        if area.level != self.level or not getattr(area, self.designated):
            message, code = self.not_designated
            raise ApplicationError(message, code=code)
        area = Area.objects.select_for_update().get(pk=area.pk)
        year, note = self.require_starter(
            actor, area, year=year, today=today, note=note, note_label="申请说明"
        )
        if area.actual_exit_date:
            raise ApplicationError(f"{area.name}已于 {area.actual_exit_date} 退出。", code="already_exited")
        snapshot = self.build(area, year)
        if snapshot["poverty_incidence"] is None:
            raise ApplicationError(
                f"未录入 {year} 年度农村户籍人口，无法计算贫困发生率。", code="no_population"
            )
        refuse_failed_checks(snapshot)
        return verification_start(
            actor=actor,
            workflow_type=self.workflow_type,
            subject_area=area,
            year=year,
            note=note,
            first_snapshot=snapshot,
        )


VILLAGE_EXIT = register(
    AreaExitHandler(
        WorkflowType.VILLAGE_EXIT,
        level=AreaLevel.VILLAGE,
        designated="is_poor_village",
        not_designated=("只有贫困村可以申请退出。", "not_poor_village"),
        indicators=lambda area, year: village_indicators(village=area, year=year),
        checks=VILLAGE_CHECKS,
    )
)
COUNTY_EXIT = register(
    AreaExitHandler(
        WorkflowType.COUNTY_EXIT,
        level=AreaLevel.COUNTY,
        designated="poverty_county_designation",
        not_designated=("只有贫困县可以申请摘帽。", "not_poor_county"),
        indicators=lambda area, year: county_indicators(county=area, year=year),
        checks=COUNTY_CHECKS,
    )
)


@transaction.atomic
def village_exit_apply(*, actor, village, note: str, year: int | None = None, today=None):
    """村级申请 for a 贫困村 (by the village cadre or 第一书记)."""
    return VILLAGE_EXIT.apply(actor=actor, area=village, note=note, year=year, today=today)


@transaction.atomic
def county_exit_apply(*, actor, county, note: str, year: int | None = None, today=None):
    """县级申请 for a 贫困县 (by the county leading-group office)."""
    return COUNTY_EXIT.apply(actor=actor, area=county, note=note, year=year, today=today)
