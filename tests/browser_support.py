"""Browser tests: Debian's chromium as the container runs it, and signing in through the real login form
(password, then the 6-digit code when asked)."""
from conftest import PASSWORD
from tests.otp_support import confirmed_device, fresh_code

OTP_VERIFY_PATH = "/accounts/2fa/verify/"
CHROMIUM = "/usr/bin/chromium"
# No sandbox and none of the background services a container lacks.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def launch_chromium(playwright):
    """A headless chromium of the system (not Playwright's download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def sign_in(page, live_server, user, *, password=PASSWORD, landing="/"):
    """Log ``user`` in on ``page`` and wait for ``landing``; gives the TOTP code if the code page appears."""
    from accounts.otp import requires_second_factor

    device = confirmed_device(user) if requires_second_factor(user) else None
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    if OTP_VERIFY_PATH in page.url:
        assert device is not None, "验证码页只应出现在需要第二因素的账号上"
        page.fill("#id_code", fresh_code(device))
        page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}{landing}")
    return page
