import pytest

from conftest import COUNTY, VILLAGE_A, _persona
from households.tests.conftest import household_a, household_b  # noqa: F401  (fixtures)
from povalleviation.roles import Role
from projects.tests.factories import approve, make_project, publicize_plan
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
    """Approved on 20 Feb 2024 and its 项目安排 公示 published on 21 Feb 2024 (needed before any 报账, P-FD-08)."""
    project = approve(draft_project, submitter=township_officer, admitter=county_officer, approver=county_approver)
    publicize_plan(project, actor=township_officer)
    return project
