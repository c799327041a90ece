"""Two officers publish the same fund allocation from the version they read: the first wins, the second gets 409
naming the first (API: ETag, 428 without a version; page: the message and what was typed)."""
import datetime

import pytest

from conftest import COUNTY
from funds.models import FundAllocation
from funds.services import fund_allocation_publish
from funds.tests.factories import allocate

pytestmark = pytest.mark.django_db


@pytest.fixture
def unpublished(areas, county_officer):
    return allocate(actor=county_officer, area=areas[COUNTY], amount="100000", published=False)


def test_api_publish_wants_the_version_and_refuses_a_stale_one(api_for, unpublished, county_officer, county_approver):
    url = f"/api/v1/fund-allocations/{unpublished.pk}/"
    read = api_for(county_officer).get(url)
    assert read["ETag"] == 'W/"1"' and read.json()["version"] == 1
    body = {"published_on": "2024-03-02", "place": "县人民政府网站"}
    assert api_for(county_officer).post(url + "publish/", body, format="json").status_code == 428
    first = api_for(county_approver).post(url + "publish/", body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert first.status_code == 200 and first["ETag"] == 'W/"2"'
    second = api_for(county_officer).post(url + "publish/", {**body, "place": "公开栏", "version": 1}, format="json")
    assert second.status_code == 409
    detail = second.json()["detail"]
    assert "county_approver" in detail and "分配结果公开日期" in detail and "2026-12-07" in detail
    assert FundAllocation.objects.get(pk=unpublished.pk).publication_place == "县人民政府网站"


def test_page_stale_publish_is_409_with_the_message_and_the_typed_values(client_for, unpublished, county_officer,
                                                                         county_approver):
    mine = client_for(county_officer)
    page = mine.get(f"/funds/allocations/{unpublished.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    fund_allocation_publish(actor=county_approver, allocation=unpublished, published_on=datetime.date(2024, 3, 2),
                            place="县人民政府网站", expected_version=1)
    stale = mine.post(f"/funds/allocations/{unpublished.pk}/publish/",
                      {"published_on": "2024-03-05", "place": "我填的公开栏", "version": "1"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "county_approver" in page and "请刷新后再改" in page and "我填的公开栏" in page
    assert FundAllocation.objects.get(pk=unpublished.pk).publication_place == "县人民政府网站"
