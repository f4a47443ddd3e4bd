"""The demo's agenda (issue 20): for the counsellors of each operator, the appointments of the
last three months with what became of them — most held, each an interview in the pathway's
log, about one in eight missed, about one in ten cancelled — and those planned for the rest of
this week and next week, a few of them tomorrow for people who agreed to a reminder, so that
the demo's worker sends reminders on the day it is started.

Only in open pathways; one counsellor, one appointment at a time, in office hours (9:00–16:30
in Brussels, 45 or 60 minutes, a lunch break); nothing today (an appointment of today would be
past or to come depending on the hour the seed runs, and the same seed gives the same rows all
day long). Tomorrow's appointments are planned whatever day tomorrow is (a Saturday
permanence): the reminders must show the day the demo is tried. The demo counsellor has two
or three appointments of the last two working days (yesterday and the day before, from Tuesday
to Friday) still "planned", their outcome not said yet: the agenda and the director's dashboard
show them "to complete", and the no-show rate as provisional.

``plan_agenda`` decides everything from the rng, without a query: the small scale writes the
plan through the agenda's services (``seed_agenda``), the large one adds it to its bulk rows
(``demo.large``).
"""

import datetime as dt
from dataclasses import dataclass, field

import holidays
from django.utils import timezone

from accounts.models import Role
from agenda import services as agenda_services
from agenda import sms
from agenda.models import Appointment, Reminder, ReminderConsent
from demo import accounts as accounts_demo
from demo import participants as people_demo
from participants.models import Confidentiality, Pathway, PathwayEvent

HISTORY_DAYS = 91
# Start times: a morning, a lunch break, an afternoon that ends by 16:30.
SLOTS = (
    dt.time(9, 0),
    dt.time(10, 0),
    dt.time(11, 0),
    dt.time(13, 30),
    dt.time(14, 30),
    dt.time(15, 30),
)
DURATIONS = (45, 60, 60)
MODES = (Appointment.Mode.IN_PERSON, Appointment.Mode.PHONE, Appointment.Mode.VIDEO)
MODE_WEIGHTS = (70, 20, 10)
OUTCOMES = (Appointment.Status.HELD, Appointment.Status.NO_SHOW, Appointment.Status.CANCELLED)
OUTCOME_WEIGHTS = (77, 12, 11)
# Tomorrow, for people who agreed to a reminder: this many per counsellor at most.
TOMORROW_PER_COUNSELLOR = 2
# The demo counsellor's appointments passed without their outcome said (yesterday, the day
# before): so many at least, and at most.
TO_COMPLETE = (2, 3)
TO_COMPLETE_FOR = next(
    email for email, *_names, role, _org in accounts_demo.DEMO_ACCOUNTS if role == Role.COUNSELLOR
)
# Where in the office: after the street, so that the reminder says where to come ("à Rue de la
# Clinique 42 (bureau 2)").
OFFICES = ("bureau 1", "bureau 2", "bureau 3", "salle de réunion, 1er étage", "accueil")
PURPOSES = (
    "Point sur la recherche d'emploi",
    "Mise à jour du CV",
    "Préparer un entretien d'embauche",
    "Bilan du chantier",
    "Inscription à une formation",
    "Démarches chez Actiris",
    "Suivi du plan d'action",
    "Bilan de fin de phase",
    "Lettre de motivation",
)
CANCEL_REASONS = (
    "Malade, a prévenu par téléphone",
    "Convocation chez Actiris à la même heure",
    "Enfant malade, pas de garde",
    "Conseiller·ère absent·e (formation)",
    "Grève des transports",
    "Entretien d'embauche le même jour",
)


@dataclass
class PlannedAppointment:
    pathway: Pathway
    starts_at: dt.datetime
    duration_minutes: int
    mode: str
    place: str
    purpose: str
    status: str
    booked_at: dt.datetime
    outcome_at: dt.datetime | None = None
    cancel_reason: str = ""
    note: str = ""  # the interview's text, when held
    confidentiality: str = Confidentiality.NORMAL
    reminders: list = field(default_factory=list)  # (channel, sent at)

    @property
    def counsellor(self):
        return self.pathway.counsellor


@dataclass
class PlannedConsent:
    pathway: Pathway  # the person's, whose counsellor records it
    by_email: bool
    by_sms: bool
    given_on: dt.date


@dataclass
class AgendaPlan:
    appointments: list[PlannedAppointment]
    consents: list[PlannedConsent]

    def count(self, status: str) -> int:
        return sum(1 for a in self.appointments if a.status == status)

    def to_complete(self, today: dt.date) -> int:
        """Still planned, but passed: their outcome is to be said."""
        return sum(
            1
            for a in self.appointments
            if a.status == Appointment.Status.PLANNED and timezone.localdate(a.starts_at) < today
        )


def at(day: dt.date, moment: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, moment))


def _working_day(day: dt.date, closed) -> bool:
    return day.weekday() < 5 and day not in closed


def _booked(rng, day: dt.date, earliest: dt.datetime) -> dt.datetime:
    """A time of the office's week on or before ``day`` (a weekend's day gives its Friday),
    not before ``earliest``."""
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return max(earliest, at(day, dt.time(rng.randint(9, 16), rng.choice((0, 20, 40)))))


class _Diary:
    """Which slots of which counsellor's days are taken."""

    def __init__(self, rng):
        self.rng, self.taken = rng, set()

    def book(self, counsellor, day: dt.date, slots=SLOTS) -> dt.time | None:
        for index in self.rng.sample(range(len(slots)), len(slots)):
            key = (counsellor.pk, day, slots[index])
            if key not in self.taken:
                self.taken.add(key)
                return slots[index]
        return None


def plan_agenda(*, rng, pathways: list[Pathway], today: dt.date, closed=None) -> AgendaPlan:
    """The appointments and consents of the open ``pathways`` (in a stable order), each
    pathway's participant and counsellor at hand (no query). ``closed``: the public holidays."""
    if closed is None:
        closed = holidays.country_holidays("BE", years=range(today.year - 1, today.year + 2))
    diary = _Diary(rng)
    consents = _plan_consents(rng, pathways, today)
    consent_of = {id(c.pathway.participant): c for c in consents}
    appointments = []
    for pathway in pathways:
        appointments += _plan_history(rng, diary, pathway, today, closed)
    planned = set()
    tomorrow = today + dt.timedelta(days=1)
    by_counsellor: dict[int, list[Pathway]] = {}
    for pathway in pathways:
        if id(pathway.participant) in consent_of:
            by_counsellor.setdefault(pathway.counsellor.pk, []).append(pathway)
    for reminded in by_counsellor.values():
        for pathway in rng.sample(reminded, min(TOMORROW_PER_COUNSELLOR, len(reminded))):
            appointment = _plan_coming(rng, diary, pathway, tomorrow, today, SLOTS[:3])
            if appointment is not None:
                appointments.append(appointment)
                planned.add(id(pathway.participant))
    # The rest of this week and next week, to its Friday.
    last = today + dt.timedelta(days=7 + 4 - today.weekday())
    days = [
        tomorrow + dt.timedelta(days=n)
        for n in range((last - tomorrow).days + 1)
        if _working_day(tomorrow + dt.timedelta(days=n), closed)
    ]
    for pathway in pathways:
        if id(pathway.participant) in planned or not days or rng.random() < 0.45:
            continue
        appointment = _plan_coming(rng, diary, pathway, rng.choice(days), today)
        if appointment is not None:
            appointments.append(appointment)
            planned.add(id(pathway.participant))
    appointments += _plan_to_complete(rng, diary, pathways, today, closed)
    _plan_reminders_sent(appointments, consent_of)
    return AgendaPlan(appointments=appointments, consents=consents)


def _plan_to_complete(rng, diary, pathways, today, closed) -> list[PlannedAppointment]:
    """Two or three appointments of the demo counsellor on the last two working days, in slots
    of the day still free: their outcome not said."""
    days = []
    day = today
    while len(days) < 2:
        day -= dt.timedelta(days=1)
        if _working_day(day, closed):
            days.append(day)
    mine = [
        p for p in pathways if p.counsellor.email == TO_COMPLETE_FOR and p.started_on < days[-1]
    ]
    found = []
    for pathway in rng.sample(mine, min(len(mine), rng.randint(*TO_COMPLETE))):
        day = rng.choice(days)
        slot = diary.book(pathway.counsellor, day) or diary.book(pathway.counsellor, days[0])
        if slot is None:
            continue
        booked_at = _booked(
            rng,
            day - dt.timedelta(days=rng.randint(3, 14)),
            earliest=at(pathway.started_on, dt.time(8, 0)),
        )
        found.append(
            PlannedAppointment(
                pathway=pathway,
                starts_at=at(day, slot),
                status=Appointment.Status.PLANNED,
                booked_at=booked_at,
                **_details(rng, pathway),
            )
        )
    return found


def _plan_consents(rng, pathways, today) -> list[PlannedConsent]:
    """Six people in ten agree to reminders, by the channels they have a contact for."""
    consents, seen = [], set()
    for pathway in pathways:
        person = pathway.participant
        if id(person) in seen:
            continue
        seen.add(id(person))
        if rng.random() >= 0.6:
            continue
        by_email = bool(person.email) and rng.random() < 0.7
        by_sms = sms.mobile_number(person.phone) is not None and rng.random() < 0.8
        if not (by_email or by_sms):
            continue
        given_on = min(today, pathway.started_on + dt.timedelta(days=rng.randint(0, 20)))
        consents.append(
            PlannedConsent(pathway=pathway, by_email=by_email, by_sms=by_sms, given_on=given_on)
        )
    return consents


def _details(rng, pathway) -> dict:
    mode = rng.choices(MODES, weights=MODE_WEIGHTS)[0]
    street = pathway.participant.organization.street
    office = rng.choice(OFFICES)
    place = {
        Appointment.Mode.IN_PERSON: f"{street} ({office})" if street else office.capitalize(),
        Appointment.Mode.PHONE: "",
        Appointment.Mode.VIDEO: f"https://visio.demo.local/rdv-{rng.randrange(10**6):06d}",
    }[mode]
    return {
        "duration_minutes": rng.choice(DURATIONS),
        "mode": mode,
        "place": place,
        "purpose": rng.choice(PURPOSES),
    }


def _plan_history(rng, diary, pathway, today, closed) -> list[PlannedAppointment]:
    """Every two to four weeks since the pathway started (three months back at most), each
    on a working day before today."""
    found = []
    day = max(pathway.started_on, today - dt.timedelta(days=HISTORY_DAYS))
    day += dt.timedelta(days=rng.randint(0, 14))
    while True:
        while not _working_day(day, closed):
            day += dt.timedelta(days=1)
        if day >= today:
            return found
        slot = diary.book(pathway.counsellor, day)
        if slot is not None:
            found.append(_plan_past(rng, pathway, at(day, slot)))
        day += dt.timedelta(days=rng.randint(14, 28))


def _plan_past(rng, pathway, starts_at) -> PlannedAppointment:
    details = _details(rng, pathway)
    status = rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS)[0]
    booked_at = _booked(
        rng,
        timezone.localdate(starts_at) - dt.timedelta(days=rng.randint(3, 21)),
        earliest=at(pathway.started_on, dt.time(8, 0)),
    )
    appointment = PlannedAppointment(
        pathway=pathway, starts_at=starts_at, status=status, booked_at=booked_at, **details
    )
    ends_at = starts_at + dt.timedelta(minutes=appointment.duration_minutes)
    if status == Appointment.Status.CANCELLED:
        appointment.cancel_reason = rng.choice(CANCEL_REASONS)
        appointment.outcome_at = max(
            booked_at, starts_at - dt.timedelta(hours=rng.choice([2, 18, 26, 50]))
        )
    else:
        appointment.outcome_at = ends_at + dt.timedelta(minutes=rng.randint(5, 90))
    if status == Appointment.Status.HELD:
        restricted = rng.random() < 0.05
        texts = people_demo.RESTRICTED_TEXTS if restricted else people_demo.EVENT_TEXTS["interview"]
        appointment.note = rng.choice(texts)
        if restricted:
            appointment.confidentiality = Confidentiality.RESTRICTED
    return appointment


def _plan_coming(rng, diary, pathway, day, today, slots=SLOTS) -> PlannedAppointment | None:
    slot = diary.book(pathway.counsellor, day, slots)
    if slot is None:
        return None
    booked_at = _booked(
        rng,
        today - dt.timedelta(days=rng.randint(1, 12)),
        earliest=at(pathway.started_on, dt.time(8, 0)),
    )
    return PlannedAppointment(
        pathway=pathway,
        starts_at=at(day, slot),
        status=Appointment.Status.PLANNED,
        # Booked before today (the same rows all day long).
        booked_at=min(booked_at, at(today, dt.time(0, 0))),
        **_details(rng, pathway),
    )


def _plan_reminders_sent(appointments, consent_of) -> None:
    """The reminders the beat task sent the day before (its first run, 8:15) for the past
    appointments booked earlier, of people who had agreed by then; a cancellation before that
    run left none."""
    for appointment in appointments:
        consent = consent_of.get(id(appointment.pathway.participant))
        if consent is None or appointment.status == Appointment.Status.PLANNED:
            continue
        sent_at = at(
            timezone.localdate(appointment.starts_at) - dt.timedelta(days=1), dt.time(8, 15)
        )
        if consent.given_on >= sent_at.date() or appointment.booked_at >= sent_at:
            continue
        if appointment.status == Appointment.Status.CANCELLED and appointment.outcome_at < sent_at:
            continue
        for channel, agreed in (
            (Reminder.Channel.EMAIL, consent.by_email),
            (Reminder.Channel.SMS, consent.by_sms),
        ):
            if agreed:
                appointment.reminders.append((channel, sent_at))


# --- the small scale: through the services ----------------------------------------------------


def seed_agenda(*, rng, organizations) -> dict:
    """The plan of the operators' open pathways, written as the app would have: consents and
    coming appointments by the services; a past appointment is booked as the booking service
    does (it refuses a past time), then its outcome is said by the outcome's service (a held
    one becomes an interview of the pathway's log), its dates set back to when it happened."""
    from demo.large import timestamps_as_given

    today = timezone.localdate()
    pathways = list(
        Pathway.objects.filter(
            participant__organization__in=organizations,
            participant__anonymised_at__isnull=True,
            ended_on__isnull=True,
        )
        .select_related("participant__organization", "counsellor")
        .order_by("pk")
    )
    plan = plan_agenda(rng=rng, pathways=pathways, today=today)
    for consent in plan.consents:
        agenda_services.reminder_consent_record(
            participant=consent.pathway.participant,
            by_email=consent.by_email,
            by_sms=consent.by_sms,
            given_on=consent.given_on,
            by=consent.pathway.counsellor,
        )
    reminders = []
    for planned in plan.appointments:
        appointment = _write(planned)
        reminders += [
            Reminder(
                appointment=appointment,
                channel=channel,
                for_starts_at=appointment.starts_at,
                status=Reminder.Status.SENT,
                at=sent_at,
            )
            for channel, sent_at in planned.reminders
        ]
    with timestamps_as_given(Reminder):
        Reminder.objects.bulk_create(reminders)
    return {
        "appointments": len(plan.appointments),
        "appointments_held": plan.count(Appointment.Status.HELD),
        "appointments_no_show": plan.count(Appointment.Status.NO_SHOW),
        "appointments_cancelled": plan.count(Appointment.Status.CANCELLED),
        "appointments_to_complete": plan.to_complete(today),
        "appointments_planned": plan.count(Appointment.Status.PLANNED) - plan.to_complete(today),
        "appointments_tomorrow": sum(
            1
            for a in plan.appointments
            if timezone.localdate(a.starts_at) == today + dt.timedelta(days=1)
        ),
        "reminder_consents": len(plan.consents),
        "reminders": len(reminders),
    }


def _write(planned: PlannedAppointment) -> Appointment:
    counsellor = planned.counsellor
    fields = {
        "pathway": planned.pathway,
        "counsellor": counsellor,
        "starts_at": planned.starts_at,
        "duration_minutes": planned.duration_minutes,
        "mode": planned.mode,
        "place": planned.place,
        "purpose": planned.purpose,
    }
    if planned.status == Appointment.Status.PLANNED and planned.starts_at > timezone.now():
        appointment = agenda_services.appointment_book(**fields, by=counsellor)
    else:
        # Passed: booked as the booking service does (it refuses a past time). One still
        # "planned" stays so, its outcome not said: "to complete".
        appointment = Appointment.objects.create(**fields, created_by=counsellor)
        if planned.status == Appointment.Status.HELD:
            agenda_services.appointment_held(
                appointment=appointment,
                text=planned.note,
                by=counsellor,
                confidentiality=planned.confidentiality,
            )
        elif planned.status == Appointment.Status.NO_SHOW:
            agenda_services.appointment_no_show(appointment=appointment, by=counsellor)
        elif planned.status == Appointment.Status.CANCELLED:
            agenda_services.appointment_cancel(
                appointment=appointment, reason=planned.cancel_reason, by=counsellor
            )
    Appointment.objects.filter(pk=appointment.pk).update(
        created_at=planned.booked_at, outcome_at=planned.outcome_at
    )
    return appointment


# --- the large scale: rows for bulk_create ------------------------------------------------------


def agenda_rows(plan: AgendaPlan):
    """The plan as unsaved rows, parents first: each consent; each appointment, after its
    interview when held (as ``appointment_held`` writes it), then its reminders sent."""
    for consent in plan.consents:
        yield ReminderConsent(
            participant=consent.pathway.participant,
            by_email=consent.by_email,
            by_sms=consent.by_sms,
            given_on=consent.given_on,
            recorded_by=consent.pathway.counsellor,
            recorded_at=at(consent.given_on, dt.time(10, 0)),
        )
    for planned in plan.appointments:
        counsellor = planned.counsellor
        event = None
        if planned.status == Appointment.Status.HELD:
            event = PathwayEvent(
                pathway=planned.pathway,
                date=timezone.localdate(planned.starts_at),
                kind=PathwayEvent.Kind.INTERVIEW,
                duration_minutes=planned.duration_minutes,
                author=counsellor,
                text=planned.note,
                confidentiality=planned.confidentiality,
                created_at=planned.outcome_at,
            )
            yield event
        appointment = Appointment(
            pathway=planned.pathway,
            counsellor=counsellor,
            starts_at=planned.starts_at,
            duration_minutes=planned.duration_minutes,
            mode=planned.mode,
            place=planned.place,
            purpose=planned.purpose,
            status=planned.status,
            cancel_reason=planned.cancel_reason,
            event=event,
            created_by=counsellor,
            created_at=planned.booked_at,
            outcome_by=None if planned.status == Appointment.Status.PLANNED else counsellor,
            outcome_at=planned.outcome_at,
        )
        yield appointment
        for channel, sent_at in planned.reminders:
            yield Reminder(
                appointment=appointment,
                channel=channel,
                for_starts_at=planned.starts_at,
                status=Reminder.Status.SENT,
                at=sent_at,
            )
