import pytest

from conftest import COUNTY, VILLAGE_A, _persona
from households.tests.conftest import household_a, household_b  # noqa: F401  (fixtures)
from povalleviation.roles import Role
from projects.tests.factories import approve, make_project
from villages.models import Area


@pytest.fixture
def county_approver(areas):
    """A second county officer: 立项批复 must not be taken by whoever admitted the project."""
    return _persona("county_approver", Role.COUNTY_OFFICER, COUNTY)


@pytest.fixture
def village_a(areas):
    return Area.objects.get(code=VILLAGE_A)


@pytest.fixture
def draft_project(township_officer, village_a):
    return make_project(actor=township_officer, area=village_a)


@pytest.fixture
def approved_project(draft_project, township_officer, county_officer, county_approver):
    return approve(draft_project, submitter=township_officer, admitter=county_officer, approver=county_approver)
