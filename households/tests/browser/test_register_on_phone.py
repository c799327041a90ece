"""A village cadre registers a household with two members on a phone-sized screen (Debian chromium)."""
import pytest
from playwright.sync_api import sync_playwright

from conftest import VILLAGE_A
from households.models import Household
from households.tests.factories import make_id_number
from tests.browser_support import launch_chromium, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cadre_registers_household_with_two_members_on_phone(live_server, village_cadre_a, tmp_path):
    head_id = make_id_number(601)
    child_id = make_id_number(602, birth="20100315", odd=False)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
            sign_in(page, live_server, village_cadre_a)
            page.get_by_role("link", name="新建户").click()
            page.select_option("#id_area", VILLAGE_A)
            page.select_option("#id_identification_year", "2016")
            page.select_option("#id_primary_cause", "ILLNESS")
            page.fill("#id_address", "太和村上寨 12 号")
            page.fill("#id_members-0-name", "罗正发")
            # A full-width, lower-case entry is normalised by the system.
            page.fill("#id_members-0-id_number", head_id.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")))
            page.click("#add-member")
            page.fill("#id_members-1-name", "罗小梅")
            page.fill("#id_members-1-id_number", child_id)
            page.select_option("#id_members-1-relation", "30")
            page.select_option("#id_members-1-labour_capacity", "none")
            page.select_option("#id_members-1-student_status", "primary")
            page.screenshot(path=str(tmp_path / "form.png"), full_page=True)
            page.click("button[type=submit].primary")
            page.wait_for_url("**/households/*/")
            assert "户卡：罗正发户" in page.content()
            assert f"{child_id[:6]}********{child_id[-4:]}" in page.content()
            assert child_id not in page.content()
            # The card fits the phone: its facts table folds into label/value lines, no sideways scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            browser.close()
    household = Household.objects.get()
    members = {m.name: m for m in household.members.all()}
    assert household.member_count == 2 and household.address == "太和村上寨 12 号"
    assert members["罗正发"].id_number == head_id and members["罗小梅"].sex == "female"
    assert members["罗小梅"].birth_date.isoformat() == "2010-03-15"
