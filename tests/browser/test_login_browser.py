"""A village cadre signs in through the real login form on a phone, in Debian's chromium."""
from pathlib import Path

import pytest

from conftest import PASSWORD, VILLAGE_A, VILLAGE_B
from tests.browser_support import CHROMIUM, launch_chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def test_village_cadre_logs_in_on_a_phone_and_sees_only_his_village(live_server, village_cadre_a, village_cadre_b):
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "需要 Debian 的 chromium：运行 make sysdeps（apt-get install chromium fonts-noto-cjk）"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(15_000)

            page.goto(f"{live_server.url}/")
            expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
            expect(page.locator("h1")).to_have_text("登录")

            # A wrong password is refused in Chinese and leaves the cadre on the login page.
            page.fill("#id_username", "cadre_a")
            page.fill("#id_password", "wrong-password")
            page.click("button[type=submit]")
            expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")

            sign_in(page, live_server, village_cadre_a)
            main = page.locator("main")
            expect(main).to_contain_text("太和村委会")
            expect(main).to_contain_text("上寨村民小组")
            expect(main).not_to_contain_text("勐炳村委会")
            expect(main).not_to_contain_text("水塘镇")
            # The page fits the phone: no horizontal scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=str(SHOTS / "cadre_home_phone.png"), full_page=True)

            # The menu collapses behind a toggle on a phone; open it and go to the area list.
            page.click("label.nav-toggle-label")
            page.get_by_role("link", name="区域", exact=True).click()
            expect(page).to_have_url(f"{live_server.url}/areas/")
            table = page.locator("table.table tbody")
            expect(table).to_contain_text("太和村委会")
            expect(table).to_contain_text(VILLAGE_A)
            expect(table.locator("tr")).to_have_count(2)
            expect(page.locator("main")).not_to_contain_text("勐炳村委会")
            expect(page.locator("main")).not_to_contain_text(VILLAGE_B)
            page.screenshot(path=str(SHOTS / "cadre_areas_phone.png"), full_page=True)

            # The neighbour's village is "not found", exactly like an area that does not exist.
            response = page.goto(f"{live_server.url}/areas/{VILLAGE_B}/")
            assert response.status == 404
            expect(page.locator("h1")).to_have_text("未找到")
            expect(page.locator("main")).not_to_contain_text("勐炳村委会")
            page.screenshot(path=str(SHOTS / "cadre_neighbour_404_phone.png"), full_page=True)

            # The cadre's own village opens.
            response = page.goto(f"{live_server.url}/areas/{VILLAGE_A}/")
            assert response.status == 200
            expect(page.locator("h1")).to_have_text("太和村委会")
        finally:
            browser.close()
    for name in ("cadre_home_phone.png", "cadre_areas_phone.png", "cadre_neighbour_404_phone.png"):
        assert (SHOTS / name).stat().st_size > 1000


def test_county_officer_binds_an_authenticator_then_signs_in_with_a_code(live_server, county_officer):
    import time

    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect, sync_playwright

    from accounts.otp import hex_key_from_base32
    from tests.otp_support import code_at

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{live_server.url}/households/")
            page.fill("#id_username", "county")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            # No authenticator yet: the enrolment page with a QR code and the secret as text.
            expect(page.locator("h1")).to_have_text("绑定手机验证器")
            expect(page.locator(".qr svg")).to_be_visible()
            secret = page.inner_text("#otp-secret")
            page.fill("#id_code", code_at(TOTPDevice(key=hex_key_from_base32(secret)), time.time()))
            page.click("button[type=submit].primary")
            expect(page.locator("h1")).to_have_text("恢复码")
            expect(page.locator("#recovery-codes li")).to_have_count(10)
            page.get_by_role("link", name="我已保存，继续").click()
            expect(page).to_have_url(f"{live_server.url}/households/")

            # Next time: password, then the code page.
            second = browser.new_context(locale="zh-CN").new_page()
            second.set_default_timeout(15_000)
            sign_in(second, live_server, county_officer)
            expect(second.get_by_role("link", name="账号安全")).to_be_visible()
            assert TOTPDevice.objects.filter(user=county_officer, confirmed=True).count() == 1
        finally:
            browser.close()
