"""Writes on chantiers. Attendance goes through ``attendance_record``, which keeps every mark
and the indemnities that follow from it consistent."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from chantiers.indemnities import YearBalance, indemnities_recompute
from chantiers.models import Attendance, WorkSession
from participants.models import Participant


@dataclass
class Mark:
    participant_id: int
    status: str
    hours: Decimal | None = None  # the session's length when not given
    note: str = ""
    version: int | None = None  # the version the coordinator saw; None for a new mark


@dataclass
class AttendanceResult:
    saved: list[Attendance] = field(default_factory=list)
    # Marks changed by someone else since they were shown: kept as they are, reported.
    conflicts: list[Attendance] = field(default_factory=list)
    balances: dict[int, YearBalance] = field(default_factory=dict)


@transaction.atomic
def attendance_record(*, session: WorkSession, marks: list[Mark], by: User) -> AttendanceResult:
    """Save the marks of a session in one go and recompute the indemnities they change."""
    session = WorkSession.objects.select_for_update().select_related("chantier").get(pk=session.pk)
    if session.status == WorkSession.Status.CANCELLED:
        raise ValidationError(_("Cette séance est annulée : on n'y note pas de présences."))
    statuses = set(Attendance.Status.values)
    wanted = {mark.participant_id for mark in marks}
    known = set(
        Participant.objects.filter(
            pk__in=wanted, organization=session.chantier.organization_id
        ).values_list("pk", flat=True)
    )
    if wanted - known:
        raise ValidationError(_("Une des personnes ne fait pas partie de cette organisation."))
    existing = {
        a.participant_id: a
        for a in Attendance.objects.select_for_update().filter(
            session=session, participant__in=wanted
        )
    }
    result = AttendanceResult()
    for mark in marks:
        if mark.status not in statuses:
            raise ValidationError(_("Présence inconnue : %(status)s.") % {"status": mark.status})
        hours = session.hours if mark.hours is None else mark.hours
        if hours < 0 or hours > 24:
            raise ValidationError(_("Nombre d'heures impossible : %(hours)s.") % {"hours": hours})
        attendance = existing.get(mark.participant_id)
        if attendance is None:
            attendance = Attendance(
                session=session,
                participant_id=mark.participant_id,
                status=mark.status,
                hours=hours,
                note=mark.note,
                recorded_by=by,
            )
            attendance.save()
            result.saved.append(attendance)
        elif mark.version is not None and mark.version != attendance.version:
            result.conflicts.append(attendance)
        elif (attendance.status, attendance.hours, attendance.note) != (
            mark.status,
            hours,
            mark.note,
        ):
            attendance.status, attendance.hours, attendance.note = mark.status, hours, mark.note
            attendance.recorded_by = by
            attendance.version += 1
            attendance.save(
                update_fields=["status", "hours", "note", "recorded_by", "recorded_at", "version"]
            )
            result.saved.append(attendance)
    if result.saved and session.status == WorkSession.Status.PLANNED:
        session.status = WorkSession.Status.HELD
        session.save(update_fields=["status"])
    for participant in Participant.objects.filter(pk__in=wanted).order_by("pk"):
        result.balances[participant.pk] = indemnities_recompute(
            participant=participant, year=session.date.year
        )
    return result
