"""In the browser (Debian chromium, the site's CSP in force): the household card shows the phone and ID numbers
masked with ages, and the reveal buttons show one full value each, audited; the 户卡 PDF asks for a purpose."""
import pytest
from playwright.sync_api import expect, sync_playwright

from accounts.models import AuditEvent
from conftest import GROUP_A1
from households.tests.factories import member_data, register_household
from tests.browser_support import launch_chromium, sign_in
from villages.models import Area


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cadre_reveals_phone_and_one_id_number_on_the_card(live_server, village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=71,
                                   head_name="杨正", phone="13908771234",
                                   members=[member_data(71, name="杨正", birth="19750104")])
    head = household.members.get()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            sign_in(page, live_server, village_cadre_a)
            page.goto(f"{live_server.url}/households/{household.pk}/")
            body = page.inner_text("main")
            assert "139****1234" in body and head.masked_id_number in body and f"{head.age} 岁" in body
            assert "1975-01-04" not in body and head.id_number not in body
            page.locator("button.reveal-field").click()
            expect(page.locator(".phone-number")).to_have_text("13908771234")
            page.locator("button.reveal").first.click()
            expect(page.locator(".id-number").first).to_have_text(head.id_number)
            assert not errors
            page.get_by_role("button", name="下载 PDF").click()
            assert page.locator("input[name=purpose]:invalid").count() == 1  # the purpose is required
        finally:
            browser.close()
    assert AuditEvent.objects.filter(actor=village_cadre_a, action__in=["household.phone_revealed",
                                                                          "household.id_revealed"]).count() == 2
