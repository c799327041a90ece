"""Second-factor helpers for tests: a confirmed authenticator for a user, the code it shows now, and a
session marked as verified (what ``django_otp.login`` does after a good code)."""
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import TOTP_DEVICE_NAME, requires_second_factor


def confirmed_device(user) -> TOTPDevice:
    """The user's confirmed authenticator, made (random secret) if he has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def code_at(device: TOTPDevice, at: float) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next step's when the current one was used."""
    device.refresh_from_db()
    now = time.time()
    current_step = int((now - device.t0) // device.step)
    if device.last_t >= current_step + 1:  # both allowed steps used: wait for the next one
        time.sleep((current_step + 1) * device.step + device.t0 - now + 0.1)
        return fresh_code(device)
    step = max(current_step, device.last_t + 1)
    return code_at(device, device.t0 + step * device.step)


def mark_verified(client, user):
    """Mark the client's session as having passed the second factor (if the user needs one)."""
    if not requires_second_factor(user):
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()
