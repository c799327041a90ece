"""Set-based recomputation: identical to the one-by-one path, recorded as runs, started from the page, the API,
the command and the nightly task; village and county results from aggregates."""
import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from assessments.eligibility.models import AreaEligibilityResult, EligibilityResult, RecomputeRun
from assessments.eligibility.selectors import result_details
from assessments.eligibility.services import (
    eligibility_evaluate_household,
    eligibility_recompute,
    recompute_run_start,
)
from assessments.eligibility.tasks import recompute_eligibility_nightly_task, recompute_eligibility_task
from assessments.policy.services import policy_parameter_create, policy_parameters_load
from assessments.tests.test_eligibility import GOOD_CONDITIONS, build, child
from conftest import COUNTY, GROUP_A1, OTHER_VILLAGE, TOWNSHIP, VILLAGE_A, VILLAGE_B
from households.models import Household, HouseholdStatusChange
from households.services import (
    household_set_status,
    income_record_save,
    living_conditions_record,
    member_remove,
)
from households.tests.factories import member_data
from povalleviation.errors import Conflict, PermissionDenied
from villages.models import Area, AreaYearProfile
from villages.services import area_create, area_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def parameters(areas):
    policy_parameters_load()
    # 老厂乡 sets its own 2018 line: its villages and 水塘镇's read different rows in the same run.
    policy_parameter_create(actor=None, code="income_line", area=Area.objects.get(code=TOWNSHIP), year_from=2018,
                            year_to=2018, value="3400", source_citation="老厂乡 测试", reason="乡定标准")


def hospital(total, basic, serious="0", assistance="0"):
    return {"admissions": 1, "total_cost": total, "basic_insurance_paid": basic, "serious_illness_paid": serious,
            "medical_assistance_paid": assistance}


@pytest.fixture
def varied(parameters, village_cadre_a):
    """Households covering every branch of every criterion, boundary values included."""
    cadre = village_cadre_a
    made = [
        build(actor=cadre, sequence=1),
        build(actor=cadre, sequence=2, income="3400"),  # exactly at 老厂乡's line: fails ">"
        build(actor=cadre, sequence=3, income="3400.01"),
        build(actor=None, area_code=OTHER_VILLAGE, sequence=4, income="3400"),  # 水塘镇: 2995 applies, passes
        build(actor=None, area_code=OTHER_VILLAGE, sequence=5, income="2995"),  # exactly at 2995: fails
        build(actor=cadre, sequence=6, income=None),
        build(actor=cadre, sequence=7, conditions=False),
        build(actor=cadre, sequence=8, conditions={"water_difficult": True}),
        build(actor=cadre, sequence=9, conditions={"water_safe": False, "food_secure": False, "clothing_secure": False}),
        build(actor=cadre, sequence=10, conditions={"housing_grade": "C"}),
        build(actor=cadre, sequence=11, conditions={"housing_grade": "D", "retrofit_completed": True}),
        build(actor=cadre, sequence=12, conditions={"housing_grade": ""}),
        build(actor=cadre, sequence=13, members=[member_data(13, name="户主"), child(14, "20030101", student_status="dropout")]),
        build(actor=cadre, sequence=15, members=[member_data(15, name="户主"), child(16, "20020101", student_status="dropout")]),
        build(actor=cadre, sequence=17, conditions=False,
              members=[member_data(17, name="户主"), child(18, "20121231", student_status="")]),
        build(actor=cadre, sequence=19, members=[member_data(19, name="户主"), child(20, "20121231", student_status="")]),
        build(actor=cadre, sequence=21, conditions={"compulsory_education_secure": False, "all_members_insured": False}),
        build(actor=cadre, sequence=22, area_code=GROUP_A1, income=None,
              members=[member_data(22, name="户主"), member_data(23, name="配偶", relation="10", odd=False,
                                                                has_medical_insurance=False)]),
        build(actor=cadre, sequence=24, members=[member_data(24, name="户主"), member_data(
            25, name="迁出前", relation="10", odd=False, has_medical_insurance=False)]),
        build(actor=cadre, sequence=26, members=[member_data(26, name="户主"), member_data(
            27, name="次年迁出", relation="10", odd=False, has_medical_insurance=False)]),
        build(actor=cadre, sequence=28, members=[member_data(28, name="户主"), child(
            29, "20190601", has_medical_insurance=False, student_status="")]),
        build(actor=None, area_code=VILLAGE_B, sequence=30, income="10000"),
        # 住院自付比例 (新平 cap ≤ 10 %): 12.50 %, exactly 10.00 %, 10.01 %, nothing recorded, the highest of two
        # members, two members tied, and 60.03 ÷ 600 = 10.005 % rounded half up to 10.01 %.
        build(actor=cadre, sequence=32, hospital={"户主32": hospital("10000", "7000", "1500", "250")}),
        build(actor=cadre, sequence=33, hospital={"户主33": hospital("10000", "9000")}),
        build(actor=cadre, sequence=34, hospital={"户主34": hospital("10000", "8999")}),
        build(actor=cadre, sequence=35, hospital=False),
        build(actor=cadre, sequence=36, members=[member_data(36, name="户主"), member_data(37, name="配偶", relation="10",
                                                                                        odd=False)],
              hospital={"户主": hospital("2000", "1900"), "配偶": hospital("5000", "4400")}),
        build(actor=cadre, sequence=38, members=[member_data(38, name="户主"), member_data(39, name="配偶", relation="10",
                                                                                        odd=False)],
              hospital={"配偶": hospital("3000", "2700"), "户主": hospital("1000", "900")}),
        build(actor=cadre, sequence=40, hospital={"户主40": hospital("600", "539.97")}),
    ]
    member_remove(actor=cadre, member=made[18].members.get(name="迁出前"), status="moved_out",
                  left_date=datetime.date(2018, 6, 1))
    member_remove(actor=cadre, member=made[19].members.get(name="次年迁出"), status="moved_out",
                  left_date=datetime.date(2019, 3, 1))
    income_record_save(actor=cadre, household=made[17], year=2018, data={"production_expense": "500", "member_count": 1})
    living_conditions_record(actor=cadre, household=made[0], year=2018, assessed_on=datetime.date(2018, 10, 1),
                             data={**GOOD_CONDITIONS, "food_secure": False})  # same date, later id: this one counts
    income_record_save(actor=cadre, household=made[0], year=2017, data={"wage_income": "5000", "member_count": 1})
    removed = build(actor=cadre, sequence=31)
    eligibility_evaluate_household(household=removed, year=2018)
    household_set_status(actor=cadre, household=removed, to_status="removed", reason="识别不准，剔除")
    return made


STORED = ["passed", "reasons", "income_record_id", "per_capita_income", "conditions_id", "members", "uninsured",
          "school_age", "dropouts", "school_status_missing", "hospital_records", "hospital_member_id", "hospital_ratio",
          "hospital_self_paid", "hospital_total", "parameter_version"]


def snapshot(year):
    return {row["household_id"]: row for row in EligibilityResult.objects.filter(year=year)
            .exclude(household__status="removed").values("household_id", *STORED)}


def one_by_one(households, year):
    for household in households:
        eligibility_evaluate_household(household=household, year=year)
    return snapshot(year)


@pytest.mark.parametrize("year", [2018, 2017, 2020])
def test_set_based_sql_equals_the_one_by_one_python_path(varied, year):
    expected = one_by_one(varied, year)
    assert len(expected) == len(varied)
    if year == 2018:
        assert {row["passed"] for row in expected.values()} == {True, False, None}
        reasons = {reason for row in expected.values() for reason in row["reasons"].values()}
        assert {"below_line", "dropout", "school_status_missing", "no_school_age_children", "uninsured_members",
                "unsafe_house", "retrofit_completed", "not_graded", "difficult", "unsafe", "no_income_record",
                "no_assessment", "assessor_not_secure", "assessor_not_insured", "not_secure", "ok",
                "self_pay_over_cap", "no_hospital_data"} <= reasons
        medical = [expected[h.pk]["reasons"]["MEDICAL_INSURED"] for h in varied[-7:]]
        assert medical == ["self_pay_over_cap", "ok", "self_pay_over_cap", "no_hospital_data", "self_pay_over_cap",
                           "ok", "self_pay_over_cap"]
        worst = [(str(expected[h.pk]["hospital_ratio"]), expected[h.pk]["hospital_member_id"]) for h in (varied[-3], varied[-2])]
        assert worst == [("12.00", varied[-3].members.get(name="配偶").pk), ("10.00", varied[-2].members.get(name="户主").pk)]
        assert str(expected[varied[-1].pk]["hospital_ratio"]) == "10.01"
    county = Area.objects.get(code=COUNTY)
    EligibilityResult.objects.all().delete()
    run = eligibility_recompute(area=county, year=year, use_sql=True, batch_size=4)
    assert snapshot(year) == expected
    assert run.evaluated == len(varied) and run.status == "succeeded"
    eligibility_recompute(area=county, year=year, use_sql=True)  # the update path (ON CONFLICT)
    assert snapshot(year) == expected
    eligibility_recompute(area=county, year=year, use_sql=False, batch_size=5)  # the Python fallback
    assert snapshot(year) == expected


def test_boundary_results_in_the_set_based_path(varied):
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018)
    results = list(EligibilityResult.objects.filter(year=2018))
    details, _ = result_details(results)
    income = {r.household_id: details[r.pk]["INCOME_PER_CAPITA"] for r in results}
    assert (income[varied[1].pk]["line"], income[varied[1].pk]["status"]) == ("3400", "fail")
    assert income[varied[2].pk]["status"] == "pass"
    assert (income[varied[3].pk]["line"], income[varied[3].pk]["status"]) == ("2995", "pass")
    assert income[varied[4].pk]["status"] == "fail"
    assert income[varied[17].pk]["value"] == "-500.00"


def test_run_is_recorded_with_counts_and_area_results(varied):
    assert EligibilityResult.objects.filter(household__status="removed").exists()
    run = eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018)
    results = EligibilityResult.objects.filter(year=2018)
    assert (run.total, run.evaluated, run.progress, run.status) == (len(varied), len(varied), 100, "succeeded")
    assert run.passed_count == results.filter(passed=True).count()
    assert run.failed_count == results.filter(passed=False).count()
    assert run.unknown_count == results.filter(passed__isnull=True).count()
    assert run.passed_count + run.failed_count + run.unknown_count == run.evaluated
    assert run.duration_seconds is not None and run.started_at <= run.finished_at
    assert set(results.values_list("run_id", flat=True)) == {run.pk}
    used = {int(i) for r in results for i in r.parameter_version.split(",")}
    assert used <= {int(i) for i in run.parameter_version.split(",")}
    assert AreaEligibilityResult.objects.filter(run=run, level="village").count() == 3
    assert AreaEligibilityResult.objects.filter(run=run, level="county").count() == 1
    assert run.areas_evaluated == 4
    # The removed household's old result is gone.
    assert not EligibilityResult.objects.filter(household__status="removed").exists()
    assert EligibilityResult.objects.filter(year=2018).count() == len(varied)


def test_recompute_never_changes_a_status(varied):
    statuses = dict(Household.objects.values_list("pk", "status"))
    changes = HouseholdStatusChange.objects.count()
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018)
    assert dict(Household.objects.values_list("pk", "status")) == statuses
    assert HouseholdStatusChange.objects.count() == changes


def test_village_and_county_results_from_aggregates(parameters, village_cadre_a):
    for sequence in range(20):
        build(actor=village_cadre_a, sequence=100 + sequence)
    village_a, village_b, other = (Area.objects.get(code=c) for c in (VILLAGE_A, VILLAGE_B, OTHER_VILLAGE))
    AreaYearProfile.objects.create(area=village_a, year=2020, rural_registered_population=1000, collective_income=50000,
                                   has_water=True, has_power=True, has_hard_road=True, has_broadband=False,
                                   has_post=True, has_bus=True, has_standard_clinic=True)
    AreaYearProfile.objects.create(area=village_b, year=2020, rural_registered_population=500, collective_income=49999.99)
    area_update(actor=None, area=village_a, is_poor_village=True, actual_exit_date=datetime.date(2020, 12, 20))
    area_update(actor=None, area=village_b, is_poor_village=True)
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2020)
    a = AreaEligibilityResult.objects.get(area=village_a, year=2020)
    # 20 poor persons ÷ 1000 = 2.00 % against 新平's 2020 cap of ≤ 1 %.
    assert (a.criteria["INCIDENCE"]["value"], a.criteria["INCIDENCE"]["threshold"], a.criteria["INCIDENCE"]["status"]) == (
        "2.00", "1", "fail")
    assert a.criteria["COLLECTIVE_INCOME"]["status"] == "pass" and a.criteria["INFRASTRUCTURE"]["missing"] == ["通宽带"]
    assert a.passed is False
    b = AreaEligibilityResult.objects.get(area=village_b, year=2020)
    assert (b.criteria["INCIDENCE"]["value"], b.criteria["INCIDENCE"]["status"]) == ("0.00", "pass")
    assert b.criteria["COLLECTIVE_INCOME"]["status"] == "fail" and b.passed is False
    assert AreaEligibilityResult.objects.get(area=other, year=2020).criteria["INCIDENCE"]["reason"] == "no_population"
    county = AreaEligibilityResult.objects.get(area__code=COUNTY, year=2020)
    assert county.criteria["INCIDENCE"]["reason"] == "population_incomplete" and county.passed is None
    assert (county.criteria["POOR_VILLAGES_EXITED"]["exited"], county.criteria["POOR_VILLAGES_EXITED"]["poor_villages"]) == (1, 2)
    AreaYearProfile.objects.create(area=Area.objects.get(code=COUNTY), year=2020, rural_registered_population=2000)
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2020)
    county.refresh_from_db()
    # 20 ÷ 2000 = 1.00 % ≤ 3 % (national western default, ⚠ not from the seeds).
    assert (county.criteria["INCIDENCE"]["value"], county.criteria["INCIDENCE"]["from_seeds"], county.passed) == (
        "1.00", False, True)


# --- starting runs ----------------------------------------------------------------------------------------


def test_start_run_queues_the_task_on_commit(varied, county_officer, django_capture_on_commit_callbacks):
    county = Area.objects.get(code=COUNTY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = recompute_run_start(actor=county_officer, area=county, year=2018)
    assert run.status == "queued" and run.requested_by == county_officer and len(callbacks) == 1
    assert AuditEvent.objects.filter(action="eligibility.recompute_start", actor=county_officer).count() == 1
    with pytest.raises(Conflict):
        recompute_run_start(actor=county_officer, area=county, year=2018)
    # What the queued task does, run in-process; a redelivered message changes nothing.
    assert recompute_eligibility_task(county.pk, 2018, run.pk)["evaluated"] == len(varied)
    assert recompute_eligibility_task(county.pk, 2018, run.pk) == {"run_id": run.pk, "skipped": "already done"}
    run.refresh_from_db()
    assert (run.status, run.progress) == ("succeeded", 100)


def test_start_run_is_refused_without_the_capability(varied, village_cadre_a, township_officer):
    for user in (village_cadre_a, township_officer):
        with pytest.raises(PermissionDenied):
            recompute_run_start(actor=user, area=Area.objects.get(code=COUNTY), year=2018)
    assert not RecomputeRun.objects.exists()


def test_nightly_task_runs_every_county(varied):
    from povalleviation.celery import app

    # Execute the queued per-county tasks in-process for this test (no worker runs in the test suite).
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        summary = recompute_eligibility_nightly_task(year=2018)
    finally:
        app.conf.task_always_eager = eager
    run = RecomputeRun.objects.get(pk__in=summary["runs"])
    assert (run.trigger, run.status, run.evaluated) == ("nightly", "succeeded", len(varied))
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["recompute-eligibility"]["task"] == "assessments.recompute_eligibility_nightly"


def test_command_recomputes_and_reports(varied, capsys):
    call_command("recompute_eligibility", "--area", COUNTY, "--year", "2018")
    output = capsys.readouterr().out
    assert f"评估 {len(varied)} 户" in output and RecomputeRun.objects.get().trigger == "command"
    with pytest.raises(Exception, match="请选择县、乡镇或村"):
        call_command("recompute_eligibility", "--area", "530400000000", "--year", "2018")


# --- pages and API ----------------------------------------------------------------------------------------


def test_run_pages_are_scoped(client, client_for, varied, county_officer, village_cadre_a, other_township_officer):
    run = eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018)
    for url in ("/policy/eligibility/runs/", "/policy/eligibility/areas/", f"/policy/eligibility/runs/status/?ids={run.pk}"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client_for(village_cadre_a).get(url).status_code == 403
    page = client_for(county_officer).get("/policy/eligibility/runs/").content.decode()
    assert "立即重算" in page and "新平彝族傣族自治县" in page and 'aria-valuenow="100"' in page
    assert client_for(other_township_officer).get(f"/policy/eligibility/runs/status/?ids={run.pk}").json() == {"runs": []}
    status = client_for(county_officer).get(f"/policy/eligibility/runs/status/?ids={run.pk}").json()["runs"][0]
    assert (status["progress"], status["evaluated"], status["status"]) == (100, len(varied), "succeeded")
    other_page = client_for(other_township_officer).get("/policy/eligibility/runs/").content.decode()
    assert "还没有重算记录" in other_page and "立即重算" not in other_page


def test_start_from_the_page(client_for, varied, county_officer, other_township_officer, areas):
    area_create(actor=None, code="530426000000", name="峨山彝族自治县", level="county")
    officer = client_for(county_officer)
    response = officer.post("/policy/eligibility/runs/start/", {"area": COUNTY, "year": "2018"})
    assert response.status_code == 302 and RecomputeRun.objects.get().status == "queued"
    assert officer.post("/policy/eligibility/runs/start/", {"area": "530426000000", "year": "2018"}).status_code == 404
    refused = officer.post("/policy/eligibility/runs/start/", {"area": COUNTY, "year": "2018"})
    assert refused.status_code == 400 and "正在进行" in refused.content.decode()
    assert client_for(other_township_officer).post("/policy/eligibility/runs/start/",
                                                   {"area": COUNTY, "year": "2018"}).status_code == 403
    assert RecomputeRun.objects.count() == 1


def test_runs_page_query_count_does_not_grow(client_for, varied, county_officer):
    county = Area.objects.get(code=COUNTY)
    eligibility_recompute(area=county, year=2018)
    officer = client_for(county_officer)
    officer.get("/policy/eligibility/runs/")
    with CaptureQueriesContext(connection) as few:
        assert officer.get("/policy/eligibility/runs/").status_code == 200
    for year in (2016, 2017, 2019):
        eligibility_recompute(area=county, year=year)
    with CaptureQueriesContext(connection) as more:
        assert officer.get("/policy/eligibility/runs/").status_code == 200
    assert len(more) == len(few) <= 8


def test_area_results_page_explains(client_for, parameters, county_officer, village_cadre_a):
    build(actor=village_cadre_a, sequence=1)
    AreaYearProfile.objects.create(area=Area.objects.get(code=VILLAGE_A), year=2018, rural_registered_population=100)
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018)
    page = client_for(county_officer).get(f"/policy/eligibility/areas/?area={COUNTY}&year=2018").content.decode()
    assert "贫困发生率 1.00%（截至 2018-12-31 未脱贫 1 人 ÷ 农村户籍人口 100 人），满足“≤ 2%”。" in page
    assert "该年度村集体经济收入标准未设置" in page and "太和村委会" in page
    assert client_for(county_officer).get("/policy/eligibility/areas/?area=530426000000").status_code == 404


def test_api_results_and_runs(api_for, varied, county_officer, village_cadre_a, village_cadre_b, township_officer):
    county = Area.objects.get(code=COUNTY)
    run = eligibility_recompute(area=county, year=2018)
    for endpoint in ("eligibility-results", "area-eligibility-results", "recompute-runs"):
        assert api_for().get(f"/api/v1/{endpoint}/").status_code == 401
    assert api_for(village_cadre_a).get("/api/v1/area-eligibility-results/").status_code == 403
    mine = api_for(village_cadre_b).get("/api/v1/eligibility-results/?year=2018").json()
    assert [r["household"] for r in mine["results"]] == [varied[21].pk]
    other = EligibilityResult.objects.get(household=varied[0], year=2018)
    assert api_for(village_cadre_b).get(f"/api/v1/eligibility-results/{other.pk}/").status_code == 404
    officer = api_for(county_officer)
    officer.get("/api/v1/eligibility-results/?year=2018")
    with CaptureQueriesContext(connection) as few:
        assert officer.get(f"/api/v1/eligibility-results/?year=2018&area={VILLAGE_B}").json()["count"] == 1
    with CaptureQueriesContext(connection) as more:
        assert officer.get("/api/v1/eligibility-results/?year=2018").json()["count"] == len(varied)
    assert len(few) == len(more)
    assert officer.get("/api/v1/area-eligibility-results/?year=2018&level=county").json()["count"] == 1
    detail = officer.get(f"/api/v1/eligibility-results/{other.pk}/").json()
    assert detail["criteria"]["INCOME_PER_CAPITA"] == "ok"
    assert detail["criteria_detail"]["INCOME_PER_CAPITA"]["line"] == "3400"
    assert detail["criteria_detail"]["FOOD"] == {"status": "fail", "reason": "not_secure", "gate": True, "value": False}
    assert api_for(village_cadre_a).get("/api/v1/recompute-runs/").status_code == 403
    assert officer.get("/api/v1/recompute-runs/").json()["results"][0]["id"] == run.pk
    assert api_for(township_officer).get(f"/api/v1/recompute-runs/{run.pk}/").status_code == 404
    assert api_for(township_officer).post("/api/v1/recompute-runs/", {"area": COUNTY, "year": 2018}).status_code == 403
    assert officer.post("/api/v1/recompute-runs/", {"area": "530426000000", "year": 2018}).status_code == 404
    started = officer.post("/api/v1/recompute-runs/", {"area": COUNTY, "year": 2017}, format="json")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    assert RecomputeRun.objects.count() == 2


def test_area_results_page_and_runs_api_query_counts(client_for, api_for, parameters, county_officer, village_cadre_a):
    build(actor=village_cadre_a, sequence=1)
    county = Area.objects.get(code=COUNTY)
    eligibility_recompute(area=county, year=2018)
    officer, api = client_for(county_officer), api_for(county_officer)
    page_url = f"/policy/eligibility/areas/?area={COUNTY}&year=2018"

    def counted():
        with CaptureQueriesContext(connection) as page_queries:
            assert officer.get(page_url).status_code == 200
        with CaptureQueriesContext(connection) as api_queries:
            runs = api.get("/api/v1/recompute-runs/").json()["count"]
        return len(page_queries), len(api_queries), runs

    counted()
    few_page, few_api, runs = counted()
    assert runs == 1
    for index in range(6):
        area_create(actor=None, code=f"5304271042{20 + index}", name=f"测试村{index}", level="village")
    for year in (2016, 2017, 2018):
        eligibility_recompute(area=county, year=year)
    assert counted() == (few_page, few_api, 4)
