"""Under the Content-Security-Policy the pages still work in Debian's chromium, and nothing is refused:
the household form adds a member, print buttons and the area chooser react, Swagger UI lists the API,
and the admin's pages load their scripts."""
from pathlib import Path

import pytest

from conftest import GROUP_A1, TOWNSHIP, VILLAGE_A
from households.tests.factories import register_household
from tests.browser_support import CHROMIUM, launch_chromium, sign_in
from villages.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



class Watched:
    """A browser page that records every CSP refusal and script error."""

    def __init__(self, browser):
        self.page = browser.new_context(locale="zh-CN").new_page()
        self.page.set_default_timeout(20_000)
        self.problems = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        # window.print() would open a dialog headless chromium cannot show: count the calls instead.
        self.page.add_init_script("window.__printed = 0; window.print = function () { window.__printed += 1; };")

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text or message.type == "error" and "CSP" in text:
            self.problems.append(f"{self.page.url}: {text}")


def _browser(playwright):
    assert Path(CHROMIUM).exists(), "需要 Debian 的 chromium：运行 make sysdeps"
    return launch_chromium(playwright)


def test_pages_work_under_the_policy(live_server, village_cadre_a, county_officer):
    from playwright.sync_api import expect, sync_playwright

    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=811,
                                   head_name="李正华")
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            cadre = Watched(browser)
            page = sign_in(cadre.page, live_server, village_cadre_a)
            page.goto(f"{live_server.url}/households/new/")
            expect(page.locator(".member-card")).to_have_count(1)
            page.click("#add-member")  # static/js/household_form.js
            expect(page.locator(".member-card")).to_have_count(2)
            expect(page.locator("#id_members-TOTAL_FORMS")).to_have_value("2")
            page.goto(f"{live_server.url}/households/{household.pk}/")
            page.click("button[data-print]")  # static/js/behaviours.js
            assert page.evaluate("window.__printed") == 1

            county = Watched(browser)
            page = sign_in(county.page, live_server, county_officer)
            page.goto(f"{live_server.url}/policy/?area=530427000000")
            with page.expect_navigation():
                page.select_option("select[data-autosubmit]", TOWNSHIP)
            assert f"area={TOWNSHIP}" in page.url
            page.goto(f"{live_server.url}/households/book/{TOWNSHIP}/")
            page.click("button[data-print]")
            assert page.evaluate("window.__printed") == 1
            page.goto(f"{live_server.url}/households/register/{VILLAGE_A}/")
            page.click("button[data-print]")
            assert page.evaluate("window.__printed") == 1

            # Swagger UI: its start-up script comes from ?script, so it renders the operations.
            page.goto(f"{live_server.url}/api/docs/")
            expect(page.locator(".opblock").first).to_be_visible()
            assert page.locator(".opblock").count() > 40
            assert cadre.problems == [] and county.problems == []
        finally:
            browser.close()


def test_admin_pages_load_under_the_policy(live_server, system_admin):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            admin = Watched(browser)
            page = sign_in(admin.page, live_server, system_admin)
            for path in ("/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/accounts/post/add/"):
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                expect(page.locator("#content")).to_be_visible()
            # The admin's own scripts ran: the date widgets got their "today" shortcuts, the theme button works.
            expect(page.locator(".datetimeshortcuts").first).to_be_visible()
            page.locator("button.theme-toggle").first.click()
            assert page.evaluate("document.documentElement.dataset.theme") in ("light", "dark", "auto")
            assert admin.problems == []
        finally:
            browser.close()
