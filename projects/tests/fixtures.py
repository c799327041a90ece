"""A project of 太和村, drafted and approved through the services (a pytest plugin of the root conftest, for the
project and fund tests)."""
import pytest

from conftest import VILLAGE_A
from projects.tests.factories import approve, make_project
from villages.models import Area


@pytest.fixture
def village_a(areas):
    return Area.objects.get(code=VILLAGE_A)


@pytest.fixture
def draft_project(township_officer, village_a):
    return make_project(actor=township_officer, area=village_a)


@pytest.fixture
def approved_project(draft_project, township_officer, county_officer, county_approver):
    return approve(draft_project, submitter=township_officer, admitter=county_officer, approver=county_approver)
