"""Volunteers' records and log-ins (issue 21). Their service sheets are chantiers.sheets: the
indemnity engine's business."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import signin_links
from accounts.models import Membership, Organization, Role, User
from accounts.services import membership_invite, membership_send_invitation_later
from chantiers.models import ServiceSheet
from chantiers.sheets import sheet_year_days
from participants.models import Participant
from participants.services import participant_register
from volunteers.models import Volunteer


@transaction.atomic
def volunteer_register(
    *,
    organization: Organization,
    by: User,
    since: dt.date,
    activity: str,
    participant: Participant | None = None,
    not_a_duplicate: bool = False,
    **person,
) -> Volunteer:
    """A new volunteer: a new person record without a pathway (the duplicate rules of every
    record), or a participant already known — then one record carries both, and the year's
    ceilings are theirs once."""
    if participant is None:
        participant = participant_register(
            organization=organization, by=by, not_a_duplicate=not_a_duplicate, **person
        )
    elif participant.organization_id != organization.pk:
        raise ValidationError(_("Cette personne n'est pas suivie par votre organisation."))
    else:
        # The person's row locked: a double click (or two colleagues) waits here, then meets
        # the check below instead of the database's constraint.
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
    already = ValidationError(_("%(name)s est déjà bénévole.") % {"name": participant})
    if Volunteer.objects.filter(participant=participant).exists():
        raise already
    if since > timezone.localdate():
        raise ValidationError({"since": _("La date ne peut pas être dans le futur.")})
    try:
        with transaction.atomic():
            return Volunteer.objects.create(
                participant=participant, organization=organization, since=since, activity=activity
            )
    except IntegrityError:  # registered at this very moment all the same
        raise already from None


@transaction.atomic
def volunteer_invite(*, volunteer: Volunteer, email: str, language: str = "fr") -> Membership:
    """Give the volunteer a log-in (role ``volunteer``): an e-mail to choose a password, as
    for staff. They then see their own sheets and balance, nothing else.

    Refused while the person has an open access in the organisation (active, or an invitation
    waiting for their answer); after a declined or closed one they may be invited again — to
    another address, or the same one under ``membership_invite``'s rules."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    organization = volunteer.organization
    if volunteer.ended_on is not None:
        raise ValidationError(
            _("Ce bénévolat est terminé : la personne ne peut plus être invitée.")
        )
    if volunteer.user_id is not None and not volunteer.user.has_mail_address:
        # An account made for a sign-in link (no e-mail): the person now has an address.
        replaced = _volunteer_link_account_give_address(
            volunteer=volunteer, email=email, language=language
        )
        if replaced is not None:
            return replaced
    if volunteer.user_id is not None:
        current = Membership.objects.open().filter(
            user=volunteer.user_id, organization=organization
        )
        if current.filter(accepted_at__isnull=True).exists():
            raise ValidationError(_("Une invitation attend déjà la réponse de la personne."))
        if current.exists():
            raise ValidationError(_("Cette personne a déjà un accès."))
    taken = ValidationError(
        {"email": _("Cette adresse est déjà celle de l'accès d'un·e autre bénévole.")}
    )
    normalized = User.objects.normalize_email(email).lower()
    if (
        Volunteer.objects.filter(organization=organization, user__email__iexact=normalized)
        .exclude(pk=volunteer.pk)
        .exists()
    ):
        raise taken
    person = volunteer.participant
    membership = membership_invite(
        organization=organization,
        email=email,
        first_name=person.first_name,
        last_name=person.last_name,
        role=Role.VOLUNTEER,
        language=language,
        volunteer=True,
    )
    volunteer.user = membership.user
    try:
        with transaction.atomic():
            volunteer.save(update_fields=["user"])
    except IntegrityError:  # linked to another volunteer at this very moment
        raise taken from None
    return membership


def _volunteer_link_account_give_address(
    *, volunteer: Volunteer, email: str, language: str
) -> Membership | None:
    """The volunteer's account has no e-mail (``volunteer_signin_link_give``) and is given
    ``email``: the made-up address is replaced and the person is e-mailed, as any invited
    person, a link to choose a password; their access stays open meanwhile, their sign-in links
    are revoked. None when the address is already another account's: that account is then
    invited as for anyone (its owner answers the invitation), the link-only access closed."""
    user = volunteer.user
    normalized = User.objects.normalize_email(email).lower()
    signin_links.signin_links_revoke(user=user, organization=volunteer.organization)
    membership = (
        Membership.objects.open()
        .filter(user=user, organization=volunteer.organization, role=Role.VOLUNTEER)
        .first()
    )
    if membership is None:  # closed: invited afresh under the usual rules
        return None
    if User.objects.filter(email__iexact=normalized).exists():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        return None
    user.email, user.language = normalized, language
    user.save(update_fields=["email", "language"])
    membership_send_invitation_later(membership=membership)
    return membership


@transaction.atomic
def volunteer_signin_link_give(*, volunteer: Volunteer, by: User) -> tuple[str, dt.datetime]:
    """A sign-in link for a volunteer without e-mail habits (``accounts.signin_links``): its
    token, to be shown once, and when it expires. Without a log-in yet, the volunteer is given
    an account of their own that can only be signed in with a link: a made-up address where no
    mail can go, no password, and the volunteer's access, open at once (given by hand, face to
    face: there is no invitation for the person to answer, and none must be e-mailed). A newer
    link revokes the earlier ones. Refused — nothing created — when the organisation asks a
    second factor of everyone, when the account is more than a volunteer's, when the
    volunteering has ended or the access was closed."""
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("participant", "organization", "user")
        .get(pk=volunteer.pk)
    )
    organization, user = volunteer.organization, volunteer.user
    if volunteer.ended_on is not None:
        raise ValidationError(_("Ce bénévolat est terminé : pas de lien de connexion."))
    refusal = signin_links.organization_refusal(organization=organization)
    if refusal is not None:
        raise ValidationError(refusal)
    if user is None:
        user = _volunteer_link_account(volunteer=volunteer)
    elif not (
        Membership.objects.open()
        .filter(user=user, organization=organization, role=Role.VOLUNTEER)
        .exists()
    ):
        raise ValidationError(
            _(
                "L'accès de cette personne à l'application est fermé (invitation refusée ou "
                "accès fermé) : pas de lien de connexion."
            )
        )
    refusal = signin_links.link_only_refusal(user=user, organization=organization)
    if refusal is not None:
        raise ValidationError(refusal)
    return signin_links.signin_link_create(user=user, organization=organization, by=by)


def _volunteer_link_account(*, volunteer: Volunteer) -> User:
    """The volunteer's account without e-mail nor password, and their open access."""
    person, organization = volunteer.participant, volunteer.organization
    email = signin_links.placeholder_email(organization=organization, key=volunteer.pk)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, first_name=person.first_name, last_name=person.last_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    now = timezone.now()
    Membership.objects.get_or_create(
        user=user,
        organization=organization,
        defaults={
            "role": Role.VOLUNTEER,
            "accepted_at": now,
            # Nothing owed: no invitation is ever e-mailed to this account.
            "invitation_sent_at": now,
            "invited_first_name": person.first_name,
            "invited_last_name": person.last_name,
        },
    )
    volunteer.user = user
    volunteer.save(update_fields=["user"])
    return user


@transaction.atomic
def volunteer_end(*, volunteer: Volunteer, ended_on: dt.date, by: User) -> Volunteer:
    """The volunteering ends on ``ended_on`` (``by``: the coordinator or the direction who says
    so). Refused while sheets wait for an answer. The volunteer's access to the organisation is
    closed; their record is then kept only as long as the privacy rules say."""
    volunteer = (
        Volunteer.objects.select_for_update().select_related("participant").get(pk=volunteer.pk)
    )
    if volunteer.ended_on is not None:
        raise ValidationError(
            _("Ce bénévolat est déjà terminé (le %(date)s).")
            % {"date": volunteer.ended_on.strftime("%d/%m/%Y")}
        )
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("La date ne peut pas être dans le futur.")})
    if ended_on < volunteer.since:
        raise ValidationError(
            {
                "ended_on": _("La fin ne peut pas précéder le début du bénévolat (%(since)s).")
                % {"since": volunteer.since.strftime("%d/%m/%Y")}
            }
        )
    waiting = ServiceSheet.objects.filter(
        participant=volunteer.participant_id,
        organization=volunteer.organization_id,
        status=ServiceSheet.Status.SUBMITTED,
    ).count()
    if waiting:
        raise ValidationError(
            ngettext(
                "%(count)s prestation attend encore une réponse : validez-la ou renvoyez-la "
                "avant de terminer le bénévolat.",
                "%(count)s prestations attendent encore une réponse : validez-les ou "
                "renvoyez-les avant de terminer le bénévolat.",
                waiting,
            )
            % {"count": waiting}
        )
    volunteer.ended_on = ended_on
    volunteer.save(update_fields=["ended_on"])
    # Off the rota's shifts after the end: their places reopen (``shifts_reopened``, said to
    # the coordinator). Imported here: the rota reads ``volunteer_of`` of this module.
    from volunteers.rota import assignments_release

    volunteer.shifts_reopened = assignments_release(volunteer=volunteer, after=ended_on)
    if volunteer.user_id is not None:
        # The volunteer's access (role ``volunteer``): a staff access of the same person is
        # not theirs to close here.
        for membership in Membership.objects.select_for_update().filter(
            user=volunteer.user_id,
            organization=volunteer.organization_id,
            role=Role.VOLUNTEER,
            is_active=True,
        ):
            membership.is_active = False  # one by one: each closing is in the audit trail
            membership.save(update_fields=["is_active"])
        signin_links.signin_links_revoke(
            user=volunteer.user_id, organization=volunteer.organization_id
        )
    return volunteer


def volunteer_of(*, user: User, organization: Organization) -> Volunteer | None:
    """The record of the volunteer logged in, in the organization they act in."""
    return (
        Volunteer.objects.filter(user=user, organization=organization, ended_on__isnull=True)
        .select_related("participant")
        .first()
    )


@transaction.atomic
def volunteer_details_update(
    *, volunteer: Volunteer, contact: dict, income: dict | None = None
) -> Participant:
    """A volunteer's details changed by the team: the record's contact, address and IBAN as the
    participant's edit page writes them (``participant_update``), and a new income source
    through its own service (the history kept, the days since recomputed). All or nothing."""
    # Imported here: this file's imports are shared (added only at the end, issue 21).
    from participants.services import income_source_change, participant_update

    participant = participant_update(participant=volunteer.participant, **contact)
    if income is not None:
        income_source_change(participant=participant, **income)
    return participant


# How many of the year's days with a sheet the sheet's form recalls beside its date.
DAYS_RECALLED = 5


def sheet_days_recalled(*, volunteer: Volunteer) -> list[dt.date]:
    """The volunteer's last days of the year with a sheet, the latest first: shown beside the
    sheet's date (theirs, or the paper one the team types), so that no day is typed twice."""
    days = sheet_year_days(participant_id=volunteer.participant_id, year=timezone.localdate().year)
    return sorted(days, reverse=True)[:DAYS_RECALLED]
