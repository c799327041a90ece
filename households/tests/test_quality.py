import datetime

import pytest

from conftest import VILLAGE_A
from households.models import Household
from households.quality import household_quality_warnings
from households.tests.factories import member_data, register_household
from villages.models import Area

pytestmark = pytest.mark.django_db


def _warnings(household):
    household = Household.objects.get(pk=household.pk)
    members = list(household.members.filter(is_registered=True))
    return household_quality_warnings(household, members, assignments=household.helper_assignments.all(),
                                      today=datetime.date(2018, 12, 31))


def test_consistent_household_has_no_warnings(village_cadre_a):
    household = register_household(
        actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=51, primary_cause="ILLNESS",
        members=[member_data(51, name="甲", health_status="chronic"), member_data(52, name="乙", relation="10", odd=False)],
    )
    assert _warnings(household) == []


def test_inconsistencies_are_named(village_cadre_a, client_for):
    household = register_household(
        actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=61, primary_cause="EDUCATION",
        category="dibao", other_causes=["ILLNESS"],
        members=[member_data(61, name="甲"), member_data(62, name="乙", relation="10", work_place="in_county",
                                                           has_medical_insurance=False)],
    )
    warnings = _warnings(household)
    assert "户主与配偶性别相同，请核实与户主关系或身份证号" in warnings
    assert "致贫原因含“因学”，但没有在校生" in warnings
    assert "致贫原因含“因病”，但没有患长期慢性病或大病的成员" in warnings
    assert "贫困户属性为低保贫困户，但没有享受低保的成员" in warnings
    assert "乙 有务工地点但务工月数为 0" in warnings and "乙 未参加基本医疗保险" in warnings
    page = client_for(village_cadre_a).get(f"/households/{household.pk}/").content.decode()
    assert "数据质量提示" in page and "致贫原因含“因学”" in page
