"""The demo's trainings and certifications (issue 20, point 3): for about a third of the people
followed in the last three years, one or two trainings — qualifying ones in the building trades,
cleaning or logistics, French as a foreign language, digital basics, the VCA safety course, the
forklift licence, a few studies — and the certification that most completed ones led to.

The rules the services enforce hold in the plan: a training starts within its pathway or after
it; what has begun did not begin in the future, what has ended did not end in the future, a
completed training has its end; the hours done follow the state (completed: the hours planned
±10 %, abandoned or ongoing: a part, planned: none, and it starts later); a certification is
obtained on or after its training's end, never in the future, of the kind its training gives
(VCA: an attestation of skills, forklift: a licence, qualifying: a certificate, studies: a
diploma). A pathway closed on "qualifying training" with the qualification obtained has its
completed training and its certificate, obtained by the exit.

Noted by the person's counsellor for the operator; a handful by the training centre, a partner
of the demo, on the referrals to its training services it accepted (its member notes them, as
the partner's pages let it).

``plan_trainings`` decides everything from the rng, without a query: the small scale writes the
plan through the services (``seed_trainings``), the large one adds it to its bulk rows
(``demo.large``).
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from accounts.models import Membership, Organization, Role
from participants import services
from participants.models import HOURS_MAX, Certification, Pathway, Training
from partners import services as partner_services
from partners.models import Referral

# People followed in the last three years: a pathway open, or closed since then.
RECENT_DAYS = 3 * 365
SHARE = 1 / 3  # of those, the people with trainings
SECOND_TRAINING = 0.3
# The training centre of the demo, when it has one, as the provider (``CENTRE``); without it,
# its name as free text.
CENTRE = None
CENTRE_NAME = "Centre de formation Bâtir Ensemble"
QUALIFYING, SHORT, STUDIES = "qualifying", "short", "studies"
Kind = Certification.Kind


@dataclass(frozen=True)
class Course:
    title: str
    family: str
    hours: tuple[int, int]  # planned, from–to
    per_week: int  # hours a week: the training's length in days
    providers: tuple  # names, or CENTRE
    certification: tuple[str, str] | None  # (kind, title)
    certified: float = 0.85  # the share of completions that give the certification
    need: str = ""  # the partner's training service of this need gives it


COURSES = [
    Course(
        "Formation qualifiante peintre en bâtiment",
        QUALIFYING,
        (300, 600),
        30,
        (CENTRE, "Bruxelles Formation Construction"),
        (Kind.CERTIFICATE, "Certificat de qualification — peintre en bâtiment"),
        need="qualification",
    ),
    Course(
        "Formation qualifiante maçon·ne",
        QUALIFYING,
        (350, 600),
        30,
        ("Bruxelles Formation Construction", CENTRE),
        (Kind.CERTIFICATE, "Certificat de qualification — maçon·ne"),
    ),
    Course(
        "Électricité résidentielle — formation qualifiante",
        QUALIFYING,
        (400, 600),
        30,
        ("Bruxelles Formation Construction",),
        (Kind.CERTIFICATE, "Certificat de qualification — électricien·ne résidentiel·le"),
    ),
    Course(
        "Carrelage et chape — formation qualifiante",
        QUALIFYING,
        (250, 500),
        30,
        (CENTRE,),
        (Kind.CERTIFICATE, "Certificat de qualification — carreleur·se"),
    ),
    Course(
        "Agent·e de nettoyage professionnel",
        QUALIFYING,
        (120, 300),
        25,
        ("Bruxelles Formation", "Mission Propreté ASBL"),
        (Kind.CERTIFICATE, "Certificat d'agent·e de nettoyage"),
    ),
    Course(
        "Magasinier·ère — préparation de commandes",
        QUALIFYING,
        (200, 450),
        30,
        ("Bruxelles Formation Logistique",),
        (Kind.CERTIFICATE, "Certificat de magasinier·ère"),
    ),
    Course(
        "Sécurité de base VCA (B-VCA)",
        SHORT,
        (20, 24),
        20,
        ("Bruxelles Formation Construction", CENTRE),
        (Kind.SKILL_ATTESTATION, "Attestation VCA — sécurité de base"),
        certified=0.9,
    ),
    Course(
        "Conduite de chariot élévateur",
        SHORT,
        (20, 40),
        20,
        ("Bruxelles Formation Logistique",),
        (Kind.LICENCE, "Permis cariste (chariot élévateur frontal)"),
        certified=0.9,
    ),
    Course(
        "Français langue étrangère (FLE) — niveau A2",
        SHORT,
        (120, 300),
        12,
        (CENTRE, "Lire et Écrire Bruxelles"),
        (Kind.SKILL_ATTESTATION, "Attestation de niveau A2 en français"),
        need="language",
    ),
    Course(
        "Français langue étrangère (FLE) — niveau B1",
        SHORT,
        (120, 300),
        12,
        (CENTRE, "Lire et Écrire Bruxelles"),
        (Kind.SKILL_ATTESTATION, "Attestation de niveau B1 en français"),
    ),
    Course(
        "Initiation au numérique",
        SHORT,
        (20, 60),
        6,
        (CENTRE, "EPN de Saint-Gilles"),
        (Kind.SKILL_ATTESTATION, "Attestation de compétences numériques de base"),
        certified=0.6,
        need="digital",
    ),
    Course(
        "CESS en promotion sociale",
        STUDIES,
        (400, 600),
        15,
        ("Institut de promotion sociale d'Anderlecht",),
        (Kind.DIPLOMA, "Certificat d'enseignement secondaire supérieur (CESS)"),
        certified=0.7,
    ),
    Course(
        "Certificat d'études de base pour adultes",
        STUDIES,
        (150, 300),
        10,
        ("Institut de promotion sociale d'Anderlecht",),
        (Kind.DIPLOMA, "Certificat d'études de base (CEB)"),
        certified=0.8,
    ),
]
# The course of a pathway that closed on a training outcome: of its family.
FAMILY_OF_OUTCOME = {"training_qualifying": QUALIFYING, "training_other": SHORT, "studies": STUDIES}
# Any other: mostly short courses, some qualifying, rarely studies.
FAMILIES, FAMILY_WEIGHTS = (QUALIFYING, SHORT, STUDIES), (30, 67, 3)


@dataclass
class PlannedCertification:
    kind: str
    title: str
    obtained_on: dt.date
    issuing_body: str
    recorded_at: dt.datetime


@dataclass
class PlannedTraining:
    pathway: Pathway
    title: str
    provider: str
    provider_organization: Organization | None
    starts_on: dt.date
    ends_on: dt.date | None
    hours_planned: Decimal
    hours_done: Decimal
    status: str
    recorded_by: object  # a User
    recorded_by_organization: Organization
    recorded_at: dt.datetime
    certification: PlannedCertification | None = None
    referral: Referral | None = None  # noted by the partner, on this referral

    @property
    def participant(self):
        return self.pathway.participant


@dataclass
class TrainingPlan:
    trainings: list[PlannedTraining]

    def count(self, status: str) -> int:
        return sum(1 for t in self.trainings if t.status == status)

    @property
    def certifications(self) -> list[PlannedCertification]:
        return [t.certification for t in self.trainings if t.certification is not None]

    @property
    def by_partner(self) -> int:
        return sum(1 for t in self.trainings if t.referral is not None)


def at(day: dt.date, hour: int, today: dt.date) -> dt.datetime:
    """A moment of ``day``, never after today's first minute (the same rows all day long)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return min(moment, timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0))))


def _hours(value: float) -> Decimal:
    """To the half hour, within what a training may hold."""
    half_hours = Decimal(value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2
    return min(Decimal(HOURS_MAX), max(Decimal(0), half_hours)).quantize(Decimal("0.01"))


def _person(participant) -> object:
    """A key for the person, saved (the small scale) or not yet (the large one)."""
    return participant.pk if participant.pk is not None else ("unsaved", id(participant))


def _days(course: Course, hours: int) -> int:
    return max(1, math.ceil(hours / course.per_week * 7))


def plan_trainings(
    *,
    rng,
    pathways: list[Pathway],
    today: dt.date,
    centre: Organization | None = None,
    partner_member=None,
    referrals: list[Referral] = (),
) -> TrainingPlan:
    """The trainings of the people of ``pathways`` (in a stable order, each with its participant,
    the participant's counsellor and organization at hand: no query); ``referrals``: those to
    the ``centre``'s training services it accepted, where its ``partner_member`` notes some."""
    latest: dict[object, Pathway] = {}  # each person's last pathway of the last three years
    since = today - dt.timedelta(days=RECENT_DAYS)
    for pathway in pathways:
        key = _person(pathway.participant)
        if pathway.ended_on is not None and pathway.ended_on < since:
            continue
        if key not in latest or pathway.started_on > latest[key].started_on:
            latest[key] = pathway
    planner = _Planner(rng, today, centre)
    for pathway in latest.values():
        qualified = pathway.qualification_obtained and pathway.ended_on is not None
        if not qualified and rng.random() >= SHARE:
            continue
        planner.for_pathway(pathway, qualified)
    referrals = [r for r in referrals if r.pathway.ended_on is None or r.pathway.ended_on >= since]
    if centre is not None and partner_member is not None and referrals:
        handful = min(len(referrals), max(3, round(len(planner.trainings) * 0.04)))
        for referral in rng.sample(list(referrals), handful):
            planner.by_partner(referral, partner_member)
    return TrainingPlan(trainings=planner.trainings)


class _Planner:
    def __init__(self, rng, today, centre):
        self.rng, self.today, self.centre = rng, today, centre
        self.trainings: list[PlannedTraining] = []
        self.taken: set = set()  # what the services would refuse as the same one twice

    def _provider(self, course: Course) -> tuple[str, Organization | None]:
        provider = self.rng.choice(course.providers)
        if provider is CENTRE:
            if self.centre is None:
                return CENTRE_NAME, None
            return self.centre.name, self.centre
        return provider, None

    def _course(self, pathway: Pathway, first: bool) -> Course:
        family = FAMILY_OF_OUTCOME.get(pathway.exit_outcome) if first else None
        if family is None:
            family = self.rng.choices(FAMILIES, weights=FAMILY_WEIGHTS)[0]
            if not first and family == STUDIES:
                family = SHORT
        return self.rng.choice([c for c in COURSES if c.family == family])

    def for_pathway(self, pathway: Pathway, qualified: bool) -> None:
        rng, today = self.rng, self.today
        second = rng.random() < SECOND_TRAINING
        if qualified:
            course = rng.choice([c for c in COURSES if c.family == QUALIFYING])
            self._qualifying_by_the_exit(pathway, course)
            firsts = [False] if second else []
        else:
            firsts = [True, False] if second else [True]
        for first in firsts:
            course = self._course(pathway, first)
            last_day = pathway.ended_on or today
            if first and pathway.exit_outcome in FAMILY_OF_OUTCOME:
                # The training the person left for: it starts around the exit.
                starts_on = max(
                    pathway.started_on, pathway.ended_on + dt.timedelta(days=rng.randint(-20, 25))
                )
            elif pathway.ended_on is None and rng.random() < 0.15:
                starts_on = today + dt.timedelta(days=rng.randint(5, 60))  # to come
            else:
                span = max(0, (last_day - pathway.started_on).days - 10)
                starts_on = pathway.started_on + dt.timedelta(days=10 + rng.randint(0, span))
                starts_on = min(starts_on, last_day)
            self._add(pathway, course, starts_on)

    def _recorded(self, pathway, starts_on, earliest):
        day = max(earliest, starts_on - dt.timedelta(days=self.rng.randint(2, 20)))
        return at(min(day, self.today), 11, self.today)

    def _add(self, pathway, course, starts_on, *, referral=None, by=None) -> None:
        rng, today = self.rng, self.today
        hours = rng.randint(*course.hours)
        days = _days(course, hours)
        planned_end = starts_on + dt.timedelta(days=days)
        if starts_on > today:
            status, ends_on, done = Training.Status.PLANNED, planned_end, 0
        elif planned_end <= today:
            if rng.random() < 0.8:
                status, ends_on = Training.Status.COMPLETED, planned_end
                done = hours * rng.uniform(0.9, 1.1)
            else:
                part = rng.uniform(0.1, 0.7)
                status = Training.Status.ABANDONED
                ends_on = starts_on + dt.timedelta(days=int(days * part))
                done = hours * part
        elif rng.random() < 0.88:
            status, ends_on = Training.Status.ONGOING, planned_end
            done = hours * (today - starts_on).days / days * rng.uniform(0.85, 1.0)
        else:
            status = Training.Status.ABANDONED
            ends_on = starts_on + dt.timedelta(days=rng.randint(0, (today - starts_on).days))
            done = hours * (ends_on - starts_on).days / days * rng.uniform(0.7, 1.0)
        if referral is not None:
            provider, organization = self.centre.name, self.centre
            recorded_by, recorded_for = by, self.centre
            earliest = referral.sent_on
        else:
            provider, organization = self._provider(course)
            person = pathway.participant
            recorded_by = person.counsellor or pathway.counsellor
            recorded_for = person.organization
            earliest = pathway.started_on
        key = (_person(pathway.participant), course.title.lower(), provider.lower(), starts_on)
        if key in self.taken:
            return
        self.taken.add(key)
        training = PlannedTraining(
            pathway=pathway,
            title=course.title,
            provider=provider,
            provider_organization=organization,
            starts_on=starts_on,
            ends_on=ends_on,
            hours_planned=_hours(hours),
            hours_done=_hours(done),
            status=status,
            recorded_by=recorded_by,
            recorded_by_organization=recorded_for,
            recorded_at=self._recorded(pathway, starts_on, earliest),
            referral=referral,
        )
        self.trainings.append(training)
        if status == Training.Status.COMPLETED and rng.random() < course.certified:
            obtained_on = min(today, ends_on + dt.timedelta(days=rng.randint(0, 21)))
            self._certify(training, course, obtained_on)

    def _qualifying_by_the_exit(self, pathway: Pathway, course: Course) -> None:
        """The training of a pathway closed with the qualification obtained: completed by the
        exit, its certificate obtained by then."""
        rng, ended_on = self.rng, pathway.ended_on
        ends_on = max(pathway.started_on, ended_on - dt.timedelta(days=rng.randint(0, 10)))
        hours = rng.randint(*course.hours)
        starts_on = ends_on - dt.timedelta(days=_days(course, hours))
        if starts_on < pathway.started_on:  # a shorter course, to fit in the pathway
            starts_on = min(ends_on, pathway.started_on + dt.timedelta(days=rng.randint(0, 10)))
            hours = max(20, (ends_on - starts_on).days * course.per_week // 7)
        provider, organization = self._provider(course)
        person = pathway.participant
        self.taken.add((_person(person), course.title.lower(), provider.lower(), starts_on))
        training = PlannedTraining(
            pathway=pathway,
            title=course.title,
            provider=provider,
            provider_organization=organization,
            starts_on=starts_on,
            ends_on=ends_on,
            hours_planned=_hours(hours),
            hours_done=_hours(hours * rng.uniform(0.9, 1.1)),
            status=Training.Status.COMPLETED,
            recorded_by=person.counsellor or pathway.counsellor,
            recorded_by_organization=person.organization,
            recorded_at=self._recorded(pathway, starts_on, pathway.started_on),
        )
        self.trainings.append(training)
        obtained_on = ends_on + dt.timedelta(days=rng.randint(0, (ended_on - ends_on).days))
        self._certify(training, course, obtained_on)

    def _certify(self, training: PlannedTraining, course: Course, obtained_on: dt.date) -> None:
        kind, title = course.certification
        key = (_person(training.participant), kind, title.lower(), obtained_on)
        if key in self.taken:
            return
        self.taken.add(key)
        training.certification = PlannedCertification(
            kind=kind,
            title=title,
            obtained_on=obtained_on,
            issuing_body=training.provider,
            recorded_at=at(
                min(self.today, obtained_on + dt.timedelta(days=self.rng.randint(0, 14))),
                15,
                self.today,
            ),
        )

    def by_partner(self, referral: Referral, member) -> None:
        """The centre notes the training it gives the person it accepted, after the referral."""
        course = next(
            (c for c in COURSES if c.need and c.need == referral.service.need_category),
            COURSES[0],
        )
        starts_on = referral.sent_on + dt.timedelta(days=self.rng.randint(10, 40))
        self._add(referral.pathway, course, starts_on, referral=referral, by=member)


# --- the small scale: through the services ----------------------------------------------------


def training_centre(organizations) -> Organization | None:
    return next((o for o in organizations if o.kind == Organization.Kind.TRAINING), None)


def seed_trainings(*, rng, organizations, centre: Organization | None) -> dict:
    """The plan of the operators' people, written as the app would have: each training and
    certification by the counsellor's service, or the partner's on its referral, then its
    "noted on" set back to when it was noted."""
    today = timezone.localdate()
    pathways = list(
        Pathway.objects.filter(
            participant__organization__in=organizations, participant__anonymised_at__isnull=True
        )
        .select_related("participant__organization", "participant__counsellor", "counsellor")
        .order_by("pk")
    )
    member, referrals = None, []
    if centre is not None:
        partner = (
            Membership.objects.filter(organization=centre, role=Role.PARTNER)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        member = partner.user if partner else None
        referrals = list(
            Referral.objects.filter(
                to_organization=centre,
                status__in=Referral.TRAINING_STATUSES,
                service__need_category__in=Referral.TRAINING_NEEDS,
            )
            .select_related(
                "service",
                "participant",
                "pathway__participant__organization",
                "pathway__counsellor",
            )
            .order_by("pk")
        )
    plan = plan_trainings(
        rng=rng,
        pathways=pathways,
        today=today,
        centre=centre,
        partner_member=member,
        referrals=referrals,
    )
    for planned in plan.trainings:
        _write(planned)
    return {
        "trainings": len(plan.trainings),
        "trainings_completed": plan.count(Training.Status.COMPLETED),
        "trainings_ongoing": plan.count(Training.Status.ONGOING),
        "trainings_planned": plan.count(Training.Status.PLANNED),
        "trainings_abandoned": plan.count(Training.Status.ABANDONED),
        "trainings_by_partner": plan.by_partner,
        "certifications": len(plan.certifications),
    }


def _write(planned: PlannedTraining) -> Training:
    fields = {
        "title": planned.title,
        "starts_on": planned.starts_on,
        "ends_on": planned.ends_on,
        "hours_planned": planned.hours_planned,
        "hours_done": planned.hours_done,
        "status": planned.status,
    }
    referral = planned.referral
    if referral is not None:
        training = partner_services.referral_training_add(
            referral=referral, by=planned.recorded_by, **fields
        )
    else:
        training = services.training_add(
            participant=planned.participant,
            provider="" if planned.provider_organization else planned.provider,
            provider_organization=planned.provider_organization,
            recorded_by=planned.recorded_by,
            recorded_by_organization=planned.recorded_by_organization,
            **fields,
        )
    Training.objects.filter(pk=training.pk).update(created_at=planned.recorded_at)
    certification = planned.certification
    if certification is None:
        return training
    fields = {
        "kind": certification.kind,
        "title": certification.title,
        "obtained_on": certification.obtained_on,
        "training": training,
    }
    if referral is not None:
        issued = partner_services.referral_certification_add(
            referral=referral, by=planned.recorded_by, **fields
        )
    else:
        issued = services.certification_add(
            participant=planned.participant,
            recorded_by=planned.recorded_by,
            recorded_by_organization=planned.recorded_by_organization,
            **fields,
        )
    Certification.objects.filter(pk=issued.pk).update(created_at=certification.recorded_at)
    return training


# --- the large scale: rows for bulk_create ------------------------------------------------------


def training_rows(plan: TrainingPlan):
    """The plan as unsaved rows, each training before its certification."""
    for planned in plan.trainings:
        training = Training(
            participant=planned.participant,
            title=planned.title,
            provider=planned.provider,
            provider_organization=planned.provider_organization,
            starts_on=planned.starts_on,
            ends_on=planned.ends_on,
            hours_planned=planned.hours_planned,
            hours_done=planned.hours_done,
            status=planned.status,
            recorded_by=planned.recorded_by,
            recorded_by_organization=planned.recorded_by_organization,
            created_at=planned.recorded_at,
        )
        yield training
        certification = planned.certification
        if certification is not None:
            yield Certification(
                participant=planned.participant,
                kind=certification.kind,
                title=certification.title,
                obtained_on=certification.obtained_on,
                issuing_body=certification.issuing_body,
                training=training,
                recorded_by=planned.recorded_by,
                recorded_by_organization=planned.recorded_by_organization,
                created_at=certification.recorded_at,
            )
