"""The demo's collective modules (workshops app): each operator's catalogue — a CV workshop, a
job-interview workshop, an information session on the building trades co-run with the demo's
training centre, the public digital space (EPN) open to all and a digital-procedures workshop
held there; at the main operator a module withdrawn from the catalogue two months ago — with
their sessions of the last four months and of the next three weeks.

The rules the services enforce hold in the plan: people are enrolled for an open pathway of the
module's organization that had begun by then, within the session's places; the grid is filled
only for sessions that have taken place (nothing today: a session of today would have begun or
not depending on the hour the seed runs) and not cancelled; a presence is an event of the
pathway's log ("Atelier collectif"), an absence is none; the EPN's anonymous visitors are
counted only at EPN sessions that took place. One past session in forty (at least one per
operator) was cancelled, with its reason, the people enrolled left as they were. Most people
came, some late or leaving early, a few excused or absent; a note now and then.

The counsellors of the operator run the modules (one of them per module and time slot): they
plan the sessions, mark the grid and count the visitors; each person is enrolled by their own
counsellor. The large scale runs each module in more time slots, so that the groups stay the
size of a room while the volume follows the people.

``plan_workshops`` decides everything from the rng, without a query: the small scale writes the
plan through the workshops' services (``seed_workshops``), the large one adds it to its bulk
rows (``demo.large``).
"""

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from decimal import Decimal

import holidays
from django.utils import timezone

from accounts.models import Organization, Role, User
from participants.grid import PRESENT_LIKE, Presence
from participants.models import Pathway, PathwayEvent
from workshops import services
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleEnrolment, ModuleSession

HISTORY_WEEKS = 17  # about four months
AHEAD_DAYS = 21  # the next three weeks
# A pathway is proposed a module once it has run a few days.
SETTLED_DAYS = 3
# People per time slot of a module: the large scale opens a slot for so many open pathways,
# ten a week at each site (five days, mornings and afternoons), a second site beyond.
PEOPLE_PER_SLOT = 100
SLOTS_MOST = 20
SECOND_SITE = "antenne de Cureghem"
CANCELLED_SHARE = 1 / 40
# The module withdrawn from the catalogue had its last session this many weeks ago.
RETIRED_WEEKS_AGO = 8

ROOMS = (
    "Salle polyvalente, rez-de-chaussée",
    "Salle de réunion, 1er étage",
    "Salle de formation, 2e étage",
)
EPN_ROOM = "Espace public numérique, rez-de-chaussée"

Kind = Module.Kind


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    kind: str
    description: str
    duration_minutes: int
    weekday: int  # of the first time slot (0: Monday)
    starts_at: dt.time
    every_weeks: int
    capacity: int
    room: str
    group: tuple[int, int]  # enrolled in a session: from–to (capacity aside)
    once: bool = True  # a person follows it once (the EPN: as often as they like)
    visits: tuple[int, int] | None = None  # anonymous visitors' rows at a session (EPN)
    with_partner: bool = False  # co-run with the training centre, when the demo has one
    retired: bool = False


CV = ModuleSpec(
    "Atelier CV et lettre de motivation",
    Kind.WORKSHOP,
    "Rédiger ou mettre à jour son CV, écrire une lettre de motivation pour une offre précise ; "
    "chacun·e repart avec son CV imprimé et enregistré.",
    150,
    1,
    dt.time(9, 30),
    1,
    10,
    ROOMS[0],
    (3, 7),
)
INTERVIEW = ModuleSpec(
    "Préparer un entretien d'embauche",
    Kind.WORKSHOP,
    "Se présenter en deux minutes, répondre aux questions difficiles, parler de ses "
    "expériences ; mises en situation avec un·e recruteur·se bénévole.",
    180,
    3,
    dt.time(13, 30),
    2,
    8,
    ROOMS[1],
    (3, 6),
)
TRADES = ModuleSpec(
    "Séance d'information : les métiers de la construction",
    Kind.INFORMATION,
    "Les métiers du bâtiment (peintre, maçon·ne, carreleur·se), les formations qualifiantes, "
    "les chantiers participatifs et le brevet VCA, présentés avec le centre de formation.",
    120,
    2,
    dt.time(10, 0),
    2,
    15,
    ROOMS[0],
    (5, 11),
    with_partner=True,
)
EPN_OPEN = ModuleSpec(
    "EPN – accès libre accompagné",
    Kind.EPN,
    "L'espace public numérique ouvert à toutes et tous : ordinateurs, imprimante et scanner, "
    "un·e animateur·rice pour aider aux démarches en ligne.",
    180,
    0,
    dt.time(13, 30),
    1,
    12,
    EPN_ROOM,
    (1, 3),
    once=False,
    visits=(3, 9),
)
DIGITAL = ModuleSpec(
    "Atelier numérique : mes démarches en ligne",
    Kind.EPN,
    "Créer son adresse e-mail, se connecter avec itsme, utiliser MyActiris et postuler en "
    "ligne ; ouvert aussi aux habitant·es du quartier.",
    120,
    4,
    dt.time(9, 30),
    2,
    8,
    EPN_ROOM,
    (3, 6),
    visits=(0, 3),
)
MOBILITY = ModuleSpec(
    "Atelier mobilité : se déplacer à Bruxelles",
    Kind.OTHER,
    "Lire un plan de la STIB, préparer le trajet vers un employeur, les tarifs réduits ; "
    "remplacé par l'accompagnement individuel.",
    120,
    2,
    dt.time(14, 0),
    2,
    12,
    ROOMS[2],
    (3, 6),
    retired=True,
)
# The main operator's catalogue, then the second operator's (a smaller team).
CATALOGUES = (
    (CV, INTERVIEW, TRADES, EPN_OPEN, DIGITAL, MOBILITY),
    (
        replace(CV, weekday=3, every_weeks=2, room=ROOMS[2], group=(2, 5)),
        replace(
            EPN_OPEN,
            weekday=1,
            starts_at=dt.time(9, 0),
            duration_minutes=150,
            capacity=8,
            room="Espace numérique, 1er étage",
            visits=(2, 6),
        ),
    ),
)

MARKS = (
    Presence.PRESENT,
    Presence.LATE,
    Presence.LEFT_EARLY,
    Presence.EXCUSED,
    Presence.UNEXCUSED,
)
MARK_WEIGHTS = (76, 9, 4, 6, 5)
NOTE_SHARE = {
    Presence.PRESENT: 0.06,
    Presence.LATE: 0.4,
    Presence.LEFT_EARLY: 0.6,
    Presence.EXCUSED: 0.7,
    Presence.UNEXCUSED: 0.3,
}
NOTES = {
    Presence.PRESENT: (
        "A terminé son CV, à relire au prochain entretien",
        "Très à l'aise, pourrait aider le groupe la prochaine fois",
        "Besoin d'un soutien en français écrit",
        "A créé son compte MyActiris",
        "Intéressé·e par la formation qualifiante, à en reparler",
    ),
    Presence.LATE: (
        "Retard de tram, a prévenu",
        "Arrivé·e après son rendez-vous chez Actiris",
        "A déposé son enfant à la crèche avant",
    ),
    Presence.LEFT_EARLY: (
        "Partie chercher son enfant à l'école",
        "Entretien d'embauche l'après-midi",
        "Rendez-vous au CPAS",
    ),
    Presence.EXCUSED: (
        "Certificat médical",
        "Convocation chez Actiris le même jour",
        "Enfant malade, a prévenu la veille",
        "Entretien d'embauche",
    ),
    Presence.UNEXCUSED: (
        "Injoignable par téléphone",
        "Pas de nouvelles, à rappeler",
    ),
}
CANCEL_REASONS = (
    "Animateur·rice malade, séance reportée à la semaine suivante",
    "Grève des transports en commun : la plupart des inscrit·es ne pouvaient pas venir",
    "Salle indisponible (dégât des eaux)",
    "Trop peu d'inscrit·es : les personnes sont invitées à la séance suivante",
)
EPN_CANCEL_REASON = "Panne du réseau informatique de l'EPN"

VISIT_PEOPLE, VISIT_PEOPLE_WEIGHTS = (1, 2, 3), (85, 12, 3)
AGE_BANDS = tuple(DropInVisit.AgeBand.values)  # under 26, 26–44, 45–64, 65+, unknown
AGE_WEIGHTS = (15, 35, 32, 13, 5)
GENDERS, GENDER_WEIGHTS = ("F", "M", "X"), (52, 46, 2)
NEEDS = tuple(DropInVisit.Need.values)  # accounts, procedures, job search, device, print, other
NEED_WEIGHTS = (18, 30, 20, 15, 12, 5)


@dataclass
class PlannedModule:
    organization: Organization
    spec: ModuleSpec
    facilitator: str
    partner: Organization | None
    created_at: dt.datetime
    row: Module | None = None  # once written

    @property
    def title(self) -> str:
        return self.spec.title


@dataclass
class PlannedMark:
    status: str
    hours: Decimal | None  # None: the session's length, as the grid leaves it
    note: str


@dataclass
class PlannedEnrolment:
    pathway: Pathway
    by: User
    enrolled_at: dt.datetime
    mark: PlannedMark | None = None

    @property
    def participant(self):
        return self.pathway.participant


@dataclass
class PlannedVisit:
    people: int
    age_band: str
    gender: str
    need: str
    recorded_at: dt.datetime


@dataclass
class PlannedSession:
    module: PlannedModule
    date: dt.date
    starts_at: dt.time
    room: str
    capacity: int
    by: User  # who runs it: plans it, marks the grid, counts the visitors
    created_at: dt.datetime
    enrolments: list[PlannedEnrolment] = field(default_factory=list)
    visits: list[PlannedVisit] = field(default_factory=list)
    cancel_reason: str = ""
    marked_at: dt.datetime | None = None  # when its grid was saved

    @property
    def duration_minutes(self) -> int:
        return self.module.spec.duration_minutes

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.duration_minutes) / 60).quantize(Decimal("0.01"))

    @property
    def ends(self) -> dt.datetime:
        return at(self.date, self.starts_at) + dt.timedelta(minutes=self.duration_minutes)


@dataclass
class WorkshopPlan:
    modules: list[PlannedModule]
    sessions: list[PlannedSession]

    @property
    def enrolments(self) -> list[PlannedEnrolment]:
        return [e for s in self.sessions for e in s.enrolments]

    @property
    def marks(self) -> list[PlannedMark]:
        return [e.mark for e in self.enrolments if e.mark is not None]

    def counts(self, today: dt.date) -> dict:
        marks = self.marks
        return {
            "modules": len(self.modules),
            "module_sessions": len(self.sessions),
            "module_sessions_cancelled": sum(1 for s in self.sessions if s.cancel_reason),
            "module_sessions_coming": sum(1 for s in self.sessions if s.date > today),
            "module_enrolments": len(self.enrolments),
            "module_marks": len(marks),
            "module_presences": sum(1 for m in marks if m.status in PRESENT_LIKE),
            "drop_in_visits": sum(len(s.visits) for s in self.sessions),
            "drop_in_visitors": sum(v.people for s in self.sessions for v in s.visits),
        }


def at(day: dt.date, moment: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, moment))


@dataclass(frozen=True)
class Team:
    """An operator, the counsellors who run its modules, its open pathways (in a stable order,
    each with its participant and counsellor at hand)."""

    organization: Organization
    counsellors: list
    pathways: list


def plan_workshops(
    *, rng, teams: list[Team], partner: Organization | None, today: dt.date, closed=None
) -> WorkshopPlan:
    """The modules of each team (``CATALOGUES`` in order: the main operator first), their
    sessions, who was enrolled and marked, the EPN's visitors. ``closed``: the public holidays,
    when no session is held."""
    if closed is None:
        closed = holidays.country_holidays("BE", years=range(today.year - 1, today.year + 2))
    plan = WorkshopPlan(modules=[], sessions=[])
    for team, catalogue in zip(teams, CATALOGUES, strict=False):
        if not team.counsellors:
            continue
        _plan_team(rng, plan, team, catalogue, partner, today, closed)
    return plan


def _plan_team(rng, plan, team, catalogue, partner, today, closed) -> None:
    first_day = today - dt.timedelta(weeks=HISTORY_WEEKS)
    last_day = today + dt.timedelta(days=AHEAD_DAYS)
    # One pathway a person (the oldest open one): an enrolment is one person's. In the order
    # they began, to find at once those begun by a day (the rng draws from the same list).
    pathways, seen = [], set()
    for pathway in team.pathways:
        if id(pathway.participant) not in seen:
            seen.add(id(pathway.participant))
            pathways.append(pathway)
    pathways.sort(key=lambda p: p.started_on)
    begun = [p.started_on for p in pathways]
    slots = max(1, min(SLOTS_MOST, round(len(pathways) / PEOPLE_PER_SLOT)))
    sessions = []
    for index, spec in enumerate(catalogue):
        runner = team.counsellors[index % len(team.counsellors)]
        # One colleague runs it; in several time slots, the team does.
        facilitator = runner.get_full_name() if slots == 1 else "L'équipe des conseiller·ères"
        module = PlannedModule(
            organization=team.organization,
            spec=spec,
            facilitator=facilitator,
            partner=partner if spec.with_partner else None,
            created_at=at(first_day - dt.timedelta(days=rng.randint(20, 90)), dt.time(11, 0)),
        )
        if module.partner is not None:
            module.facilitator = f"{facilitator} et {partner.name}"
        plan.modules.append(module)
        ends = today - dt.timedelta(weeks=RETIRED_WEEKS_AGO, days=1) if spec.retired else last_day
        came: set[int] = set()  # people who followed it (id of their pathway)
        for slot in range(slots):
            by = team.counsellors[(index + slot) % len(team.counsellors)]
            weekday = (spec.weekday + slot) % 5
            starts_at = spec.starts_at if slot // 5 % 2 == 0 else _other_half_day(spec.starts_at)
            room = spec.room if slot == 0 or spec.kind == Kind.EPN else ROOMS[slot % len(ROOMS)]
            if slot >= 10:
                room = f"{room} ({SECOND_SITE})"
            day = first_day + dt.timedelta(days=(weekday - first_day.weekday()) % 7)
            day += dt.timedelta(weeks=rng.randrange(spec.every_weeks))  # which week of two
            while day <= ends:
                if day != today and day not in closed:
                    session = PlannedSession(
                        module=module,
                        date=day,
                        starts_at=starts_at,
                        room=room,
                        capacity=spec.capacity,
                        by=by,
                        created_at=_planned_at(rng, module, day, today),
                    )
                    able = pathways[: bisect_right(begun, day - dt.timedelta(SETTLED_DAYS))]
                    _plan_group(rng, session, able, came, today)
                    sessions.append(session)
                day += dt.timedelta(weeks=spec.every_weeks)
    past = [s for s in sessions if s.date < today and s.enrolments]
    cancelled = min(len(past), max(1, round(len(past) * CANCELLED_SHARE)))
    for session in rng.sample(past, cancelled):
        session.cancel_reason = (
            EPN_CANCEL_REASON
            if session.module.spec.kind == Kind.EPN and rng.random() < 0.5
            else rng.choice(CANCEL_REASONS)
        )
    for session in sessions:
        if session.date < today and not session.cancel_reason:
            _plan_marks(rng, session)
            if session.module.spec.visits:
                _plan_visits(rng, session)
    sessions.sort(key=lambda s: (s.date, s.starts_at, s.module.title))
    plan.sessions += sessions


def _other_half_day(moment: dt.time) -> dt.time:
    return dt.time(13, 30) if moment.hour < 12 else dt.time(9, 30)


def _planned_at(rng, module: PlannedModule, day: dt.date, today: dt.date) -> dt.datetime:
    """Planned a week to a month before, after the module was created, not after yesterday."""
    planned = at(day - dt.timedelta(days=rng.randint(7, 30)), dt.time(rng.randint(9, 16), 0))
    return max(module.created_at, min(planned, at(today - dt.timedelta(days=1), dt.time(16, 0))))


def _plan_group(rng, session: PlannedSession, able: list, came: set, today: dt.date) -> None:
    """Who is enrolled, among the pathways ``able`` (begun a few days before the session)."""
    spec = session.module.spec
    low, high = spec.group
    if session.date > today:  # still filling up; now and then already full
        size = spec.capacity if rng.random() < 0.2 else rng.randint(low // 2, high)
    else:
        size = rng.randint(low, high)
    size = min(size, spec.capacity, len(able))
    if spec.once:  # those who have not followed it yet first
        new = [p for p in able if id(p) not in came]
        group = rng.sample(new, min(size, len(new)))
        if len(group) < size:
            again = [p for p in able if id(p) in came]
            group += rng.sample(again, size - len(group))
    else:
        group = rng.sample(able, size)
    latest = min(session.created_at + dt.timedelta(days=20), at(today, dt.time(0, 0)))
    for pathway in group:
        came.add(id(pathway))
        # Enrolled between the session's planning and the day before it (or now, for one
        # still to come).
        enrolled_at = session.created_at + dt.timedelta(hours=rng.randint(1, 24 * 20))
        enrolled_at = min(enrolled_at, latest, at(session.date, dt.time(8, 0)))
        enrolled_at = max(enrolled_at, session.created_at, at(pathway.started_on, dt.time(12, 0)))
        enrolled_at = min(enrolled_at, at(today, dt.time(0, 0)))  # never in the future
        session.enrolments.append(
            PlannedEnrolment(
                pathway=pathway,
                by=pathway.counsellor or session.by,
                enrolled_at=enrolled_at,
            )
        )


def _plan_marks(rng, session: PlannedSession) -> None:
    full = session.hours
    session.marked_at = session.ends + dt.timedelta(minutes=rng.randint(5, 90))
    for enrolment in session.enrolments:
        status = rng.choices(MARKS, weights=MARK_WEIGHTS)[0]
        if status == Presence.PRESENT:
            hours = None
        elif status == Presence.LATE:
            hours = full - Decimal(rng.choice(("0.25", "0.50", "0.75")))
        elif status == Presence.LEFT_EARLY:
            hours = full - Decimal(rng.choice(("0.50", "1.00")))
        else:
            hours = Decimal("0.00")
        note = rng.choice(NOTES[status]) if rng.random() < NOTE_SHARE[status] else ""
        enrolment.mark = PlannedMark(status=status, hours=hours, note=note)


def _plan_visits(rng, session: PlannedSession) -> None:
    start = at(session.date, session.starts_at)
    for _n in range(rng.randint(*session.module.spec.visits)):
        session.visits.append(
            PlannedVisit(
                people=rng.choices(VISIT_PEOPLE, weights=VISIT_PEOPLE_WEIGHTS)[0],
                age_band=rng.choices(AGE_BANDS, weights=AGE_WEIGHTS)[0],
                gender=rng.choices(GENDERS, weights=GENDER_WEIGHTS)[0],
                need=rng.choices(NEEDS, weights=NEED_WEIGHTS)[0],
                recorded_at=start + dt.timedelta(minutes=rng.randint(10, session.duration_minutes)),
            )
        )


# --- the small scale: through the services ----------------------------------------------------


def teams_of(organizations) -> list[Team]:
    """Each operator with its counsellors and its open pathways (people not anonymised)."""
    teams = []
    for organization in organizations:
        counsellors = list(
            User.objects.filter(
                memberships__organization=organization, memberships__role=Role.COUNSELLOR
            ).order_by("pk")
        )
        pathways = list(
            Pathway.objects.filter(
                participant__organization=organization,
                participant__anonymised_at__isnull=True,
                ended_on__isnull=True,
            )
            .select_related("participant", "counsellor")
            .order_by("pk")
        )
        teams.append(Team(organization=organization, counsellors=counsellors, pathways=pathways))
    return teams


def workshop_partner(organizations) -> Organization | None:
    """The demo's training centre (or an employment service) co-runs the information session."""
    kinds = (Organization.Kind.TRAINING, Organization.Kind.EMPLOYMENT_SERVICE)
    return next((o for kind in kinds for o in organizations if o.kind == kind), None)


def seed_workshops(*, rng, organizations, partner: Organization | None) -> dict:
    """The plan of the operators written as the app would have: the catalogue, each session
    planned, its people enrolled by their counsellor, the grid of the sessions that took place
    saved in one go, the EPN's visitors counted, the cancelled sessions cancelled and the
    withdrawn module withdrawn; then the dates set back to when it happened."""
    today = timezone.localdate()
    plan = plan_workshops(rng=rng, teams=teams_of(organizations), partner=partner, today=today)
    for module in plan.modules:
        spec = module.spec
        module.row = services.module_create(
            organization=module.organization,
            title=spec.title,
            kind=spec.kind,
            description=spec.description,
            duration_minutes=spec.duration_minutes,
            facilitator=module.facilitator,
            partner=module.partner,
        )
    enrolled, attended, sessions = [], [], []
    for planned in plan.sessions:
        session = services.session_plan(
            module=planned.module.row,
            date=planned.date,
            starts_at=planned.starts_at,
            by=planned.by,
            room=planned.room,
            capacity=planned.capacity,
        )
        session.created_at = planned.created_at
        sessions.append(session)
        for enrolment in planned.enrolments:
            row = services.enrolment_add(
                session=session, pathway=enrolment.pathway, by=enrolment.by
            )
            row.enrolled_at = enrolment.enrolled_at
            enrolled.append(row)
        if planned.cancel_reason:
            services.session_cancel(session=session, reason=planned.cancel_reason)
            continue
        marks = [
            services.Mark(
                participant_id=e.participant.pk,
                status=e.mark.status,
                hours=e.mark.hours,
                note=e.mark.note,
            )
            for e in planned.enrolments
            if e.mark is not None
        ]
        if marks:
            saved = services.attendance_record(session=session, marks=marks, by=planned.by).saved
            for attendance in saved:
                attendance.recorded_at = planned.marked_at
            attended += saved
        for visit in planned.visits:
            services.visit_record(
                session=session,
                people=visit.people,
                age_band=visit.age_band,
                gender=visit.gender,
                need=visit.need,
                by=planned.by,
            )
    for module in plan.modules:
        if module.spec.retired:
            services.module_update(module=module.row, active=False)
    _set_back(plan, sessions, enrolled, attended)
    return plan.counts(today)


def _set_back(plan, sessions, enrolled, attended) -> None:
    """The services stamp every row with this minute: the dates of the plan instead, in a few
    statements (``bulk_update`` leaves ``auto_now`` alone)."""
    modules = [m.row for m in plan.modules]
    for module, planned in zip(modules, plan.modules, strict=True):
        module.created_at = planned.created_at
    Module.objects.bulk_update(modules, ["created_at"])
    ModuleSession.objects.bulk_update(sessions, ["created_at"], batch_size=500)
    ModuleEnrolment.objects.bulk_update(enrolled, ["enrolled_at"], batch_size=500)
    ModuleAttendance.objects.bulk_update(attended, ["recorded_at"], batch_size=500)
    events = [a.event for a in attended if a.event is not None]
    for attendance in attended:
        if attendance.event is not None:
            attendance.event.created_at = attendance.recorded_at
    PathwayEvent.objects.bulk_update(events, ["created_at"], batch_size=500)
    visits = []
    for session, planned in zip(sessions, plan.sessions, strict=True):
        if not planned.visits:
            continue
        recorded = list(session.visits.order_by("pk"))
        for visit, when in zip(recorded, planned.visits, strict=True):
            visit.recorded_at = when.recorded_at
        visits += recorded
    DropInVisit.objects.bulk_update(visits, ["recorded_at"], batch_size=500)


# --- the large scale: rows for bulk_create ------------------------------------------------------


def workshop_rows(plan: WorkshopPlan):
    """The plan as unsaved rows, parents first: each module; each session, its enrolments, its
    marks after their presence's event (as ``attendance_record`` writes it), its visits."""
    for module in plan.modules:
        spec = module.spec
        module.row = Module(
            organization=module.organization,
            title=spec.title,
            kind=spec.kind,
            description=spec.description,
            duration_minutes=spec.duration_minutes,
            facilitator=module.facilitator,
            partner=module.partner,
            active=not spec.retired,
            created_at=module.created_at,
        )
        yield module.row
    for planned in plan.sessions:
        session = ModuleSession(
            module=planned.module.row,
            date=planned.date,
            starts_at=planned.starts_at,
            duration_minutes=planned.duration_minutes,
            room=planned.room,
            capacity=planned.capacity,
            status=(
                ModuleSession.Status.CANCELLED
                if planned.cancel_reason
                else ModuleSession.Status.PLANNED
            ),
            cancel_reason=planned.cancel_reason,
            created_by=planned.by,
            created_at=planned.created_at,
        )
        yield session
        for enrolment in planned.enrolments:
            yield ModuleEnrolment(
                session=session,
                participant=enrolment.participant,
                pathway=enrolment.pathway,
                enrolled_by=enrolment.by,
                enrolled_at=enrolment.enrolled_at,
            )
            mark = enrolment.mark
            if mark is None:
                continue
            hours = planned.hours if mark.hours is None else mark.hours
            event = None
            if mark.status in PRESENT_LIKE:
                event = PathwayEvent(
                    pathway=enrolment.pathway,
                    date=planned.date,
                    kind=PathwayEvent.Kind.GROUP_WORKSHOP,
                    duration_minutes=int(hours * 60),
                    author=planned.by,
                    text=services.event_text(session, mark.status),
                    created_at=planned.marked_at,
                )
                yield event
            yield ModuleAttendance(
                session=session,
                participant=enrolment.participant,
                status=mark.status,
                hours=hours,
                note=mark.note,
                recorded_by=planned.by,
                recorded_at=planned.marked_at,
                event=event,
            )
        for visit in planned.visits:
            yield DropInVisit(
                session=session,
                people=visit.people,
                age_band=visit.age_band,
                gender=visit.gender,
                need=visit.need,
                recorded_by=planned.by,
                recorded_at=visit.recorded_at,
            )
