"""The eligibility engine on single households: each criterion passing, failing and unknown, boundary values,
parameters overridden for one township, the household page's explanation, and the advisory rule."""
import datetime

import pytest

from assessments.eligibility.criteria import FAIL, PASS, REASON_STATUS, UNKNOWN
from assessments.eligibility.models import EligibilityResult
from assessments.eligibility.selectors import result_details
from assessments.eligibility.services import _HouseholdEvaluationOnCommit, eligibility_evaluate_household
from assessments.eligibility.tasks import evaluate_household_task
from assessments.policy.models import PolicyParameter
from assessments.policy.services import policy_parameter_create, policy_parameters_load
from conftest import COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE_A
from households.models import HouseholdStatusChange
from households.services import (
    household_register,
    household_set_status,
    income_record_save,
    living_conditions_record,
    member_update,
)
from households.services.medical import hospital_expense_save
from households.tests.factories import member_data
from villages.models import Area

pytestmark = pytest.mark.django_db

GOOD_CONDITIONS = {
    "food_secure": True, "clothing_secure": True, "compulsory_education_secure": True, "all_members_insured": True,
    "serious_illness_covered": True, "housing_grade": "B", "retrofit_completed": False, "water_safe": True,
    "water_difficult": False,
}


@pytest.fixture
def parameters(areas):
    policy_parameters_load()


NOT_IN_HOSPITAL = {"admissions": 0}


def build(*, actor, area_code=VILLAGE_A, sequence, income="3500", members=None, conditions=None, year=2018,
          hospital=None):
    """A household with one year's income (per capita = income when alone), one assessment and 住院费用:
    ``hospital`` maps member names to their figures (default: the head recorded as not in hospital; False:
    nothing recorded)."""
    # Registered (建档) on 1 Jan 2016, so the household is in the stock of every year the tests evaluate.
    household = household_register(
        actor=actor, area=Area.objects.get(code=area_code), registered_on=datetime.date(2016, 1, 1),
        data={"identification_year": 2016, "primary_cause": "ILLNESS", "category": "general"},
        members=members or [member_data(sequence, name=f"户主{sequence}")],
    )
    if hospital is None:
        hospital = {household.members.get(relation="02").name: NOT_IN_HOSPITAL}
    for name, figures in (hospital or {}).items():
        hospital_expense_save(actor=actor, household=household, member=household.members.get(name=name), year=year,
                              data=figures)
    if income is not None:
        income_record_save(actor=actor, household=household, year=year,
                           data={"wage_income": income, "member_count": 1})
    if conditions is not False:
        living_conditions_record(actor=actor, household=household, year=year, assessed_on=datetime.date(year, 10, 1),
                                 data={**GOOD_CONDITIONS, **(conditions or {})})
    return household


def child(sequence, birth, **extra):
    return member_data(sequence, name=f"孩子{sequence}", relation="20", birth=birth, labour_capacity="none", **extra)


def evaluate(household, year=2018):
    result = eligibility_evaluate_household(household=household, year=year)
    return result, {code: REASON_STATUS[reason] for code, reason in result.criteria.items() if not code.startswith("_")}


def detailed(result) -> dict:
    return result_details([result])[0][result.pk]


def test_household_meeting_every_criterion(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=1, members=[
        member_data(1, name="户主1"), child(2, "20080301", student_status="junior")])
    result, statuses = evaluate(household)
    assert result.passed is True and set(statuses.values()) == {PASS}
    head = household.members.get(relation="02")
    assert result.criteria == {"INCOME_PER_CAPITA": "ok", "FOOD": "ok", "CLOTHING": "ok", "COMPULSORY_EDUCATION": "ok",
                               "MEDICAL_INSURED": "ok", "HOUSING_SAFE": "ok", "WATER_SAFE": "ok",
                               "_hospital": {"records": 1, "member_id": head.pk, "ratio": None, "self_paid": "0.00",
                                             "total": "0.00"}}
    line = PolicyParameter.objects.get(code="income_line", year_from=2018)
    test = PolicyParameter.objects.get(code="household_income_test")
    age_rows = PolicyParameter.objects.filter(code__startswith="compulsory_education_age").order_by("pk")
    cap = PolicyParameter.objects.get(code="hospital_self_pay_ratio_max", area__code=COUNTY)
    assert result.parameter_version == ",".join(
        str(pk) for pk in sorted([line.pk, test.pk, cap.pk, *[r.pk for r in age_rows]]))
    assert detailed(result)["INCOME_PER_CAPITA"] == {
        "status": PASS, "reason": "ok", "gate": True, "value": "3500.00", "line": "2995", "comparator": "gt",
        "line_parameter_id": line.pk, "comparator_parameter_id": test.pk,
    }
    assert (result.members, result.school_age, result.per_capita_income) == (2, 1, 3500)
    assert detailed(result)["HOUSING_SAFE"] == {"status": PASS, "reason": "ok", "gate": True, "grade": "B",
                                                 "retrofit_completed": False}
    assert len(result.data_fingerprint) == 32


@pytest.mark.parametrize("conditions, members, criterion, reason", [
    ({"food_secure": False}, None, "FOOD", "not_secure"),
    ({"clothing_secure": False}, None, "CLOTHING", "not_secure"),
    ({}, [member_data(10, name="户主"), child(11, "20060501", student_status="dropout")], "COMPULSORY_EDUCATION", "dropout"),
    ({"compulsory_education_secure": False}, None, "COMPULSORY_EDUCATION", "assessor_not_secure"),
    ({}, [member_data(10, name="户主"), member_data(12, name="配偶", relation="10", odd=False,
                                                   has_medical_insurance=False)], "MEDICAL_INSURED", "uninsured_members"),
    ({"all_members_insured": False}, None, "MEDICAL_INSURED", "assessor_not_insured"),
    ({"housing_grade": "C"}, None, "HOUSING_SAFE", "unsafe_house"),
    ({"housing_grade": "D", "retrofit_completed": False}, None, "HOUSING_SAFE", "unsafe_house"),
    ({"water_safe": False}, None, "WATER_SAFE", "unsafe"),
    ({"water_difficult": True}, None, "WATER_SAFE", "difficult"),
])
def test_each_criterion_can_fail_alone(parameters, village_cadre_a, conditions, members, criterion, reason):
    household = build(actor=village_cadre_a, sequence=10, conditions=conditions, members=members)
    result, statuses = evaluate(household)
    assert result.passed is False
    assert result.criteria[criterion] == reason
    assert {code for code, status in statuses.items() if status != PASS} == {criterion}


def test_completed_retrofit_makes_a_dangerous_house_safe(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=20, conditions={"housing_grade": "D", "retrofit_completed": True})
    result, _ = evaluate(household)
    assert result.passed is True and result.criteria["HOUSING_SAFE"] == "retrofit_completed"


def test_latest_assessment_of_the_year_counts(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=21, conditions={"water_safe": False})
    living_conditions_record(actor=village_cadre_a, household=household, year=2018, assessed_on=datetime.date(2018, 12, 1),
                             data=GOOD_CONDITIONS)
    living_conditions_record(actor=village_cadre_a, household=household, year=2018, assessed_on=datetime.date(2018, 6, 1),
                             data={**GOOD_CONDITIONS, "food_secure": False})
    result, _ = evaluate(household)
    latest = household.living_conditions.get(assessed_on=datetime.date(2018, 12, 1))
    assert result.passed is True and result.conditions_id == latest.pk


def test_unknowns_name_what_is_missing(parameters, village_cadre_a, client_for):
    household = build(actor=village_cadre_a, sequence=30, income="9000", year=2017)
    result, statuses = evaluate(household, year=2017)
    assert result.passed is None and statuses["INCOME_PER_CAPITA"] == UNKNOWN
    assert result.criteria["INCOME_PER_CAPITA"] == "no_line"
    bare = build(actor=village_cadre_a, sequence=31, income=None, conditions=False)
    result, statuses = evaluate(bare)
    assert result.passed is None
    assert {c: result.criteria[c] for c in ("INCOME_PER_CAPITA", "FOOD", "HOUSING_SAFE", "WATER_SAFE")} == {
        "INCOME_PER_CAPITA": "no_income_record", "FOOD": "no_assessment", "HOUSING_SAFE": "no_assessment",
        "WATER_SAFE": "no_assessment"}
    assert statuses["MEDICAL_INSURED"] == PASS and statuses["COMPULSORY_EDUCATION"] == PASS
    page = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert "该年度脱贫标准未设置" in page and "2017 年资料或参数不全" in page


def test_income_exactly_at_the_line_fails_for_exceeds_and_passes_for_at_least(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=40, income="2995")
    result, _ = evaluate(household)
    assert result.passed is False
    assert (result.criteria["INCOME_PER_CAPITA"], detailed(result)["INCOME_PER_CAPITA"]["comparator"]) == (
        "below_line", "gt")
    # The county sets "不低于" (≥) for 2018: the county row beats the province's ">".
    policy_parameter_create(actor=None, code="household_income_test", area=Area.objects.get(code=COUNTY), year_from=2018,
                            year_to=2018, comparator="gte", source_citation="县 测试", reason="县定“不低于”")
    result, _ = evaluate(household)
    assert result.passed is True and detailed(result)["INCOME_PER_CAPITA"]["comparator"] == "gte"
    one_cent_below = build(actor=village_cadre_a, sequence=41, income="2994.99")
    assert evaluate(one_cent_below)[1]["INCOME_PER_CAPITA"] == FAIL


def test_township_line_beats_the_county_line(parameters, village_cadre_a, other_township_officer):
    policy_parameter_create(actor=None, code="income_line", area=Area.objects.get(code=COUNTY), year_from=2018,
                            year_to=2018, value="3000", source_citation="新平县 测试", reason="县定标准")
    policy_parameter_create(actor=None, code="income_line", area=Area.objects.get(code=TOWNSHIP), year_from=2018,
                            year_to=2018, value="2500", source_citation="老厂乡 测试", reason="乡定标准")
    laochang = build(actor=village_cadre_a, sequence=50, income="2800")
    shuitang = household_register(
        actor=None, area=Area.objects.get(code=OTHER_VILLAGE), members=[member_data(51, name="户主51")],
        data={"identification_year": 2016, "primary_cause": "ILLNESS", "category": "general"})
    income_record_save(actor=None, household=shuitang, year=2018, data={"wage_income": "2800", "member_count": 1})
    laochang_income = detailed(evaluate(laochang)[0])["INCOME_PER_CAPITA"]
    assert (laochang_income["line"], laochang_income["status"]) == ("2500", PASS)
    shuitang_income = detailed(evaluate(shuitang)[0])["INCOME_PER_CAPITA"]
    assert (shuitang_income["line"], shuitang_income["status"]) == ("3000", FAIL)


@pytest.mark.parametrize("birth, student_status, assessed, reason", [
    ("20030101", "dropout", True, "dropout"),  # 15 at the end of 2018: inside the band
    ("20020101", "dropout", True, "no_school_age_children"),  # 16: outside
    ("20121231", "", None, "school_status_missing"),  # 6 on 31 Dec 2018, school status not recorded
    ("20121231", "", True, "ok"),  # the assessor confirmed schooling
    ("20130101", "", None, "no_school_age_children"),  # 5
])
def test_compulsory_education_age_band_boundaries(parameters, village_cadre_a, birth, student_status, assessed, reason):
    # "not assessed" (None) means no 两不愁三保障 assessment recorded for the year.
    household = build(actor=village_cadre_a, sequence=60,
                      conditions=False if assessed is None else {"compulsory_education_secure": assessed},
                      members=[member_data(60, name="户主"), child(61, birth, student_status=student_status)])
    assert evaluate(household)[0].criteria["COMPULSORY_EDUCATION"] == reason


def test_members_counted_are_those_in_the_household_at_the_year_end(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=70, members=[
        member_data(70, name="户主"), member_data(71, name="配偶", relation="10", odd=False, has_medical_insurance=False)])
    assert evaluate(household)[0].criteria["MEDICAL_INSURED"] == "uninsured_members"
    spouse = household.members.get(relation="10")
    member_update(actor=village_cadre_a, member=spouse, data={"has_medical_insurance": True})
    result = evaluate(household)[0]
    assert (result.criteria["MEDICAL_INSURED"], result.members, result.uninsured) == ("ok", 2, 0)


def test_the_result_never_changes_the_household_status(parameters, village_cadre_a):
    passing = build(actor=village_cadre_a, sequence=80)
    failing = build(actor=village_cadre_a, sequence=81, income="1000")
    household_set_status(actor=village_cadre_a, household=failing, to_status="helped", reason="帮扶到位")
    changes = HouseholdStatusChange.objects.count()
    assert evaluate(passing)[0].passed is True and evaluate(failing)[0].passed is False
    passing.refresh_from_db()
    failing.refresh_from_db()
    assert (passing.status, failing.status) == ("identified", "helped")
    assert HouseholdStatusChange.objects.count() == changes


def test_changes_queue_one_evaluation_per_household_after_commit(parameters, village_cadre_a,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        household = build(actor=village_cadre_a, sequence=90)
        income_record_save(actor=village_cadre_a, household=household, year=2018, data={"wage_income": "1200",
                                                                                       "member_count": 1})
    queued = [c for c in callbacks if isinstance(c, _HouseholdEvaluationOnCommit)]
    assert [c.household_id for c in queued] == [household.pk]
    assert not EligibilityResult.objects.filter(household=household).exists()
    # What the queued task does, run in-process:
    assert evaluate_household_task(household.pk) == {"household_id": household.pk, "years": [2018]}
    result = EligibilityResult.objects.get(household=household, year=2018)
    assert result.passed is False and result.per_capita_income == 1200


def test_fingerprint_follows_the_data(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=95)
    first = evaluate(household)[0].data_fingerprint
    assert evaluate(household)[0].data_fingerprint == first
    income_record_save(actor=village_cadre_a, household=household, year=2018, data={"wage_income": "3600", "member_count": 1})
    assert evaluate(household)[0].data_fingerprint != first


def test_household_page_explains_in_plain_chinese(parameters, village_cadre_a, village_cadre_b, client_for, client):
    household = build(actor=village_cadre_a, sequence=100, income="2995", conditions={"housing_grade": "C"})
    evaluate(household)
    page = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert "脱贫标准评估（参考）" in page and "2018 年未达到脱贫标准：人均纯收入、住房安全有保障未达标。" in page
    assert "人均纯收入 2995.00 元，不满足“&gt; 2995 元”（2018 年脱贫标准）。收入恰好等于标准" in page
    assert "住房鉴定为 C 级危房，危房改造或搬迁尚未完成。" in page
    assert "⚠ 非政策文件来源，待确认" in page and "不会改变户的状态" in page
    assert client_for(village_cadre_b).get(f"/households/{household.pk}/").status_code == 404
    assert client.get(f"/households/{household.pk}/").status_code == 302


def test_queueing_survives_a_savepoint_rollback(django_capture_on_commit_callbacks):
    from django.db import transaction

    from assessments.eligibility.services import queue_household_evaluation

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_household_evaluation(1)
        try:
            with transaction.atomic():
                queue_household_evaluation(2)
                queue_household_evaluation(1)  # already pending outside the savepoint
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        queue_household_evaluation(2)  # its first callback went with the savepoint: queued again
        queue_household_evaluation(2)
    assert [c.household_id for c in callbacks if isinstance(c, _HouseholdEvaluationOnCommit)] == [1, 2]


# --- 住院自付比例 (P-HE-01) ---------------------------------------------------------------------------------


def in_hospital(total, basic, serious="0", assistance="0"):
    return {"admissions": 1, "total_cost": total, "basic_insurance_paid": basic, "serious_illness_paid": serious,
            "medical_assistance_paid": assistance}


@pytest.mark.parametrize("basic, reason, status", [
    ("8750", "self_pay_over_cap", FAIL),  # 12.5 %
    ("9000", "ok", PASS),  # exactly 10 %: "控制在10%以内" includes 10
    ("8999", "self_pay_over_cap", FAIL),  # 10.01 %
])
def test_hospital_self_pay_ratio_against_the_county_cap(parameters, village_cadre_a, basic, reason, status):
    household = build(actor=village_cadre_a, sequence=110, hospital={"户主110": in_hospital("10000", basic)})
    result, statuses = evaluate(household)
    assert (result.criteria["MEDICAL_INSURED"], statuses["MEDICAL_INSURED"]) == (reason, status)
    medical = detailed(result)["MEDICAL_INSURED"]
    cap = PolicyParameter.objects.get(code="hospital_self_pay_ratio_max", area__code=COUNTY)
    assert (medical["self_pay_cap"], medical["self_pay_comparator"], medical["self_pay_cap_parameter_id"]) == ("10", "lte", cap.pk)
    assert str(cap.pk) in result.parameter_version.split(",")


def test_a_stored_result_reads_back_its_reasons_hospital_facts_and_fingerprint(parameters, village_cadre_a):
    """Reasons are stored as text and the hospital facts in columns; read back, the result gives the same
    criteria, and a fingerprint equal to the one of the facts it was computed from."""
    from assessments.eligibility.engine.facts import load_household_facts
    from assessments.eligibility.services import _household_parameters

    household = build(actor=village_cadre_a, sequence=112, hospital={"户主112": in_hospital("10000", "8750")})
    computed, _ = evaluate(household)
    stored = EligibilityResult.objects.get(pk=computed.pk)
    member = household.members.get(name="户主112")
    assert stored.criteria == computed.criteria and stored.criteria["MEDICAL_INSURED"] == "self_pay_over_cap"
    assert stored.criteria["_hospital"] == {"records": 1, "member_id": member.pk, "ratio": "12.50",
                                            "self_paid": "1250.00", "total": "10000.00"}
    assert EligibilityResult.objects.filter(pk=stored.pk, reasons__contains="MEDICAL_INSURED=self_pay_over_cap").exists()
    params = _household_parameters(village=household.village, year=2018)
    facts = load_household_facts(household_ids=[household.pk], year=2018, params_by_household={household.pk: params})[household.pk]
    assert stored.data_fingerprint == facts.fingerprint and len(stored.data_fingerprint) == 32


def test_a_changed_conclusion_keeps_the_previous_one_and_the_first_computation_time(parameters, village_cadre_a):
    """One-by-one path: a re-evaluation that changes ``passed`` records the old value (reports read results as
    of a past day from it); an unchanged one records nothing; ``first_computed_at`` never moves."""
    from accounts.models import ValueChange

    household = build(actor=village_cadre_a, sequence=113, conditions={"food_secure": False})
    first, _ = evaluate(household)
    assert first.passed is False
    evaluate(household)
    assert not ValueChange.objects.filter(model="assessments.eligibilityresult").exists()
    living_conditions_record(actor=village_cadre_a, household=household, year=2018,
                             assessed_on=datetime.date(2018, 11, 1), data=GOOD_CONDITIONS)
    second, _ = evaluate(household)
    change = ValueChange.objects.get(model="assessments.eligibilityresult", object_id=first.pk)
    assert (second.passed, change.field, change.old_value) == (True, "passed", "false")
    assert second.first_computed_at == first.first_computed_at < second.computed_at


def test_no_hospital_record_is_unknown_where_a_cap_applies_and_ignored_where_none(parameters, village_cadre_a):
    household = build(actor=village_cadre_a, sequence=111, hospital=False)
    result, statuses = evaluate(household)
    assert (result.criteria["MEDICAL_INSURED"], statuses["MEDICAL_INSURED"], result.passed) == (
        "no_hospital_data", UNKNOWN, None)
    assert "_hospital" not in result.criteria
    # 2017: 新平's cap covers 2018–2020 only, so insurance alone decides.
    older = build(actor=village_cadre_a, sequence=112, year=2017, hospital=False)
    assert evaluate(older, year=2017)[0].criteria["MEDICAL_INSURED"] == "ok"


def test_the_highest_member_ratio_counts_and_is_kept_with_the_result(parameters, village_cadre_a, client_for):
    household = build(actor=village_cadre_a, sequence=113, members=[
        member_data(113, name="户主"), member_data(114, name="李四", relation="10", odd=False)],
        hospital={"户主": in_hospital("2000", "1900"), "李四": in_hospital("8000", "6000", "700", "300")})
    result, _ = evaluate(household)
    spouse = household.members.get(name="李四")
    assert result.criteria["MEDICAL_INSURED"] == "self_pay_over_cap"
    assert result.criteria["_hospital"] == {"records": 2, "member_id": spouse.pk, "ratio": "12.50", "self_paid": "1000.00",
                                            "total": "8000.00"}
    first = result.data_fingerprint
    page = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert ("2018 年住院自付比例 12.5%（李四：个人自付 1000.00 元 ÷ 住院总费用 8000.00 元，按人计算取全家最高），"
            "高于 10% 的上限。") in page
    assert "2018 年未达到脱贫标准：基本医疗有保障未达标。" in page and f"/households/{household.pk}/hospital/" in page
    # A correction is a new evaluation; the old figures were the result's own (not re-read from the rows).
    hospital_expense_save(actor=village_cadre_a, household=household, member=spouse, year=2018,
                          data=in_hospital("8000", "7200"))
    result = evaluate(household)[0]
    assert result.criteria["MEDICAL_INSURED"] == "ok" and result.data_fingerprint != first
    page = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert "住院自付比例 10%（李四：个人自付 800.00 元 ÷ 住院总费用 8000.00 元" in page and "不高于 10% 的上限" in page


def test_a_township_may_set_its_own_cap(parameters, village_cadre_a):
    policy_parameter_create(actor=None, code="hospital_self_pay_ratio_max", area=Area.objects.get(code=TOWNSHIP),
                            year_from=2018, year_to=2018, value="15", comparator="lte", source_citation="老厂乡 测试",
                            reason="乡定上限")
    household = build(actor=village_cadre_a, sequence=115, hospital={"户主115": in_hospital("10000", "8750")})
    result, _ = evaluate(household)
    assert result.criteria["MEDICAL_INSURED"] == "ok" and detailed(result)["MEDICAL_INSURED"]["self_pay_cap"] == "15"
