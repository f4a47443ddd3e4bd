"""Signals (issue 21, point 3): a situation a relay noticed, raised by a volunteer or the team,
taken up by a counsellor who turns it into an intake or a need and closes it.

Each change of state locks the signal's row: a second click waits for the first, then finds the
work done — taking up again one's own signal changes nothing, closing a closed one is refused
with a sentence that says so (a need is never written twice)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from participants.models import NeedCategory, Participant
from participants.services import need_add
from volunteers.models import ContactPoint, Signal

ALREADY_CLOSED = "already_closed"


def _refused_person(participant: Participant | None, organization_id: int) -> str | None:
    """Why this person cannot be named on a signal of the organisation, or None."""
    if participant is None:
        return None
    if participant.organization_id != organization_id:
        return _("Cette personne n'est pas suivie par votre organisation.")
    if participant.anonymised_at is not None:
        return _("Cette personne est anonymisée : rien de nouveau ne peut être noté à son sujet.")
    return None


@transaction.atomic
def signal_raise(*, signal: Signal, by: User) -> Signal:
    """A new signal, received by the team. From a relay (``signal.raised_by``) it is always
    anonymous: a volunteer does not browse the people followed here."""
    errors = {}
    if signal.raised_on is None:
        errors["raised_on"] = _("Indiquez la date.")
    elif signal.raised_on > timezone.localdate():
        errors["raised_on"] = _("Une date future n'est pas acceptée ici.")
    if (
        signal.contact_point_id is not None
        and not ContactPoint.objects.filter(
            pk=signal.contact_point_id, organization=signal.organization_id, is_active=True
        ).exists()
    ):
        errors["contact_point"] = _(
            "Choisissez un point de contact en activité de votre organisation."
        )
    if signal.need_category not in NeedCategory.values:
        errors["need_category"] = _("Choisissez le besoin.")
    if signal.urgency not in Signal.Urgency.values:
        errors["urgency"] = _("Choisissez l'urgence.")
    if not signal.description.strip():
        errors["description"] = _("Décrivez la situation en quelques mots.")
    if signal.raised_by is not None:
        if signal.raised_by.user_id != by.pk or (
            signal.raised_by.organization_id != signal.organization_id
        ):
            raise ValidationError(_("Un signalement de relais est envoyé par le relais lui-même."))
        if signal.participant_id is not None:
            errors["participant"] = _("Le signalement d'un relais reste anonyme.")
    elif refused := _refused_person(signal.participant, signal.organization_id):
        errors["participant"] = refused
    if errors:
        raise ValidationError(errors)
    signal.raised_by_user = by
    signal.description = signal.description.strip()
    signal.status, signal.outcome = Signal.Status.OPEN, ""
    signal.taken_up_by = signal.taken_up_at = signal.need = signal.closed_at = None
    signal.save()
    return signal


def _locked(signal: Signal) -> Signal:
    return Signal.objects.select_for_update().get(pk=signal.pk)


@transaction.atomic
def signal_take_up(*, signal: Signal, by: User) -> Signal:
    """An open signal is now ``by``'s to act on. Taken up by them already: nothing changes."""
    locked = _locked(signal)
    if locked.status == Signal.Status.CLOSED:
        raise ValidationError(_("Ce signalement est déjà clôturé."), code=ALREADY_CLOSED)
    if locked.status == Signal.Status.TAKEN_UP:
        if locked.taken_up_by_id == by.pk:
            return locked
        raise ValidationError(
            _("%(name)s a déjà pris ce signalement en charge.") % {"name": locked.taken_up_by}
        )
    locked.status = Signal.Status.TAKEN_UP
    locked.taken_up_by, locked.taken_up_at = by, timezone.now()
    locked.save(update_fields=["status", "taken_up_by", "taken_up_at"])
    return locked


@transaction.atomic
def signal_close(
    *, signal: Signal, by: User, outcome: str, participant: Participant | None = None
) -> Signal:
    """What came of the signal, closed. ``need``: a need of the signal's category written in the
    file of the person (required) and linked; ``intake``: the person just welcomed may be named
    (their record created through the usual page). A signal closed while open is taken up by
    whoever closes it. ``participant`` None keeps the person the signal already names."""
    locked = _locked(signal)
    if locked.status == Signal.Status.CLOSED:
        raise ValidationError(_("Ce signalement est déjà clôturé."), code=ALREADY_CLOSED)
    if outcome not in Signal.Outcome.values:
        raise ValidationError({"outcome": _("Choisissez la suite donnée au signalement.")})
    person = participant or locked.participant
    if refused := _refused_person(person, locked.organization_id):
        raise ValidationError({"participant": refused})
    if outcome == Signal.Outcome.NEED:
        if person is None:
            raise ValidationError(
                {"participant": _("Choisissez la personne dont l'accompagnement note ce besoin.")}
            )
        note = _("Signalement du %(date)s") % {"date": locked.raised_on.strftime("%d/%m/%Y")}
        locked.need = need_add(
            participant=person,
            category=locked.need_category,
            identified_on=locked.raised_on,
            note=note,
        )
    now = timezone.now()
    if locked.taken_up_by_id is None:
        # Closed at once: who handled it, but no taking up (``taken_up_at`` stays empty, which
        # the report reads — reporting.indicators.volunteers).
        locked.taken_up_by = by
    locked.participant = person
    locked.status, locked.outcome, locked.closed_at = Signal.Status.CLOSED, outcome, now
    locked.save(
        update_fields=[
            "status",
            "outcome",
            "closed_at",
            "participant",
            "need",
            "taken_up_by",
            "taken_up_at",
        ]
    )
    return locked
