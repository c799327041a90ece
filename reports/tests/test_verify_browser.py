"""The public verification page on a phone and a desktop (Debian chromium): anonymous, no sideways scrolling,
the signed file uploaded → 核验通过, a tampered copy → 核验未通过. Screenshots go to ``SCREENSHOT_DIR`` (or
the test's temporary directory)."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser_support import launch_chromium

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def verdict(page, path, shown: str) -> str:
    """Upload ``path`` on the verification page and read the verdict once ``shown`` appears."""
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="核验").click()
    page.wait_for_selector(shown)
    return page.locator(".verdict").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_verify_page_on_phone_and_desktop(live_server, stored_signed_report, signed_sample, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    good = tmp_path / "报告.pdf"
    good.write_bytes(signed_sample.data)
    bad_bytes = bytearray(signed_sample.data)
    bad_bytes[len(bad_bytes) // 2] ^= 0x01
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(bad_bytes))
    url = f"{live_server.url}/reports/verify/{stored_signed_report.verification_token}/"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name, viewport in VIEWPORTS.items():
                page = browser.new_context(viewport=viewport, is_mobile=name == "phone").new_page()
                page.goto(url)
                assert page.locator("h1").inner_text() == "季度进展报告核验"
                assert stored_signed_report.signed_sha256 in page.content()
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                page.screenshot(path=str(shots / f"verify-{name}.png"), full_page=True)
                assert verdict(page, good, ".verdict") == "✔ 核验通过"
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                page.screenshot(path=str(shots / f"verify-{name}-passed.png"), full_page=True)
                assert verdict(page, bad, ".verdict.bad") == "✘ 核验未通过"
                page.screenshot(path=str(shots / f"verify-{name}-failed.png"), full_page=True)
                page.context.close()
        finally:
            browser.close()
