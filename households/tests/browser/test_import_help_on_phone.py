"""The import help page on a phone-sized screen (Debian chromium): nothing wider than the screen, the alias
tables open on a tap."""
import os

import pytest
from playwright.sync_api import sync_playwright

from tests.browser_support import launch_chromium, sign_in

WIDTH = 390


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_help_page_fits_a_phone_and_opens_the_relation_table(live_server, village_cadre_a, tmp_path):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True).new_page()
            sign_in(page, live_server, village_cadre_a)
            page.goto(f"{live_server.url}/households/imports/")
            page.get_by_role("link", name="填写说明和可识别的写法").click()
            page.wait_for_url("**/households/imports/help/")
            row = page.locator("tr", has=page.locator("th", has_text="之孙子"))
            assert not row.is_visible()
            page.locator("summary", has_text="与户主关系").click()
            assert row.is_visible() and row.locator("td").inner_text() == "41 孙子"
            page.screenshot(path=os.environ.get("HELP_SCREENSHOT") or str(tmp_path / "help.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        finally:
            browser.close()
