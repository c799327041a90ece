"""One household from 提名 to 已脱贫 on a phone-sized screen (Debian chromium): the village cadre nominates and
posts the 公示, the first secretary records the 民主评议, the township checks, the county approves and the
county leading-group office announces (a numbered 公告). The county's 公示 period is set to 0 days so it can close
today, and its nomination window covers the whole year."""

import pytest
from playwright.sync_api import sync_playwright

from assessments.tests.workflow_fixtures import MEETING, helped, make_eligible, set_parameter
from assessments.workflows.models import Verification
from conftest import GROUP_A1
from households.tests.factories import member_data, register_household
from tests.browser_support import launch_chromium, sign_in
from villages.models import Area


@pytest.fixture
def household(village_cadre_a):
    for code, value in (
        ("income_line", 4000),
        ("household_income_test", None),
        ("compulsory_education_age_min", 6),
        ("compulsory_education_age_max", 15),
        ("publicity_days_min", 0),
        ("exit_nomination_window_start", 101),
        ("exit_nomination_window_end", 1231),
    ):
        set_parameter(code, value)
    household = register_household(
        actor=village_cadre_a,
        area=Area.objects.get(code=GROUP_A1),
        sequence=101,
        head_name="李大",
        members=[member_data(101, name="李大")],
    )
    return helped(village_cadre_a, make_eligible(village_cadre_a, household, wage="9000"))


def login(browser, live_server, user):
    page = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    return sign_in(page, live_server, user)


def open_from_inbox(page, live_server, household_name="李大户"):
    page.goto(f"{live_server.url}/exits/inbox/")
    page.get_by_role("link", name=household_name).first.click()
    page.wait_for_url("**/exits/*/")


def submit(page, name):
    page.click(f"button[name={name}]")
    page.wait_for_load_state("load")
    assert "action-error" not in page.content(), page.inner_text("#action-error")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_household_exit_from_nomination_to_exited_on_phone(
    live_server,
    household,
    village_cadre_a,
    first_secretary_a,
    township_officer,
    county_officer,
    leading_group_staff,
    tmp_path,
):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            cadre = login(browser, live_server, village_cadre_a)
            cadre.goto(f"{live_server.url}/households/{household.pk}/")
            cadre.get_by_role("link", name="发起退出提名").click()
            cadre.fill("#id_note", "务工收入稳定，两不愁三保障达标")
            cadre.screenshot(path=str(tmp_path / "nominate.png"), full_page=True)
            cadre.click("button[type=submit].primary")
            cadre.wait_for_url("**/exits/*/")
            assert "待村级民主评议" in cadre.inner_text("#stage")

            secretary = login(browser, live_server, first_secretary_a)
            assert "待办（1）" in secretary.content()
            secretary.goto(f"{live_server.url}/exits/inbox/")
            secretary.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
            open_from_inbox(secretary, live_server)
            for name, value in MEETING.items():
                secretary.fill(f"#id_approve-{name}", str(value))
            secretary.screenshot(path=str(tmp_path / "review.png"), full_page=True)
            submit(secretary, "submit_approve")
            assert "待村内公示" in secretary.inner_text("#stage")

            cadre.reload()
            cadre.fill("#id_open_publicity-location", "太和村村务公开栏")
            submit(cadre, "submit_open_publicity")
            assert "公示中" in cadre.inner_text("#publicities")
            submit(cadre, "submit_close_publicity")
            assert "待乡级初核" in cadre.inner_text("#stage")

            township = login(browser, live_server, township_officer)
            open_from_inbox(township, live_server)
            township.fill("#id_approve-note", "入户核实，收入属实")
            submit(township, "submit_approve")
            assert "待县级审定" in township.inner_text("#stage")

            county = login(browser, live_server, county_officer)
            open_from_inbox(county, live_server)
            submit(county, "submit_approve")
            assert "待公告退出" in county.inner_text("#stage")

            office = login(browser, live_server, leading_group_staff)
            open_from_inbox(office, live_server)
            submit(office, "submit_approve")
            assert "已办结" in office.inner_text("#stage")
            assert "决定依据快照" in office.content()
            # Nothing is wider than the phone: long hashes wrap, tables scroll inside their own box.
            assert office.evaluate("document.documentElement.scrollWidth") <= 390
            office.screenshot(path=str(tmp_path / "done.png"), full_page=True)
            # The 公告 (a batch of one) is a numbered document, readable on the phone.
            office.get_by_role("link", name="脱贫退出公告").click()
            office.wait_for_url("**/exits/announcements/*/")
            assert "〔" in office.inner_text(".announcement-number") and "李大" in office.inner_text(".announcement")
            assert office.evaluate("document.documentElement.scrollWidth") <= 390
            office.screenshot(path=str(tmp_path / "announcement.png"), full_page=True)

            cadre.goto(f"{live_server.url}/households/{household.pk}/")
            assert "已脱贫" in cadre.content()
        finally:
            browser.close()
    household.refresh_from_db()
    verification = Verification.objects.get()
    assert household.status == "exited" and verification.status == "completed"
    assert list(verification.events.values_list("action", flat=True)) == [
        "start",
        "approve",
        "publicity_open",
        "publicity_close",
        "approve",
        "approve",
        "announce",
    ]
