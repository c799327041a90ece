"""Local contribution ratios (P-FD-04…07) per area and year against PolicyParameter targets, from
hand-computed examples; flagged on the dashboard and in /api/v1/spend-ratios/."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.policy.services import policy_parameter_create
from conftest import CITY, COUNTY, OTHER_TOWNSHIP, TOWNSHIP
from funds.selectors import spend_summary
from funds.tests.factories import allocate

END_2024 = datetime.date(2024, 12, 31)


def target(area, code, value, year_from=2024, year_to=None):
    return policy_parameter_create(actor=None, code=code, area=area, year_from=year_from, year_to=year_to, value=value,
                                   source_citation="测试用例", reason="测试")


@pytest.fixture
def two_years(areas, county_officer):
    """2023 and 2024 allocations (元):

    county 2024: 中央 1 000 000, 省 500 000, 市 800 000, 县整合 400 000 (all by 1 Mar 2024)
    county 2023: 中央 800 000, 省 400 000, 市 500 000, 县整合 300 000 (1 Mar 2023) + 县整合 100 000 (1 Nov 2023)
    老厂乡 2024: 中央 200 000, 县专项 50 000;  水塘镇 2024: 中央 100 000, 县专项 60 000
    """
    county, laochang, shuitang = areas[COUNTY], areas[TOWNSHIP], areas[OTHER_TOWNSHIP]
    rows = [
        (county, "central_special", "1000000", 2024, datetime.date(2024, 2, 1)),
        (county, "province_special", "500000", 2024, datetime.date(2024, 2, 1)),
        (county, "city_special", "800000", 2024, datetime.date(2024, 2, 1)),
        (county, "county_integrated", "400000", 2024, datetime.date(2024, 3, 1)),
        (county, "central_special", "800000", 2023, datetime.date(2023, 3, 1)),
        (county, "province_special", "400000", 2023, datetime.date(2023, 3, 1)),
        (county, "city_special", "500000", 2023, datetime.date(2023, 3, 1)),
        (county, "county_integrated", "300000", 2023, datetime.date(2023, 3, 1)),
        (county, "county_integrated", "100000", 2023, datetime.date(2023, 11, 1)),
        (laochang, "central_special", "200000", 2024, datetime.date(2024, 2, 1)),
        (laochang, "county_special", "50000", 2024, datetime.date(2024, 2, 1)),
        (shuitang, "central_special", "100000", 2024, datetime.date(2024, 2, 1)),
        (shuitang, "county_special", "60000", 2024, datetime.date(2024, 2, 1)),
    ]
    for number, (area, code, amount, year, day) in enumerate(rows):
        allocate(actor=county_officer, area=area, code=code, amount=amount, year=year, allocated_on=day,
                 document=f"测试〔{year}〕{number}号")
    return areas


def results(summary):
    return {(item["area"].code, result["policy_ref"], result["label"]): result
            for item in summary["contributions"] for result in item["results"]}


def test_no_contribution_target_means_nothing_evaluated(two_years):
    summary = spend_summary(area=two_years[COUNTY], year=2024, as_of=END_2024)
    assert summary["contributions"] == [] and summary["contribution_flagged"] == []


def test_district_ratio_of_upper_levels_is_inherited_by_townships(two_years):
    """P-FD-05 at the county, 40 %: county 县级 (400 000 + 50 000 + 60 000) ÷ (中央 1 300 000 + 省 500 000 +
    市 800 000) = 510 000 ÷ 2 600 000 = 19.62 %; 老厂乡 50 000 ÷ 200 000 = 25 %; 水塘镇 60 000 ÷ 100 000 = 60 %."""
    target(two_years[COUNTY], "district_fund_ratio_min", "40")
    found = results(spend_summary(area=two_years[COUNTY], year=2024, as_of=END_2024))
    label = "县（区）级投入占中央、省、市资金"
    assert found[(COUNTY, "", label)]["measured"] == Decimal("0.1962") and found[(COUNTY, "", label)]["below_target"] is True
    assert found[(TOWNSHIP, "", label)]["measured"] == Decimal("0.2500") and found[(TOWNSHIP, "", label)]["below_target"] is True
    assert found[(OTHER_TOWNSHIP, "", label)]["measured"] == Decimal("0.6000")
    assert found[(OTHER_TOWNSHIP, "", label)]["below_target"] is False


def test_city_ratio_met_through_the_growth_alternative(two_years):
    """P-FD-04 at the city: 市级 800 000 ÷ (中央 1 000 000 + 省 500 000 + 老厂乡 200 000 + 水塘镇 100 000) = 44.44 %:
    below 60 %, above 40 %, and 市级 growth 800/500 − 1 = 60 % beats (中央 + 省) growth 1 800/1 200 − 1 = 50 %."""
    target(two_years[CITY], "city_fund_ratio_min", "60")
    target(two_years[CITY], "city_fund_ratio_with_growth_min", "40")
    summary = spend_summary(area=two_years[COUNTY], year=2024, as_of=END_2024)
    county = results(summary)[(COUNTY, "", "市级投入占中央和省级资金")]
    assert county["measured"] == Decimal("0.4444") and county["below_target"] is False
    assert "60.00 %" in county["detail"] and "50.00 %" in county["detail"]
    # No 市级 money reached the townships: 0 % there, below both thresholds.
    township = results(summary)[(TOWNSHIP, "", "市级投入占中央和省级资金")]
    assert township["measured"] == Decimal("0") and township["below_target"] is True
    assert {(row["area"].code, row["label"]) for row in summary["contribution_flagged"]} == {
        (TOWNSHIP, "市级投入占中央和省级资金"), (OTHER_TOWNSHIP, "市级投入占中央和省级资金")}


def test_city_ratio_below_when_growth_does_not_beat_the_upper_levels(two_years, county_officer):
    """One more 省 allocation of 900 000: 800 000 ÷ 2 700 000 = 29.63 % → below 40 %, no alternative."""
    allocate(actor=county_officer, area=two_years[COUNTY], code="province_bond", amount="900000",
             allocated_on=datetime.date(2024, 4, 1), document="债券〔2024〕1号")
    target(two_years[CITY], "city_fund_ratio_min", "60")
    target(two_years[CITY], "city_fund_ratio_with_growth_min", "40")
    county = results(spend_summary(area=two_years[COUNTY], year=2024, as_of=END_2024))[(COUNTY, "", "市级投入占中央和省级资金")]
    assert county["measured"] == Decimal("0.2963") and county["below_target"] is True


def test_integrated_funds_amount_and_growth_apply_to_the_setting_area_only(two_years):
    """P-FD-06 at the county (500 万, +10 %): 400 000 < 5 000 000 → below. Growth against 上年同期:
    as of 31 Dec, 400 000 vs 400 000 (both 2023 rows) = 0 % → below; as of 30 Jun, 400 000 vs 300 000
    (the November 2023 row not yet allocated a year earlier) = 33.33 % → met."""
    target(two_years[COUNTY], "county_integrated_funds_min", "5000000")
    target(two_years[COUNTY], "county_integrated_funds_growth_min", "10")
    found = results(spend_summary(area=two_years[COUNTY], year=2024, as_of=END_2024))
    assert set(found) == {(COUNTY, "", "县级统筹整合资金"), (COUNTY, "", "县级统筹整合资金年增幅")}
    assert found[(COUNTY, "", "县级统筹整合资金")]["measured"] == Decimal("400000")
    assert found[(COUNTY, "", "县级统筹整合资金")]["below_target"] is True
    assert found[(COUNTY, "", "县级统筹整合资金年增幅")]["measured"] == Decimal("0")
    assert found[(COUNTY, "", "县级统筹整合资金年增幅")]["below_target"] is True
    mid_year = results(spend_summary(area=two_years[COUNTY], year=2024, as_of=datetime.date(2024, 6, 30)))
    assert mid_year[(COUNTY, "", "县级统筹整合资金年增幅")]["measured"] == Decimal("0.3333")
    assert mid_year[(COUNTY, "", "县级统筹整合资金年增幅")]["below_target"] is False


def test_ratio_without_upper_money_cannot_be_computed_and_is_not_flagged(areas, county_officer):
    target(areas[COUNTY], "district_fund_ratio_min", "40")
    allocate(actor=county_officer, area=areas[COUNTY], code="county_integrated", amount="1000")
    summary = spend_summary(area=areas[COUNTY], year=2024, as_of=END_2024)
    county = results(summary)[(COUNTY, "", "县（区）级投入占中央、省、市资金")]
    assert county["measured"] is None and county["below_target"] is None
    assert summary["contribution_flagged"] == []


def test_per_capita_input_per_registered_poor_person(today, areas, county_officer, household_a, household_b):
    """P-FD-07 at the county, 20 000 元/人: 3 registered persons (李大、王秀 in 太和村, 刀二 in 勐炳村, both 老厂乡).
    County: 中央 30 000 + 老厂乡 24 000 (a 社会捐赠 30 000 is not fiscal) = 54 000 ÷ 3 = 18 000 → below;
    老厂乡 24 000 ÷ 3 = 8 000 → below; 水塘镇 has neither money nor registered persons → not listed."""
    target(areas[COUNTY], "per_capita_fund_input_min", "20000", year_from=today.year)
    for code, area, amount in (("central_special", COUNTY, "30000"), ("social_donation", COUNTY, "30000"),
                               ("central_special", TOWNSHIP, "24000")):
        allocate(actor=county_officer, area=areas[area], code=code, amount=amount, year=today.year, allocated_on=today,
                 document=f"人均 {code} {area}")
    found = results(spend_summary(area=areas[COUNTY], year=today.year, as_of=today))
    label = "人均财政扶贫投入"
    assert found[(COUNTY, "", label)]["measured"] == Decimal("18000.00") and found[(COUNTY, "", label)]["below_target"] is True
    assert found[(TOWNSHIP, "", label)]["measured"] == Decimal("8000.00")
    assert (OTHER_TOWNSHIP, "", label) not in found


def test_dashboard_and_api_flag_areas_below_the_contribution_target(two_years, county_officer, client_for, api_for):
    target(two_years[COUNTY], "district_fund_ratio_min", "40")
    html = client_for(county_officer).get(reverse("funds:dashboard") + f"?area={COUNTY}&year=2024&as_of=2024-12-31"
                                          ).content.decode()
    assert 'id="contribution-targets"' in html and "19.62 %" in html and "25.00 %" in html
    flagged = html.split('id="flagged"')[1].split("</section>")[0]
    assert "老厂乡：县（区）级投入占中央、省、市资金 25.00 %" in flagged and "水塘镇" not in flagged
    data = api_for(county_officer).get(f"/api/v1/spend-ratios/?area={COUNTY}&year=2024&as_of=2024-12-31").json()
    rows = {row["area"]: row for row in data["contribution_targets"]}
    assert rows[COUNTY]["measured"] == "0.1962" and rows[COUNTY]["below_target"] is True
    assert rows[TOWNSHIP]["below_target"] is True and rows[OTHER_TOWNSHIP]["below_target"] is False
    assert rows[OTHER_TOWNSHIP]["target"] == "≥ 40 %" and rows[COUNTY]["citation"] == "测试用例"
