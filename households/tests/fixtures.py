"""Households shared by every test (a pytest plugin of the root conftest): 李大's household in 太和村 and
刀二's in 勐炳村, registered through the services."""
import pytest

from conftest import GROUP_A1, VILLAGE_A, VILLAGE_B
from households.tests.factories import member_data, register_household
from villages.models import Area


@pytest.fixture
def household_a(village_cadre_a):
    """太和村 (village A), registered in its 上寨 group: head + spouse."""
    return register_household(
        actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=101, head_name="李大",
        members=[member_data(101, name="李大"), member_data(102, name="王秀", relation="10", odd=False)],
    )


@pytest.fixture
def household_b(village_cadre_b):
    """勐炳村 (village B): one person."""
    return register_household(actor=village_cadre_b, area=Area.objects.get(code=VILLAGE_B), sequence=201, head_name="刀二",
                              primary_cause="LACK_FUNDS")


@pytest.fixture
def many_households_a(village_cadre_a):
    def make(count, start=400):
        village = Area.objects.get(code=VILLAGE_A)
        return [register_household(actor=village_cadre_a, area=village, sequence=start + i, head_name=f"户主{i}") for i in range(count)]

    return make
