"""A neighbouring county and extra personas, shared by the cross-app and account tests (a pytest plugin of the
root conftest)."""
import pytest

from accounts.services import post_assign, user_create
from conftest import PASSWORD, VILLAGE_A
from povalleviation.roles import Role
from tests.access_support import OTHER_COUNTY, OTHER_COUNTY_TOWNSHIP
from villages.models import Area
from villages.services import area_create


@pytest.fixture
def other_county(areas):
    """峨山县 and one of its townships: same city as 新平县, outside every persona's county."""
    county = area_create(actor=None, code=OTHER_COUNTY, name="峨山彝族自治县", level="county")
    township = area_create(actor=None, code=OTHER_COUNTY_TOWNSHIP, name="双江街道", level="township")
    return county, township


@pytest.fixture
def other_county_cadre(other_county):
    user = user_create(actor=None, username="eshan_cadre", password=PASSWORD, full_name="峨山信息员")
    post_assign(actor=None, user=user, area=other_county[1], role=Role.TOWNSHIP_OFFICER)
    return user


@pytest.fixture
def staff_cadre(areas):
    """A village cadre who somehow has the staff flag: the flag alone opens nothing in the admin."""
    user = user_create(actor=None, username="staff_cadre", password=PASSWORD, full_name="有后台标记的信息员", is_staff=True)
    post_assign(actor=None, user=user, area=Area.objects.get(code=VILLAGE_A), role=Role.VILLAGE_CADRE)
    return user
