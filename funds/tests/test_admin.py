"""The admin shows the ledger read-only and only within the staff user's posts."""
import pytest

from conftest import COUNTY, OTHER_TOWNSHIP, _persona
from funds.tests.factories import allocate
from povalleviation.roles import Role


@pytest.fixture
def allocation(areas, county_officer):
    return allocate(actor=county_officer, area=areas[COUNTY], amount="1000", document="后台〔2024〕1号")


def test_admin_ledger_is_scoped_and_read_only(allocation, client_for):
    url = "/admin/funds/fundallocation/"
    county_staff = _persona("county_staff", Role.COUNTY_OFFICER, COUNTY, is_staff=True)
    page = client_for(county_staff).get(url)
    assert page.status_code == 200 and "后台〔2024〕1号" in page.content.decode()
    assert client_for(county_staff).get(url + "add/").status_code == 403
    other_staff = _persona("other_staff", Role.TOWNSHIP_OFFICER, OTHER_TOWNSHIP, is_staff=True)
    assert "后台〔2024〕1号" not in client_for(other_staff).get(url).content.decode()
    assert client_for(other_staff).get(url + f"{allocation.pk}/change/").status_code in (302, 404)
