"""Writes on chantiers. Attendance goes through ``attendance_record``, which keeps every mark
and the indemnities that follow from it consistent."""

import datetime as dt
import functools
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

import holidays
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.dates import month_bounds
from accounts.models import Membership, Role, User
from accounts.templatetags.formatting import euros
from chantiers.indemnities import YearBalance, indemnities_recompute, indemnities_recompute_many
from chantiers.models import (
    Attendance,
    CeilingExcess,
    Chantier,
    ElsewhereDeclaration,
    Enrolment,
    IndemnityCeiling,
    MonthlyStatement,
    OfflineMark,
    RealCost,
    ServiceSheet,
    StatementCorrection,
    StatementUnlock,
    Vehicle,
    VolunteerAgreement,
    WorkSession,
)
from participants.models import Participant


@dataclass
class Mark:
    participant_id: int
    status: str
    hours: Decimal | None = None  # the session's length when not given
    note: str = ""
    version: int | None = None  # the version the coordinator saw; None for a new mark
    km: int | None = None  # kilometres with the volunteer's own vehicle; None: as recorded
    vehicle: str | None = None


# A trip to a chantier and back: more in one session is a typing mistake.
KM_PER_SESSION = 500


@dataclass
class AttendanceResult:
    saved: list[Attendance] = field(default_factory=list)
    # Marks changed by someone else since they were shown: kept as they are, reported.
    conflicts: list[Attendance] = field(default_factory=list)
    balances: dict[int, YearBalance] = field(default_factory=dict)


@transaction.atomic
def attendance_record(*, session: WorkSession, marks: list[Mark], by: User) -> AttendanceResult:
    """Save the marks of a session in one go and recompute the indemnities they change.

    Locks are always taken in the same order — participants (by id), then the session, then
    their marks — as the statement services do, so that concurrent saves wait instead of
    deadlocking, and a month cannot be validated while its marks are being changed.
    """
    statuses = set(Attendance.Status.values)
    wanted = sorted({mark.participant_id for mark in marks})
    session = WorkSession.objects.select_related("chantier").get(pk=session.pk)
    # Whether each was selected into the chantier's group once (a candidate never was), read
    # with the lock: no query more.
    selected = Enrolment.objects.filter(
        chantier=session.chantier_id, participant=OuterRef("pk")
    ).exclude(status=Enrolment.Status.CANDIDATE)
    people = list(
        Participant.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted, organization=session.chantier.organization_id)
        .annotate(was_selected=Exists(selected))
        .order_by("pk")
    )
    if len(people) != len(wanted):
        raise ValidationError(_("Une des personnes ne fait pas partie de cette organisation."))
    session = WorkSession.objects.select_for_update().select_related("chantier").get(pk=session.pk)
    if session.status == WorkSession.Status.CANCELLED:
        raise ValidationError(_("Cette séance est annulée : on n'y note pas de présences."))
    locked = set(
        MonthlyStatement.objects.filter(participant__in=wanted, month=session.date.replace(day=1))
        .exclude(status=MonthlyStatement.Status.DRAFT)
        .values_list("participant", flat=True)
    )
    existing = {
        a.participant_id: a
        for a in Attendance.objects.select_for_update()
        .filter(session=session, participant__in=wanted)
        .order_by("participant")
    }
    by_id = {person.pk: person for person in people}
    for attendance in existing.values():
        attendance.participant = by_id[attendance.participant_id]

    result = AttendanceResult()
    refused, outside = [], []
    for mark in marks:
        if mark.status not in statuses:
            raise ValidationError(_("Présence inconnue : %(status)s.") % {"status": mark.status})
        hours = session.hours if mark.hours is None else mark.hours
        if not hours.is_finite() or hours < 0 or hours > 24:
            raise ValidationError(_("Nombre d'heures impossible : %(hours)s.") % {"hours": hours})
        attendance = existing.get(mark.participant_id)
        km, vehicle = _trip(mark, attendance)
        unchanged = attendance is not None and (
            attendance.status,
            attendance.hours,
            attendance.note,
            attendance.km,
            attendance.vehicle,
        ) == (mark.status, hours, mark.note, km, vehicle)
        if unchanged:
            continue
        if mark.participant_id in locked:
            refused.append(mark.participant_id)  # only a change is refused, not a re-send
            continue
        if attendance is None and not by_id[mark.participant_id].was_selected:
            outside.append(by_id[mark.participant_id])  # a candidate never selected: no mark
            continue
        if attendance is None:
            attendance = Attendance(
                session=session,
                participant=by_id[mark.participant_id],  # loaded: the audit entry names them
                status=mark.status,
                hours=hours,
                note=mark.note,
                km=km,
                vehicle=vehicle,
                recorded_by=by,
            )
            attendance.save()
            result.saved.append(attendance)
        elif mark.version != attendance.version:
            # The page showed another version (or no mark at all): someone saved meanwhile.
            result.conflicts.append(attendance)
        else:
            attendance.status, attendance.hours, attendance.note = mark.status, hours, mark.note
            attendance.km, attendance.vehicle = km, vehicle
            attendance.recorded_by = by
            attendance.version += 1
            attendance.save(
                update_fields=[
                    *("status", "hours", "note", "km", "vehicle"),
                    *("recorded_by", "recorded_at", "version"),
                ]
            )
            result.saved.append(attendance)
    if outside:  # the whole save is undone, as for any refusal
        raise ValidationError(
            _(
                "%(names)s n'a pas été sélectionné·e dans le groupe de ce chantier : pas de "
                "présence possible. Sélectionnez d'abord la personne sur la page du groupe."
            )
            % {"names": ", ".join(str(p) for p in outside)}
        )
    if refused:
        names = ", ".join(str(p) for p in people if p.pk in refused)
        raise ValidationError(
            _(
                "Le mois est validé pour %(names)s : leurs présences sont verrouillées. "
                "L'administration peut le rouvrir, avec un motif."
            )
            % {"names": names}
        )
    if result.saved and session.status == WorkSession.Status.PLANNED:
        session.status = WorkSession.Status.HELD
        session.save(update_fields=["status"])
    # One recomputation for the whole group: a fixed number of queries, whatever its size.
    result.balances = indemnities_recompute_many(
        participant_ids=[person.pk for person in people], year=session.date.year
    )
    return result


@dataclass
class OfflineResult:
    saved: list = field(default_factory=list)  # client ids stored now, or already before
    conflicts: list[tuple[object, Attendance]] = field(default_factory=list)  # (client id, mark)


@transaction.atomic
def offline_marks_receive(
    *, session: WorkSession, marks: list[tuple[object, Mark]], by: User
) -> OfflineResult:
    """The marks a phone queued without network, each with its client id, saved as the grid
    saves them (the same locks, the indemnity rules applied here, never on the phone). A client
    id received before is not saved again; a mark someone changed since the phone read it is
    left as it is and returned as a conflict (the coordinator chooses, then sends it again with
    the version they saw). The latest mark of a person in the queue is the one that counts: the
    earlier ones share its outcome. A refusal (a validated month, someone never selected) refuses
    the whole sending, as on the grid."""
    ids = [client_id for client_id, _mark in marks]
    # The people's locks first (as attendance_record takes them): a second sending of the same
    # queue waits here, then finds the client ids the first one stored.
    list(
        Participant.objects.select_for_update(of=("self",))
        .filter(pk__in={mark.participant_id for _id, mark in marks})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    known = set(OfflineMark.objects.filter(client_id__in=ids).values_list("client_id", flat=True))
    received = list(dict.fromkeys(client_id for client_id in ids if client_id in known))
    latest: dict[int, Mark] = {}
    sent: dict[int, list] = {}
    for client_id, mark in marks:
        if client_id in known:
            continue
        known.add(client_id)  # a client id twice in one sending counts once
        latest[mark.participant_id] = mark
        sent.setdefault(mark.participant_id, []).append(client_id)
    result = OfflineResult(saved=received)
    if not latest:
        return result
    recorded = attendance_record(session=session, marks=list(latest.values()), by=by)
    conflicted = {attendance.participant_id: attendance for attendance in recorded.conflicts}
    stored = []
    for participant_id, client_ids in sent.items():
        if participant_id in conflicted:
            result.conflicts.append((client_ids[-1], conflicted[participant_id]))
            continue
        result.saved.extend(client_ids)
        stored.extend(
            OfflineMark(
                client_id=client_id, session=session, participant_id=participant_id, sent_by=by
            )
            for client_id in client_ids
        )
    OfflineMark.objects.bulk_create(stored)
    return result


def _trip(mark: Mark, recorded: Attendance | None) -> tuple[int, str]:
    """The kilometres and vehicle of a mark: as typed, or as recorded when the page had none
    (the week's paper sheet); no vehicle without kilometres, none of either when absent."""
    km = mark.km if mark.km is not None else (recorded.km if recorded else 0)
    vehicle = mark.vehicle if mark.vehicle is not None else (recorded.vehicle if recorded else "")
    if not 0 <= km <= KM_PER_SESSION:
        raise ValidationError(
            _("Kilomètres impossibles : %(km)s (au plus %(most)s par séance).")
            % {"km": km, "most": KM_PER_SESSION}
        )
    if mark.status not in Attendance.PRESENT_LIKE or not km:
        return 0, ""
    if vehicle not in Vehicle.values:
        raise ValidationError(_("Indiquez le véhicule des kilomètres (voiture ou vélo)."))
    return km, vehicle


def attendance_record_many(
    *, marks_by_session: dict[WorkSession, list[Mark]], by: User
) -> list[tuple[WorkSession, AttendanceResult]]:
    """The marks of one session (the grid) or several (the week's paper sheet), all or nothing:
    a refused session (a validated month) cancels them all. One session is all or nothing by
    itself: no savepoint around it (two queries on every save of the grid)."""
    with transaction.atomic() if len(marks_by_session) > 1 else nullcontext():
        return [
            (session, attendance_record(session=session, marks=marks, by=by))
            for session, marks in marks_by_session.items()
        ]


def enrolment_eligibility(*, chantier: Chantier, participant: Participant) -> list[str]:
    """Why the person cannot be selected (DESIGN §3), in words; empty when they can."""
    from chantiers.selectors import enrolment_eligibility_many

    return enrolment_eligibility_many(chantier=chantier, participants=[participant])[participant.pk]


@transaction.atomic
def enrolments_add(*, chantier: Chantier, participants: list[Participant]) -> list[Enrolment]:
    """Several people added to the candidates at once (all or nothing)."""
    return [enrolment_add(chantier=chantier, participant=person) for person in participants]


def enrolment_add(*, chantier: Chantier, participant: Participant) -> Enrolment:
    if participant.organization_id != chantier.organization_id:
        raise ValidationError(_("Une des personnes ne fait pas partie de cette organisation."))
    enrolment, _created = Enrolment.objects.get_or_create(
        chantier=chantier, participant=participant
    )
    return enrolment


@transaction.atomic
def enrolment_select(*, enrolment: Enrolment, justification: str = "") -> Enrolment:
    """Candidate → selected. An unmet condition needs a written justification (kept, audited)."""
    # The chantier first: two selections at once cannot both take the last place.
    chantier = Chantier.objects.select_for_update().get(pk=enrolment.chantier_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.CANDIDATE:
        raise ValidationError(_("Seul·e un·e candidat·e peut être sélectionné·e."))
    problems = enrolment_eligibility(chantier=chantier, participant=enrolment.participant)
    if problems and not justification.strip():
        raise ValidationError(
            [*problems, _("Pour passer outre, écrivez une justification.")], code="ineligible"
        )
    enrolment.status = Enrolment.Status.SELECTED
    enrolment.eligibility_override = justification.strip() if problems else ""
    enrolment.save(update_fields=["status", "eligibility_override"])
    return enrolment


def enrolment_activate(*, enrolment: Enrolment, joined_on: dt.date) -> Enrolment:
    if enrolment.status != Enrolment.Status.SELECTED:
        raise ValidationError(_("Seule une personne sélectionnée peut commencer."))
    enrolment.status, enrolment.joined_on = Enrolment.Status.ACTIVE, joined_on
    enrolment.save(update_fields=["status", "joined_on"])
    return enrolment


def enrolment_leave(
    *, enrolment: Enrolment, status: str, left_on: dt.date, reason: str = ""
) -> Enrolment:
    if status not in (Enrolment.Status.WITHDRAWN, Enrolment.Status.COMPLETED):
        raise ValidationError(_("Départ : « sorti·e » ou « terminé » seulement."))
    if enrolment.status not in Enrolment.IN_GROUP:
        raise ValidationError(_("Seule une personne du groupe peut le quitter."))
    if status == Enrolment.Status.WITHDRAWN and not reason.strip():
        raise ValidationError({"leave_reason": _("Indiquez le motif du départ.")})
    if enrolment.joined_on and left_on < enrolment.joined_on:
        raise ValidationError({"left_on": _("Le départ précède l'arrivée.")})
    enrolment.status, enrolment.left_on, enrolment.leave_reason = status, left_on, reason.strip()
    enrolment.save(update_fields=["status", "left_on", "leave_reason"])
    return enrolment


@dataclass
class WeeklyPlan:
    created: list[WorkSession] = field(default_factory=list)
    holidays: list[tuple[dt.date, str]] = field(default_factory=list)
    existing: list[dt.date] = field(default_factory=list)
    stopped_at: dt.date | None = None  # the chantier's end, when the period went past it


def _chantier_over(chantier: Chantier) -> str:
    return _("Le chantier se termine le %(end)s : aucune séance ne peut être planifiée après.") % {
        "end": f"{chantier.ends_on:%d/%m/%Y}"
    }


@transaction.atomic
def sessions_create_weekly(
    *,
    chantier: Chantier,
    first_day: dt.date,
    last_day: dt.date,
    weekdays: set[int],
    starts_at: dt.time,
    ends_at: dt.time,
) -> WeeklyPlan:
    """Sessions on the given weekdays (0 = Monday) between two dates, Belgian public holidays
    skipped and reported, sessions already planned at that time left as they are; never after
    the chantier's end (the plan stops there and says so)."""
    if last_day < first_day:
        raise ValidationError(_("La dernière date précède la première."))
    if (last_day - first_day).days > 400:
        raise ValidationError(_("Planifiez au plus un an à la fois."))
    if ends_at <= starts_at:
        raise ValidationError(_("La séance doit finir après avoir commencé."))
    plan = WeeklyPlan()
    if chantier.ends_on and last_day > chantier.ends_on:
        # No session after the chantier's end: planned, it would be marked and paid.
        if first_day > chantier.ends_on:
            raise ValidationError(_chantier_over(chantier))
        last_day = plan.stopped_at = chantier.ends_on
    # One plan at a time per chantier: a double click waits, then finds the sessions planned.
    Chantier.objects.select_for_update().get(pk=chantier.pk)
    public = holidays.country_holidays(
        "BE",
        years=range(first_day.year, last_day.year + 1),
        language="nl" if translation.get_language() == "nl" else "fr",
    )
    taken = set(
        chantier.sessions.filter(
            date__range=(first_day, last_day), starts_at=starts_at
        ).values_list("date", flat=True)
    )
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            if day in public:
                plan.holidays.append((day, public[day]))
            elif day in taken:
                plan.existing.append(day)
            else:
                plan.created.append(
                    WorkSession(chantier=chantier, date=day, starts_at=starts_at, ends_at=ends_at)
                )
        day += dt.timedelta(days=1)
    WorkSession.objects.bulk_create(plan.created)
    return plan


@transaction.atomic
def session_create(*, chantier: Chantier, date, starts_at, ends_at) -> WorkSession:
    """One session, checked with the chantier locked: a double click waits, then is told the
    session exists instead of creating it twice."""
    Chantier.objects.select_for_update().get(pk=chantier.pk)
    if chantier.ends_on and date > chantier.ends_on:
        raise ValidationError(_chantier_over(chantier))
    if chantier.sessions.filter(date=date, starts_at=starts_at).exists():
        raise ValidationError(_("Une séance est déjà prévue ce jour-là à cette heure."))
    return WorkSession.objects.create(
        chantier=chantier, date=date, starts_at=starts_at, ends_at=ends_at
    )


@transaction.atomic
def session_cancel(*, session: WorkSession, reason: str) -> WorkSession:
    """A planned session that will not take place (rain, no supervisor…), with its reason."""
    session = WorkSession.objects.select_for_update().get(pk=session.pk)
    if session.status == WorkSession.Status.CANCELLED:
        raise ValidationError(_("Cette séance est déjà annulée."))
    if not reason.strip():
        raise ValidationError(_("Indiquez le motif de l'annulation."))
    if session.attendances.exists():
        raise ValidationError(
            _(
                "Des présences sont déjà notées pour cette séance : elle a eu lieu et ne peut "
                "plus être annulée."
            )
        )
    session.status, session.cancel_reason = WorkSession.Status.CANCELLED, reason.strip()
    session.save(update_fields=["status", "cancel_reason"])
    return session


def _month_attendances(participant: Participant, month: dt.date):
    first, last = month_bounds(month)
    return Attendance.objects.filter(
        participant=participant,
        session__date__range=(first, last),
        session__chantier__organization=participant.organization_id,
    ).select_related("session")


def _month_sheets(participant: Participant, month: dt.date):
    """The volunteer's service sheets of the month in this organisation (issue 21)."""
    first, last = month_bounds(month)
    return ServiceSheet.objects.filter(
        participant=participant,
        date__range=(first, last),
        organization=participant.organization_id,
    )


def month_days(participant: Participant, month: dt.date) -> list[Attendance | ServiceSheet]:
    """The month's marks and service sheets, by day: what a statement is made of."""
    rows = [*_month_attendances(participant, month), *_month_sheets(participant, month)]
    return sorted(rows, key=lambda row: row.day)


@transaction.atomic
def statements_prepare(*, chantier: Chantier, month: dt.date) -> list[MonthlyStatement]:
    """The month's statement of everyone marked on the chantier, in the order of their ids —
    the order every service locks participants in (not the model's, by name)."""
    from chantiers.selectors import month_group_ids

    people = chantier.organization.participants.filter(
        pk__in=month_group_ids(chantier=chantier, month=month)
    ).order_by("pk")
    return [statement_prepare(participant=person, month=month) for person in people]


@transaction.atomic
def statement_prepare(*, participant: Participant, month: dt.date) -> MonthlyStatement:
    """The month's figures, computed from the marks (recomputed first); a draft until validated."""
    first, last = month_bounds(month)
    Participant.objects.select_for_update().get(pk=participant.pk)  # the common lock order
    statement, _created = MonthlyStatement.objects.select_for_update().get_or_create(
        participant=participant, month=first, defaults={"organization": participant.organization}
    )
    if statement.is_locked:
        return statement
    balance = indemnities_recompute(participant=participant, year=first.year)
    marks = [a for a in month_days(participant, first) if a.is_present]
    year_marks = Attendance.objects.filter(
        participant=participant,
        session__date__range=(dt.date(first.year, 1, 1), last),
        session__chantier__organization=participant.organization_id,
    )
    year_sheets = ServiceSheet.objects.filter(
        participant=participant,
        date__range=(dt.date(first.year, 1, 1), last),
        organization=participant.organization_id,
    )
    statement.days = len({a.day for a in marks})
    statement.hours = sum((a.hours for a in marks), Decimal("0.00"))
    statement.amount = sum((a.indemnity for a in marks), Decimal("0.00"))
    statement.km = sum(a.km_paid for a in marks)
    statement.mileage = sum((a.mileage for a in marks), Decimal("0.00"))
    statement.real_costs = sum(
        RealCost.objects.filter(
            participant=participant,
            organization=participant.organization_id,
            date__range=(first, last),
        ).values_list("amount", flat=True),
        Decimal("0.00"),
    )
    statement.year_to_date = sum(
        [
            *year_marks.values_list("indemnity", flat=True),
            *year_sheets.values_list("indemnity", flat=True),
        ],
        Decimal("0.00"),
    ) + sum(  # the corrections of the months up to this one
        StatementCorrection.objects.filter(
            statement__participant=participant,
            statement__month__range=(dt.date(first.year, 1, 1), first),
        ).values_list("amount", flat=True),
        Decimal("0.00"),
    )
    statement.remaining = (
        None
        if balance.annual_ceiling is None
        else max(
            Decimal("0.00"),
            balance.annual_ceiling - balance.declared_elsewhere - statement.year_to_date,
        )
    )
    statement.save()
    return statement


def excess_open(*, participant_id: int) -> CeilingExcess | None:
    """The person's open excess, whatever its year: rule 7 stops every statement and payment of
    the person (a later year's transfer could carry a correction of the exceeded one)."""
    return (
        CeilingExcess.objects.filter(participant=participant_id, outcome="")
        .select_related("participant")
        .order_by("year")
        .first()
    )


def excess_refusal(excess: CeilingExcess) -> ValidationError:
    """Rule 7, in the words the coordinator and the direction read."""
    over = [euros(excess.amount_over)] if excess.amount_over else []
    if excess.km_over:
        over.append(f"{excess.km_over} km")
    return ValidationError(
        _(
            "Plafond de %(year)s dépassé pour %(name)s (%(over)s au-delà) : aucune fiche ne peut "
            "être validée ni payée tant que la direction n'a pas indiqué la suite donnée "
            "(montant récupéré, ou accepté comme rémunération imposable)."
        )
        % {"year": excess.year, "name": excess.participant, "over": _(" et ").join(over)},
        code="ceiling_exceeded",
    )


def statement_unacknowledged(*, statement: MonthlyStatement) -> list[Attendance | ServiceSheet]:
    """Days rightly or wrongly not paid, that nobody has confirmed yet."""
    return [
        a
        for a in month_days(statement.participant, statement.month)
        if a.is_present
        and a.not_payable
        and a.not_payable not in Attendance.INFORMATIVE
        and not a.not_payable_acknowledged
    ]


def attendance_acknowledge(*, statement: MonthlyStatement) -> int:
    """Confirm the month's not-payable days as they are (the coordinator checked them)."""
    if statement.is_locked:
        raise ValidationError(_("Cette fiche est validée : elle ne change plus."))
    waiting = statement_unacknowledged(statement=statement)
    return sum(
        model.objects.filter(pk__in=[row.pk for row in waiting if isinstance(row, model)]).update(
            not_payable_acknowledged=True
        )
        for model in (Attendance, ServiceSheet)
    )


def statement_validate(*, statement: MonthlyStatement, by: User) -> MonthlyStatement:
    """Validate a month (rule 5). Its year is recomputed first, in a transaction of its own: an
    excess that recomputation finds (data from before the flags, a ceiling just changed) stays
    flagged even when the validation it stops is refused and rolled back."""
    indemnities_recompute(participant=statement.participant, year=statement.month.year)
    return _statement_validate(statement=statement, by=by)


@transaction.atomic
def _statement_validate(*, statement: MonthlyStatement, by: User) -> MonthlyStatement:
    Participant.objects.select_for_update().get(pk=statement.participant_id)
    statement = MonthlyStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.is_locked:
        return statement  # a second click changes nothing
    statement = statement_prepare(participant=statement.participant, month=statement.month)
    excess = excess_open(participant_id=statement.participant_id)
    if excess is not None:
        raise excess_refusal(excess)
    month_marks = month_days(statement.participant, statement.month)
    pending = [
        row
        for row in month_marks
        if isinstance(row, ServiceSheet) and row.status == ServiceSheet.Status.SUBMITTED
    ]
    if pending:
        raise ValidationError(
            _("Des fiches de prestation du mois attendent d'être validées ou renvoyées : %(days)s.")
            % {"days": ", ".join(f"{row.date:%d/%m}" for row in pending)}
        )
    if any(row.not_payable == Attendance.NotPayable.NO_CEILING for row in month_marks):
        raise ValidationError(
            _(
                "Aucun plafond de défraiement n'est configuré pour %(year)s : la fiche ne peut pas "
                "être validée. L'administration doit l'ajouter."
            )
            % {"year": statement.month.year}
        )
    unrated = _vehicles_without_rate(month_marks, year=statement.month.year)
    if unrated:
        raise ValidationError(
            _(
                "Aucune indemnité kilométrique (%(vehicles)s) n'est configurée pour %(year)s : "
                "les kilomètres du mois ne peuvent pas être remboursés. L'administration doit "
                "l'ajouter (Administration technique → Plafonds de défraiement)."
            )
            % {"vehicles": ", ".join(unrated), "year": statement.month.year}
        )
    waiting = statement_unacknowledged(statement=statement)
    if waiting:
        days = ", ".join(f"{a.day:%d/%m} ({a.get_not_payable_display()})" for a in waiting)
        raise ValidationError(
            _("Des jours ne sont pas payables et n'ont pas été confirmés : %(days)s.")
            % {"days": days}
        )
    statement.status = MonthlyStatement.Status.VALIDATED
    statement.validated_by = by
    statement.validated_at = timezone.now()
    statement.save(update_fields=["status", "validated_by", "validated_at"])
    return statement


def _vehicles_without_rate(marks, *, year: int) -> list[str]:
    """The vehicles of the kilometres of these marks that the year's ceilings give no rate for."""
    ceiling = IndemnityCeiling.objects.filter(year=year).first()
    vehicles = {mark.vehicle for mark in marks if mark.km and mark.is_present}
    return [
        str(Vehicle(vehicle).label)
        for vehicle in sorted(vehicles)
        if ceiling is not None and ceiling.km_rate(vehicle) is None
    ]


@transaction.atomic
def statement_unlock(*, statement: MonthlyStatement, by: User, reason: str) -> MonthlyStatement:
    """Reopen a validated month (administration only, with a reason kept in the log)."""
    if not Membership.objects.holds(
        user=by, organization=statement.organization_id, role=Role.ADMIN
    ):
        raise PermissionDenied
    Participant.objects.select_for_update().get(pk=statement.participant_id)
    statement = MonthlyStatement.objects.select_for_update().get(pk=statement.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("Le motif de la réouverture est obligatoire.")})
    if statement.status == MonthlyStatement.Status.PAID:
        raise ValidationError(_("Cette fiche est payée : elle ne peut plus être rouverte."))
    if statement.batch_id is not None:
        raise ValidationError(
            _(
                "Cette fiche fait partie du lot de paiement %(reference)s : la direction doit "
                "d'abord annuler ce lot pour qu'elle puisse être rouverte."
            )
            % {"reference": statement.batch.reference}
        )
    if statement.status != MonthlyStatement.Status.VALIDATED:
        raise ValidationError(_("Cette fiche n'est pas validée."))
    if statement.corrections.exists() or statement.carried_corrections.exists():
        # Its corrections count already: reopened, the month would be corrected twice.
        raise ValidationError(
            _(
                "Cette fiche a des corrections : elle ne peut plus être rouverte. Ajoutez une "
                "correction pour ce qui reste à changer."
            )
        )
    StatementUnlock.objects.create(statement=statement, by=by, reason=reason.strip())
    statement.status = MonthlyStatement.Status.DRAFT
    statement.validated_by, statement.validated_at = None, None
    statement.save(update_fields=["status", "validated_by", "validated_at"])
    # Its days are open again: their amounts and the year's flag follow at once.
    indemnities_recompute(participant=statement.participant, year=statement.month.year)
    return statement


@transaction.atomic
def indemnity_ceiling_save(*, ceiling: IndemnityCeiling) -> IndemnityCeiling:
    """A year's ceilings added or corrected (the administration, in the admin site): every
    amount of that year depends on them, recomputed in the background once committed — or here
    and now when the broker cannot take it (a slower save, but no amount left on the old
    ceiling)."""
    from accounts.queueing import enqueue_on_commit
    from chantiers.tasks import indemnities_recompute_year  # the tasks call these services

    ceiling.full_clean()
    ceiling.save()
    enqueue_on_commit(
        indemnities_recompute_year,
        ceiling.year,
        on_broker_down=functools.partial(indemnities_recompute_everyone, year=ceiling.year),
    )
    return ceiling


def chantier_save(*, chantier: Chantier, coordinators, by: Membership) -> Chantier:
    """A chantier created or changed, with its coordinators. A coordinator who saves it stays
    among them (or they would lose sight of it at once). Its code taken meanwhile (a double
    click, two people at once: both passed the form's check) is refused on the code."""
    try:
        with transaction.atomic():
            chantier.save()
    except IntegrityError:
        taken = Chantier.objects.filter(organization=chantier.organization_id, code=chantier.code)
        if not taken.exclude(pk=chantier.pk).exists():
            raise
        raise ValidationError({"code": _("Un autre chantier porte déjà ce code.")}) from None
    with transaction.atomic():
        chantier.coordinators.set(coordinators)
        if by.role == Role.COORDINATOR:
            chantier.coordinators.add(by.user)
    return chantier


@transaction.atomic
def agreement_save(
    *, agreement: VolunteerAgreement, previous_start: dt.date | None
) -> VolunteerAgreement:
    """A volunteer agreement written or changed: completing the paperwork recomputes the days
    it changes (rule 3), from the earlier of the old and the new start."""
    agreement.save()
    indemnities_recompute_from(
        participant=agreement.participant,
        day=min(day for day in (previous_start, agreement.starts_on) if day),
    )
    return agreement


def indemnities_recompute_everyone(*, year: int) -> int:
    """Recompute the year of everyone who has a mark or a service sheet in it (after a change of
    ceiling)."""
    # Those with marks or sheets, and those whose declarations alone may take the year above a
    # ceiling.
    people = sorted(
        set(
            Participant.objects.filter(attendances__session__date__year=year).values_list(
                "pk", flat=True
            )
        )
        | set(ServiceSheet.objects.filter(date__year=year).values_list("participant", flat=True))
        | set(ElsewhereDeclaration.objects.filter(year=year).values_list("participant", flat=True))
        | set(CeilingExcess.objects.filter(year=year).values_list("participant", flat=True))
    )
    for start in range(0, len(people), 200):  # short transactions, a few queries each
        indemnities_recompute_many(participant_ids=people[start : start + 200], year=year)
    return len(people)


def indemnities_recompute_from(*, participant: Participant, day: dt.date) -> None:
    """A change effective from ``day`` (an income source, say): recompute that year onward."""
    first = dt.date(day.year, 1, 1)
    # Only the years with marks or service sheets (most people never worked on a chantier): a
    # change dated long ago (0026 typed for 2026, an income source since 1995) must not walk
    # every year since.
    years = {
        *Attendance.objects.filter(participant=participant, session__date__gte=first).dates(
            "session__date", "year"
        ),
        *ServiceSheet.objects.filter(participant=participant, date__gte=first).dates(
            "date", "year"
        ),
    }
    for year in sorted(years):
        indemnities_recompute(participant=participant, year=year.year)
