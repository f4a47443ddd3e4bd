"""The second factor at log-in (DESIGN §6 "Privacy"): who needs one, enrolment, verification,
backup codes and an administrator's reset. The devices are django-otp's: a TOTP device (the
phone's authenticator app, a code every 30 seconds) and a static device (ten backup codes,
each usable once).

The password is the first step (the log-in page, throttled by django-axes); until the second
is done, ``TwoFactorMiddleware`` lets the session reach nothing but these pages.
"""

from base64 import b32encode

import segno
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, TwoFactorEvent, User

# The roles that reach the organization's money and every file: always a second factor.
ROLES_WITH_SECOND_FACTOR = frozenset({Role.ADMIN, Role.DIRECTION})
BACKUP_CODES = 10
CODE_SUFFIX = "#code"  # the code step's failures, counted apart from the password's


def two_factor_required(*, user: User, memberships) -> bool:
    """Whether this account logs in with a second factor: a staff account (the technical admin
    site), an administration or direction role anywhere, or a member of an organization that
    asks it of every role. ``memberships``: the accepted ones (an invitation not yet accepted
    gives no access, so it asks nothing either)."""
    return user.is_staff or any(
        membership.role in ROLES_WITH_SECOND_FACTOR or membership.organization.two_factor_for_all
        for membership in memberships
    )


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


PENDING_SESSION_KEY = "two_factor_pending_device"


def totp_device_pending(*, request) -> TOTPDevice:
    """The device being enrolled in this session: its key is shown as a QR code until the person
    types a code from their app — the same key on every reload, so that a scan is never lost.
    Tied to the session: a key another session (someone else with the password) displayed is
    deleted, never shown again, so that nobody holds a copy of the key the person scans."""
    user = request.user
    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    device = pending.filter(pk=request.session.get(PENDING_SESSION_KEY)).first()
    if device is None:
        pending.delete()
        device = TOTPDevice.objects.create(
            user=user, name=_("Application d'authentification"), confirmed=False
        )
        request.session[PENDING_SESSION_KEY] = device.pk
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The enrolment QR code, as inline SVG (no image request, nothing cached)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, dark="#000", light="#fff"
    )


def key_for_typing(device: TOTPDevice) -> str:
    """The key in groups of four, for an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[start : start + 4] for start in range(0, len(key), 4))


def _codes_renew(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": _("Codes de secours")}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enrol(*, request, device: TOTPDevice, token: str) -> list[str]:
    """Confirms the device with a code typed from the app, verifies this session with it, and
    returns the new backup codes (shown once). A wrong code: ValidationError, nothing kept
    but the key, so the person can try again without scanning again."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if device.confirmed or not _digits(token) or not device.verify_token(_digits(token)):
        raise ValidationError(
            _("Ce code ne correspond pas. Tapez le code affiché maintenant par l'application.")
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    request.session.pop(PENDING_SESSION_KEY, None)
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    codes = _codes_renew(request.user)
    TwoFactorEvent.objects.create(user=request.user, kind=TwoFactorEvent.Kind.ENROLLED)
    otp_login(request, device)
    return codes


def two_factor_verify(*, request, token: str) -> tuple[bool, int | None]:
    """The second step of log-in: a code of the app, or one of the backup codes (used up).

    Returns (verified, backup codes left when one was used). A wrong code counts as a failed
    log-in for django-axes, which locks the account from this address as after wrong
    passwords; each device also slows repeated failures down by itself (django-otp)."""
    user = request.user
    typed = token.strip()
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if _digits(typed) and device.verify_token(_digits(typed)):
            otp_login(request, device)
            return True, None
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(typed.replace(" ", "").lower()):
            otp_login(request, device)
            TwoFactorEvent.objects.create(user=user, kind=TwoFactorEvent.Kind.BACKUP_USED)
            return True, device.token_set.count()
    user_login_failed.send(sender=__name__, credentials=code_credentials(user), request=request)
    return False, None


def code_credentials(user: User) -> dict:
    """What django-axes counts the code step's failures under: a name of its own, so that a
    right password (which resets the password's counter) never resets the codes'. Five wrong
    codes lock the code step for the cool-off, however often the password is typed again."""
    return {"username": f"{user.email}{CODE_SUFFIX}"}


@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """New backup codes; the old ones stop working."""
    codes = _codes_renew(user)
    TwoFactorEvent.objects.create(user=user, kind=TwoFactorEvent.Kind.BACKUP_RENEWED)
    return codes


def backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_reset(*, user: User, by: User, organization) -> None:
    """A lost phone and no backup code left: an administrator of one of the person's
    organizations removes their devices; the person enrols again at their next log-in (their
    open sessions lose their second factor at once). Logged, with who and for which team."""
    if user == by:
        raise ValidationError(
            _(
                "Vous ne pouvez pas réinitialiser votre propre double authentification : "
                "utilisez un code de secours, ou demandez-le à un·e autre administrateur·rice."
            )
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _sessions_end(user)
    TwoFactorEvent.objects.create(
        user=user, kind=TwoFactorEvent.Kind.RESET, by=by, organization=organization
    )


def _sessions_end(user: User) -> None:
    """Every open session of the person ends: enrolling a new phone asks for the password again
    (an open session on a lost laptop must not enrol the finder's phone)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()


def two_factor_events(*, user: User, organization, limit: int = 5):
    """The account's latest second-factor events, for an administrator of ``organization``: the
    person's own (enrolment, backup codes) and the resets done by this organization, never who
    reset it in another one."""
    return list(
        TwoFactorEvent.objects.filter(user=user)
        .filter(Q(organization__isnull=True) | Q(organization=organization))
        .select_related("by", "organization")[:limit]
    )


def _digits(token: str) -> str:
    """A code of the app as typed: spaces and a dash in the middle ("123 456") are how apps
    display it. Anything but six ASCII digits is no code of the app (an empty string)."""
    compact = token.replace(" ", "").replace("-", "")
    return compact if len(compact) == 6 and all(c in "0123456789" for c in compact) else ""
