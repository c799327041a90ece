"""Regenerating a past quarter after later edits gives the same figures, for every figure read from a field
that is edited in place (``accounts.history``) or kept in dated versions (plans, policy parameters).

Each test builds the 2024 Q2 snapshot, changes the field through its service (or the Excel import) after
the quarter, builds again and compares everything but 数据质量 (computed at generation time); then it shows
that the current value differs, so reading current fields (as before the history) would have changed the
figure.
"""
import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ValueChange
from assessments.plans.models import ExitPlan, ExitPlanBase, ExitPlanStatus
from assessments.plans.services import (
    exit_plan_approve,
    exit_plan_base_save,
    exit_plan_create,
    exit_plan_revise,
    exit_plan_update,
)
from assessments.policy.services import (
    policy_parameter_create,
    policy_parameter_retire,
    policy_parameter_revise,
)
from conftest import COUNTY, TOWNSHIP, VILLAGE_A, VILLAGE_B, _persona
from funds.models import Disbursement
from funds.selectors import spend_summary
from funds.services import disbursement_review_county, disbursement_review_township
from households.imports.pipeline import import_workbook
from households.models import Member
from households.selectors_asof import members_as_of, stock_household_ids_as_of
from households.services import member_update
from households.tests.import_files import household_row, member_row, person_id, workbook_bytes
from povalleviation.roles import Role
from projects.models import ProjectEvent
from projects.services import project_return, project_submit, project_update
from projects.tests.factories import make_project, source
from reports.snapshot import build_snapshot
from reports.snapshot.common import exited_poor_villages
from reports.snapshot.dibao import dibao_section
from reports.tests.report_data import build_history, register, set_status
from villages.models import Area
from villages.services import area_update

END = datetime.date(2024, 6, 30)
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def history(county_officer, township_officer, county_approver):  # noqa: F811
    return build_history(county_officer=county_officer, township_officer=township_officer, county_approver=county_approver)


def county() -> Area:
    return Area.objects.get(code=COUNTY)


def regenerated() -> dict:
    """The 2024 Q2 snapshot without 数据质量 (the one section computed at generation time)."""
    snapshot = build_snapshot(area=county(), year=2024, quarter=2)
    return {key: value for key, value in snapshot.items() if key != "quality"}


# --- 1. members' 低保 / 特困 flags and labour capacity ---------------------------------------------------------


def test_member_flags_edited_after_the_quarter_leave_the_quarter_unchanged(history, village_cadre_a):
    first = regenerated()
    qian = history["taihe"][1]
    head, son = qian.members.get(relation="02"), qian.members.exclude(relation="02").first()
    member_update(actor=village_cadre_a, member=head, data={"is_dibao": True, "tekun": "dispersed"})
    member_update(actor=village_cadre_a, member=son, data={"labour_capacity": "lost"})
    assert regenerated() == first
    total = first["dibao"]["total"]
    assert (total["persons"], total["flagged_dibao"], total["flagged_tekun"], total["no_labour_uncovered"]) == (8, 0, 0, 0)
    # The current fields say otherwise: read directly they would have changed the quarter's figures …
    stock = members_as_of(household_ids=stock_household_ids_as_of(area_code=COUNTY, as_of=END), as_of=END)
    assert (stock.filter(is_dibao=True).count(), stock.filter(labour_capacity="lost").count()) == (1, 1)
    # … and a quarter after the edit shows them.
    today = dibao_section(area=county(), end=timezone.localdate(), child_level="township")["total"]
    assert (today["flagged_dibao"], today["flagged_tekun"], today["no_labour_uncovered"]) == (1, 1, 1)


def test_member_flags_changed_by_an_excel_import_keep_history(history, village_cadre_a):
    household = register(VILLAGE_A, 1, datetime.date(2023, 6, 1), "吴六", 60)
    head = household.members.get()
    Member.objects.filter(pk=head.pk).update(id_number=person_id(700))  # the ID the workbook rows use
    set_status(household, "helped", datetime.date(2023, 9, 1))
    first = regenerated()
    outcome = import_workbook(source=workbook_bytes(
        [household_row(700, head_name="吴六", 识别年度=2023, 计划脱贫年度=2025)],
        [member_row(700, head=700, name="吴六", 享受低保="是", 劳动能力="丧失劳动力")]), actor=village_cadre_a)
    assert outcome.is_committed and outcome.summary["members_updated"] == 1
    head.refresh_from_db()
    assert (head.is_dibao, head.labour_capacity) == (True, "lost")
    changes = ValueChange.objects.filter(model="households.member", object_id=head.pk)
    assert {(c.field, c.old_value, c.actor_id) for c in changes} == {
        ("is_dibao", "false", village_cadre_a.pk), ("labour_capacity", "full", village_cadre_a.pk)}
    assert regenerated() == first
    assert first["dibao"]["total"]["flagged_dibao"] == 0
    assert dibao_section(area=county(), end=timezone.localdate(), child_level="township")["total"]["flagged_dibao"] == 1


# --- 2. vouchers' review status ---------------------------------------------------------------------------


def test_voucher_checked_then_rejected_after_the_quarter_still_counts_as_it_stood(history, county_officer):
    township_reviewer = _persona("township_reviewer", Role.TOWNSHIP_OFFICER, TOWNSHIP)
    first = regenerated()
    assert (first["funds"]["total"]["disbursed"], first["funds"]["total"]["pending"]) == ("120000.00", "120000.00")
    voucher = Disbursement.objects.get(voucher_number="XP2024-001")
    disbursement_review_township(actor=township_reviewer, disbursement=voucher, approve=True)
    assert regenerated() == first  # still pending review on 30 June
    disbursement_review_county(actor=county_officer, disbursement=voucher, approve=False, note="凭证不全")
    assert regenerated() == first
    current = spend_summary(area=county(), year=2024, as_of=END)  # current status: the rejection removes it
    assert current["total"]["disbursed"] == 0 and current["total"]["pending"] == 0


# --- 3. project budget (and category) ---------------------------------------------------------------------


def test_project_budget_edited_after_the_quarter(history, areas, township_officer, county_officer):
    project = make_project(actor=township_officer, area=areas[VILLAGE_B], name="勐炳村饮水项目", category="infrastructure")
    project_submit(actor=township_officer, project=project)
    ProjectEvent.objects.filter(project=project).update(at=datetime.datetime(2024, 5, 6, 10, tzinfo=ZONE))  # 申报 in May
    first = regenerated()
    assert first["projects"]["total"]["statuses"]["submitted"] == {"count": 1, "amount": "400000.00"}
    project_return(actor=county_officer, project=project, reason="预算偏高，请压减")
    project_update(actor=township_officer, project=project, data={"category": "living_environment"},
                   budget=[{"source": source("central_special"), "amount": Decimal("250000")}])
    assert regenerated() == first
    project.refresh_from_db()
    assert (project.budget_total, project.category) == (Decimal("250000.00"), "living_environment")
    categories = {row["category"] for row in first["projects"]["categories"]}
    assert categories == {"industry", "infrastructure"}  # not the category it has now


# --- 4. exit plan version in force (and the plan base) ----------------------------------------------------


def test_plan_revised_and_approved_after_the_quarter(history, areas, leading_group_staff, report_reviewer):
    approved = exit_plan_create(actor=None, area=areas[COUNTY], year=2024, households=3, persons=10, villages=1)
    exit_plan_approve(actor=None, plan=approved)
    draft = exit_plan_create(actor=None, area=areas[TOWNSHIP], year=2024, households=2, persons=6)
    base = exit_plan_base_save(actor=None, area=areas[COUNTY], base_year=2022, end_year=2024, households=10, persons=30)
    first = regenerated()
    rows = {row["code"]: row for row in first["plans"]["rows"]}
    assert (first["plans"]["total"]["planned_households"], rows[TOWNSHIP]["planned_households"]) == (3, 2)
    assert first["plans"]["since_base"]["base_year"] == 2022 and first["plans"]["since_base"]["base"]["households"] == 10

    revision = exit_plan_revise(actor=leading_group_staff, plan=approved, reason="上级调整任务", households=5, persons=16)
    exit_plan_approve(actor=report_reviewer, plan=revision)
    exit_plan_update(actor=leading_group_staff, plan=draft, households=4)
    exit_plan_approve(actor=report_reviewer, plan=draft)
    exit_plan_base_save(actor=leading_group_staff, area=areas[COUNTY], base_year=2022, end_year=2023, households=12,
                        persons=40)
    assert regenerated() == first
    in_force = ExitPlan.objects.in_force().get(area=areas[COUNTY], year=2024)
    assert (in_force.version, in_force.status, in_force.households) == (2, ExitPlanStatus.APPROVED, 5)
    assert ExitPlan.objects.get(pk=draft.pk).households == 4
    assert ExitPlanBase.objects.get(pk=base.pk).end_year == 2023  # no longer covers 2024


def test_plan_approved_before_the_date_wins_over_a_later_revision(history, areas, leading_group_staff, report_reviewer):
    plan = exit_plan_create(actor=None, area=areas[COUNTY], year=2024, households=3)
    exit_plan_approve(actor=None, plan=plan)
    ExitPlan.objects.filter(pk=plan.pk).update(approved_at=datetime.datetime(2024, 1, 15, 9, tzinfo=ZONE))
    revision = exit_plan_revise(actor=leading_group_staff, plan=plan, reason="调整", households=6)
    exit_plan_approve(actor=report_reviewer, plan=revision)
    ExitPlan.objects.filter(pk=revision.pk).update(approved_at=datetime.datetime(2024, 7, 2, 9, tzinfo=ZONE))
    assert regenerated()["plans"]["total"]["planned_households"] == 3
    later = build_snapshot(area=county(), year=2024, quarter=3)
    assert later["plans"]["total"]["planned_households"] == 6


# --- 5. village designation and exit date -----------------------------------------------------------------


def test_village_exit_corrected_after_the_quarter(history, areas):
    # Entered before the quarter (as the demo loader and the area list do, without history): 太和村 exited 20 May.
    Area.objects.filter(code=VILLAGE_A).update(is_poor_village=True, actual_exit_date=datetime.date(2024, 5, 20))
    first = regenerated()
    rows = {row["code"]: row for row in first["plans"]["rows"]}
    villages = {row["code"]: row for row in first["population"]["villages"]}
    assert rows[TOWNSHIP]["actual_villages"] == 1
    assert (villages[VILLAGE_A]["is_poor_village"], villages[VILLAGE_B]["is_poor_village"]) == (True, False)
    area_update(actor=None, area=areas[VILLAGE_A], actual_exit_date=datetime.date(2024, 7, 15))
    area_update(actor=None, area=areas[VILLAGE_B], is_poor_village=True, actual_exit_date=datetime.date(2024, 6, 1))
    assert regenerated() == first
    current = Area.objects.filter(code__startswith="530427", level="village", is_poor_village=True,
                                  actual_exit_date__gte=datetime.date(2024, 1, 1), actual_exit_date__lte=END)
    assert list(current.values_list("code", flat=True)) == [VILLAGE_B]
    as_recorded_today = exited_poor_villages("530427", datetime.date(2024, 1, 1), END, as_of=timezone.localdate())
    assert list(as_recorded_today.values_list("code", flat=True)) == [VILLAGE_B]


# --- 6. spend target (PolicyParameter versions) -----------------------------------------------------------


def spend_target(**changes):
    return policy_parameter_create(actor=None, code="fund_spend_ratio_min", area=county(), year_from=2024,
                                   source_citation="测试文件", reason="测试", **changes)


def test_spend_target_revised_after_the_quarter(history, county_officer):
    parameter = spend_target(value="90")
    first = regenerated()
    assert first["funds"]["total"]["target"] == "0.9000" and first["summary"]["spend_target"] == "0.9000"
    policy_parameter_revise(actor=county_officer, parameter=parameter, reason="提高目标", value="95")
    assert regenerated() == first
    assert spend_summary(area=county(), year=2024, as_of=END)["total"]["target"] == Decimal("0.9500")


def test_spend_target_retired_and_replaced_after_the_quarter(history, county_officer):
    parameter = spend_target(value="90")
    first = regenerated()
    policy_parameter_retire(actor=county_officer, parameter=parameter, reason="文件废止")
    assert regenerated() == first
    spend_target(value="80")  # a new series after the retirement: the row in force on the day still wins
    assert regenerated() == first
    assert spend_summary(area=county(), year=2024, as_of=END)["total"]["target"] == Decimal("0.8000")


def test_eligibility_recomputed_after_the_quarter_counts_as_it_stood(history, village_cadre_a):
    """Results rewritten by a later county recompute (a changed conclusion) or first computed after the day
    leave the quarter's eligibility counts as they were; the current results differ."""
    from assessments.eligibility.models import EligibilityResult
    from assessments.eligibility.services import eligibility_evaluate_household, eligibility_recompute
    from households.services.records import living_conditions_record

    zhao, qian, sun = history["taihe"]
    secure = {"food_secure": True, "clothing_secure": True, "compulsory_education_secure": True,
              "all_members_insured": True, "serious_illness_covered": True, "water_safe": True,
              "water_difficult": False, "housing_grade": "A"}
    for household in (qian, sun):
        living_conditions_record(actor=village_cadre_a, household=household, year=2024, assessed_on=datetime.date(2024, 5, 2),
                                 data={**secure, "food_secure": False})
        eligibility_evaluate_household(household=household, year=2024)
    during = datetime.datetime(2024, 6, 1, 9, tzinfo=ZONE)
    EligibilityResult.objects.update(computed_at=during, first_computed_at=during)
    first = regenerated()
    assert first["eligibility"]["total"] == {"passed": 0, "failed": 2, "unknown": 0, "not_assessed": 1}

    # After the quarter: 钱二 is found to have enough food (no income line for 2024 → 无法判断 now), and the
    # county recompute also evaluates 李四 (registered in the quarter) for the first time.
    living_conditions_record(actor=village_cadre_a, household=qian, year=2024, assessed_on=timezone.localdate(),
                             data=secure)
    eligibility_recompute(area=county(), year=2024, use_sql=True)
    assert EligibilityResult.objects.get(household=qian, year=2024).passed is None
    assert EligibilityResult.objects.filter(year=2024).count() == 4  # 赵一 (exited in May) and 李四 added
    assert ValueChange.objects.filter(model="assessments.eligibilityresult", field="passed", old_value="false").count() == 1
    assert regenerated() == first
    # Read from the current rows the quarter would show 钱二 as 无法判断 and 李四 as evaluated.
    current = {r.household.head_name: r.passed for r in EligibilityResult.objects.filter(year=2024).exclude(household=zhao)}
    assert current["钱二"] is None and current["孙三"] is False and "李四" in current
