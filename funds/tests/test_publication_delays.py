"""P-FD-08: no 报账 before the allocation's 分配结果 is public and the project's 项目安排 is 公示.
P-FD-10: a project behind schedule gets a cause and the responsible party that follows from it."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP, _persona
from funds.choices import DelayCause, DelayKind, ResponsibleParty
from funds.models import Disbursement, FundAllocation, FundDelay
from funds.services import fund_allocation_publish, fund_delay_record, fund_disburse
from funds.tests.factories import allocate, fund
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from povalleviation.roles import Role
from projects.services import project_start
from projects.tests.factories import approve, publicize_plan
from villages.services import area_create


def pay(funding, actor, day, voucher="PZ-1", amount="1000"):
    return fund_disburse(actor=actor, funding=funding, amount=Decimal(amount), paid_on=day, voucher_number=voucher)


@pytest.fixture
def unpublished_funding(approved_project, areas, county_officer):
    allocation = allocate(actor=county_officer, area=areas[COUNTY], amount="100000", published=False)
    return fund(actor=county_officer, allocation=allocation, project=approved_project, amount="50000")


def test_no_disbursement_before_the_allocation_is_public(unpublished_funding, township_officer, county_officer):
    with pytest.raises(ApplicationError) as refused:
        pay(unpublished_funding, township_officer, datetime.date(2024, 5, 1))
    assert "资金分配结果尚未公开" in refused.value.message and "P-FD-08" in refused.value.message
    assert refused.value.field_errors == {"paid_on": "资金分配结果未在支付日期前公开"}
    allocation = FundAllocation.objects.get()
    assert Disbursement.objects.count() == 0 and allocation.disbursed_amount == 0
    fund_allocation_publish(actor=county_officer, allocation=allocation, published_on=datetime.date(2024, 5, 2),
                            place="县人民政府网站")
    with pytest.raises(ApplicationError) as too_early:
        pay(unpublished_funding, township_officer, datetime.date(2024, 5, 1))
    assert "于 2024-05-02 才公开" in too_early.value.message
    pay(unpublished_funding, township_officer, datetime.date(2024, 5, 2))
    assert FundAllocation.objects.get().disbursed_amount == Decimal("1000")


def test_publishing_is_the_county_s_once_and_not_before_allocation(unpublished_funding, township_officer, county_officer):
    allocation = FundAllocation.objects.get()
    with pytest.raises(PermissionDenied):
        fund_allocation_publish(actor=township_officer, allocation=allocation, published_on=datetime.date(2024, 3, 5),
                                place="公开栏")
    with pytest.raises(ApplicationError) as early:
        fund_allocation_publish(actor=county_officer, allocation=allocation, published_on=datetime.date(2024, 2, 28),
                                place="公开栏")
    assert early.value.message == "公开日期不能早于下达日期。"
    assert FundAllocation.objects.get().published_on is None
    fund_allocation_publish(actor=county_officer, allocation=allocation, published_on=datetime.date(2024, 3, 5),
                            place="公开栏")
    with pytest.raises(Conflict):
        fund_allocation_publish(actor=county_officer, allocation=allocation, published_on=datetime.date(2024, 3, 6),
                                place="网站")


def test_no_disbursement_before_the_village_project_plan_is_publicized(draft_project, areas, township_officer,
                                                                       county_officer, county_approver):
    project = approve(draft_project, submitter=township_officer, admitter=county_officer, approver=county_approver)
    funding = fund(actor=county_officer, allocation=allocate(actor=county_officer, area=areas[COUNTY]), project=project,
                   amount="5000")
    with pytest.raises(ApplicationError) as refused:
        pay(funding, township_officer, datetime.date(2024, 3, 10))
    assert "项目安排尚未公示" in refused.value.message and "太和村核桃产业项目" in refused.value.message
    publicize_plan(project, actor=township_officer, published_on=datetime.date(2024, 3, 11))
    with pytest.raises(ApplicationError):
        pay(funding, township_officer, datetime.date(2024, 3, 10))
    assert Disbursement.objects.count() == 0
    pay(funding, township_officer, datetime.date(2024, 3, 11))
    assert Disbursement.objects.get().paid_on == datetime.date(2024, 3, 11)


def test_the_disbursement_page_shows_the_publication_error(unpublished_funding, township_officer, client_for):
    response = client_for(township_officer).post(reverse("funds:disbursement_create") + f"?funding={unpublished_funding.pk}",
                                                 {"amount": "10", "paid_on": "2024-06-01", "voucher_number": "PZ-2"})
    assert response.status_code == 400 and "资金分配结果尚未公开" in response.content.decode()
    assert Disbursement.objects.count() == 0


def test_publish_page(unpublished_funding, county_officer, township_officer, client_for):
    allocation = FundAllocation.objects.get()
    url = reverse("funds:allocation_publish", args=[allocation.pk])
    assert client_for(township_officer).post(url, {"published_on": "2024-03-02", "place": "栏"}).status_code == 403
    detail = client_for(county_officer).get(reverse("funds:allocation_detail", args=[allocation.pk])).content.decode()
    assert "尚未公开" in detail and "登记公开" in detail
    client_for(county_officer).post(url, {"published_on": "2024-03-02", "place": "新平县人民政府网站"})
    assert FundAllocation.objects.get().published_on == datetime.date(2024, 3, 2)


# --- P-FD-10 ------------------------------------------------------------------------------------------------


def test_delay_cause_decides_the_responsible_party(approved_project, county_officer, township_officer, areas):
    """Planned start 1 Mar 2024, finish 30 Nov 2024 (factories.PLAN)."""
    with pytest.raises(Conflict) as on_time:
        fund_delay_record(actor=county_officer, project=approved_project, cause=DelayCause.FISCAL_LATE, note="拨付晚",
                          recorded_on=datetime.date(2024, 2, 25))
    assert "未延误" in on_time.value.message
    with pytest.raises(PermissionDenied):
        fund_delay_record(actor=township_officer, project=approved_project, cause=DelayCause.FISCAL_LATE, note="拨付晚",
                          recorded_on=datetime.date(2024, 4, 10))
    assert FundDelay.objects.count() == 0
    fiscal = fund_delay_record(actor=county_officer, project=approved_project, cause=DelayCause.FISCAL_LATE,
                               note="县级配套资金 4 月才拨付", recorded_on=datetime.date(2024, 4, 10))
    assert (fiscal.kind, fiscal.delay_days, fiscal.responsible_party, fiscal.responsible_unit) == (
        DelayKind.START, 40, ResponsibleParty.FINANCE, "财政部门")
    project_start(actor=township_officer, project=approved_project, started_on=datetime.date(2024, 4, 20))
    preparation = fund_delay_record(actor=county_officer, project=approved_project, cause=DelayCause.PREPARATION,
                                    note="设计变更", recorded_on=datetime.date(2024, 12, 10))
    assert (preparation.kind, preparation.delay_days, preparation.responsible_party, preparation.responsible_unit) == (
        DelayKind.FINISH, 10, ResponsibleParty.PROJECT_UNITS, "老厂乡人民政府")


def test_drill_down_shows_delay_and_attribution(approved_project, areas, county_officer, township_officer, client_for):
    allocation = allocate(actor=county_officer, area=areas[TOWNSHIP], amount="100000")
    fund(actor=county_officer, allocation=allocation, project=approved_project, amount="50000")
    drill = reverse("funds:project_drill") + f"?area={COUNTY}&year=2024&as_of=2024-04-10"
    html = client_for(county_officer).get(drill).content.decode()
    assert "开工延误 40 天" in html and "未认定原因" in html and "认定原因" in html
    form_url = reverse("funds:delay_create", args=[approved_project.pk])
    response = client_for(county_officer).post(form_url, {
        "cause": "fiscal_late", "recorded_on": "2024-04-10", "note": "县级配套资金未到位", "next": drill})
    assert response.status_code == 302 and response["Location"] == drill
    html = client_for(county_officer).get(drill).content.decode()
    assert "财政资金拨付不及时、不到位" in html and "责任：财政部门<br>" in html and "县级配套资金未到位" in html
    township_html = client_for(township_officer).get(drill.replace(COUNTY, TOWNSHIP)).content.decode()
    assert "开工延误 40 天" in township_html and f'href="{form_url}' not in township_html  # no capability to attribute


def test_delay_page_access(approved_project, client, county_officer, township_officer, client_for, areas):
    url = reverse("funds:delay_create", args=[approved_project.pk])
    assert client.get(url).status_code == 302
    assert client_for(township_officer).get(url).status_code == 403
    area_create(actor=None, code="530426000000", name="峨山彝族自治县", level="county")
    other_county_officer = _persona("eshan_county", Role.COUNTY_OFFICER, "530426000000")
    assert client_for(other_county_officer).get(url).status_code == 404
    assert client_for(other_county_officer).post(url, {"cause": "fiscal_late", "recorded_on": "2024-04-10",
                                                       "note": "x"}).status_code == 404
    assert FundDelay.objects.count() == 0
    assert "认定延误原因" in client_for(county_officer).get(url).content.decode()
    refused = client_for(county_officer).post(url, {"cause": "fiscal_late", "recorded_on": "2024-02-01", "note": "x"})
    assert refused.status_code == 400 and "未延误" in refused.content.decode()


def test_api_allocation_with_publication_and_refused_disbursement(unpublished_funding, api_for, county_officer,
                                                                   township_officer):
    created = api_for(county_officer).post("/api/v1/fund-allocations/", {
        "source": "province_special", "area": COUNTY, "year": 2024, "amount": "5000", "document_number": "API-1",
        "allocated_on": "2024-04-01", "published_on": "2024-04-02", "publication_place": "县人民政府网站"}, format="json")
    assert created.status_code == 201 and created.json()["published_on"] == "2024-04-02"
    refused = api_for(township_officer).post("/api/v1/disbursements/", {
        "funding": unpublished_funding.pk, "amount": "10", "paid_on": "2024-06-01", "voucher_number": "API-PZ"},
        format="json")
    assert refused.status_code == 400 and "资金分配结果尚未公开" in refused.content.decode()
    assert Disbursement.objects.count() == 0
