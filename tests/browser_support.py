"""Signing in through the real login form in browser tests: password, then the 6-digit code when asked."""
from conftest import PASSWORD
from tests.otp_support import confirmed_device, fresh_code

OTP_VERIFY_PATH = "/accounts/2fa/verify/"


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
