"""Leading-group staff generates the county's quarterly report, a colleague reviews it, it is signed and the
signed PDF is downloaded: the file's SHA-256 equals the stored one (Debian chromium, desktop and phone)."""
import hashlib

import pytest
from playwright.sync_api import sync_playwright

from reports.models import QuarterlyReport, ReportStatus
from tests.browser_support import launch_chromium, sign_in


def login(browser, live_server, user, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone, accept_downloads=True)
    page = context.new_page()
    return sign_in(page, live_server, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_generate_review_sign_and_download(live_server, areas, leading_group_staff, report_reviewer, demo_signing_ca,
                                           report_media, eager_tasks, tmp_path):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            office = login(browser, live_server, leading_group_staff)
            office.goto(f"{live_server.url}/reports/")
            office.get_by_role("link", name="＋ 生成报告").click()
            office.select_option("select[name=area]", "530427000000")
            office.select_option("select[name=period]", "2024Q2")
            office.get_by_role("button", name="生成报告").click()
            office.wait_for_url("**/reports/*/")
            report = QuarterlyReport.objects.get()
            assert report.status == ReportStatus.DRAFT
            assert "待审核" in office.inner_text("#report-status")
            assert "须由其他同事审核" in office.content()
            assert office.get_by_role("button", name="审核通过").count() == 0

            colleague = login(browser, live_server, report_reviewer, phone=True)
            colleague.goto(f"{live_server.url}/reports/{report.pk}/")
            colleague.fill("input[name=note]", "数字与台账核对一致")
            colleague.get_by_role("button", name="审核通过").click()
            colleague.wait_for_load_state("load")
            assert "已审核" in colleague.inner_text("#report-status")
            colleague.screenshot(path=str(tmp_path / "reviewed-phone.png"), full_page=True)

            office.reload()
            office.get_by_role("button", name="签发（电子签章）").click()
            office.wait_for_selector("#signed-sha256", timeout=60_000)
            assert "已签署" in office.inner_text("#report-status")
            with office.expect_download() as info:
                office.get_by_role("link", name="下载签署版 PDF").click()
            path = info.value.path()
            data = open(path, "rb").read()
        finally:
            browser.close()
    report.refresh_from_db()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == report.signed_sha256
    assert report.status == ReportStatus.SIGNED and report.reviewed_by == report_reviewer
