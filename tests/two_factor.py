"""The second factor in tests: a code of an account's app, and a test client's session verified
as the code page would verify it."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership
from accounts.two_factor import two_factor_required


def current_code(device: TOTPDevice) -> str:
    """What the phone shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def unused_code(device: TOTPDevice) -> str:
    """A code the device accepts now: a code is taken once (django-otp remembers the last
    time step used), so a second log-in within the same 30 s uses the next step's code, which
    the device accepts too (one step of tolerance), or waits for the next step."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    if device.last_t >= now + 1:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.5)
        now += 1
    drift = 1 if device.last_t >= now else 0
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"


def verify_session_of(client, user) -> None:
    memberships = Membership.objects.active().filter(user=user).select_related("organization")
    if not two_factor_required(user=user, memberships=memberships):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
