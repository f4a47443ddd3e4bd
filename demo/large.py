"""Bulk demo data for ``seed_demo --scale large`` (DESIGN §6 volumes, issue 7).

Everything is planned in memory with the one ``random.Random`` the command passes, then written
with ``bulk_create`` in dependency order: no service per row, no query per row, and no audit-log
rows (bulk inserts bypass the signals, which is right for demo data). The rules the services
enforce still hold in the data, because the planner applies them:

- one open pathway per programme and person; an exit outcome exactly when the pathway ended;
  dates ordered and never in the future; follow-ups +3/+6/+12 months for every exit;
- attendance only on held sessions of chantiers where the person is enrolled (between joining
  and leaving), at most one mark per session and person, never two chantiers at once;
- indemnities computed by the engine's own per-person rule function on the marks before they
  are inserted, so they are exactly what ``indemnities_recompute_many`` would store;
- at most one open referral per person, partner and service; a referral still "sent" is younger
  than the expiry delay; a refusal has its reason; every state change has its log row;
- appointments only in open pathways, one at a time for a counsellor, each held one with its
  interview in the pathway's log; those planned are to come, but for the demo counsellor's two
  or three of the last two days whose outcome is to complete (``demo.agenda``);
- trainings within or after the pathway, their hours and dates following their state, each
  certification on or after its training's end and never in the future (``demo.trainings``);
- collective modules: people enrolled for an open pathway already begun, within the places;
  marks only on sessions that took place, each presence an event of the pathway's log; the
  EPN's anonymous visitors only at its sessions that took place (``demo.workshops``).

Dates are relative to ``today``; the same seed gives the same rows (no unordered iteration).
"""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import holidays
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.dates import add_months
from accounts.models import Membership, Organization, Role
from agenda.models import Appointment, Reminder, ReminderConsent
from chantiers.indemnities import DECLARATION_REQUIRED, indemnities_compute_one
from chantiers.models import (
    Attendance,
    Chantier,
    ElsewhereDeclaration,
    Enrolment,
    Incident,
    IndemnityCeiling,
    VolunteerAgreement,
    WorkSession,
)
from demo import agenda as agenda_demo
from demo import participants as people_demo
from demo import partners as partners_demo
from demo import trainings as trainings_demo
from demo import workshops as workshops_demo
from demo.accounts import belgian_account
from participants.models import (
    EMPLOYMENT_OUTCOMES,
    POSITIVE_OUTCOMES,
    Certification,
    FollowUp,
    Goal,
    IncomeKind,
    IncomeSource,
    Need,
    NeedCategory,
    Participant,
    Pathway,
    PathwayEvent,
    PathwayTransition,
    Programme,
    Training,
)
from partners.models import (
    EmployerContact,
    Matching,
    PartnerService,
    Referral,
    ReferralTransition,
)
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleEnrolment, ModuleSession

# DESIGN §6 "large": a federation-sized operator over five years.
VOLUMES = {
    "participants": 10_000,
    "pathways": 12_000,
    "chantiers": 60,
    "referrals": 8_000,
    "employers": 120,
    "prospections": 1_500,
    "matchings": 1_200,
}
# The second operator (a smaller Mission Locale of the same federation) gets this share.
SECOND_OPERATOR_SHARE = 0.15
BATCH = 2_000
GROUP_SIZES = (10, 11, 12, 12, 13, 14, 15)
BENCHMARK_GROUP = 15  # the attendance grid the benchmark measures (issue 7)
WEEKLY_PATTERNS = ({0, 1, 3}, {1, 3}, {0, 2, 4}, {1, 2, 4}, {0, 3})
# (start, end, daily rate): half days at a small flat rate, full days at a larger one.
SESSION_KINDS = (
    (dt.time(8, 30), dt.time(12, 30), Decimal("12.50")),
    (dt.time(8, 30), dt.time(12, 30), Decimal("15.00")),
    (dt.time(8, 30), dt.time(15, 30), Decimal("25.00")),
    (dt.time(8, 30), dt.time(15, 30), Decimal("30.00")),
)
SITES = [
    "Cité Wayez",
    "Square Albert",
    "Cité Moortebeek",
    "Rue de la Clinique",
    "Cité Bizet",
    "Parc de la Rosée",
    "Cité de Peterbos",
    "Rue Brogniez",
    "Quartier Heyvaert",
    "Cité Van Kalck",
]
TRADE_WORDS = {
    Chantier.Trade.PAINTING: "Peinture des communs",
    Chantier.Trade.GARDENING: "Potager et espaces verts",
    Chantier.Trade.RENOVATION: "Petite rénovation",
    Chantier.Trade.CLEANING: "Remise en état des caves",
    Chantier.Trade.OTHER: "Ressourcerie de quartier",
}
CANCEL_REASONS = ["Intempéries", "Encadrant·e malade", "Livraison de matériel reportée"]
LEAVE_REASONS = [
    "A trouvé un emploi",
    "Entrée en formation",
    "Raisons de santé",
    "Absences répétées",
    "Garde d'enfants impossible",
]
INCIDENTS = [
    (Incident.Kind.NEAR_MISS, "Escabeau instable, rattrapé à temps."),
    (Incident.Kind.ACCIDENT, "Coupure à la main ; premiers soins sur place."),
    (Incident.Kind.CONFLICT, "Dispute entre deux volontaires, apaisée par l'encadrant."),
    (Incident.Kind.DAMAGE, "Vitre de la porte d'entrée brisée en déplaçant une échelle."),
    (Incident.Kind.OTHER, "Matériel disparu de la camionnette."),
]
EMPLOYER_TRADES = [
    "Peintures",
    "Nettoyage",
    "Jardins",
    "Rénovation",
    "Logistique",
    "Boulangerie",
    "Restaurant",
    "Supermarché",
    "Maison de repos",
    "Garage",
]
GOALS = [
    "Obtenir le permis B",
    "Terminer le module FLE",
    "Trouver une crèche",
    "Envoyer 10 candidatures",
    "Ouvrir un compte en banque",
    "Finir le chantier",
]
FOLLOW_UP_SITUATIONS = ["employed", "training", "job_seeking", "inactive", "unknown"]


def volumes(divisor: int = 1) -> dict[str, int]:
    """DESIGN §6 volumes, or ``1/divisor`` of them (the tests run at 1/50 in seconds)."""
    scaled = {name: max(1, round(count / divisor)) for name, count in VOLUMES.items()}
    scaled["chantiers"] = max(3, scaled["chantiers"])
    scaled["pathways"] = max(scaled["pathways"], scaled["participants"])
    return scaled


@dataclass
class Person:
    participant: Participant
    operator: int  # index in the operators list
    incomes: list = field(default_factory=list)
    needs: list = field(default_factory=list)
    pathways: list = field(default_factory=list)
    busy: list = field(default_factory=list)  # (first, last) days in a chantier group
    agreements: list = field(default_factory=list)
    marks: list = field(default_factory=list)
    declared: dict = field(default_factory=dict)  # year → amount received elsewhere


@dataclass
class Rows:
    """Every row to insert, by model, in the order they were planned."""

    by_model: dict = field(default_factory=dict)

    def add(self, row):
        self.by_model.setdefault(type(row), []).append(row)
        return row


def at(day: dt.date, hour: int = 10, minute: int = 30) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _stamps(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


@contextmanager
def timestamps_as_given(*models):
    """``auto_now``/``auto_now_add`` would stamp every demo row with this minute: keep the
    dates the planner gave (a transition log spread over five years, not over one second)."""
    fields = [f for m in models for f in _stamps(m)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def seed_large(*, rng, organizations: dict, counts: dict | None = None, today=None) -> dict:
    """Plan and insert the large demo for the organizations ``seed_accounts`` created.

    Returns the number of rows written per model name.
    """
    counts = counts or volumes()
    today = today or timezone.localdate()
    rows = Rows()
    ctx = _context(organizations, rows, today)
    people = _plan_people(rng, ctx, rows, counts)
    _plan_chantiers(rng, ctx, rows, people, counts["chantiers"])
    _compute_indemnities(ctx, people)
    _plan_referrals(rng, ctx, rows, people, counts["referrals"])
    _plan_employers(rng, ctx, rows, people, counts)
    _plan_agenda(rng, ctx, rows, people)
    _plan_trainings(rng, ctx, rows, people)
    _plan_workshops(rng, ctx, rows, people)
    return _insert(rows, today)


def _context(organizations, rows, today) -> dict:
    operators = [organizations["operator"], organizations["operator_2"]]
    staff = {}
    for membership in (
        Membership.objects.filter(organization__in=list(organizations.values()))
        .select_related("user")
        .order_by("pk")
    ):
        staff.setdefault((membership.organization_id, membership.role), []).append(membership.user)
    programmes = []
    for operator in operators:
        programmes.append(
            {
                code: rows.add(
                    Programme(
                        organization=operator, code=code, name=name, funder=organizations["funder"]
                    )
                )
                for code, name in (
                    ("mokolab", "MoKoLab — chantiers participatifs"),
                    ("isp", "Accompagnement ISP"),
                )
            }
        )
    partners = dict(organizations)
    for spec in partners_demo.EXTRA_PARTNERS:
        spec = dict(spec)
        key = spec.pop("key")
        partners[key] = rows.add(Organization(**spec))
    services = [
        rows.add(
            PartnerService(
                organization=partners[key],
                name=name,
                need_category=category,
                description=description,
                email=partners[key].email,
                address=partners[key].street,
                postcode=partners[key].postcode,
                commune=partners[key].city,
            )
        )
        for key, name, category, description in partners_demo.SERVICES
    ]
    first_day = today.replace(year=today.year - 5, month=1, day=1)
    ceilings = {c.year: c for c in IndemnityCeiling.objects.order_by("year")}
    # Chantiers start with the first year whose ceilings are configured: before it the engine
    # would pay nothing (rule 4), a demo of empty pay slips.
    first_ceiling = min((y for y in ceilings if y >= first_day.year), default=first_day.year)
    return {
        "today": today,
        "first_day": first_day,
        "chantiers_from": max(first_day, dt.date(first_ceiling, 1, 9)),
        "operators": operators,
        "programmes": programmes,
        "counsellors": [staff[(o.pk, Role.COUNSELLOR)] for o in operators],
        "coordinators": [staff[(o.pk, Role.COORDINATOR)] for o in operators],
        "partner_users": {
            key: staff.get((org.pk, Role.PARTNER), [None])[0]
            for key, org in partners.items()
            if org.pk is not None
        },
        "partners": partners,
        "services": services,
        "ceilings": ceilings,
        "holidays": holidays.country_holidays(
            "BE", years=range(first_day.year, today.year + 2), language="fr"
        ),
    }


# --- participants and pathways ------------------------------------------------------------


def _plan_people(rng, ctx, rows, counts) -> list[Person]:
    today, first_day = ctx["today"], ctx["first_day"]
    span = (today - first_day).days
    second_share = round(counts["participants"] * SECOND_OPERATOR_SHARE)
    taken_numbers: set[tuple[int, str]] = set()
    people = []
    for index in range(counts["participants"]):
        operator = 1 if index < second_share else 0
        start = first_day + dt.timedelta(days=rng.randint(0, span - 10))
        people.append(_plan_person(rng, ctx, rows, index, operator, start, taken_numbers))
    # About one person in five comes back later for a second pathway (DESIGN §6: 12 000
    # pathways for 10 000 people): only those whose first pathway is old enough.
    eligible = [p for p in people if (today - p.pathways[0]["started_on"]).days > 500]
    extra = min(len(eligible), counts["pathways"] - counts["participants"])
    returning = {id(p) for p in rng.sample(eligible, extra)}
    for index, person in enumerate(people):
        first_start = person.pathways[0]["started_on"]
        if id(person) in returning:
            second = first_start + dt.timedelta(days=rng.randint(420, (today - first_start).days))
            person.pathways.append({"started_on": min(second, today - dt.timedelta(days=10))})
        for number, plan in enumerate(person.pathways):
            code = "mokolab" if (index + number) % 3 else "isp"
            plan["programme"] = ctx["programmes"][person.operator][code]
            following = (
                person.pathways[number + 1]["started_on"]
                if number + 1 < len(person.pathways)
                else None
            )
            _plan_pathway(rng, ctx, rows, person, plan, following)
    return people


def _plan_person(rng, ctx, rows, index, operator, start, taken_numbers) -> Person:
    today = ctx["today"]
    gender = rng.choices(["F", "M", "X"], weights=[48, 50, 2])[0]
    first = rng.choice(people_demo.FIRST_NAMES_F if gender == "F" else people_demo.FIRST_NAMES_M)
    last = rng.choice(people_demo.LAST_NAMES)
    birth = start - dt.timedelta(days=rng.randint(17 * 365, 58 * 365))
    national_number = ""
    if rng.random() < 0.8:
        candidate = people_demo.national_number_for(
            birth, 2 * rng.randint(1, 498) + (gender == "M")
        )
        if (operator, candidate) not in taken_numbers:  # unique per organization
            taken_numbers.add((operator, candidate))
            national_number = candidate
    counsellor = rng.choice(ctx["counsellors"][operator])
    iban = belgian_account(rng)[0] if rng.random() < 0.3 else ""
    participant = rows.add(
        Participant(
            organization=ctx["operators"][operator],
            first_name=first,
            last_name=last,
            birth_date=birth,
            gender=gender,
            national_number=national_number,
            email=people_demo.demo_email(first, last, index) if rng.random() < 0.6 else "",
            phone=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)}",
            street=f"{rng.choice(people_demo.STREETS)} {rng.randint(1, 180)}",
            postcode=rng.choice(people_demo.POSTCODES),
            nationality_group=rng.choices(["BE", "EU", "non_EU"], weights=[52, 18, 30])[0],
            languages=", ".join(
                sorted({*rng.sample(people_demo.LANGUAGES, rng.randint(1, 3)), "français"})
            ),
            education_level=rng.choices(
                ["isced_0_2", "isced_3_4", "isced_5_8", "unknown"], weights=[52, 30, 8, 10]
            )[0],
            foreign_diploma_unrecognised=rng.random() < 0.15,
            jobseeker_since=max(
                birth + dt.timedelta(days=16 * 365),
                start - dt.timedelta(days=rng.randint(60, 3000)),
            ),
            actiris_registered=rng.random() < 0.85,
            iban=iban,
            gdpr_consent_on=start,
            counsellor=counsellor,
            created_at=at(start, 9, 0),
        )
    )
    person = Person(participant=participant, operator=operator)
    person.pathways.append({"started_on": start, "counsellor": counsellor})
    kinds = [k.value for k in IncomeKind]
    income_start = start - dt.timedelta(days=rng.randint(30, 900))
    kind = rng.choices(kinds, weights=[45, 33, 5, 5, 10, 2])[0]
    if rng.random() < 0.15 and (today - start).days > 120:
        change = start + dt.timedelta(days=rng.randint(60, (today - start).days))
        person.incomes.append(
            IncomeSource(
                participant=participant,
                kind=kind,
                starts_on=income_start,
                ends_on=change - dt.timedelta(days=1),
            )
        )
        kind, income_start = rng.choice([k for k in kinds if k != kind]), change
    person.incomes.append(IncomeSource(participant=participant, kind=kind, starts_on=income_start))
    for income in person.incomes:
        rows.add(income)
    for _ in range(rng.randint(1, 4)):
        identified = start + dt.timedelta(days=rng.randint(0, 30))
        if identified > today:
            continue
        resolved = identified + dt.timedelta(days=rng.randint(20, 400))
        person.needs.append(
            rows.add(
                Need(
                    participant=participant,
                    category=rng.choice(NeedCategory.values),
                    identified_on=identified,
                    resolved_on=resolved if resolved <= today and rng.random() < 0.6 else None,
                )
            )
        )
    return person


def _plan_pathway(rng, ctx, rows, person, plan, following):
    """One pathway with its transition log, events, goals, exit and follow-ups.

    ``following`` is the start of the person's next pathway: this one ends before it.
    """
    today = ctx["today"]
    started_on = plan["started_on"]
    counsellor = person.pathways[0]["counsellor"]
    ends_after = rng.randint(150, 640)
    ended_on = None
    if following is not None:
        # The next one starts at least 420 days after this one: the exit comes before it.
        ended_on = min(
            started_on + dt.timedelta(days=ends_after),
            following - dt.timedelta(days=rng.randint(1, 60)),
        )
    elif (today - started_on).days > ends_after:
        ended_on = started_on + dt.timedelta(days=ends_after)
    last_day = ended_on or today
    outcome = rng.choice(people_demo.OUTCOMES) if ended_on else ""
    route = rng.choice(people_demo.PHASE_ROUTES)
    # A phase change a month after the start, then every three months (as the log says).
    steps = min(len(route), ((last_day - started_on).days + 60) // 90)
    pathway = rows.add(
        Pathway(
            participant=person.participant,
            programme=plan["programme"],
            counsellor=counsellor,
            started_on=started_on,
            phase=route[steps - 1] if steps else "intake",
            ended_on=ended_on,
            exit_outcome=outcome,
            qualification_obtained=outcome == "training_qualifying" and rng.random() < 0.5,
            job_searching_at_exit=(
                outcome.startswith(("dropped", "no_news", "moved", "other")) if outcome else None
            ),
        )
    )
    plan["pathway"] = pathway
    rows.add(
        PathwayTransition(
            pathway=pathway,
            kind=PathwayTransition.Kind.START,
            at=at(started_on),
            by=counsellor,
            to_phase="intake",
        )
    )
    phase = "intake"
    for step, new_phase in enumerate(route[:steps], start=1):
        day = min(last_day, started_on + dt.timedelta(days=step * 90 - 60))
        rows.add(
            PathwayTransition(
                pathway=pathway,
                kind=PathwayTransition.Kind.PHASE,
                at=at(day),
                by=counsellor,
                from_phase=phase,
                to_phase=new_phase,
            )
        )
        phase = new_phase
    # A contact every three to eight weeks while the pathway is open.
    day = started_on
    while True:
        day += dt.timedelta(days=rng.randint(21, 56))
        if day > last_day:
            break
        kind = rng.choices(list(people_demo.EVENT_TEXTS), weights=[60, 10, 10, 6, 7, 7])[0]
        restricted = rng.random() < 0.06
        rows.add(
            PathwayEvent(
                pathway=pathway,
                date=day,
                kind=kind,
                duration_minutes=rng.choice([30, 45, 60, 90]),
                author=counsellor,
                text=rng.choice(
                    people_demo.RESTRICTED_TEXTS if restricted else people_demo.EVENT_TEXTS[kind]
                ),
                confidentiality="restricted" if restricted else "normal",
                created_at=at(day, 16),
            )
        )
    age = (last_day - started_on).days
    for text in rng.sample(GOALS, rng.randint(1, 3)):
        status = rng.choice(["done", "done", "dropped"]) if age > 200 else "open"
        rows.add(Goal(pathway=pathway, text=text, status=status))
    if ended_on is None:
        return
    rows.add(
        PathwayTransition(
            pathway=pathway,
            kind=PathwayTransition.Kind.CLOSE,
            at=at(ended_on, 16),
            by=counsellor,
            from_phase=phase,
            exit_outcome=outcome,
        )
    )
    positive = outcome in POSITIVE_OUTCOMES
    for months in FollowUp.MONTHS:
        due_on = add_months(ended_on, months)
        follow_up = FollowUp(pathway=pathway, months=months, due_on=due_on)
        if due_on < today - dt.timedelta(days=20) and rng.random() < 0.8:
            follow_up.done_on = min(today, due_on + dt.timedelta(days=rng.randint(0, 15)))
            follow_up.situation = rng.choices(
                FOLLOW_UP_SITUATIONS,
                weights=[55, 15, 20, 3, 7] if positive else [20, 15, 40, 8, 17],
            )[0]
            follow_up.improved = rng.random() < (0.7 if positive else 0.35)
        rows.add(follow_up)


# --- chantiers -----------------------------------------------------------------------------


def _plan_chantiers(rng, ctx, rows, people, count):
    today = ctx["today"]
    second = max(1, round(count * SECOND_OPERATOR_SHARE * 2 / 3))  # fewer chantiers there
    starts_from = ctx["chantiers_from"]
    last_start = today - dt.timedelta(weeks=8)
    for operator in (0, 1):
        number = count - second if operator == 0 else second
        span = max(1, (last_start - starts_from).days)
        for index in range(number):
            benchmark = operator == 0 and index == number - 1
            if benchmark:
                # Running now, with a session today and a group of 15 (the benchmark's grid).
                starts_on = today - dt.timedelta(weeks=8)
            else:
                starts_on = starts_from + dt.timedelta(
                    days=index * span // number + rng.randint(0, 20)
                )
            while starts_on.weekday() != 0:  # chantiers start on a Monday
                starts_on -= dt.timedelta(days=1)
            _plan_chantier(rng, ctx, rows, people, operator, index, starts_on, benchmark)


def _plan_chantier(rng, ctx, rows, people, operator, index, starts_on, benchmark):
    today = ctx["today"]
    organization = ctx["operators"][operator]
    ends_on = starts_on + dt.timedelta(weeks=rng.randint(24, 30), days=4)
    trade = rng.choice(Chantier.Trade.values)
    starts_at, ends_at, rate = rng.choice(SESSION_KINDS)
    weekdays = rng.choice(WEEKLY_PATTERNS)
    group_size = BENCHMARK_GROUP if benchmark else rng.choice(GROUP_SIZES)
    site = rng.choice(SITES)
    status = Chantier.Status.CLOSED if ends_on < today else Chantier.Status.RUNNING
    chantier = rows.add(
        Chantier(
            organization=organization,
            host=ctx["partners"]["housing"] if rng.random() < 0.75 else None,
            programme=ctx["programmes"][operator]["mokolab"],
            code=f"{trade}-{starts_on:%Y%m}-{index + 1:02d}",
            name=f"{TRADE_WORDS[trade]} — {site}",
            site_address=f"{site}, 1070 Anderlecht",
            trade=trade,
            starts_on=starts_on,
            ends_on=ends_on,
            status=status,
            capacity=max(group_size, 12),
            daily_indemnity=rate,
            safety_notes="Consignes le premier jour ; trousse de secours dans la camionnette",
            protective_equipment="Chaussures de sécurité, gants",
        )
    )
    coordinators = ctx["coordinators"][operator]
    # The first coordinator is the demo login chantier@demo.local: the benchmark's grid is hers.
    coordinator = coordinators[0] if benchmark else rng.choice(coordinators)
    rows.add(Chantier.coordinators.through(chantier=chantier, user=coordinator))
    # Sessions: the weekly pattern between the two dates, public holidays skipped.
    sessions = []
    day = starts_on
    while day <= ends_on:
        planned = day.weekday() in weekdays and day not in ctx["holidays"]
        # The benchmark's chantier always has a session today, as the small demo's first one.
        if planned or (benchmark and day == today):
            session = WorkSession(chantier=chantier, date=day, starts_at=starts_at, ends_at=ends_at)
            if day < today:
                session.status = WorkSession.Status.HELD
                if rng.random() < 0.04:
                    session.status = WorkSession.Status.CANCELLED
                    session.cancel_reason = rng.choice(CANCEL_REASONS)
            sessions.append(rows.add(session))
        day += dt.timedelta(days=1)
    group = _choose_group(rng, ctx, people, operator, starts_on, ends_on, group_size)
    enrolments = []
    for person in group:
        enrolment = Enrolment(
            chantier=chantier,
            participant=person.participant,
            status=Enrolment.Status.COMPLETED if status == "closed" else Enrolment.Status.ACTIVE,
            joined_on=starts_on,
            safety_briefing_on=starts_on,
            protective_equipment_on=starts_on,
        )
        last_day = min(ends_on, today)
        if not benchmark and rng.random() < 0.15 and (last_day - starts_on).days > 30:
            enrolment.status = Enrolment.Status.WITHDRAWN
            enrolment.left_on = starts_on + dt.timedelta(
                days=rng.randint(14, (last_day - starts_on).days)
            )
            enrolment.leave_reason = rng.choice(LEAVE_REASONS)
        elif status == "closed":
            enrolment.left_on = ends_on
        person.busy.append((starts_on, enrolment.left_on or ends_on))
        enrolments.append((person, rows.add(enrolment)))
        _plan_agreement(rng, ctx, rows, person, chantier, starts_on, ends_on, rate)
    if status == "running":
        # Two people proposed by their counsellors, not selected yet.
        members = {id(person) for person, _enrolment in enrolments}
        others = [p for p in people if id(p) not in members]
        for person in _choose_group(rng, ctx, others, operator, today, ends_on, 2):
            rows.add(Enrolment(chantier=chantier, participant=person.participant))
            person.busy.append((today, ends_on))
    held = [s for s in sessions if s.status == WorkSession.Status.HELD]
    for session in held:
        for person, enrolment in enrolments:
            if session.date > (enrolment.left_on or ends_on):
                continue
            status_ = rng.choices(
                ["present", "late", "left_early", "excused", "unexcused"], weights=[82, 6, 3, 5, 4]
            )[0]
            person.marks.append(
                rows.add(
                    Attendance(
                        session=session,
                        participant=person.participant,
                        status=status_,
                        hours=session.hours,
                        recorded_by=coordinator,
                        recorded_at=at(session.date, ends_at.hour, ends_at.minute),
                    )
                )
            )
    _plan_incidents(rng, rows, chantier, held, [p for p, _e in enrolments], coordinator, today)


def _choose_group(rng, ctx, people, operator, first, last, size) -> list[Person]:
    """People of the operator in a MoKoLab pathway open over the whole chantier, eligible
    (job seeking for the chantier's minimum 24 months on its start) and in no other group."""
    mokolab = ctx["programmes"][operator]["mokolab"]
    eligible_since = add_months(first, -24)
    candidates = []
    for person in people:
        if person.operator != operator or person.participant.jobseeker_since > eligible_since:
            continue
        if any(a <= last and first <= b for a, b in person.busy):
            continue
        for plan in person.pathways:
            pathway = plan["pathway"]
            if (
                pathway.programme is mokolab
                and pathway.started_on <= first - dt.timedelta(days=7)
                and (pathway.ended_on is None or pathway.ended_on >= min(last, ctx["today"]))
            ):
                candidates.append(person)
                break
    return rng.sample(candidates, min(size, len(candidates)))


def _plan_agreement(rng, ctx, rows, person, chantier, starts_on, ends_on, rate):
    income = next(
        (
            i
            for i in person.incomes
            if i.starts_on <= starts_on and (i.ends_on or starts_on) >= starts_on
        ),
        None,
    )
    required = DECLARATION_REQUIRED[income.kind] if income else ""
    missing = rng.random() < 0.04  # the paperwork a coordinator still has to chase
    agreement = rows.add(
        VolunteerAgreement(
            participant=person.participant,
            organization=ctx["operators"][person.operator],
            chantier=chantier,
            starts_on=starts_on,
            ends_on=ends_on,
            daily_rate=rate,
            organisation_note_given_on=starts_on - dt.timedelta(days=7),
            insurance_policy="Ethias RC bénévoles 45.123.456",
            declaration="" if missing else required,
            declaration_on=None if missing else starts_on - dt.timedelta(days=5),
            signed_on=starts_on - dt.timedelta(days=7),
        )
    )
    # Some volunteers also help elsewhere (DESIGN §4 rule 6: declared for a calendar year, once).
    elsewhere = Decimal(rng.choice(["0.00"] * 8 + ["450.00", "1100.00"]))
    if elsewhere and starts_on.year not in person.declared:
        person.declared[starts_on.year] = elsewhere
        rows.add(
            ElsewhereDeclaration(
                participant=person.participant,
                organization=ctx["operators"][person.operator],
                year=starts_on.year,
                amount=elsewhere,
                declared_on=starts_on - dt.timedelta(days=7),
                source="ASBL du quartier",
            )
        )
    person.agreements.append(agreement)
    if not person.participant.iban:
        person.participant.iban = belgian_account(rng)[0]


def _plan_incidents(rng, rows, chantier, held, group, by, today):
    if len(held) < 10 or not group:
        return
    for _ in range(rng.randint(0, 4)):
        session = rng.choice(held)
        kind, description = rng.choice(INCIDENTS)
        old = (today - session.date).days > 30
        rows.add(
            Incident(
                chantier=chantier,
                session=session,
                date=session.date,
                kind=kind,
                people_involved=rng.choice(group).participant.first_name,
                description=description,
                declared_to_insurer_on=(
                    min(today, session.date + dt.timedelta(days=1))
                    if kind == Incident.Kind.ACCIDENT
                    else None
                ),
                action_taken="Rappel des consignes au groupe." if old else "",
                closed_on=session.date + dt.timedelta(days=rng.randint(1, 20)) if old else None,
                recorded_by=by,
            )
        )


def _compute_indemnities(ctx, people):
    """DESIGN §4 rules 1–4, by the engine's own per-person function, on the planned marks.

    The agreements and marks are ordered as ``indemnities_recompute_many`` orders them
    (agreements most recent first, marks by day and time), so a recomputation changes nothing.
    """
    for person in people:
        if not person.marks:
            continue
        # Stable sorts: ties stay in planning order, which is the order of the primary keys.
        marks = sorted(person.marks, key=lambda a: (a.session.date, a.session.starts_at))
        agreements = [
            a
            for _n, a in sorted(
                enumerate(person.agreements), key=lambda e: (e[1].starts_on, e[0]), reverse=True
            )
        ]
        by_year: dict[int, list] = {}
        for mark in marks:
            by_year.setdefault(mark.session.date.year, []).append(mark)
        for year, year_marks in by_year.items():
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            indemnities_compute_one(
                year=year,
                ceiling=ctx["ceilings"].get(year),
                declared=(person.declared.get(year, Decimal("0.00")), 0),
                corrected=(Decimal("0.00"), 0),
                agreements=[
                    a for a in agreements if a.starts_on <= last and (a.ends_on or last) >= first
                ],
                incomes=person.incomes,
                locked=set(),
                attendances=year_marks,
                changed=[],
            )


# --- referrals, employers ------------------------------------------------------------------


def _plan_referrals(rng, ctx, rows, people, count):
    today, expiry = ctx["today"], settings.REFERRAL_EXPIRY_DAYS
    services = ctx["services"]
    partner_key = {id(org): key for key, org in ctx["partners"].items()}
    plans = [(person, plan) for person in people for plan in person.pathways]
    open_keys: set[tuple[int, int]] = set()
    for _ in range(count):
        person, plan = rng.choice(plans)
        pathway = plan["pathway"]
        last_day = pathway.ended_on or today
        sent_on = pathway.started_on + dt.timedelta(
            days=rng.randint(0, (last_day - pathway.started_on).days)
        )
        service_index = rng.randrange(len(services))
        service = services[service_index]
        age = (today - sent_on).days
        if age < expiry:
            status = rng.choices(
                ["sent", "accepted", "refused", "completed"], weights=[45, 30, 15, 10]
            )[0]
        else:
            status = rng.choices(
                ["accepted", "completed", "no_show", "refused", "expired"],
                weights=[8 if age < 120 else 0, 45, 12, 15, 20],
            )[0]
        key = (id(person), service_index)
        if status in Referral.OPEN:
            # One open referral per person, partner and service; none left open after the exit.
            if key in open_keys or pathway.ended_on is not None:
                status = "refused" if age < expiry else "completed"
            else:
                open_keys.add(key)
        need = next(
            (
                n
                for n in person.needs
                if n.category == service.need_category and n.identified_on <= sent_on
            ),
            None,
        )
        partner_user = ctx["partner_users"].get(partner_key[id(service.organization)])
        referral = rows.add(
            Referral(
                participant=person.participant,
                pathway=pathway,
                from_organization=ctx["operators"][person.operator],
                to_organization=service.organization,
                service=service,
                need=need,
                reason=partners_demo.REASONS.get(service.need_category, "Orientation."),
                sent_on=sent_on,
                sent_by=pathway.counsellor,
                status=status,
                link_sent_at=None if partner_user else at(sent_on, 9, 5),
            )
        )
        _plan_referral_log(rng, rows, referral, partner_user, today, expiry)


def _plan_referral_log(rng, rows, referral, partner_user, today, expiry):
    sent_on, status = referral.sent_on, referral.status
    log = [("", "sent", at(sent_on, 9), referral.sent_by, "app", "")]
    channel = "app" if partner_user else "link"
    answered = min(today, sent_on + dt.timedelta(days=rng.randint(1, max(1, expiry - 1))))
    if status == "expired":
        log.append(
            ("sent", "expired", at(sent_on + dt.timedelta(days=expiry), 2), None, "system", "")
        )
    elif status == "refused":
        referral.refusal_reason = "Liste d'attente complète."
        log.append(
            ("sent", "refused", at(answered, 11), partner_user, channel, referral.refusal_reason)
        )
    elif status != "sent":
        log.append(("sent", "accepted", at(answered, 11), partner_user, channel, ""))
        if status in ("completed", "no_show"):
            closed = min(today, answered + dt.timedelta(days=rng.randint(7, 60)))
            log.append(("accepted", status, at(closed, 15), referral.sent_by, "app", ""))
    referral.status_changed_at = log[-1][2]
    for from_status, to_status, moment, by, channel_, reason in log:
        rows.add(
            ReferralTransition(
                referral=referral,
                from_status=from_status,
                to_status=to_status,
                at=moment,
                by=by,
                channel=channel_,
                reason=reason,
            )
        )


def _plan_employers(rng, ctx, rows, people, counts):
    today, first_day = ctx["today"], ctx["first_day"]
    employers = [
        rows.add(
            Organization(
                name=name,
                slug=slug,
                kind=Organization.Kind.EMPLOYER,
                street=street,
                postcode=postcode,
                city=city,
            )
        )
        for name, slug, street, postcode, city in partners_demo.EMPLOYERS
    ]
    for number in range(len(employers), counts["employers"]):
        trade = rng.choice(EMPLOYER_TRADES)
        employers.append(
            rows.add(
                Organization(
                    name=f"{trade} {rng.choice(people_demo.LAST_NAMES)} ({number + 1})",
                    slug=f"employeur-{number + 1:04d}",
                    kind=Organization.Kind.EMPLOYER,
                    postcode=rng.choice(people_demo.POSTCODES),
                    city="Bruxelles",
                )
            )
        )
    span = (today - first_day).days
    for _ in range(counts["prospections"]):
        operator = 1 if rng.random() < SECOND_OPERATOR_SHARE else 0
        rows.add(
            EmployerContact(
                organization=ctx["operators"][operator],
                employer=rng.choice(employers),
                date=first_day + dt.timedelta(days=rng.randint(0, span)),
                by=rng.choice(ctx["counsellors"][operator]),
                person_met=rng.choice(partners_demo.PERSONS_MET),
                outcome=rng.choice(EmployerContact.Outcome.values),
            )
        )
    plans = [
        plan["pathway"]
        for person in people
        for plan in person.pathways
        if ((plan["pathway"].ended_on or today) - plan["pathway"].started_on).days >= 20
    ]
    for _ in range(counts["matchings"]):
        pathway = rng.choice(plans)
        last_day = pathway.ended_on or today
        if pathway.exit_outcome in EMPLOYMENT_OUTCOMES and rng.random() < 0.7:
            # The hire that ended the pathway.
            status, status_on = Matching.Status.HIRED, last_day
            proposed_on = max(pathway.started_on, last_day - dt.timedelta(days=rng.randint(10, 40)))
        else:
            proposed_on = pathway.started_on + dt.timedelta(
                days=rng.randint(0, (last_day - pathway.started_on).days)
            )
            if pathway.ended_on is None and (today - proposed_on).days < 30:
                status = rng.choice([Matching.Status.PROPOSED, Matching.Status.INTERVIEW])
            else:
                status = rng.choice(
                    [Matching.Status.INTERVIEW, Matching.Status.REJECTED, Matching.Status.NO_ANSWER]
                )
            status_on = (
                proposed_on
                if status == Matching.Status.PROPOSED
                else min(today, proposed_on + dt.timedelta(days=rng.randint(5, 20)))
            )
        rows.add(
            Matching(
                participant=pathway.participant,
                pathway=pathway,
                employer=rng.choice(employers),
                position=rng.choice(partners_demo.POSITIONS),
                proposed_on=proposed_on,
                status=status,
                status_on=status_on,
                by=pathway.counsellor,
            )
        )


# --- agenda --------------------------------------------------------------------------------


def _plan_agenda(rng, ctx, rows, people):
    """The appointments of the open pathways and the consents to reminders (``demo.agenda``)."""
    pathways = [
        plan["pathway"]
        for person in people
        for plan in person.pathways
        if plan["pathway"].ended_on is None
    ]
    plan = agenda_demo.plan_agenda(
        rng=rng, pathways=pathways, today=ctx["today"], closed=ctx["holidays"]
    )
    for row in agenda_demo.agenda_rows(plan):
        rows.add(row)


# --- trainings and certifications ------------------------------------------------------------


def _plan_trainings(rng, ctx, rows, people):
    """The trainings of a third of the people followed in the last three years, and their
    certifications; a handful noted by the training centre on referrals it accepted
    (``demo.trainings``)."""
    centre = trainings_demo.training_centre(ctx["partners"].values())
    referrals = [
        r
        for r in rows.by_model.get(Referral, [])
        if r.to_organization is centre
        and r.status in Referral.TRAINING_STATUSES
        and r.service.need_category in Referral.TRAINING_NEEDS
    ]
    plan = trainings_demo.plan_trainings(
        rng=rng,
        pathways=[plan["pathway"] for person in people for plan in person.pathways],
        today=ctx["today"],
        centre=centre,
        partner_member=ctx["partner_users"].get("training"),
        referrals=referrals,
    )
    for row in trainings_demo.training_rows(plan):
        rows.add(row)


# --- collective modules ----------------------------------------------------------------------


def _plan_workshops(rng, ctx, rows, people):
    """Each operator's modules, their sessions of the last four months and the next three weeks,
    the people of open pathways enrolled and marked, the EPN's visitors (``demo.workshops``):
    more time slots than at the small scale, as many more as there are people."""
    teams = [
        workshops_demo.Team(
            organization=operator,
            counsellors=ctx["counsellors"][index],
            pathways=[
                plan["pathway"]
                for person in people
                if person.operator == index
                for plan in person.pathways
                if plan["pathway"].ended_on is None
            ],
        )
        for index, operator in enumerate(ctx["operators"])
    ]
    plan = workshops_demo.plan_workshops(
        rng=rng,
        teams=teams,
        partner=workshops_demo.workshop_partner(ctx["partners"].values()),
        today=ctx["today"],
        closed=ctx["holidays"],
    )
    for row in workshops_demo.workshop_rows(plan):
        rows.add(row)


# --- writing -------------------------------------------------------------------------------

# Times that are to come by nature: the planned appointments'.
AHEAD = {(Appointment, "starts_at")}
# Parents before children: each bulk_create fills the primary keys the next one refers to.
INSERT_ORDER = [
    Organization,
    Programme,
    Participant,
    IncomeSource,
    Need,
    Pathway,
    PathwayTransition,
    PathwayEvent,
    Goal,
    FollowUp,
    ReminderConsent,
    Appointment,
    Reminder,
    PartnerService,
    Chantier,
    Chantier.coordinators.through,
    WorkSession,
    Enrolment,
    VolunteerAgreement,
    ElsewhereDeclaration,
    Attendance,
    Incident,
    Referral,
    ReferralTransition,
    EmployerContact,
    Matching,
    Training,
    Certification,
    Module,
    ModuleSession,
    ModuleEnrolment,
    ModuleAttendance,
    DropInVisit,
]


def _insert(rows: Rows, today: dt.date) -> dict[str, int]:
    assert set(rows.by_model) <= set(INSERT_ORDER), set(rows.by_model) - set(INSERT_ORDER)
    for participant in rows.by_model.get(Participant, []):
        participant.prepare()  # search text, commune: what save() would have filled
    # Nothing stamped in the future: what the plan dates today gets today's first minute (a
    # fixed moment, unlike "now", so that the same seed gives the same rows all day long).
    latest = at(today, 0, 0)
    now = timezone.now()
    for model in INSERT_ORDER:
        automatic = _stamps(model)
        for stamp in model._meta.concrete_fields:
            if stamp.get_internal_type() != "DateTimeField" or (model, stamp.name) in AHEAD:
                continue
            for row in rows.by_model.get(model, []):
                value = getattr(row, stamp.attname)
                if value is not None and value > latest:
                    setattr(row, stamp.attname, latest)
                elif value is None and stamp in automatic:  # no date planned: now
                    setattr(row, stamp.attname, now)
    written = {}
    with timestamps_as_given(*INSERT_ORDER):
        for model in INSERT_ORDER:
            objects = rows.by_model.get(model, [])
            model.objects.bulk_create(objects, batch_size=BATCH)
            written[model._meta.object_name] = len(objects)
    return written


def refresh_statistics() -> str:
    """What autovacuum does in service, done at once on data just written in bulk (it may be off
    or late): planner statistics — without them PostgreSQL picks nested loops over millions of
    rows — and the visibility map, without which a count reads every row instead of an index.
    VACUUM cannot run inside a transaction (the tests'): ANALYZE alone there."""
    if connection.vendor != "postgresql":
        return ""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(command)
    return command
