"""In a phone-sized chromium: a township officer enters a project, the county admits and approves it and
arranges money (its 分配结果 already public), the township's voucher is refused until the 项目安排 is 公示
(P-FD-08), then recorded, and the county dashboard's spend ratio moves."""
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from conftest import COUNTY, VILLAGE_A
from funds.models import Disbursement
from funds.tests.factories import allocate
from projects.models import Project
from tests.browser_support import launch_chromium, sign_in


def login(browser, live_server, user):
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    return sign_in(page, live_server, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_project_entered_approved_paid_and_dashboard_moves(live_server, township_officer, county_officer,
                                                           county_approver, areas):
    today = timezone.localdate()
    allocate(actor=county_officer, area=areas[COUNTY], amount="200000", allocated_on=today.replace(day=1),
             year=today.year, document="新财农 1 号")
    dashboard = f"{live_server.url}/funds/?area={COUNTY}"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            township = login(browser, live_server, township_officer)
            township.goto(f"{live_server.url}/projects/")
            township.get_by_role("link", name="申报项目").click()
            township.select_option("#id_area", VILLAGE_A)
            township.fill("#id_name", "太和村生猪养殖项目")
            township.select_option("#id_category", "industry")
            township.fill("#id_year", str(today.year))
            township.fill("#id_responsible_unit", "老厂乡人民政府")
            township.fill("#id_planned_start", f"{today.year}-03-01")
            township.fill("#id_planned_finish", f"{today.year}-11-30")
            township.fill("#id_expected_households", "12")
            township.fill("#id_expected_persons", "40")
            township.select_option("#id_benefit_mechanism", "drive")
            township.fill("#id_budget_central_special", "80000")
            township.click("button[type=submit].primary")
            township.wait_for_url("**/projects/*/")
            township.get_by_role("button", name="提交申报").click()
            assert "已申报" in township.content()
            project = Project.objects.get(name="太和村生猪养殖项目")

            admitter = login(browser, live_server, county_officer)
            admitter.goto(f"{live_server.url}/projects/{project.pk}/")
            admitter.get_by_role("button", name="批准入库").click()
            approver = login(browser, live_server, county_approver)
            approver.goto(f"{live_server.url}/projects/{project.pk}/")
            approver.get_by_role("button", name="立项批复").click()
            assert "已批复" in approver.content()

            admitter.goto(dashboard)
            before = admitter.get_by_test_id("total-ratio").inner_text()
            assert before == "0.00 %"
            admitter.get_by_role("link", name="资金下达").first.click()
            admitter.get_by_role("link", name="新财农 1 号").click()
            admitter.fill("#id_project_number", project.number)
            admitter.fill("#id_amount", "80000")
            admitter.get_by_role("button", name="安排到项目").click()
            assert "已安排到项目" in admitter.content()

            township.goto(f"{live_server.url}/projects/{project.pk}/")
            township.get_by_role("link", name="报账").first.click()
            township.fill("#id_amount", "50000")
            township.fill("#id_paid_on", today.isoformat())
            township.fill("#id_voucher_number", "LC-0001")
            township.click("button[type=submit].primary")
            # P-FD-08: no 报账 before the 项目安排 公示; the township publishes it, then pays.
            assert "项目安排尚未公示" in township.content()
            assert Disbursement.objects.count() == 0
            township.goto(f"{live_server.url}/projects/{project.pk}/")
            township.get_by_text("发布公示").click()
            publicity = township.locator(f"form[action='/projects/{project.pk}/publicity/']")
            publicity.locator("#id_kind").select_option("plan")
            publicity.locator("#id_published_on").fill(today.isoformat())
            publicity.locator("#id_location").fill("太和村村务公开栏")
            publicity.get_by_role("button", name="发布").click()
            assert "项目安排公示" in township.content()
            township.get_by_role("link", name="报账").first.click()
            township.fill("#id_amount", "50000")
            township.fill("#id_paid_on", today.isoformat())
            township.fill("#id_voucher_number", "LC-0001")
            township.click("button[type=submit].primary")
            township.wait_for_url(f"**/projects/{project.pk}/")
            assert "LC-0001" in township.content()

            admitter.goto(dashboard)
            assert admitter.get_by_test_id("total-ratio").inner_text() == "25.00 %"
            admitter.screenshot(path="/tmp/funds_dashboard.png", full_page=True)
        finally:
            browser.close()
    assert Disbursement.objects.get().amount == Decimal("50000")
