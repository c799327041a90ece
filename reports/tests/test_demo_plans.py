"""Demo exit plans for the demo year: the county and each township with demo households get a plan and the
county a base, marked as demo figures; the seed tables (2018–2020) stay as loaded; the demo report of the
year has plan bars."""
import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.plans.demo import DEMO_SOURCE, load_demo_exit_plans
from assessments.plans.models import ExitPlan, ExitPlanBase
from households.demo import load_demo_households
from households.selectors_asof import poverty_stock_as_of
from povalleviation.charts import PALETTE
from reports.rendering import _charts
from reports.snapshot import build_snapshot
from villages.demo import COUNTY_CODE, load_demo_areas
from villages.models import Area

TODAY = datetime.date(2026, 11, 23)


def seed_tables() -> set[tuple]:
    return set(ExitPlan.objects.filter(year__lte=2020).values_list(
        "area__code", "year", "version", "status", "households", "persons", "persons_wan", "villages", "source"))


@pytest.mark.django_db
def test_demo_year_has_plans_for_the_county_and_townships():
    load_demo_areas()
    load_demo_households()
    call_command("load_exit_plans", "002_xinping.csv", stdout=StringIO())
    seeds = seed_tables()
    townships = poverty_stock_as_of(area_code=COUNTY_CODE, as_of=datetime.date(2025, 12, 31))
    assert load_demo_exit_plans(today=TODAY) == 1 + len(townships)
    assert load_demo_exit_plans(today=TODAY) == 0
    assert seed_tables() == seeds

    plans = ExitPlan.objects.filter(year=2026).select_related("area")
    assert {plan.source for plan in plans} == {DEMO_SOURCE} and all(plan.status == "approved" for plan in plans)
    county_plan = plans.get(area__code=COUNTY_CODE)
    township_plans = [plan for plan in plans if plan.area.code != COUNTY_CODE]
    assert county_plan.households == sum(plan.households for plan in township_plans) > 0
    for plan in township_plans:  # half of the township's stock households, rounded up, and their share of persons
        stock = townships[plan.area.code]
        assert plan.households == -(-stock["households"] // 2) and 0 < plan.persons <= stock["persons"]
    laochang = plans.get(area__code="530427204000")
    assert laochang.villages == 2  # 太和村 and 勐炳村, poor villages not yet exited
    base = ExitPlanBase.objects.get(area__code=COUNTY_CODE, base_year=2025)
    whole = poverty_stock_as_of(area_code=COUNTY_CODE, as_of=datetime.date(2025, 12, 31), group_level="county")[COUNTY_CODE]
    assert (base.end_year, base.households, base.persons, base.source) == (2026, whole["households"], whole["persons"],
                                                                           DEMO_SOURCE)

    snapshot = build_snapshot(area=Area.objects.get(code=COUNTY_CODE), year=2026, quarter=3, today=TODAY)
    assert snapshot["plans"]["total"]["planned_households"] == county_plan.households
    assert snapshot["plans"]["since_base"]["base_year"] == 2025
    assert [row["year"] for row in snapshot["plans"]["since_base"]["years"]] == [2026]
    chart = _charts(snapshot)["plan_households"]
    planned_bars = [part for part in chart.split("<rect")[1:] if f'fill="{PALETTE[0]}"' in part and 'width="10"' not in part]
    assert len(planned_bars) == len(township_plans)  # one 计划 bar per township (the legend swatch left out)
