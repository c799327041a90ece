"""Fund pages, import/export and the API: anonymous, no capability, out of area (404), in area (the data)."""
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP
from funds.imports.excel import ALLOCATION_COLUMNS, DISBURSEMENT_COLUMNS
from funds.models import Disbursement, FundAllocation
from funds.services import fund_disburse
from funds.tests.factories import allocate, fund


@pytest.fixture
def paid(approved_project, areas, county_officer, township_officer):
    allocation = allocate(actor=county_officer, area=areas[COUNTY], amount="200000")
    funding = fund(actor=county_officer, allocation=allocation, project=approved_project, amount="150000")
    fund_disburse(actor=township_officer, funding=funding, amount=Decimal("50000"), paid_on=datetime.date(2024, 5, 2),
                  voucher_number="PZ-100")
    return funding


def dashboard(area=COUNTY, **extra):
    return reverse("funds:dashboard") + f"?area={area}&year=2024&as_of=2024-12-31" + "".join(f"&{k}={v}" for k, v in extra.items())


def test_dashboard_refuses_anonymous_and_admin(client, system_admin, client_for, areas):
    assert client.get(dashboard()).status_code == 302
    assert client_for(system_admin).get(dashboard()).status_code == 403


def test_dashboard_out_of_area_is_404(paid, other_township_officer, client_for):
    assert client_for(other_township_officer).get(dashboard()).status_code == 404
    assert client_for(other_township_officer).get(dashboard(TOWNSHIP)).status_code == 404


def test_dashboard_shows_ratio_by_source_and_township_without_target(paid, county_officer, client_for):
    html = client_for(county_officer).get(dashboard()).content.decode()
    assert "25.00 %" in html and "200000.00" in html and "50000.00" in html
    assert "中央财政专项扶贫资金" in html and "老厂乡" in html and "水塘镇" in html
    assert "无目标" in html and "低于目标" not in html


def test_dashboard_query_count_does_not_grow_with_the_ledger(paid, county_officer, township_officer, client_for):
    client = client_for(county_officer)
    with CaptureQueriesContext(connection) as few:
        client.get(dashboard())
    for index in range(6):
        fund_disburse(actor=township_officer, funding=paid, amount=Decimal("1000"), paid_on=datetime.date(2024, 6, 1),
                      voucher_number=f"PZ-{index}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(dashboard()).content.decode()
    assert "28.00 %" in html
    assert len(many) == len(few)


@pytest.mark.parametrize("name", ["funds:allocation_list", "funds:disbursement_list", "funds:project_drill"])
def test_drill_down_lists_are_scoped_and_pinned(paid, name, county_officer, other_township_officer, township_officer,
                                                client_for):
    url = reverse(name) + f"?area={COUNTY}&year=2024&as_of=2024-12-31"
    assert client_for(other_township_officer).get(url).status_code == 404
    other_page = client_for(other_township_officer).get(reverse(name) + "?year=2024"
                                                         if name != "funds:project_drill" else reverse(name) + f"?area={OTHER_TOWNSHIP}")
    assert "PZ-100" not in other_page.content.decode() and "玉财农" not in other_page.content.decode()
    client = client_for(county_officer)
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    assert ("PZ-100" in html) if name == "funds:disbursement_list" else ("太和村核桃产业项目" in html or "玉财农" in html)
    for index in range(4):
        fund_disburse(actor=township_officer, funding=paid, amount=Decimal("10"), paid_on=datetime.date(2024, 6, 1),
                      voucher_number=f"PZ-X{index}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_recording_a_disbursement_through_the_page(paid, township_officer, client_for):
    url = reverse("funds:disbursement_create") + f"?funding={paid.pk}"
    refused = client_for(township_officer).post(url, {"amount": "100000.01", "paid_on": "2024-06-01", "voucher_number": "PZ-7"})
    assert refused.status_code == 400 and "超过剩余" in refused.content.decode()
    assert Disbursement.objects.count() == 1
    client_for(township_officer).post(url, {"amount": "1000", "paid_on": "2024-06-01", "voucher_number": "PZ-7"})
    assert Disbursement.objects.count() == 2


def _workbook(allocation_rows, disbursement_rows):
    workbook = Workbook()
    workbook.active.title = "资金下达"
    workbook.active.append(ALLOCATION_COLUMNS)
    for row in allocation_rows:
        workbook.active.append(row)
    sheet = workbook.create_sheet("报账")
    sheet.append(DISBURSEMENT_COLUMNS)
    for row in disbursement_rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "funds.xlsx"
    return buffer


def test_import_is_all_or_nothing_with_an_error_report(paid, county_officer, client_for):
    client = client_for(county_officer)
    project = paid.project
    good = ["central_special", COUNTY, 2024, "玉财农〔2024〕9号", "2024-07-01", "30000", ""]
    bad_voucher = [project.number, "central_special", COUNTY, "玉财农〔2024〕1号", "2024-07-02", "999999", "PZ-200", "", ""]
    response = client.post(reverse("funds:import"), {"file": _workbook([good], [bad_voucher])})
    preview = client.get(response["Location"]).content.decode()
    assert "报账" in preview and "超过剩余" in preview
    assert FundAllocation.objects.count() == 1 and Disbursement.objects.count() == 1
    report = load_workbook(io.BytesIO(client.get(response["Location"] + "?errors=1").content))
    assert list(report.active.iter_rows(values_only=True))[1][:3] == ("报账", 2, "amount")
    ok_voucher = [project.number, "central_special", COUNTY, "玉财农〔2024〕1号", "2024-07-02", "1000", "PZ-201", "", ""]
    response = client.post(reverse("funds:import"), {"file": _workbook([good], [ok_voucher])})
    client.post(response["Location"])
    assert FundAllocation.objects.count() == 2 and Disbursement.objects.get(voucher_number="PZ-201").amount == Decimal("1000")


def test_import_refused_without_capability(township_officer, client_for, areas):
    assert client_for(township_officer).get(reverse("funds:import")).status_code == 403


def test_export_is_scoped(paid, county_officer, other_township_officer, client_for):
    content = client_for(county_officer).get(reverse("funds:export") + "?year=2024").content
    rows = list(load_workbook(io.BytesIO(content))["报账"].iter_rows(values_only=True))
    assert rows[1][6] == "PZ-100"
    other = client_for(other_township_officer).get(reverse("funds:export") + "?year=2024").content
    assert list(load_workbook(io.BytesIO(other))["报账"].iter_rows(values_only=True))[1:] == []


@pytest.mark.parametrize("path", ["/api/v1/fund-allocations/", "/api/v1/disbursements/",
                                  f"/api/v1/spend-ratios/?area={COUNTY}&year=2024"])
def test_api_refuses_anonymous_and_admin(path, api_for, system_admin):
    assert api_for(None).get(path).status_code in (401, 403)
    assert api_for(system_admin).get(path).status_code == 403


def test_api_lists_are_scoped(paid, api_for, county_officer, other_township_officer):
    assert api_for(county_officer).get("/api/v1/disbursements/").json()["results"][0]["voucher_number"] == "PZ-100"
    assert api_for(other_township_officer).get("/api/v1/disbursements/").json()["results"] == []
    allocation = FundAllocation.objects.get()
    assert api_for(other_township_officer).get(f"/api/v1/fund-allocations/{allocation.pk}/").status_code == 404
    assert api_for(county_officer).get(f"/api/v1/fund-allocations/{allocation.pk}/").json()["disbursed_amount"] == "50000.00"


def test_api_spend_ratios_as_of(paid, api_for, county_officer, other_township_officer):
    data = api_for(county_officer).get(f"/api/v1/spend-ratios/?area={COUNTY}&year=2024&as_of=2024-05-01").json()
    assert data["total"]["allocated"] == "200000.00" and data["total"]["disbursed"] == "0.00"
    data = api_for(county_officer).get(f"/api/v1/spend-ratios/?area={COUNTY}&year=2024&as_of=2024-05-02").json()
    assert data["total"]["ratio"] == "0.2500" and data["total"]["target"] is None
    assert {row["code"] for row in data["by_area"]} >= {TOWNSHIP, OTHER_TOWNSHIP}
    assert api_for(other_township_officer).get(f"/api/v1/spend-ratios/?area={COUNTY}&year=2024").status_code == 404


def test_api_overspend_refused_and_review(paid, api_for, township_officer, county_officer):
    refused = api_for(township_officer).post("/api/v1/disbursements/", {
        "funding": paid.pk, "amount": "100000.01", "paid_on": "2024-06-01", "voucher_number": "PZ-9"}, format="json")
    assert refused.status_code == 400 and Disbursement.objects.count() == 1
    disbursement = Disbursement.objects.get()
    assert api_for(township_officer).post(f"/api/v1/disbursements/{disbursement.pk}/review/",
                                          {"approve": True}, format="json").status_code == 403
    assert Disbursement.objects.get().status == "recorded"
