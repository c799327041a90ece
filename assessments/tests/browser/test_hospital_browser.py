"""A village cadre records a member's 住院费用 from the household page on a phone, and the page then explains
基本医疗有保障 with the 住院自付比例 against 新平's 10 % cap (Debian chromium)."""
import datetime
import os

import pytest
from playwright.sync_api import sync_playwright

from assessments.policy.services import policy_parameters_load
from assessments.tests.browser.test_exit_browser import login
from conftest import VILLAGE_A
from households.services import household_register, income_record_save, living_conditions_record
from households.tests.factories import member_data
from tests.browser_support import launch_chromium
from villages.models import Area

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_cadre_records_a_hospital_stay_and_reads_the_explanation(live_server, village_cadre_a, eager_tasks):
    policy_parameters_load()
    household = household_register(
        actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), registered_on=datetime.date(2016, 1, 1),
        data={"identification_year": 2016, "primary_cause": "ILLNESS", "category": "general"},
        members=[member_data(301, name="李大"), member_data(302, name="王秀", relation="10", odd=False)],
    )
    income_record_save(actor=village_cadre_a, household=household, year=2018, data={"wage_income": "9000"})
    living_conditions_record(actor=village_cadre_a, household=household, year=2018,
                             assessed_on=datetime.date(2018, 10, 1), data={
                                 "food_secure": True, "clothing_secure": True, "compulsory_education_secure": True,
                                 "all_members_insured": True, "serious_illness_covered": True, "housing_grade": "A",
                                 "water_safe": True, "water_difficult": False})
    shots = os.environ.get("SCREENSHOT_DIR")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = login(browser, live_server, village_cadre_a)
        page.goto(f"{live_server.url}/households/{household.pk}/")
        assert "住院费用（本年未住院也请登记），住院自付比例无法判断（上限 10%）" in page.content()
        page.get_by_role("link", name="登记住院费用").click()
        page.wait_for_url(f"**/households/{household.pk}/hospital/")
        page.select_option("#id_year", "2018")
        page.select_option("#id_member", label="王秀")
        page.fill("#id_admissions", "1")
        page.fill("#id_total_cost", "8000")
        page.fill("#id_basic_insurance_paid", "6000")
        page.fill("#id_serious_illness_paid", "700")
        page.fill("#id_medical_assistance_paid", "300")
        if shots:
            page.screenshot(path=f"{shots}/hospital_form_390.png", full_page=True)
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"**/households/{household.pk}/")
        text = page.inner_text("main") if page.locator("main").count() else page.content()
        assert "已保存 王秀 2018 年住院费用，住院自付比例 12.50%" in text
        assert "2018 年住院自付比例 12.5%（王秀：个人自付 1000.00 元 ÷ 住院总费用 8000.00 元），高于 10% 的上限。" in text
        assert "2018 年未达到脱贫标准：基本医疗有保障未达标。" in text
        if shots:
            page.screenshot(path=f"{shots}/hospital_household_390.png", full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.screenshot(path=f"{shots}/hospital_household_1280.png", full_page=True)
        browser.close()
