"""Anonymisation at the end of the retention period (DESIGN §4 "Data protection", §6).

Who is due: a participant of an organization, not anonymised yet, with no open pathway, whose
last pathway ended ``retention_years`` ago or more (the organization's setting, 5 by default) —
and never while a programme of one of their pathways is still within its audit period
(``Programme.audit_until``). Someone recorded without any pathway counts from the record's
creation.

What is erased: the name (replaced by "Anonyme n° <id>"), the national number, e-mail, phone,
street and postcode, languages, IBAN, emergency contact; every free text of every record about
the person (notes, goals, interview notes, reasons, descriptions…), found from the models
themselves as ``accounts.personal`` finds personal records, so a new record about a participant
is covered without anyone remembering it (an appointment's purpose, place and reason of
cancellation, a reminder's error, the note of a presence at a collective module, whose event in
the pathway's log loses its text as every event does); the attached files (attestations,
receipts); the records that only said what the person agreed to and count in no report (the
consent to reminders);
the audit trail's copies of the old values. What stays: the id (the access log and the audit
trail keep pointing at it, pseudonymous now), and the facts every report counts — birth date,
gender, commune, education level, nationality group, job-seeking since, income sources,
pathways with their dates and outcomes, needs' categories and dates, attendance, agreements,
statements and payments, appointments with their time, length, form, counsellor and outcome,
enrolments and presences at collective modules with their session, status and hours (the EPN's
drop-in visits are counted without a name: nobody's record).
So the activity, subsidy and impact figures of past years are the same before and after
(tested on the demo data).

Incidents are left as they are: they belong to a chantier and may name several people in one
text; they are not linked to one person's record. So are outreach actions (the volunteers who
went, people met counted without a name).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.dates import add_months
from accounts.models import Membership, Organization, Role
from accounts.personal import personal_record_models
from participants.models import Participant
from volunteers.models import Signal, Volunteer

ERASED = "Anonyme"
ERASED_TEXT = "—"  # where a rule of the database wants some text
# Identifiers and contact data of the participant record itself.
PARTICIPANT_ERASED_FIELDS = (
    "national_number",
    "email",
    "phone",
    "street",
    "postcode",
    "languages",
    "iban",
    "emergency_contact",
)
# Records about a person that are not one person's: an incident names several people; an
# outreach action lists the volunteers who went, its counts are nobody's (issue 21).
NOT_ONE_PERSONS = {"chantiers.Incident", "volunteers.OutreachActivity"}
# Text fields that are no free text about the person (a technical token).
NOT_FREE_TEXT = {("partners.Referral", "link_nonce")}
# Records about a person that no report counts and that only say what the person agreed to:
# deleted, not emptied (an emptied consent would still read as one).
DELETED = {"agenda.ReminderConsent"}


@dataclass(frozen=True)
class Due:
    participant: Participant
    last_pathway_end: dt.date | None
    due_since: dt.date


def anonymisation_due(*, today: dt.date, organization: Organization | None = None) -> list[Due]:
    """Who the retention rule anonymises on ``today``, oldest first; each organization its own
    retention period."""
    # A closed organization's people too: closing it does not make their data age any slower.
    organizations = Organization.objects.all()
    if organization is not None:
        organizations = organizations.filter(pk=organization.pk)
    due = []
    for org in organizations:
        cutoff = add_months(today, -12 * org.retention_years)
        people = (
            Participant.objects.filter(organization=org, anonymised_at__isnull=True)
            .select_related("organization")  # the command prints each one's organization
            .annotate(
                open_pathways=Count("pathways", filter=Q(pathways__ended_on__isnull=True)),
                last_end=Max("pathways__ended_on"),
                audit_until=Max("pathways__programme__audit_until"),
            )
            .filter(open_pathways=0)
            # A volunteer (issue 21) is kept while volunteering, and for the retention period
            # after they stopped, as a pathway's end counts.
            .exclude(
                Q(volunteer__isnull=False)
                & (Q(volunteer__ended_on__isnull=True) | Q(volunteer__ended_on__gt=cutoff))
            )
            .filter(Q(audit_until__isnull=True) | Q(audit_until__lt=today))
            .filter(
                Q(last_end__lte=cutoff) | Q(last_end__isnull=True, created_at__date__lte=cutoff)
            )
            .order_by("last_end", "pk")
        )
        for person in people:
            start = person.last_end or timezone.localdate(person.created_at)
            due.append(
                Due(
                    participant=person,
                    last_pathway_end=person.last_end,
                    due_since=add_months(start, 12 * org.retention_years),
                )
            )
    return due


def _lookup_to_participant(model) -> str | None:
    """The shortest chain of foreign keys from ``model`` to Participant ("pathway__participant"),
    through personal records only."""
    personal = personal_record_models()
    queue = deque([(model, "")])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        for field in current._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is None or target in seen or target not in personal:
                continue
            lookup = f"{path}__{field.name}" if path else field.name
            if target is Participant:
                return lookup
            seen.add(target)
            queue.append((target, lookup))
    return None


def _free_text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and (model._meta.label, field.name) not in NOT_FREE_TEXT
    ]


def _constrained(model) -> set[str]:
    """The fields a check constraint of the model names (a refused referral must keep a
    reason): they get a placeholder, not an empty text."""
    names = set()

    def walk(node):
        for child in getattr(node, "children", []):
            if isinstance(child, tuple):
                names.add(child[0].split("__")[0])
            else:
                walk(child)

    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            walk(constraint.condition)
    return names


def _file_fields(model) -> list[models.FileField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def _related_records():
    """(model, lookup to the participant, free-text fields, file fields) for every record about
    one participant."""
    for model in sorted(personal_record_models(), key=lambda m: m._meta.label):
        if model is Participant or model._meta.label in NOT_ONE_PERSONS:
            continue
        lookup = _lookup_to_participant(model)
        if lookup is None:
            continue
        yield model, lookup, _free_text_fields(model), _file_fields(model)


def records_about_a_participant() -> list[tuple[type[models.Model], str]]:
    """(model, lookup to the participant) of every record about one participant, the record
    itself and incidents aside: what the anonymisation erases is what the subject-access export
    shows (privacy/subject_access.py)."""
    return [(model, lookup) for model, lookup, _texts, _files in _related_records()]


def files_delete_on_commit(files) -> None:
    """Delete stored files once the transaction that dropped their rows commits (a rollback
    keeps them)."""

    def delete():
        for file in files:
            file.storage.delete(file.name)

    transaction.on_commit(delete)


@transaction.atomic
def participant_anonymise(*, participant: Participant) -> None:
    """Erases what identifies the person and every free text about them; keeps what is
    counted. The audit trail records that it happened, not what was there."""
    person = Participant.objects.select_for_update().get(pk=participant.pk)
    if person.anonymised_at is not None:
        return
    touched: dict[type, list[int]] = {Participant: [person.pk]}
    files = []
    with disable_auditlog():
        for model, lookup, texts, file_fields in _related_records():
            rows = model.objects.filter(**{lookup: person})
            pks = list(rows.values_list("pk", flat=True))
            if not pks:
                continue
            touched[model] = pks
            for field in file_fields:
                for row in rows.exclude(**{field.name: ""}).only("pk", field.name):
                    files.append(getattr(row, field.name))
            if model._meta.label in DELETED:
                model.objects.filter(pk__in=pks).delete()
                continue
            constrained = _constrained(model)
            blanks = {
                field.name: ERASED_TEXT if field.name in constrained else ""
                for field in [*texts, *file_fields]
            }
            if blanks:
                model.objects.filter(pk__in=pks).update(**blanks)
        _volunteer_log_in_closed(person)
        for name in PARTICIPANT_ERASED_FIELDS:
            setattr(person, name, "")
        person.first_name = ERASED
        person.last_name = f"n° {person.pk}"
        person.anonymised_at = timezone.now()
        person.save()
    _audit_trail_scrub(touched)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Participant),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=f"#{person.pk}",
        action=LogEntry.Action.UPDATE,
        changes={"anonymised_at": ["", person.anonymised_at.isoformat()]},
    )
    files_delete_on_commit(files)


# A signal about nobody followed here (issue 21) has no person whose retention it follows: its
# text — what a relay told about a neighbour — is kept a year after the signal was closed.
SIGNAL_TEXT_KEPT_MONTHS = 12


@transaction.atomic
def signals_expired_erase(*, today: dt.date) -> int:
    """Erases the description of the anonymous signals closed more than a year before
    ``today``; their need, urgency, dates and outcome stay for the report. How many."""
    cutoff = add_months(today, -SIGNAL_TEXT_KEPT_MONTHS)
    return (
        Signal.objects.filter(
            participant__isnull=True,
            status=Signal.Status.CLOSED,
            closed_at__date__lt=cutoff,
        )
        .exclude(description=ERASED_TEXT)
        .update(description=ERASED_TEXT)
    )


def _volunteer_log_in_closed(person: Participant) -> None:
    """A volunteer's log-in (issue 21) names them: it is closed and unlinked, its invitation's
    names erased, and the account itself erased when it was only that volunteer's."""
    for volunteer in Volunteer.objects.filter(participant=person).select_related("user"):
        user = volunteer.user
        volunteer.user, volunteer.ended_on = None, volunteer.ended_on or timezone.localdate()
        volunteer.save(update_fields=["user", "ended_on"])
        if user is None:
            continue
        Membership.objects.filter(user=user, role=Role.VOLUNTEER).update(
            is_active=False, invited_first_name="", invited_last_name=""
        )
        if not Membership.objects.filter(user=user).exclude(role=Role.VOLUNTEER).exists():
            user.email, user.first_name, user.last_name = f"anonyme-{user.pk}@invalid", "", ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])


def _audit_trail_scrub(touched: dict[type, list[int]]) -> None:
    """The audit trail keeps who changed which record when; the values it copied go — of the
    records that exist, and of those deleted earlier (a follow-up dropped when its pathway
    closed, a declaration withdrawn), found by the parent their entry names."""
    scrubbed = {"changes": None, "changes_text": "", "serialized_data": None, "object_repr": ""}
    for model, pks in touched.items():
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=[str(pk) for pk in pks],
        ).update(**scrubbed)
    for model, lookup, _texts, _files in _related_records():
        parent_field = model._meta.get_field(lookup.split("__")[0])
        parents = touched.get(parent_field.related_model)
        if not parents:
            continue
        content_type = ContentType.objects.get_for_model(model)
        ids = [str(pk) for pk in parents]
        entries = LogEntry.objects.filter(content_type=content_type).filter(
            Q(**{f"changes__{parent_field.name}__0__in": ids})
            | Q(**{f"changes__{parent_field.name}__1__in": ids})
        )
        # Every entry of those records: their creation names the parent, later changes may not.
        records = set(entries.values_list("object_pk", flat=True))
        LogEntry.objects.filter(content_type=content_type, object_pk__in=records).update(**scrubbed)


def anonymise_due(*, today: dt.date, organization: Organization | None = None) -> list[Due]:
    """Anonymises everyone due on ``today``; returns who was."""
    due = anonymisation_due(today=today, organization=organization)
    for entry in due:
        participant_anonymise(participant=entry.participant)
    return due
