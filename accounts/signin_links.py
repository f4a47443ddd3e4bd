"""Sign-in links for volunteers without e-mail habits (issue 21): a coordinator gives one from
the volunteer's page (``volunteers.services.volunteer_signin_link_give``), copies it into an SMS
from their own phone or prints it; the person opens it, presses one button and is signed in.

The link is signed (``django.core.signing``, a salt of its own) and carries a random nonce of
192 bits. Only the nonce's SHA-256 digest is stored (``SignInLink``), never the link. A link
works once, for ``LINK_DAYS`` days, for an account that can only be a volunteer's: a newer link,
the end of the volunteering or a closed access revokes it.

No throttling: a nonce cannot be guessed (2^192), a forged token fails the signature before any
query, and a link that failed tells nothing more than "ask for a new one".
"""

import datetime as dt
import hashlib
import secrets

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Organization, Role, SignInLink, User
from accounts.services import membership_accept

SALT = "accounts.signin_link"
LINK_DAYS = 7
NONCE_BYTES = 24
# The made-up address of an account without e-mail: the reserved ``.invalid`` top-level domain
# (RFC 2606) never resolves, so no mail can leave for it (``User.has_mail_address``).
PLACEHOLDER_DOMAIN = "sans-adresse.invalid"


class LinkUnusable(Exception):
    """A link that cannot sign anyone in: unknown, tampered, used, expired or revoked. Why is
    not said, to the person nor in the answer: they ask their coordinator for a new one."""


def placeholder_email(*, organization: Organization, key: int) -> str:
    """The address of a volunteer's account without e-mail (``key``: their record's id)."""
    return f"benevole-{organization.pk}-{key}@{PLACEHOLDER_DOMAIN}"


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def organization_refusal(*, organization: Organization) -> str | None:
    """Why nobody of ``organization`` may sign in with a link (None: they may)."""
    if organization.two_factor_for_all:
        return _(
            "Votre organisation demande la double authentification à chaque personne : un lien "
            "de connexion ne peut pas la remplacer. Invitez la personne par e-mail."
        )
    return None


def link_only_refusal(*, user: User, organization: Organization) -> str | None:
    """Why ``user`` may not sign in with a link to ``organization`` (None: they may). A link is
    for an account that can only ever be a volunteer's in this one organisation, without a
    password of its own: anything more (a password chosen, a staff role anywhere, even closed;
    the admin site; a second factor; another organisation's access) keeps its password and its
    second factor as the only way in."""
    refusal = organization_refusal(organization=organization)
    if refusal is not None:
        return refusal
    if user.is_staff or user.is_superuser:
        return _("Ce compte a accès à l'administration technique : pas de lien de connexion.")
    memberships = Membership.objects.filter(user=user)
    if memberships.filter(~Q(role=Role.VOLUNTEER)).exists():
        return _(
            "Ce compte a aussi un rôle dans une équipe : la personne se connecte avec son "
            "adresse e-mail et son mot de passe, pas avec un lien."
        )
    if memberships.open().exclude(organization=organization).exists():
        return _(
            "Ce compte donne aussi accès à une autre organisation : la personne se connecte "
            "avec son adresse e-mail et son mot de passe, pas avec un lien."
        )
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return _(
            "Ce compte se connecte avec la double authentification : pas de lien de connexion."
        )
    if user.has_usable_password():  # a link would let someone else in in their name
        return _(
            "La personne se connecte avec son adresse e-mail et son mot de passe : pas de lien, "
            "qui permettrait d'entrer dans son compte à sa place. Si elle l'a oublié, elle en "
            "demande un nouveau depuis la page de connexion."
        )
    return None


def signin_links_revoke(*, user: User | int, organization: Organization | int) -> int:
    """Revoke the links of ``user`` to ``organization`` not used yet; how many."""
    return SignInLink.objects.filter(
        user=user, organization=organization, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


@transaction.atomic
def signin_link_create(
    *, user: User, organization: Organization, by: User
) -> tuple[str, dt.datetime]:
    """A new link for ``user`` (the earlier ones not used yet stop working): its token, shown
    once and never stored, and when it expires. The caller checked who may have one."""
    signin_links_revoke(user=user, organization=organization)
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    now = timezone.now()
    link = SignInLink.objects.create(
        user=user,
        organization=organization,
        digest=_digest(nonce),
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=LINK_DAYS),
    )
    return signing.dumps({"n": nonce}, salt=SALT), link.expires_at


def _nonce(token: str) -> str:
    try:
        data = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.BadSignature:  # tampered, mistyped, or past its age (SignatureExpired)
        raise LinkUnusable from None
    nonce = data.get("n") if isinstance(data, dict) else None
    if not isinstance(nonce, str) or not nonce:
        raise LinkUnusable
    return nonce


def _usable(link: SignInLink | None, now) -> SignInLink:
    if link is None or link.used_at or link.revoked_at or link.expires_at <= now:
        raise LinkUnusable
    user, organization = link.user, link.organization
    if not (user.is_active and organization.is_active):
        raise LinkUnusable
    if link_only_refusal(user=user, organization=organization) is not None:
        raise LinkUnusable
    # The volunteer's access, open (an invitation by e-mail still waiting too: the link given
    # by hand answers it); closed or ended, the link is void.
    if not (
        Membership.objects.open()
        .filter(user=user, organization=organization, role=Role.VOLUNTEER)
        .exists()
    ):
        raise LinkUnusable
    return link


def signin_link_peek(*, token: str) -> SignInLink:
    """The link ``token`` opens, if it can still sign in, without spending it (a messaging
    app's preview opens the page too); else ``LinkUnusable``."""
    link = (
        SignInLink.objects.select_related("user", "organization")
        .filter(digest=_digest(_nonce(token)))
        .first()
    )
    return _usable(link, timezone.now())


@transaction.atomic
def signin_link_use(*, token: str) -> User:
    """Spend the link: the account it signs in (the caller logs it in), or ``LinkUnusable``.
    The row is locked and marked used in one transaction, so that two presses, in two tabs or
    two phones, sign in once."""
    now = timezone.now()
    link = (
        SignInLink.objects.select_for_update()
        .select_related("user", "organization")
        .filter(digest=_digest(_nonce(token)))
        .first()
    )
    link = _usable(link, now)
    spent = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, revoked_at__isnull=True)
    if spent.update(used_at=now) != 1:
        raise LinkUnusable
    waiting = Membership.objects.pending().filter(
        user=link.user, organization=link.organization, role=Role.VOLUNTEER
    )
    for membership in waiting:  # one by one: each acceptance is in the audit trail
        membership_accept(membership=membership)
    return link.user
