"""Writes on participants and pathways. Each rule of DESIGN §4 "Pathways" lives here."""

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dates import add_months
from accounts.models import Organization, User
from participants import selectors
from participants.models import (
    HOURS_MAX,
    Certification,
    FollowUp,
    Goal,
    IncomeSource,
    Need,
    Participant,
    Pathway,
    PathwayEvent,
    PathwayTransition,
    Programme,
    Training,
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
    history = (
        participant.pathways,
        participant.needs,
        participant.trainings,
        participant.certifications,
    )
    if any(related.exists() for related in history):
        raise ValidationError(
            _(
                "Cette personne a un historique (parcours, besoins, formations) : elle ne peut "
                "pas être supprimée. Elle sera anonymisée au terme du délai de conservation."
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


# --- Trainings followed and certifications obtained (issue 20, point 3) ---------------------
# Noted by the counsellor on the person's page, or by the partner that gives the training, on
# the referral it accepted (partners.services): ``recorded_by_organization`` says which.


def _person_locked(participant: Participant) -> None:
    """The person's row locked (a double click waits for the first, then meets the duplicate
    check) and refused once anonymised: nothing new may be written about them."""
    anonymised_at = (
        Participant.objects.select_for_update()
        .filter(pk=participant.pk)
        .values_list("anonymised_at", flat=True)
        .get()
    )
    if anonymised_at is not None:
        raise ValidationError(_("Cette fiche a été anonymisée : on n'y ajoute plus rien."))


def _hours(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _training_errors(
    *,
    starts_on: dt.date,
    ends_on: dt.date | None,
    status: str,
    hours_planned: Decimal,
    hours_done: Decimal,
) -> dict[str, str]:
    """What is refused of a training, by field. Each state is a fact with its dates: what has
    begun did not begin in the future, what has ended did not end in the future, and a completed
    training has an end. The hours done may exceed those planned (a training runs over), never
    be negative."""
    errors = {}
    if status not in Training.Status.values:
        errors["status"] = _("Choisissez l'état de la formation.")
    for field, hours in (("hours_planned", hours_planned), ("hours_done", hours_done)):
        if not 0 <= hours <= HOURS_MAX:
            errors[field] = _("Indiquez un nombre d'heures entre 0 et %(max)s.") % {
                "max": HOURS_MAX
            }
    today = timezone.localdate()
    if status in Training.STARTED and starts_on > today:
        errors["starts_on"] = _(
            "Une formation en cours, terminée ou abandonnée a déjà commencé : son début ne peut "
            "pas être dans le futur (choisissez l'état « prévue »)."
        )
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("La fin ne peut pas précéder le début (%(date)s).") % {
            "date": starts_on.strftime("%d/%m/%Y")
        }
    elif status == Training.Status.COMPLETED and ends_on is None:
        errors["ends_on"] = _("Indiquez la date de fin d'une formation terminée.")
    elif status in Training.ENDED and ends_on is not None and ends_on > today:
        errors["ends_on"] = _(
            "Une formation terminée ou abandonnée ne peut pas finir dans le futur."
        )
    return errors


@transaction.atomic
def training_add(
    *,
    participant: Participant,
    title: str,
    starts_on: dt.date,
    recorded_by: User,
    recorded_by_organization: Organization,
    provider: str = "",
    provider_organization: Organization | None = None,
    ends_on: dt.date | None = None,
    hours_planned: Decimal = Decimal(0),
    hours_done: Decimal = Decimal(0),
    status: str = Training.Status.PLANNED,
) -> Training:
    """A training noted for the person; the provider's name is the partner's when only the
    partner is chosen. The same training twice (same title, provider and start: a double click,
    the form sent again) is refused: its hours would count twice."""
    _person_locked(participant)
    title, provider = title.strip(), provider.strip()
    if not provider and provider_organization is not None:
        provider = provider_organization.name
    errors = {}
    if not title:
        errors["title"] = _("Indiquez l'intitulé de la formation.")
    if not provider:
        errors["provider"] = _("Indiquez l'organisme qui donne la formation.")
    hours_planned, hours_done = _hours(hours_planned), _hours(hours_done)
    errors |= _training_errors(
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        hours_planned=hours_planned,
        hours_done=hours_done,
    )
    if errors:
        raise ValidationError(errors)
    if Training.objects.filter(
        participant=participant,
        title__iexact=title,
        provider__iexact=provider,
        starts_on=starts_on,
    ).exists():
        raise ValidationError(
            {
                "title": _(
                    "Cette formation est déjà notée (même intitulé, même organisme, même début) : "
                    "mettez-la à jour plutôt que de la noter une deuxième fois."
                )
            }
        )
    return Training.objects.create(
        participant=participant,
        title=title,
        provider=provider,
        provider_organization=provider_organization,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_planned=hours_planned,
        hours_done=hours_done,
        status=status,
        recorded_by=recorded_by,
        recorded_by_organization=recorded_by_organization,
    )


@transaction.atomic
def training_update(
    *, training: Training, hours_done: Decimal, status: str, ends_on: dt.date | None = None
) -> Training:
    """The training's news: hours done, state, end. No state is closed to a correction (each is
    a fact the counsellor may have noted wrongly, and the audit trail keeps the change): the
    rules of the dates keep each one consistent."""
    _person_locked(training.participant)
    training = Training.objects.select_for_update().get(pk=training.pk)
    hours_done = _hours(hours_done)
    errors = _training_errors(
        starts_on=training.starts_on,
        ends_on=ends_on,
        status=status,
        hours_planned=training.hours_planned,
        hours_done=hours_done,
    )
    if errors:
        raise ValidationError(errors)
    training.hours_done, training.status, training.ends_on = hours_done, status, ends_on
    training.save(update_fields=["hours_done", "status", "ends_on"])
    return training


@transaction.atomic
def certification_add(
    *,
    participant: Participant,
    kind: str,
    title: str,
    obtained_on: dt.date,
    recorded_by: User,
    recorded_by_organization: Organization,
    issuing_body: str = "",
    training: Training | None = None,
) -> Certification:
    """A certification the person obtained, after one of their trainings or not; the issuing
    body is the training's provider when left empty. The same one twice is refused."""
    _person_locked(participant)
    title, issuing_body = title.strip(), issuing_body.strip()
    errors = {}
    if kind not in Certification.Kind.values:
        errors["kind"] = _("Choisissez le type de certification.")
    if not title:
        errors["title"] = _("Indiquez l'intitulé de la certification.")
    if obtained_on > timezone.localdate():
        errors["obtained_on"] = _("Une date future n'est pas acceptée ici.")
    if training is not None:
        if training.participant_id != participant.pk:
            errors["training"] = _("Cette formation n'est pas celle de cette personne.")
        else:
            issuing_body = issuing_body or training.provider
            if obtained_on < training.starts_on and "obtained_on" not in errors:
                errors["obtained_on"] = _(
                    "La certification ne peut pas précéder le début de sa formation (%(date)s)."
                ) % {"date": training.starts_on.strftime("%d/%m/%Y")}
    if not issuing_body:
        errors["issuing_body"] = _("Indiquez qui a délivré la certification.")
    if errors:
        raise ValidationError(errors)
    if Certification.objects.filter(
        participant=participant, kind=kind, title__iexact=title, obtained_on=obtained_on
    ).exists():
        raise ValidationError(
            {
                "title": _(
                    "Cette certification est déjà notée (même type, même intitulé, même date)."
                )
            }
        )
    return Certification.objects.create(
        participant=participant,
        kind=kind,
        title=title,
        obtained_on=obtained_on,
        issuing_body=issuing_body,
        training=training,
        recorded_by=recorded_by,
        recorded_by_organization=recorded_by_organization,
    )
