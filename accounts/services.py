import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import AccessLog, Membership, Organization, Role, User

logger = logging.getLogger(__name__)

OPERATOR_ROLES = frozenset({Role.ADMIN, Role.DIRECTION, Role.COUNSELLOR, Role.COORDINATOR})


def roles_for(*, organization: Organization) -> list[tuple[str, str]]:
    """Staff roles exist in operators; members of every other organization are partners."""
    if organization.is_operator:
        return [(value, label) for value, label in Role.choices if value in OPERATOR_ROLES]
    return [(Role.PARTNER.value, Role.PARTNER.label)]


def access_log_record(
    *,
    user: User | None,
    organization: Organization,
    obj: models.Model,
    action: str = AccessLog.Action.VIEW,
) -> AccessLog:
    """Write down that ``user`` opened (exported, printed…) the personal record ``obj``; no user:
    the command line (``export_participant`` run by the server's operator)."""
    return AccessLog.objects.create(
        user=user,
        organization=organization,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )


def access_log_record_many(
    *, user: User, organization: Organization, objects: list, action: str
) -> None:
    """One entry per record of an export or a print, in one insert."""
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=user,
                organization=organization,
                action=action,
                content_type=content_type,
                object_id=str(obj.pk),
            )
            for obj in objects
        ],
        batch_size=1000,
    )


def access_log_purge_expired(*, now=None) -> int:
    """Delete the security logs older than the retention period: the log of record openings and
    the log-in records of django-axes (e-mail addresses, IP addresses, browsers)."""
    from axes.models import AccessFailureLog
    from axes.models import AccessLog as LoginLog

    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted = AccessLog.objects.filter(at__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += LoginLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return deleted


@transaction.atomic
def membership_invite(
    *,
    organization: Organization,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    language: str = settings.LANGUAGE_CODE,
    volunteer: bool = False,
) -> Membership:
    """Invite someone to a role in ``organization`` and tell them by e-mail.

    The membership waits for the person's answer and gives no access until then: a new person
    accepts by choosing a password through the link, someone who already has an account accepts
    on the invitations page (``membership_accept``). Until then the team sees the name the
    inviter typed, never the account's: the answer and the team list are the same either way,
    so that an admin cannot use this form to learn who has an account elsewhere, nor link
    someone without their consent.
    """
    # A volunteer's log-in is given from their record (volunteers.services), not the team page.
    roles = [Role.VOLUNTEER] if volunteer and organization.is_operator else []
    if role not in [*dict(roles_for(organization=organization)), *roles]:
        raise ValidationError({"role": _("Ce rôle n'existe pas dans ce type d'organisation.")})
    email = User.objects.normalize_email(email).lower()
    already = _("Cette personne fait déjà partie de l'équipe de %(organization)s.") % {
        "organization": organization
    }
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, first_name=first_name, last_name=last_name, language=language
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError({"email": already})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                organization=organization,
                role=role,
                accepted_at=None,
                invited_first_name=first_name,
                invited_last_name=last_name,
            )
    except IntegrityError:  # the same person added twice at the same moment
        raise ValidationError({"email": already}) from None
    membership_send_invitation_later(membership=membership)
    return membership


def membership_accept(*, membership: Membership) -> Membership:
    """The person says yes: the membership gives its role from now on."""
    if membership.accepted_at is None:
        membership.accepted_at = timezone.now()
        membership.save(update_fields=["accepted_at"])
    return membership


def membership_decline(*, membership: Membership) -> None:
    """The person says no: the invitation is withdrawn (the audit trail keeps it)."""
    if membership.accepted_at is None:
        membership.delete()


def memberships_accept_on_first_password(*, user: User) -> int:
    """An invited person chose the password of their new account: that answers the
    invitations that made it (the e-mail's link was the acceptance). How many."""
    waiting = list(Membership.objects.filter(user=user, accepted_at__isnull=True))
    for membership in waiting:  # one by one: each acceptance is in the audit trail
        membership_accept(membership=membership)
    return len(waiting)


# An invitation is owed while ``invitation_sent_at`` is empty. The periodic check leaves it this
# long to the queued task before it sends it itself (it would be sent twice otherwise)...
INVITATION_QUEUE_GRACE = timedelta(minutes=10)
# ...and looks this far back for a colleague who already had an account (told they were added):
# older memberships without a date are the admin site's or a seed's, not owed an e-mail. One
# without a password yet has no other way in: owed whatever its age.
INVITATION_CATCH_UP = timedelta(days=3)


def membership_send_invitation_later(*, membership: Membership) -> None:
    """Queue the invitation once the transaction is committed. With the broker unreachable, the
    membership is left (or put back) without ``invitation_sent_at``: the periodic check
    (``memberships_send_due_invitations``) sends it once the broker is back."""
    from accounts.queueing import MAIL_LATER, enqueue_on_commit
    from accounts.tasks import membership_send_invitation

    def owed() -> None:
        # A re-sent invitation too: the date of the previous one is no longer the last word.
        Membership.objects.filter(pk=membership.pk).update(invitation_sent_at=None)

    enqueue_on_commit(
        membership_send_invitation,
        membership.pk,
        on_broker_down=owed,
        notice=MAIL_LATER,
    )


def memberships_due_invitation(*, now=None) -> models.QuerySet[Membership]:
    """Open memberships (accepted, or still waiting for the person's answer, as every new
    invitation is) whose invitation was asked for and never sent (the broker was down), past the
    grace left to the queued task."""
    now = now or timezone.now()
    return (
        Membership.objects.open()
        .filter(invitation_sent_at=None, created_at__lt=now - INVITATION_QUEUE_GRACE)
        .filter(
            models.Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
            | models.Q(created_at__gte=now - INVITATION_CATCH_UP)
        )
    )


def memberships_send_due_invitations(*, now=None) -> int:
    """Periodic (celery beat): send the invitations owed; how many were sent. One that fails
    (the mail server) is logged and tried again by the next check."""
    sent = 0
    owed = memberships_due_invitation(now=now).select_related("user", "organization")
    for membership in owed.order_by("pk"):
        try:
            membership_send_invitation(membership=membership)
        except Exception:
            logger.exception(
                "Invitation of membership %s: not sent, tried again later.", membership.pk
            )
        else:
            sent += 1
    return sent


def membership_send_invitation(*, membership: Membership) -> None:
    """E-mail the person, in their language, and note when it was sent.

    Without a password yet: a link to choose one. With an account already: a notice that they
    were added to the organization (nothing to click but the site's address). Nothing goes to a
    made-up address (``User.has_mail_address``): the access is marked as dealt with, so the
    periodic check does not try again.
    """
    user = membership.user
    if not user.has_mail_address:
        Membership.objects.filter(pk=membership.pk).update(invitation_sent_at=timezone.now())
        return
    template = "accounts/email/invitation.txt"
    if user.has_usable_password():
        template = "accounts/email/membership_added.txt"
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.language):
        context = {
            "user": user,
            "membership": membership,
            "link": settings.SITE_URL + path,
            "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        }
        subject = _("Votre accès à Chantiers & Parcours — %(organization)s") % {
            "organization": membership.organization
        }
        context["site_url"] = settings.SITE_URL
        body = render_to_string(template, context)
    send_mail(subject, body, None, [user.email])
    membership.invitation_sent_at = timezone.now()
    membership.save(update_fields=["invitation_sent_at"])


@transaction.atomic
def membership_update(
    *, membership: Membership, role: str, is_active: bool, can_read_restricted_notes: bool
) -> Membership:
    if membership.role == Role.VOLUNTEER:  # a volunteer's access stays one (issue 21)
        allowed = {Role.VOLUNTEER.value}
    else:
        allowed = set(dict(roles_for(organization=membership.organization)))
    if role not in allowed:
        raise ValidationError({"role": _("Ce rôle n'existe pas dans ce type d'organisation.")})
    # Lock the organization first, so that two admins demoting each other wait for one another
    # instead of deadlocking; then read the stored row (a form may have changed the instance).
    Organization.objects.select_for_update().get(pk=membership.organization_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    losing_admin = membership.role == Role.ADMIN and (role != Role.ADMIN or not is_active)
    if losing_admin:
        other_admins = (
            Membership.objects.active()
            .select_for_update()
            .filter(organization=membership.organization, role=Role.ADMIN)
            .exclude(pk=membership.pk)
        )
        if not other_admins.exists():
            raise ValidationError(
                _(
                    "L'organisation doit garder au moins une personne active avec le rôle "
                    "Administration."
                )
            )
    membership.role = role
    membership.is_active = is_active
    membership.can_read_restricted_notes = can_read_restricted_notes
    membership.save(update_fields=["role", "is_active", "can_read_restricted_notes"])
    return membership
