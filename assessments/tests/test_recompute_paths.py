"""The set-based recompute's less common paths: 贫困发生率 from the stock on the as-of date (not the current
status), batches on several connections, an age band that differs between villages, and a batch whose
plain INSERT meets a result written meanwhile."""
import datetime

import pytest

from assessments.eligibility.engine import household_sql
from assessments.eligibility.engine.areas import as_of_date
from assessments.eligibility.models import AreaEligibilityResult, EligibilityResult
from assessments.eligibility.services import eligibility_evaluate_household, eligibility_recompute
from assessments.policy.services import policy_parameter_create, policy_parameters_load
from assessments.tests.test_eligibility import build, child
from assessments.tests.test_recompute import snapshot
from conftest import COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE_A
from households.models import Household
from households.services import household_set_status
from households.tests.factories import member_data
from villages.models import Area, AreaYearProfile


@pytest.fixture
def parameters(areas):
    """The demo parameters, and 老厂乡's own 2018 line of 3400 (as in test_recompute)."""
    policy_parameters_load()
    policy_parameter_create(actor=None, code="income_line", area=Area.objects.get(code=TOWNSHIP), year_from=2018,
                            year_to=2018, value="3400", source_citation="老厂乡 测试", reason="乡定标准")


def exit_household(household, on):
    for status in ("helped", "exit_pending", "exited"):
        household_set_status(actor=None, household=household, to_status=status, reason="测试", effective_date=on)


def test_as_of_date_is_the_year_end_or_today():
    assert as_of_date(2018, today=datetime.date(2026, 11, 23)) == datetime.date(2018, 12, 31)
    assert as_of_date(2026, today=datetime.date(2026, 11, 23)) == datetime.date(2026, 11, 23)


@pytest.mark.django_db
def test_incidence_counts_the_stock_on_the_as_of_date_not_the_current_status(parameters, village_cadre_a):
    later = build(actor=village_cadre_a, sequence=1, members=[member_data(1, name="户主"), member_data(
        2, name="配偶", relation="10", odd=False)])
    earlier = build(actor=village_cadre_a, sequence=3)
    exit_household(later, datetime.date(2019, 3, 1))  # exits after the 2018 as-of date: still poor on 2018-12-31
    exit_household(earlier, datetime.date(2018, 6, 1))
    village = Area.objects.get(code=VILLAGE_A)
    for year in (2018, 2019):
        AreaYearProfile.objects.create(area=village, year=year, rural_registered_population=100)
    county = Area.objects.get(code=COUNTY)
    eligibility_recompute(area=county, year=2018)
    incidence = AreaEligibilityResult.objects.get(area=village, year=2018).criteria["INCIDENCE"]
    assert (incidence["poor_households"], incidence["poor_persons"], incidence["value"], incidence["as_of"]) == (
        1, 2, "2.00", "2018-12-31")
    assert AreaEligibilityResult.objects.get(area=county, year=2018).criteria["INCIDENCE"]["poor_persons"] == 2
    eligibility_recompute(area=county, year=2019)
    incidence = AreaEligibilityResult.objects.get(area=village, year=2019).criteria["INCIDENCE"]
    assert (incidence["poor_households"], incidence["poor_persons"], incidence["value"]) == (0, 0, "0.00")


@pytest.mark.django_db
def test_an_age_band_set_for_one_township_gives_the_same_results_both_ways(parameters, village_cadre_a):
    # 老厂乡 counts 义务教育 to 16: its 16-year-old dropout fails, 水塘镇's passes (outside the default 6–15).
    policy_parameter_create(actor=None, code="compulsory_education_age_max", area=Area.objects.get(code=TOWNSHIP),
                            year_from=2018, year_to=2018, value="16", source_citation="老厂乡 测试", reason="乡定年龄")
    households = [
        build(actor=village_cadre_a, sequence=10, members=[member_data(10, name="户主"),
                                                            child(11, "20020101", student_status="dropout")]),
        build(actor=None, area_code=OTHER_VILLAGE, sequence=12, members=[member_data(12, name="户主"),
                                                                         child(13, "20020101", student_status="dropout")]),
    ]
    expected = {}
    for household in households:
        eligibility_evaluate_household(household=household, year=2018)
    expected = snapshot(2018)
    assert [expected[h.pk]["reasons"]["COMPULSORY_EDUCATION"] for h in households] == ["dropout", "no_school_age_children"]
    arguments = household_sql.batch_arguments({1: _params(15), 2: _params(16)}, 2018)
    assert arguments["same_band"] is False
    EligibilityResult.objects.all().delete()
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018, use_sql=True)
    assert snapshot(2018) == expected


def _params(age_max):
    from assessments.eligibility.criteria import HouseholdParameters

    return HouseholdParameters(age_min=6, age_max=age_max)


@pytest.mark.django_db
def test_a_result_written_meanwhile_makes_the_batch_retry_as_an_upsert(parameters, village_cadre_a, monkeypatch):
    households = [build(actor=village_cadre_a, sequence=20 + n) for n in range(3)]
    for household in households:
        eligibility_evaluate_household(household=household, year=2018)
    expected = snapshot(2018)
    EligibilityResult.objects.filter(household=households[1]).update(passed=None, reasons={"FOOD": "x"}, hospital_ratio=99, per_capita_income=1)
    real = household_sql.write_sql
    calls = []

    def racing(*, same_band, upsert):
        # As if the one-household evaluation had inserted these results after the statement read the table:
        # the plain INSERT then meets them.
        calls.append(upsert)
        sql = real(same_band=same_band, upsert=upsert)
        return sql if upsert else sql.replace("WHERE result_id IS NULL ORDER BY", "ORDER BY")

    monkeypatch.setattr(household_sql, "write_sql", racing)
    run = eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018, use_sql=True)
    assert calls == [False, True] and run.status == "succeeded"
    assert snapshot(2018) == expected


@pytest.mark.django_db(transaction=True)
def test_batches_on_several_connections_equal_the_python_path(parameters, village_cadre_a, settings, monkeypatch):
    import threading

    # 老厂乡's line is 3400: incomes 3395 to 3410 fail and pass.
    households = [build(actor=village_cadre_a, sequence=30 + n, income=str(3395 + 3 * n)) for n in range(6)]
    for household in households:
        eligibility_evaluate_household(household=household, year=2018)
    expected = snapshot(2018)
    assert {row["passed"] for row in expected.values()} == {True, False}
    EligibilityResult.objects.all().delete()
    settings.ELIGIBILITY_RECOMPUTE_CONNECTIONS = 2
    threads = set()
    real = household_sql.write_batch

    def recording(**kwargs):
        threads.add(threading.current_thread().name)
        return real(**kwargs)

    monkeypatch.setattr("assessments.eligibility.services.write_batch", recording)
    run = eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018, use_sql=True, batch_size=1)
    assert threads == {"eligibility-batch-0", "eligibility-batch-1"}
    assert snapshot(2018) == expected
    assert (run.evaluated, run.changed_count, run.passed_count + run.failed_count, run.progress) == (6, 6, 6, 100)


@pytest.mark.django_db
def test_the_engines_stock_statement_equals_the_as_of_selector(today, parameters, village_cadre_a):
    from assessments.eligibility.engine.stock_sql import stock_by_village
    from households.selectors_asof import poverty_stock_as_of
    from households.services import member_add, member_remove

    stays = build(actor=village_cadre_a, sequence=40, members=[member_data(40, name="户主"), member_data(
        41, name="配偶", relation="10", odd=False)])
    exit_household(build(actor=village_cadre_a, sequence=42), datetime.date(2019, 3, 1))
    build(actor=None, area_code=OTHER_VILLAGE, sequence=43)
    member_remove(actor=village_cadre_a, member=stays.members.get(name="配偶"), status="moved_out",
                  left_date=datetime.date(2019, 6, 1))
    member_add(actor=village_cadre_a, household=stays, data=member_data(44, name="新生儿", relation="20",
                                                                        birth="20200101", labour_capacity="none"))
    villages = {a.code: a.pk for a in Area.objects.filter(level="village")}
    for as_of in (datetime.date(2015, 12, 31), datetime.date(2018, 12, 31), datetime.date(2019, 12, 31),
                  today):
        selector = {villages[code]: (row["households"], row["persons"]) for code, row in poverty_stock_as_of(
            area_code=COUNTY, as_of=as_of, group_level="village").items() if row["households"]}
        assert stock_by_village(prefix="530427", as_of=as_of) == selector, as_of
    assert stock_by_village(prefix="530427", as_of=datetime.date(2018, 12, 31))[villages[VILLAGE_A]] == (2, 3)
    # Counted one household id range at a time (as the recompute does beside its batches), the sums are the same.
    from assessments.eligibility.engine.stock_sql import add_totals

    ids = sorted(Household.objects.values_list("pk", flat=True))
    ranges = household_sql.id_ranges(low=ids[0], high=ids[-1], households=len(ids), batch_size=1)
    assert len(ranges) == len(ids) > 2
    for as_of in (datetime.date(2018, 12, 31), datetime.date(2019, 12, 31)):
        totals = {}
        for after_id, upto_id in ranges:
            add_totals(totals, stock_by_village(prefix="530427", as_of=as_of, after_id=after_id, upto_id=upto_id))
        assert totals == stock_by_village(prefix="530427", as_of=as_of), as_of
