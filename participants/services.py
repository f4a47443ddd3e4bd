"""Writes on participants and pathways. Each rule of DESIGN §4 "Pathways" lives here."""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dates import add_months
from accounts.models import Organization, User
from participants import selectors
from participants.models import (
    FollowUp,
    Goal,
    IncomeSource,
    Need,
    Participant,
    Pathway,
    PathwayEvent,
    PathwayTransition,
    Programme,
)


def _not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("Une date future n'est pas acceptée ici.")})


@transaction.atomic
def participant_create(
    *,
    organization: Organization,
    income_kind: str = "",
    income_since: dt.date | None = None,
    **fields,
) -> Participant:
    participant = Participant(organization=organization, **fields)
    participant.full_clean()
    participant.save()
    if income_kind:
        IncomeSource.objects.create(
            participant=participant,
            kind=income_kind,
            starts_on=income_since or timezone.localdate(),
        )
    return participant


class PossibleDuplicate(ValidationError):
    """The new record may be someone already known: refused with the records it resembles, which
    the page shows, until the person creating it ticks "it is another person"."""

    def __init__(self, message, *, duplicates: list[Participant]):
        super().__init__(message, code="possible_duplicate")
        self.duplicates = duplicates


@transaction.atomic
def participant_register(
    *,
    organization: Organization,
    by: User,
    programme: Programme | None = None,
    pathway_started_on: dt.date | None = None,
    not_a_duplicate: bool = False,
    **fields,
) -> Participant:
    """A new record from the creation page: the duplicate rules, then the person and, when a
    programme is chosen, their first pathway — all or nothing.

    The same national number is always refused; the same name and birth date only until someone
    says it is another person (namesakes born the same day exist).
    """
    # Creations in one organization wait for each other, so that a double click (or two
    # colleagues typing the same person) meets the duplicate check instead of passing it.
    Organization.objects.select_for_update().get(pk=organization.pk)
    duplicates = list(
        selectors.participant_duplicates(
            organization=organization,
            national_number=fields.get("national_number", ""),
            last_name=fields.get("last_name", ""),
            first_name=fields.get("first_name", ""),
            birth_date=fields.get("birth_date"),
        )
    )
    number = fields.get("national_number")
    if number and any(d.national_number == number for d in duplicates):
        message = _("Une fiche existe déjà avec ce numéro.")
        raise PossibleDuplicate({"national_number": message}, duplicates=duplicates)
    if duplicates and not not_a_duplicate:
        message = _("Une personne du même nom, née le même jour, a déjà une fiche.")
        raise PossibleDuplicate(message, duplicates=duplicates)
    participant = participant_create(organization=organization, **fields)
    if programme:
        pathway_open(
            participant=participant, programme=programme, started_on=pathway_started_on, by=by
        )
    return participant


def participant_update(*, participant: Participant, **fields: object) -> Participant:
    """A record edited (``fields``: the edit page's, checked by its form). A national number that
    another record of the organization has is refused; a namesake born the same day is not asked
    about again: the record exists already."""
    if (
        Participant.objects.select_for_update()
        .filter(pk=participant.pk, anonymised_at__isnull=False)
        .exists()
    ):
        # Anonymised while the form was open: nothing typed may bring the person back.
        raise ValidationError(_("Cette fiche a été anonymisée : elle ne peut plus être modifiée."))
    taken = ValidationError({"national_number": _("Une autre fiche existe déjà avec ce numéro.")})
    number = fields.get("national_number")
    if number and (
        selectors.participant_duplicates(
            organization=participant.organization, national_number=number, exclude_pk=participant.pk
        ).exists()
    ):
        raise taken
    for name, value in fields.items():
        setattr(participant, name, value)
    # The same number saved elsewhere at this very moment passes the check: the constraint
    # refuses it, and the savepoint lets the request carry on to show the refusal.
    try:
        with transaction.atomic():
            # commune: filled in from the postcode when left empty (Participant.prepare).
            participant.save(update_fields=[*fields, "commune"])
    except IntegrityError:
        raise taken from None
    return participant


# What the apps above keep computed from a person's income source follows its changes from here:
# chantiers registers the recomputation of the indemnities (rule 3: the declaration a day needs
# follows the income source of that day). participants may not import chantiers — the arrows go
# one way — so the service calls what was registered, in its own transaction; nothing else does
# (no signal: a change made by any other way is not a change of income source).
INCOME_FOLLOWERS: list[Callable[..., None]] = []
# What the apps above do when a pathway closes, in its transaction (the agenda cancels the
# appointments still to come): registered as INCOME_FOLLOWERS are, for the same reason.
CLOSE_FOLLOWERS: list[Callable[..., None]] = []


@transaction.atomic
def income_source_change(
    *, participant: Participant, kind: str, starts_on: dt.date
) -> IncomeSource:
    """Close the current income source the day before and open the new one (history kept); what
    depends on it is recomputed from that day (``INCOME_FOLLOWERS``)."""
    _not_in_future(starts_on, "starts_on")
    current = participant.income_sources.select_for_update().filter(ends_on__isnull=True).first()
    if current is not None:
        if starts_on <= current.starts_on:
            raise ValidationError(
                {
                    "starts_on": _("La nouvelle source doit commencer après le %(date)s.")
                    % {"date": current.starts_on.strftime("%d/%m/%Y")}
                }
            )
        current.ends_on = starts_on - dt.timedelta(days=1)
        current.save(update_fields=["ends_on"])
    income = IncomeSource.objects.create(participant=participant, kind=kind, starts_on=starts_on)
    for follow in INCOME_FOLLOWERS:
        follow(participant=participant, day=starts_on)
    return income


def participant_delete(*, participant: Participant) -> None:
    """Only a record created by mistake can be deleted; with history, archive or anonymise."""
    if participant.pathways.exists() or participant.needs.exists():
        raise ValidationError(
            _(
                "Cette personne a un historique (parcours, besoins) : elle ne peut pas être "
                "supprimée. Elle sera anonymisée au terme du délai de conservation."
            )
        )
    participant.delete()


@transaction.atomic
def pathway_open(
    *,
    participant: Participant,
    programme: Programme,
    started_on: dt.date,
    by: User,
    counsellor: User | None = None,
    referred_by: Organization | None = None,
    note: str = "",
) -> Pathway:
    if programme.organization_id != participant.organization_id:
        raise ValidationError({"programme": _("Ce programme n'appartient pas à l'organisation.")})
    _not_in_future(started_on, "started_on")
    # Lock the participant so that two clicks cannot open two pathways in one programme.
    Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.pathways.open().filter(programme=programme).exists():
        raise ValidationError(
            {"programme": _("Un parcours est déjà ouvert dans ce programme pour cette personne.")}
        )
    pathway = Pathway.objects.create(
        participant=participant,
        programme=programme,
        started_on=started_on,
        counsellor=counsellor or participant.counsellor,
        referred_by=referred_by,
    )
    PathwayTransition.objects.create(
        pathway=pathway, kind=PathwayTransition.Kind.START, by=by, to_phase=pathway.phase, note=note
    )
    return pathway


def _locked(pathway: Pathway) -> Pathway:
    return Pathway.objects.select_for_update().get(pk=pathway.pk)


@transaction.atomic
def pathway_change_phase(*, pathway: Pathway, phase: str, by: User, note: str = "") -> Pathway:
    pathway = _locked(pathway)
    if not pathway.is_open:
        raise ValidationError(_("Ce parcours est clôturé : rouvrez-le pour changer de phase."))
    if phase == pathway.phase:
        return pathway
    PathwayTransition.objects.create(
        pathway=pathway,
        kind=PathwayTransition.Kind.PHASE,
        by=by,
        from_phase=pathway.phase,
        to_phase=phase,
        note=note,
    )
    pathway.phase = phase
    pathway.save(update_fields=["phase"])
    return pathway


@transaction.atomic
def pathway_close(
    *,
    pathway: Pathway,
    ended_on: dt.date,
    exit_outcome: str,
    by: User,
    qualification_obtained: bool = False,
    job_searching_at_exit: bool | None = None,
    note: str = "",
) -> Pathway:
    pathway = _locked(pathway)
    if not pathway.is_open:
        raise ValidationError(_("Ce parcours est déjà clôturé."))
    if not exit_outcome:
        raise ValidationError({"exit_outcome": _("Indiquez la situation à la sortie.")})
    _not_in_future(ended_on, "ended_on")
    if ended_on < pathway.started_on:
        raise ValidationError(
            {
                "ended_on": _("La fin ne peut pas précéder le début du parcours (%(date)s).")
                % {"date": pathway.started_on.strftime("%d/%m/%Y")}
            }
        )
    pathway.ended_on = ended_on
    pathway.exit_outcome = exit_outcome
    pathway.qualification_obtained = qualification_obtained
    pathway.job_searching_at_exit = job_searching_at_exit
    pathway.save(
        update_fields=[
            "ended_on",
            "exit_outcome",
            "qualification_obtained",
            "job_searching_at_exit",
        ]
    )
    # After a reopening, follow-ups already done are kept: only the missing ones are planned.
    done = set(pathway.follow_ups.values_list("months", flat=True))
    FollowUp.objects.bulk_create(
        [
            FollowUp(pathway=pathway, months=months, due_on=add_months(ended_on, months))
            for months in FollowUp.MONTHS
            if months not in done
        ]
    )
    PathwayTransition.objects.create(
        pathway=pathway,
        kind=PathwayTransition.Kind.CLOSE,
        by=by,
        from_phase=pathway.phase,
        exit_outcome=exit_outcome,
        note=note,
    )
    for follow in CLOSE_FOLLOWERS:
        follow(pathway=pathway, by=by)
    return pathway


@transaction.atomic
def pathway_reopen(*, pathway: Pathway, by: User, note: str) -> Pathway:
    # The participant first, as pathway_open does: a reopening and an opening in the same
    # programme at the same moment wait for each other instead of colliding.
    Participant.objects.select_for_update().get(pk=pathway.participant_id)
    pathway = _locked(pathway)
    if pathway.is_open:
        raise ValidationError(_("Ce parcours est déjà ouvert."))
    if not note.strip():
        raise ValidationError({"note": _("Expliquez pourquoi le parcours est rouvert.")})
    others = pathway.participant.pathways.open().filter(programme=pathway.programme)
    if others.exists():
        raise ValidationError(
            _("Un autre parcours est ouvert dans ce programme : clôturez-le d'abord.")
        )
    PathwayTransition.objects.create(
        pathway=pathway,
        kind=PathwayTransition.Kind.REOPEN,
        by=by,
        to_phase=pathway.phase,
        exit_outcome=pathway.exit_outcome,  # the outcome that is withdrawn, kept in the log
        note=note,
    )
    # Follow-ups not yet done belong to an exit that no longer holds.
    pathway.follow_ups.filter(done_on__isnull=True).delete()
    pathway.ended_on = None
    pathway.exit_outcome = ""
    pathway.qualification_obtained = False
    pathway.job_searching_at_exit = None
    pathway.save(
        update_fields=[
            "ended_on",
            "exit_outcome",
            "qualification_obtained",
            "job_searching_at_exit",
        ]
    )
    return pathway


def _open_only(pathway: Pathway) -> None:
    if not pathway.is_open:
        raise ValidationError(
            _("Ce parcours est clôturé : rouvrez-le pour y ajouter quelque chose.")
        )


def event_add(*, pathway: Pathway, by: User, date: dt.date, text: str, **fields) -> PathwayEvent:
    _open_only(pathway)
    _not_in_future(date, "date")
    if date < pathway.started_on:
        raise ValidationError({"date": _("Cette date précède le début du parcours.")})
    return PathwayEvent.objects.create(pathway=pathway, author=by, date=date, text=text, **fields)


def need_add(
    *, participant: Participant, category: str, identified_on: dt.date, note: str = ""
) -> Need:
    _not_in_future(identified_on, "identified_on")
    return Need.objects.create(
        participant=participant, category=category, identified_on=identified_on, note=note
    )


def need_resolve(*, need: Need, resolved_on: dt.date) -> Need:
    if need.resolved_on is not None:
        return need  # already lifted: the first date stands
    _not_in_future(resolved_on, "resolved_on")
    if resolved_on < need.identified_on:
        raise ValidationError(
            {"resolved_on": _("Un besoin ne peut pas être levé avant d'être identifié.")}
        )
    need.resolved_on = resolved_on
    need.save(update_fields=["resolved_on"])
    return need


def goal_add(*, pathway: Pathway, text: str, due_on: dt.date | None = None) -> Goal:
    _open_only(pathway)
    return Goal.objects.create(pathway=pathway, text=text, due_on=due_on)


def goal_set_status(*, goal: Goal, status: str) -> Goal:
    goal.status = status
    goal.save(update_fields=["status"])
    return goal


def follow_up_record(
    *,
    follow_up: FollowUp,
    done_on: dt.date,
    situation: str,
    improved: bool | None,
    note: str = "",
) -> FollowUp:
    _not_in_future(done_on, "done_on")
    follow_up.done_on = done_on
    follow_up.situation = situation
    follow_up.improved = improved
    follow_up.note = note
    follow_up.save(update_fields=["done_on", "situation", "improved", "note"])
    return follow_up
