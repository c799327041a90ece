"""In a phone-sized chromium: the ledger shows counts by 大类 × status and flags overdue items; the township reports
progress with evidence and applies for 销号, the county verifies (对账) and a second county officer closes (销号);
a 12317 call is received, assigned and answered. Screenshots at 390 px and 1280 px go to $OVERSIGHT_SHOTS when set."""
import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from conftest import VILLAGE_A
from oversight.models import Complaint
from oversight.tests.conftest import item_of, make_inspection
from tests.browser_support import launch_chromium, sign_in

SHOTS = os.environ.get("OVERSIGHT_SHOTS")


def login(browser, live_server, user, width=390):
    context = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=width < 800, has_touch=width < 800)
    page = context.new_page()
    return sign_in(page, live_server, user)


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_item_rectified_verified_and_closed_and_a_complaint_answered(live_server, township_officer, county_officer,
                                                                    county_verifier, tmp_path):
    inspection = make_inspection(county_officer, items=[
        ("目标精准把握", VILLAGE_A, datetime.date(2024, 3, 31)),
        ("帮扶工作", VILLAGE_A, timezone.localdate() + datetime.timedelta(days=60)),
    ])
    item = item_of(inspection, 1)
    evidence = tmp_path / "核实表.txt"
    evidence.write_text("入户核实记录")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            county = login(browser, live_server, county_officer)
            county.goto(f"{live_server.url}/oversight/")
            assert county.locator("tr.overdue").count() == 1
            shot(county, "ledger-390")
            wide = login(browser, live_server, county_officer, width=1280)
            wide.goto(f"{live_server.url}/oversight/")
            shot(wide, "ledger-1280")
            wide.goto(f"{live_server.url}/oversight/inspections/new/")
            shot(wide, "inspection-form-1280")

            township = login(browser, live_server, township_officer)
            township.goto(f"{live_server.url}/oversight/items/{item.pk}/")
            township.get_by_text("报送整改进展", exact=True).first.click()
            township.fill("#id_text", "已逐户核实并更新信息")
            township.set_input_files("#id_evidence", str(evidence))
            township.get_by_role("button", name="报送整改进展").click()
            assert "整改中" in township.content() and "核实表.txt" in township.content()
            township.get_by_text("申请销号", exact=True).first.click()
            township.fill("#id_summary", "整改完成")
            township.get_by_role("button", name="申请销号").click()
            assert "已申请销号" in township.content()
            shot(township, "item-submitted-390")

            county.goto(f"{live_server.url}/oversight/items/{item.pk}/")
            county.get_by_text("对账", exact=True).first.click()
            county.get_by_role("button", name="对账").click()
            assert "已对账" in county.content()
            closer = login(browser, live_server, county_verifier)
            closer.goto(f"{live_server.url}/oversight/items/{item.pk}/")
            closer.get_by_text("销号", exact=True).first.click()
            closer.get_by_role("button", name="销号").click()
            assert "已销号" in closer.content()
            shot(closer, "item-closed-390")

            county.goto(f"{live_server.url}/oversight/complaints/new/")
            county.select_option("#id_area", "530427000000")
            county.fill("#id_content", "反映帮扶干部未入户走访")
            county.fill("#id_complainant_name", "王小明")
            county.fill("#id_complainant_phone", "13800001234")
            county.get_by_role("button", name="受理").click()
            assert "已受理" in county.content()
            complaint = Complaint.objects.get()
            county.select_option("#id_area", "530427204000")
            county.fill("#id_handling_unit", "老厂乡人民政府")
            county.get_by_role("button", name="交办").click()
            township.goto(f"{live_server.url}/oversight/complaints/{complaint.pk}/")
            township.get_by_role("button", name="开始办理").click()
            township.fill("#id_reply_text", "已核实，帮扶干部已入户")
            township.get_by_role("button", name="答复").click()
            assert "已答复" in township.content()
            shot(township, "complaint-replied-390")
            county.goto(f"{live_server.url}/oversight/complaints/")
            assert "王**" in county.content() and "13800001234" not in county.content()
            shot(county, "complaints-390")
        finally:
            browser.close()
    complaint.refresh_from_db()
    item.refresh_from_db()
    assert complaint.status == "replied" and item.status == "closed"
