"""A county's existing register, once imported, is what the quarterly report counts: the exits of each year and
the stock of poor households as of each quarter's end."""
import pytest

from conftest import COUNTY
from households.imports.pipeline import import_workbook
from households.tests.register_files import register, register_file
from reports.snapshot import build_snapshot
from villages.models import Area

pytestmark = pytest.mark.django_db


def test_the_report_as_of_2017q4_counts_the_imported_exits_and_stock(village_cadre_a):
    households, members, incomes, measures = register()
    assert import_workbook(source=register_file(households, members, incomes, measures), actor=village_cadre_a).is_committed
    county = Area.objects.get(code=COUNTY)
    q4_2017 = build_snapshot(area=county, year=2017, quarter=4)
    assert q4_2017["plans"]["total"]["actual_households"] == 1  # the monitored household exited in 2017
    assert q4_2017["plans"]["total"]["actual_persons"] == 2
    population = q4_2017["population"]["total"]
    assert population["households"] == 1 and population["persons"] == 2  # only the still-poor household
    q4_2016 = build_snapshot(area=county, year=2016, quarter=4)
    assert q4_2016["plans"]["total"]["actual_households"] == 2  # both 2016 exits
    assert q4_2016["population"]["total"]["households"] == 2  # the still-poor household and the 2017 exit
    q4_2018 = build_snapshot(area=county, year=2018, quarter=4)
    assert q4_2018["population"]["total"]["households"] == 2  # the return in 2018 is back in the stock
