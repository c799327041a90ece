"""四舍五入 to the fen carried into the eligibility results: 1001 yuan for 8 people is 125.13 per head whether the
household is evaluated on its own (Python) or the county is recomputed in SQL."""
from decimal import Decimal

import pytest

from assessments.eligibility.models import EligibilityResult
from assessments.eligibility.services import eligibility_evaluate_household, eligibility_recompute
from assessments.policy.services import policy_parameters_load
from assessments.tests.test_recompute import snapshot
from conftest import COUNTY, VILLAGE_A
from households.services import income_record_save
from households.tests.factories import member_data, register_household
from villages.models import Area

pytestmark = pytest.mark.django_db


def test_both_eligibility_paths_store_125_13(village_cadre_a):
    policy_parameters_load()
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=300,
                                   head_name="杨八", members=[member_data(300, name="杨八")])
    income_record_save(actor=village_cadre_a, household=household, year=2018, data={"wage_income": "1001", "member_count": 8})
    eligibility_evaluate_household(household=household, year=2018)
    python_path = snapshot(2018)
    assert python_path[household.pk]["per_capita_income"] == Decimal("125.13")
    EligibilityResult.objects.all().delete()
    eligibility_recompute(area=Area.objects.get(code=COUNTY), year=2018, use_sql=True)
    assert snapshot(2018) == python_path
