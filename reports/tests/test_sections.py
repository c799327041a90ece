"""Sections 10–12 of the PDF (DOMAIN.md §6.3 rows 6, 8, 13): 两不愁三保障 as of the quarter's end from dated
assessments, 帮扶力量 (helper coverage, visits done vs required) and 数据质量 at generation time."""
import datetime
import re

import pytest

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE_A, VILLAGE_B
from households.services import helper_assign, helper_create, living_conditions_record, visit_record
from reports.generation import report_build
from reports.services import report_generate
from reports.snapshot import build_snapshot
from reports.tests.report_data import build_history
from reports.tests.test_figures import _numbers_after, _pdf_text
from villages.models import Area


def conditions(**failing):
    """A complete assessment that passes everything except the given fields."""
    return {"food_secure": True, "clothing_secure": True, "compulsory_education_secure": True, "all_members_insured": True,
            "serious_illness_covered": True, "housing_grade": "A", "water_safe": True, "water_difficult": False, **failing}


@pytest.fixture
def history(county_officer, township_officer, county_approver):  # noqa: F811
    data = build_history(county_officer=county_officer, township_officer=township_officer, county_approver=county_approver)
    zhao, qian, sun = data["taihe"]
    # 两不愁三保障: 钱二 (unexited) fails 不愁吃 and 住房 on 1 May, all fixed on 1 August (after the quarter);
    # 赵一 (exited 10 May) fails 饮水 on 1 April; 孙三's only assessment is dated after the quarter.
    living_conditions_record(actor=None, household=qian, year=2024, assessed_on=datetime.date(2024, 5, 1), data=conditions(
        food_secure=False, housing_grade="C", retrofit_completed=False))
    living_conditions_record(actor=None, household=qian, year=2024, assessed_on=datetime.date(2024, 8, 1), data=conditions())
    living_conditions_record(actor=None, household=zhao, year=2024, assessed_on=datetime.date(2024, 4, 1), data=conditions(water_safe=False))
    living_conditions_record(actor=None, household=sun, year=2024, assessed_on=datetime.date(2024, 7, 1), data=conditions(food_secure=False))
    # 帮扶: 钱二 paired from 1 April, 孙三 only from 1 July; home visits in April and May to 钱二 (a phone call in
    # June does not count), one to 孙三 in June.
    helper = helper_create(actor=None, area=Area.objects.get(code=VILLAGE_A), name="杨帮扶", unit="县农业农村局")
    helper_assign(actor=None, household=qian, helper=helper, start_date=datetime.date(2024, 4, 1))
    helper_assign(actor=None, household=sun, helper=helper, start_date=datetime.date(2024, 7, 1))
    for household, day, kind in ((qian, datetime.date(2024, 4, 10), "home"), (qian, datetime.date(2024, 5, 12), "home"),
                                 (qian, datetime.date(2024, 6, 3), "phone"), (sun, datetime.date(2024, 6, 15), "home")):
        visit_record(actor=None, household=household, data={"visitor_name": "杨帮扶", "visited_on": day, "kind": kind,
                                                          "content": "了解生产生活情况"})
    return data


def test_conditions_count_the_latest_assessment_on_or_before_the_date(history):
    section = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=2)["conditions"]
    unexited, exited = section["unexited"]["total"], section["exited"]["total"]
    assert (unexited["households"], unexited["persons"]) == (3, 8)  # 钱二 3, 孙三 1, 勐炳村 李四 4
    assert (unexited["food_households"], unexited["food_persons"]) == (1, 3)
    assert (unexited["housing_households"], unexited["water_households"]) == (1, 0)
    assert (unexited["assessed"], unexited["not_assessed"], unexited["any_failed"]) == (1, 2, 1)
    assert (exited["households"], exited["water_households"], exited["water_persons"], exited["food_households"]) == (1, 1, 2, 0)
    rows = {row["code"]: row for row in section["unexited"]["rows"]}
    assert rows[TOWNSHIP]["any_failed"] == 1 and rows[OTHER_TOWNSHIP]["households"] == 0
    # The next quarter sees the August assessment: 钱二 passes, 孙三 fails 不愁吃.
    later = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=3)["conditions"]["unexited"]["total"]
    assert (later["food_households"], later["housing_households"], later["food_persons"]) == (1, 0, 1)


def test_helper_coverage_and_visits_done_against_required(history):
    section = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=2)["helpers"]
    rows = {row["code"]: row for row in section["rows"]}
    township = rows[TOWNSHIP]
    # Stock on 30 June in 老厂乡: 钱二, 孙三, 李四; only 钱二's pairing was active then.
    assert (township["households"], township["covered"], township["coverage"]) == (3, 1, "33.33")
    # Month-ends: 30 April 4 households (赵一 still pending exit), 31 May and 30 June 3 each → 10 required;
    # done: 钱二 April and May, 孙三 June.
    assert (township["required"], township["done"], township["visit_rate"], township["visits"]) == (10, 3, "30.00", 4)
    # 水塘镇: 大口村 poor at the end of April and May, removed 20 June.
    assert (rows[OTHER_TOWNSHIP]["required"], rows[OTHER_TOWNSHIP]["done"], rows[OTHER_TOWNSHIP]["households"]) == (2, 0, 0)
    assert section["total"]["required"] == 12 and section["total"]["coverage"] == "33.33"


def test_quality_counts_the_household_checks_by_village_at_generation(history):
    section = build_snapshot(area=Area.objects.get(code=COUNTY), year=2024, quarter=2,
                             today=datetime.date(2026, 1, 15))["quality"]
    assert section["computed_on"] == "2026-01-15"
    villages = {row["code"]: row for row in section["rows"]}
    assert set(villages) == {VILLAGE_A, VILLAGE_B}  # 大口村's only household is removed
    assert villages[VILLAGE_A]["households"] == 3 and villages[VILLAGE_B]["households"] == 1
    checks = {item["check"]: item["count"] for item in section["checks"]}
    # Every household was registered 因病 without an ill member; today only 钱二 and 孙三 have a helper,
    # so the exited 赵一 and the identified 李四 are not asked for one and no unexited household lacks one.
    assert checks["致贫原因含“因病”，但没有患长期慢性病或大病的成员"] == 4
    assert "未脱贫户没有结对帮扶责任人" not in checks
    assert section["total"]["warnings"] == sum(checks.values()) == sum(row["warnings"] for row in section["rows"])
    townships = {row["code"]: row for row in section["child_rows"]}
    assert (townships[TOWNSHIP]["households"], townships[OTHER_TOWNSHIP]["households"]) == (4, 0)


def test_sections_appear_in_the_pdf_text(history, leading_group_staff, report_media):
    report = report_build(report_generate(actor=leading_group_staff, area=Area.objects.get(code=COUNTY),
                                          year=2024, quarter=2).pk)
    text = _pdf_text(report)
    assert _numbers_after(text, "不愁吃", "十、两不愁三保障") == ["1", "3", "0", "0"]
    assert _numbers_after(text, "饮水安全有保障", "十、两不愁三保障") == ["0", "0", "1", "2"]
    assert _numbers_after(text, "老厂乡", "十一、帮扶力量") == ["3", "1", "33.33%", "10", "3", "30.00%", "4"]
    # Appendix 2: 太和村 statuses on 30 June (2 帮扶中, 1 已脱贫) then 有问题户 / 问题数 (因病 without an ill member).
    appendix = text[text.rindex("附表2"):]
    line = next(line for line in appendix.splitlines() if "太和村委会" in line)
    assert re.findall(r"\d+", line[line.index("太和村委会"):]) == ["0", "2", "0", "0", "1", "0", "3", "3"]
    assert re.search(r"十二、数据质量（生成时）", text) and "按报告生成时" in "".join(text.split())


def test_plan_years_since_the_baseline_are_cumulative(history, leading_group_staff, report_media):
    from assessments.plans.services import exit_plan_base_save, exit_plan_create

    county = Area.objects.get(code=COUNTY)
    exit_plan_base_save(actor=leading_group_staff, area=county, base_year=2022, end_year=2025, households=10, persons=30)
    exit_plan_create(actor=leading_group_staff, area=county, year=2023, households=2, persons=5)
    exit_plan_create(actor=leading_group_staff, area=county, year=2024, households=3, persons=8)
    since = build_snapshot(area=county, year=2024, quarter=2)["plans"]["since_base"]
    assert since["base_year"] == 2022 and since["base"] == {"households": 10, "persons": 30}
    first, second = since["years"]
    assert (first["year"], first["actual_households"], first["completion_households"]) == (2023, 0, "0.0")
    # 2024: 赵一 exits on 10 May with 2 persons.
    assert (second["actual_households"], second["actual_persons"], second["completion_persons"]) == (1, 2, "25.0")
    assert (second["cumulative_planned_households"], second["cumulative_actual_households"],
            second["cumulative_completion_households"], second["cumulative_completion_persons"]) == (5, 1, "20.0", "15.4")
    text = _pdf_text(report_build(report_generate(actor=leading_group_staff, area=county, year=2024, quarter=2).pk))
    assert _numbers_after(text, "2024年", "自2022年底基数以来") == ["3", "1", "33.3%", "8", "2", "25.0%", "5", "1", "20.0%",
                                                              "13", "2", "15.4%"]
