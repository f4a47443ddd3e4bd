"""Volunteers' records and log-ins (issue 21). Their service sheets are chantiers.sheets: the
indemnity engine's business."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from accounts.services import membership_invite
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
    if Volunteer.objects.filter(participant=participant).exists():
        raise ValidationError(_("%(name)s est déjà bénévole.") % {"name": participant})
    if since > timezone.localdate():
        raise ValidationError({"since": _("La date ne peut pas être dans le futur.")})
    return Volunteer.objects.create(
        participant=participant, organization=organization, since=since, activity=activity
    )


@transaction.atomic
def volunteer_invite(*, volunteer: Volunteer, email: str, language: str = "fr") -> Membership:
    """Give the volunteer a log-in (role ``volunteer``): an e-mail to choose a password, as
    for staff. They then see their own sheets and balance, nothing else."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.user_id is not None:
        raise ValidationError(_("Cette personne a déjà un accès."))
    person = volunteer.participant
    membership = membership_invite(
        organization=volunteer.organization,
        email=email,
        first_name=person.first_name,
        last_name=person.last_name,
        role=Role.VOLUNTEER,
        language=language,
        volunteer=True,
    )
    volunteer.user = membership.user
    volunteer.save(update_fields=["user"])
    return membership


def volunteer_of(*, user: User, organization: Organization) -> Volunteer | None:
    """The record of the volunteer logged in, in the organization they act in."""
    return (
        Volunteer.objects.filter(user=user, organization=organization, ended_on__isnull=True)
        .select_related("participant")
        .first()
    )
