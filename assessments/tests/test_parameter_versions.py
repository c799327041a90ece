"""Two officers revise the same policy parameter from the version they read: the first wins, the second gets 409
naming the first, through the API and the page; the API wants the version (428 without) and sends an ETag."""
from decimal import Decimal

import pytest

from assessments.policy.models import PolicyParameter
from assessments.policy.services import policy_parameters_load
from conftest import COUNTY

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidence(areas):
    policy_parameters_load()
    return PolicyParameter.objects.get(code="village_incidence_max", area__code=COUNTY, year_from=2018, is_current=True)


def _current(series):
    return PolicyParameter.objects.get(series=series, is_current=True)


def test_api_etag_428_and_stale_409_naming_the_first_writer(api_for, county_officer, county_approver, incidence):
    url = f"/api/v1/policy-parameters/{incidence.pk}/"
    read = api_for(county_officer).get(url)
    assert read["ETag"] == 'W/"1"' and read.json()["version"] == 1
    missing = api_for(county_officer).patch(url, {"value": "1.5", "reason": "调整"}, format="json")
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    first = api_for(county_approver).patch(url, {"value": "1.6", "reason": "先改"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert first.status_code == 200 and first["ETag"] == 'W/"2"'
    second = api_for(county_officer).patch(url, {"value": "1.5", "reason": "后改", "version": 1}, format="json")
    assert second.status_code == 409
    detail = second.json()["detail"]
    assert "county_approver" in detail and "2026-12-07" in detail and "数值" in detail and "刷新" in detail
    assert _current(incidence.series).value == Decimal("1.6")
    # The newest row read at its version is saved.
    newest = first.json()["id"]
    ok = api_for(county_officer).patch(f"/api/v1/policy-parameters/{newest}/", {"value": "1.5", "reason": "后改"},
                                       format="json", HTTP_IF_MATCH=first["ETag"])
    assert ok.status_code == 200 and ok.json()["version"] == 3


def test_page_stale_submit_is_409_with_the_message_and_the_typed_values(client_for, county_officer, county_approver,
                                                                       incidence):
    url = f"/policy/parameters/{incidence.pk}/edit/"
    mine, theirs = client_for(county_officer), client_for(county_approver)
    assert 'name="version" value="1"' in mine.get(url).content.decode()
    data = {"year_from": 2018, "year_to": 2018, "value": "1.8", "unit": "%", "comparator": "lte",
            "source_citation": incidence.source_citation, "is_from_seeds": "on", "policy_ref": "P-VL-01", "note": "",
            "reason": "复核后从严", "version": "1"}
    assert theirs.post(url, {**data, "value": "1.7", "reason": "先改"}).status_code == 302
    stale = mine.post(url, data)
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "county_approver" in page and "数值" in page and "请刷新后再改" in page
    assert 'value="1.8"' in page and "复核后从严" in page
    assert _current(incidence.series).value == Decimal("1.7")
