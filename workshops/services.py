"""What changes the collective modules: the catalogue, the sessions, who is enrolled, who was
there (the grid) and the EPN's anonymous head-count. A presence is an event of the pathway's
log ("Atelier collectif", on the session's day, for the hours attended); an absence is none."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, User
from participants import services as participant_services
from participants.grid import PRESENT_LIKE, Presence
from participants.models import Pathway, PathwayEvent
from workshops.models import (
    AHEAD_DAYS,
    DropInVisit,
    Module,
    ModuleAttendance,
    ModuleEnrolment,
    ModuleSession,
)

# Who runs the modules: the counsellors and the direction.
MODULE_ROLES = (Role.COUNSELLOR, Role.DIRECTION)


@dataclass(frozen=True)
class Mark:
    """A person's presence as typed on the grid."""

    participant_id: int
    status: str
    hours: Decimal | None = None  # the session's length when not given
    note: str = ""
    version: int | None = None  # the version the page was shown with; None for a new mark


@dataclass
class AttendanceResult:
    saved: list[ModuleAttendance] = field(default_factory=list)
    # Marks changed by someone else since they were shown: kept as they are, reported.
    conflicts: list[ModuleAttendance] = field(default_factory=list)


def module_create(*, organization: Organization, **fields) -> Module:
    partner = fields.get("partner")
    if partner is not None and partner.pk == organization.pk:
        raise ValidationError({"partner": _("Le partenaire est une autre organisation.")})
    if Module.objects.filter(organization=organization, title__iexact=fields["title"]).exists():
        raise ValidationError({"title": _("Ce module est déjà au catalogue.")})
    return Module.objects.create(organization=organization, **fields)


def module_update(*, module: Module, **fields) -> Module:
    """A module's kind is its figures' (an EPN's visitors): it no longer changes once a
    session of it was held."""
    kind = fields.get("kind", module.kind)
    if kind != Module.objects.get(pk=module.pk).kind and _held(module):
        raise ValidationError(
            {"kind": _("Des séances de ce module ont eu lieu : son type ne change plus.")}
        )
    partner = fields.get("partner")
    if partner is not None and partner.pk == module.organization_id:
        raise ValidationError({"partner": _("Le partenaire est une autre organisation.")})
    same_title = Module.objects.filter(
        organization=module.organization_id, title__iexact=fields.get("title", module.title)
    ).exclude(pk=module.pk)
    if same_title.exists():
        raise ValidationError({"title": _("Ce module est déjà au catalogue.")})
    for name, value in fields.items():
        setattr(module, name, value)
    module.save()
    return module


def _held(module: Module) -> bool:
    return (
        ModuleAttendance.objects.filter(session__module=module).exists()
        or DropInVisit.objects.filter(session__module=module).exists()
    )


def _plannable(module: Module, date: dt.date) -> None:
    if not module.active:
        raise ValidationError(_("Ce module est retiré du catalogue : on n'en planifie plus."))
    if date > timezone.localdate() + dt.timedelta(days=AHEAD_DAYS):
        raise ValidationError({"date": _("Une séance se planifie au plus deux ans à l'avance.")})


def session_plan(
    *,
    module: Module,
    date: dt.date,
    starts_at: dt.time,
    by: User,
    duration_minutes: int | None = None,
    room: str = "",
    capacity: int | None = None,
) -> ModuleSession:
    """A session of the module; its length is the module's unless said. A session of a past day
    may be entered too (a workshop noted afterwards)."""
    _plannable(module, date)
    return ModuleSession.objects.create(
        module=module,
        date=date,
        starts_at=starts_at,
        duration_minutes=duration_minutes or module.duration_minutes,
        room=room,
        capacity=capacity,
        created_by=by,
    )


@transaction.atomic
def session_update(*, session: ModuleSession, **fields) -> ModuleSession:
    locked = _locked(session)
    _still_planned(locked)
    if fields.get("date", locked.date) != locked.date:  # moved: planned anew
        _plannable(locked.module, fields["date"])
    if "duration_minutes" in fields and not fields["duration_minutes"]:
        fields["duration_minutes"] = locked.module.duration_minutes  # as when planned
    capacity = fields.get("capacity")
    enrolled = locked.enrolments.count()
    if capacity is not None and capacity < enrolled:
        raise ValidationError(
            {
                "capacity": _("%(count)s personnes sont déjà inscrites : pas moins de places.")
                % {"count": enrolled}
            }
        )
    if locked.attendances.exists() or locked.visits.exists():
        # Held: its marks' hours, its events and its figures are those of its day and times.
        said = _("Des présences sont notées à cette séance : elle ne change plus de moment.")
        moved = {
            name: said
            for name in ("date", "starts_at", "duration_minutes")
            if name in fields and fields[name] != getattr(locked, name)
        }
        if moved:
            raise ValidationError(moved)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def session_cancel(*, session: ModuleSession, reason: str) -> ModuleSession:
    """Cancelled: nobody was there. Refused once a presence or a visit is noted."""
    locked = _locked(session)
    _still_planned(locked)
    if locked.attendances.exists() or locked.visits.exists():
        raise ValidationError(
            _("Des présences ou des visites sont notées : cette séance a eu lieu.")
        )
    locked.status = ModuleSession.Status.CANCELLED
    locked.cancel_reason = reason
    locked.save(update_fields=["status", "cancel_reason"])
    return locked


def has_begun(session: ModuleSession) -> bool:
    start = timezone.make_aware(dt.datetime.combine(session.date, session.starts_at))
    return start <= timezone.now()


def _has_begun(session: ModuleSession) -> None:
    if not has_begun(session):
        raise ValidationError(
            _("Cette séance n'a pas encore commencé : les présences se notent à partir de %(at)s.")
            % {"at": f"{session.date:%d/%m/%Y} {session.starts_at:%H:%M}"}
        )


def _locked(session: ModuleSession) -> ModuleSession:
    return ModuleSession.objects.select_for_update().select_related("module").get(pk=session.pk)


def _still_planned(session: ModuleSession) -> None:
    if session.is_cancelled:
        raise ValidationError(_("Cette séance est annulée."))


@transaction.atomic
def enrolment_add(*, session: ModuleSession, pathway: Pathway, by: User) -> ModuleEnrolment:
    """The person of an open pathway enrolled in a session of their organization, within its
    places. The session is locked: two enrolments at the same moment do not both take the last
    place."""
    locked = _locked(session)
    _still_planned(locked)
    # Locked: a closing at the same moment frees its places after this enrolment, not before.
    pathway = Pathway.objects.select_for_update().select_related("participant").get(pk=pathway.pk)
    person = pathway.participant
    if person.organization_id != locked.module.organization_id:
        raise ValidationError(_("Cette personne ne fait pas partie de cette organisation."))
    if not pathway.is_open:
        raise ValidationError(_("Ce parcours est clôturé : on n'y inscrit plus."))
    if locked.date < pathway.started_on:
        raise ValidationError(
            _("Cette séance précède le début du parcours (%(date)s).")
            % {"date": f"{pathway.started_on:%d/%m/%Y}"}
        )
    if person.anonymised_at is not None:
        raise ValidationError(_("Cette personne est anonymisée."))
    if locked.enrolments.filter(participant=person).exists():
        raise ValidationError(_("%(name)s est déjà inscrit·e à cette séance.") % {"name": person})
    if locked.capacity is not None and locked.enrolments.count() >= locked.capacity:
        raise ValidationError(
            _("Cette séance est complète (%(count)s places).") % {"count": locked.capacity}
        )
    return ModuleEnrolment.objects.create(
        session=locked, participant=person, pathway=pathway, enrolled_by=by
    )


@transaction.atomic
def enrolment_remove(*, enrolment: ModuleEnrolment) -> None:
    """Unenrolled — refused once their presence is noted (then mark them absent instead)."""
    _locked(enrolment.session)
    noted = ModuleAttendance.objects.filter(
        session=enrolment.session_id, participant=enrolment.participant_id
    )
    if noted.exists():
        raise ValidationError(
            _("Sa présence est notée : marquez plutôt une absence sur la grille.")
        )
    enrolment.delete()


def enrolments_remove_for_closed_pathway(*, pathway: Pathway, by: User) -> None:
    """A closed pathway leaves the sessions still to come (its place is freed)."""
    ModuleEnrolment.objects.filter(pathway=pathway, session__date__gt=timezone.localdate()).exclude(
        session__attendances__participant=pathway.participant_id,
    ).delete()


def event_text(session: ModuleSession, status: str) -> str:
    """The text of a presence's event in the pathway's log."""
    return _("%(kind)s « %(title)s » : %(status)s.") % {
        "kind": session.module.get_kind_display(),
        "title": session.module.title,
        "status": Presence(status).label,
    }


@transaction.atomic
def attendance_record(*, session: ModuleSession, marks: list[Mark], by: User) -> AttendanceResult:
    """The marks of a session saved in one go (the grid). Refused for a cancelled session, one
    that has not begun, or a person not enrolled. A mark changed by a colleague since the page
    was shown (its version) is kept and reported. A presence is an event of the person's pathway
    log, added while the pathway is open (not in one closed since); an event already there
    follows its mark — changed with it, removed by an absence."""
    locked = _locked(session)
    _still_planned(locked)
    _has_begun(locked)
    statuses = set(Presence.values)
    enrolments = {
        e.participant_id: e
        for e in locked.enrolments.select_related("participant").filter(
            participant__in=[m.participant_id for m in marks]
        )
    }
    # Their pathways locked (by id, as every writer does), so that a closing at the same moment
    # waits: no event lands in, nor changes, a closed pathway's log.
    pathways = {
        p.pk: p
        for p in Pathway.objects.select_for_update()
        .filter(pk__in={e.pathway_id for e in enrolments.values()})
        .order_by("pk")
    }
    for enrolment in enrolments.values():
        enrolment.pathway = pathways[enrolment.pathway_id]
    recorded = {
        a.participant_id: a
        for a in ModuleAttendance.objects.select_for_update(of=("self",))
        .select_related("participant", "recorded_by")
        .filter(session=locked, participant__in=list(enrolments))
    }
    result = AttendanceResult()
    for mark in marks:
        enrolment = enrolments.get(mark.participant_id)
        if enrolment is None:
            raise ValidationError(_("Une des personnes n'est pas inscrite à cette séance."))
        if mark.status not in statuses:
            raise ValidationError(_("Présence inconnue."))
        if mark.hours is not None:
            hours = mark.hours
        else:  # the session's length for a presence, none for an absence
            hours = locked.hours if mark.status in PRESENT_LIKE else Decimal("0.00")
        if not Decimal("0") <= hours <= Decimal("24"):
            raise ValidationError(_("Entre 0 et 24 heures."))
        attendance = recorded.get(mark.participant_id)
        if attendance is not None and mark.version != attendance.version:
            if (attendance.status, attendance.hours, attendance.note) != (
                mark.status,
                hours,
                mark.note,
            ):
                result.conflicts.append(attendance)
            continue
        if attendance is not None and (attendance.status, attendance.hours, attendance.note) == (
            mark.status,
            hours,
            mark.note,
        ):
            continue  # nothing changed
        if attendance is None:
            attendance = ModuleAttendance(session=locked, participant=enrolment.participant)
        else:
            attendance.version += 1
        attendance.status, attendance.hours, attendance.note = mark.status, hours, mark.note
        attendance.recorded_by = by
        _follow_in_log(attendance, enrolment, by)
        attendance.save()
        result.saved.append(attendance)
    return result


def _follow_in_log(attendance: ModuleAttendance, enrolment: ModuleEnrolment, by: User) -> None:
    """The presence's event in the pathway's log, as the mark now says — while the pathway is
    open: a closed pathway's log does not change (reopened, it follows again)."""
    session = attendance.session
    minutes = int(attendance.hours * 60)
    if not enrolment.pathway.is_open:
        return
    if attendance.status in PRESENT_LIKE:
        if attendance.event_id is not None:
            PathwayEvent.objects.filter(pk=attendance.event_id).update(
                duration_minutes=minutes, text=event_text(session, attendance.status)
            )
        elif session.date >= enrolment.pathway.started_on:
            attendance.event = participant_services.event_add(
                pathway=enrolment.pathway,
                by=by,
                date=session.date,
                text=event_text(session, attendance.status),
                kind=PathwayEvent.Kind.GROUP_WORKSHOP,
                duration_minutes=minutes,
            )
    elif attendance.event_id is not None:
        event_id, attendance.event = attendance.event_id, None
        attendance.save(update_fields=["event"])
        PathwayEvent.objects.filter(pk=event_id).delete()


@transaction.atomic
def visit_record(
    *, session: ModuleSession, people: int, age_band: str, gender: str, need: str, by: User
) -> DropInVisit:
    """Visitors of an EPN session who are not participants, counted without a name."""
    locked = _locked(session)  # a cancelling at the same moment waits, or is waited for
    if locked.module.kind != Module.Kind.EPN:
        raise ValidationError(_("Les visites libres se comptent aux séances EPN."))
    _still_planned(locked)
    _has_begun(locked)
    visit = DropInVisit(
        session=locked, people=people, age_band=age_band, gender=gender, need=need, recorded_by=by
    )
    visit.full_clean(exclude=["session", "recorded_by"])
    visit.save()
    return visit


def visit_delete(*, visit: DropInVisit) -> None:
    visit.delete()
