"""Impact of a cohort: who came in, how regularly they worked, which needs were lifted, where
they went at exit and 3, 6 and 12 months later.

A cohort is either the pathways of a programme started in a year, or the people enrolled in a
chantier (active, completed or withdrawn) with their pathways open at some day of the chantier.
Every figure is one aggregate query over the cohort (grouped by the category it breaks down), so
the number of queries does not depend on the number of people. People are counted once per cell
(distinct participants), needs once each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils.translation import gettext as _

from accounts.models import Organization
from chantiers.models import Attendance, Chantier, Enrolment, WorkSession
from participants.models import (
    POSITIVE_OUTCOMES,
    EducationLevel,
    ExitOutcome,
    FollowUp,
    Gender,
    IncomeKind,
    IncomeSource,
    Need,
    Participant,
    Pathway,
    Programme,
)
from reporting.indicators.activity import NeedRow, need_rows
from reporting.indicators.common import completed_months, pathways_of, rate

UNKNOWN = "unknown"

# Enrolments that make someone part of a chantier's cohort: they worked in the group.
CHANTIER_COHORT = (
    Enrolment.Status.ACTIVE,
    Enrolment.Status.COMPLETED,
    Enrolment.Status.WITHDRAWN,
)


@dataclass(frozen=True)
class Cohort:
    label: str
    pathways: QuerySet[Pathway]  # the cohort's pathways (outcomes, follow-ups, needs' window)
    participants: QuerySet[Participant]  # the persons
    marks: QuerySet[Attendance]  # the attendance marks that measure their regularity
    entry_fallback: date | None = None  # entry day of a person without a cohort pathway


def cohort_for_programme(*, organization: Organization, programme: Programme, year: int) -> Cohort:
    """The pathways of the programme started in the year; regularity on the operator's
    chantiers (whatever their programme) while one of these pathways was open."""
    pathways = pathways_of(organization=organization, programme=programme).filter(
        started_on__year=year
    )
    participants = Participant.objects.filter(
        organization=organization, pk__in=pathways.values("participant_id")
    )
    during_pathway = pathways.filter(
        participant=OuterRef("participant"), started_on__lte=OuterRef("session__date")
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("session__date")))
    marks = Attendance.objects.filter(
        Exists(during_pathway),
        session__chantier__organization=organization,
        session__status=WorkSession.Status.HELD,
        participant__in=participants,
    )
    return Cohort(
        label=_("Parcours « %(programme)s » commencés en %(year)s")
        % {"programme": programme.name, "year": year},
        pathways=pathways,
        participants=participants,
        marks=marks,
    )


def cohort_for_chantier(
    *,
    organization: Organization,
    chantier: Chantier,
    today: date,
    statuses: tuple[str, ...] = CHANTIER_COHORT,
) -> Cohort:
    """The people who worked in the chantier's group (or whose enrolment has one of
    ``statuses``), with their pathways open during it."""
    participants = Participant.objects.filter(
        organization=organization,
        pk__in=Enrolment.objects.filter(
            chantier=chantier, status__in=statuses, chantier__organization=organization
        ).values("participant_id"),
    )
    end = chantier.ends_on or today
    pathways = (
        pathways_of(organization=organization)
        .filter(participant__in=participants, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=chantier.starts_on))
    )
    marks = Attendance.objects.filter(
        session__chantier=chantier,
        session__status=WorkSession.Status.HELD,
        participant__in=participants,
    )
    return Cohort(
        label=_("Personnes du groupe du chantier « %(chantier)s »") % {"chantier": chantier.name},
        pathways=pathways,
        participants=participants,
        marks=marks,
        entry_fallback=chantier.starts_on,
    )


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Outcomes:
    """Where the cohort's people stand. Each person is counted once in ``by_outcome`` (the
    outcome of their last ended cohort pathway) and once in the partition ``in_pathway`` +
    ``exited_only`` + ``without_pathway`` = ``persons``."""

    by_outcome: list[Share]  # exited persons by their last exit's outcome (zeros included)
    exited: int  # persons with a cohort pathway ended (= the sum of by_outcome)
    positive: int  # exited persons whose last exit was positive (employment or training)
    still_open: int  # persons with a cohort pathway still open
    persons: int = 0  # the cohort's persons
    exited_only: int = 0  # persons with an ended cohort pathway and none open
    reopened: int = 0  # persons exited from a cohort pathway with another one open since
    without_pathway: int = 0  # persons of the cohort with no cohort pathway at all

    @property
    def positive_rate(self):
        return rate(self.positive, self.exited)


@dataclass(frozen=True)
class FollowUpRow:
    months: int
    by_situation: dict[str, int]  # done follow-ups, persons by situation
    done: int
    not_yet_due: int
    missing: int  # due, not done: neither a success nor a failure


@dataclass(frozen=True)
class ImpactFigures:
    cohort: Cohort
    persons: int
    gender: list[Share]
    age: list[Share]
    education: list[Share]
    jobseeking: list[Share]
    income: list[Share]
    regularity: list[Share]
    needs: list[NeedRow]
    outcomes: Outcomes
    follow_ups: list[FollowUpRow]


def _shares(counts: dict, choices: list[tuple[str, str]]) -> list[Share]:
    return [Share(key, str(label), counts.get(key, 0)) for key, label in choices]


def _grouped(queryset: QuerySet, key: str) -> dict:
    return dict(
        queryset.values(key).annotate(n=Count("pk", distinct=True)).values_list(key, "n").order_by()
    )


def _band(expression_name: str, bands: list[tuple[int | None, str]], none_key: str = UNKNOWN):
    """``Case`` giving the key of the first band whose upper bound (exclusive) is above the
    value; None bound = no upper bound; a null value is ``none_key``."""
    whens = [When(**{f"{expression_name}__isnull": True}, then=Value(none_key))]
    for upper, key in bands:
        if upper is None:
            whens.append(When(**{f"{expression_name}__isnull": False}, then=Value(key)))
        else:
            whens.append(When(**{f"{expression_name}__lt": upper}, then=Value(key)))
    return Case(*whens, output_field=CharField())


AGE_BANDS = [
    (18 * 12, "lt18"),
    (25 * 12, "18_24"),
    (30 * 12, "25_29"),
    (50 * 12, "30_49"),
    (55 * 12, "50_54"),
    (None, "55plus"),
]


def age_labels():
    return [
        ("lt18", _("moins de 18 ans")),
        ("18_24", _("18 à 24 ans")),
        ("25_29", _("25 à 29 ans")),
        ("30_49", _("30 à 49 ans")),
        ("50_54", _("50 à 54 ans")),
        ("55plus", _("55 ans et plus")),
        (UNKNOWN, _("inconnu")),
    ]


JOBSEEKING_BANDS = [(6, "lt6"), (12, "6_12"), (24, "12_24"), (60, "24_60"), (None, "60plus")]


def jobseeking_labels():
    return [
        ("lt6", _("moins de 6 mois")),
        ("6_12", _("6 à 12 mois")),
        ("12_24", _("12 à 24 mois")),
        ("24_60", _("24 à 60 mois")),
        ("60plus", _("60 mois et plus")),
        ("not_jobseeker", _("pas demandeur·euse d'emploi")),
        (UNKNOWN, _("inconnu")),
    ]


def _with_entry(cohort: Cohort) -> QuerySet[Participant]:
    """The cohort's persons with ``entry_on``: the start of their first cohort pathway."""
    first_start = Subquery(
        cohort.pathways.filter(participant=OuterRef("pk"))
        .order_by("started_on")
        .values("started_on")[:1],
        output_field=DateField(),
    )
    if cohort.entry_fallback is not None:
        first_start = Coalesce(first_start, Value(cohort.entry_fallback, DateField()))
    return cohort.participants.annotate(entry_on=first_start)


def _marks_count(cohort: Cohort, condition: Q | None = None):
    marks = cohort.marks.filter(participant=OuterRef("pk"))
    if condition is not None:
        marks = marks.filter(condition)
    return Coalesce(
        Subquery(
            marks.order_by().values("participant").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def cohort_people(*, cohort: Cohort) -> QuerySet[Participant]:
    """The cohort's persons, each annotated with what the report says about them: entry day,
    age band, job-seeking band and income source on that day, attendance marks and band.

    The breakdowns group this queryset and the listing reads it, so the two always agree.
    """
    return (
        _with_entry(cohort)
        .annotate(
            age_months=completed_months("birth_date", "entry_on"),
            age_band=_band("age_months", AGE_BANDS),
            seeking_months=Case(
                When(
                    jobseeker_since__isnull=False,
                    jobseeker_since__lte=F("entry_on"),
                    then=completed_months("jobseeker_since", "entry_on"),
                ),
                default=Value(None),
                output_field=IntegerField(),
            ),
            seeking_band=Case(
                When(entry_on__isnull=True, then=Value(UNKNOWN)),
                When(
                    Q(jobseeker_since__isnull=True) | Q(jobseeker_since__gt=F("entry_on")),
                    then=Value("not_jobseeker"),
                ),
                default=_band("seeking_months", JOBSEEKING_BANDS),
                output_field=CharField(),
            ),
            income_kind=Coalesce(
                Subquery(
                    IncomeSource.objects.filter(
                        participant=OuterRef("pk"), starts_on__lte=OuterRef("entry_on")
                    )
                    .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("entry_on")))
                    .order_by("-starts_on")
                    .values("kind")[:1]
                ),
                Value(UNKNOWN),
            ),
            marks_recorded=_marks_count(cohort),
            marks_present=_marks_count(cohort, Q(status__in=Attendance.PRESENT_LIKE)),
        )
        .annotate(
            regularity=Case(
                When(marks_recorded=0, then=Value("no_marks")),
                # present / recorded < 50 %  ⇔  100 × present < 50 × recorded (integers only)
                When(
                    LessThan(F("marks_present") * 100, F("marks_recorded") * 50),
                    then=Value("lt50"),
                ),
                When(
                    LessThan(F("marks_present") * 100, F("marks_recorded") * 80),
                    then=Value("50_79"),
                ),
                default=Value("80plus"),
                output_field=CharField(),
            )
        )
    )


def cohort_listing(*, cohort: Cohort) -> list[dict]:
    """One row per person (the rows behind the profile and regularity figures), with whether a
    cohort pathway of theirs is open (``is_open``, as in ``exit_outcomes``) and their last exit
    from a cohort pathway; one query. No name: ``pk`` is for the pseudonym."""
    last_exit = cohort.pathways.filter(participant=OuterRef("pk"), ended_on__isnull=False).order_by(
        "-ended_on", "-pk"
    )
    return list(
        cohort_people(cohort=cohort)
        .annotate(
            is_open=_has(cohort, Q(ended_on__isnull=True)),
            exit_on=Subquery(last_exit.values("ended_on")[:1], output_field=DateField()),
            exit_outcome=Subquery(last_exit.values("exit_outcome")[:1]),
        )
        .order_by("pk")
        .values(
            "pk",
            "gender",
            "entry_on",
            "age_band",
            "education_level",
            "seeking_band",
            "income_kind",
            "marks_recorded",
            "marks_present",
            "regularity",
            "is_open",
            "exit_on",
            "exit_outcome",
        )
    )


def profile_at_entry(*, cohort: Cohort) -> dict[str, list[Share]]:
    """Gender, age band, education, job-seeking duration and income source on the entry day."""
    people = cohort_people(cohort=cohort)
    return {
        "gender": _shares(_grouped(people, "gender"), Gender.choices),
        "age": _shares(_grouped(people, "age_band"), age_labels()),
        "education": _shares(_grouped(people, "education_level"), EducationLevel.choices),
        "jobseeking": _shares(_grouped(people, "seeking_band"), jobseeking_labels()),
        "income": _shares(_grouped(people, "income_kind"), income_labels()),
    }


def income_labels():
    return [*IncomeKind.choices, (UNKNOWN, _("inconnue"))]


def regularity_labels():
    return [
        ("lt50", _("moins de 50 %")),
        ("50_79", _("50 à 79 %")),
        ("80plus", _("au moins 80 %")),
        ("no_marks", _("aucune présence enregistrée")),
    ]


def attendance_regularity(*, cohort: Cohort) -> list[Share]:
    """Persons by their own attendance rate: present-like marks / all their marks on held
    sessions (the chantier figures' definition), in bands."""
    people = cohort_people(cohort=cohort)
    return _shares(_grouped(people, "regularity"), regularity_labels())


def needs_lifted(*, cohort: Cohort, today: date) -> list[NeedRow]:
    """Needs identified during one of the person's cohort pathways, and how many were resolved
    (by ``today``), by category."""
    during_pathway = cohort.pathways.filter(
        participant=OuterRef("participant"), started_on__lte=OuterRef("identified_on")
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("identified_on")))
    return need_rows(
        Need.objects.filter(participant__in=cohort.participants)
        .filter(Exists(during_pathway), identified_on__lte=today)
        .values("category")
        .annotate(
            identified=Count("pk"),
            resolved=Count("pk", filter=Q(resolved_on__isnull=False, resolved_on__lte=today)),
        )
        .order_by()
    )


def _has(cohort: Cohort, condition: Q) -> Exists:
    """A person (the outer row) has a cohort pathway matching ``condition``."""
    return Exists(cohort.pathways.filter(condition, participant_id=OuterRef("pk")))


def exit_outcomes(*, cohort: Cohort) -> Outcomes:
    """Persons by the outcome of their last ended cohort pathway, the positive rate on those
    exited, and every person of the cohort in one of: in a pathway, exited, without a pathway.
    Two queries."""
    ended = Q(ended_on__isnull=False)
    later_exit = cohort.pathways.filter(ended, participant_id=OuterRef("participant_id")).filter(
        Q(ended_on__gt=OuterRef("ended_on"))
        | Q(ended_on=OuterRef("ended_on"), pk__gt=OuterRef("pk"))
    )
    by_outcome = dict(
        cohort.pathways.filter(ended)
        .exclude(Exists(later_exit))
        .values("exit_outcome")
        .annotate(n=Count("participant", distinct=True))
        .values_list("exit_outcome", "n")
        .order_by()
    )

    people = cohort.participants.annotate(
        is_open=_has(cohort, Q(ended_on__isnull=True)), has_ended=_has(cohort, ended)
    ).aggregate(
        persons=Count("pk"),
        still_open=Count("pk", filter=Q(is_open=True)),
        exited=Count("pk", filter=Q(has_ended=True)),
        exited_only=Count("pk", filter=Q(has_ended=True, is_open=False)),
        reopened=Count("pk", filter=Q(has_ended=True, is_open=True)),
        without_pathway=Count("pk", filter=Q(has_ended=False, is_open=False)),
    )
    return Outcomes(
        by_outcome=_shares(by_outcome, ExitOutcome.choices),
        positive=sum(by_outcome.get(outcome, 0) for outcome in POSITIVE_OUTCOMES),
        **people,
    )


def follow_ups(*, cohort: Cohort, today: date) -> list[FollowUpRow]:
    """At +3, +6 and +12 months: persons by situation on done follow-ups, the not yet due ones
    and the missing ones (due by ``today``, not done)."""
    done = Q(done_on__isnull=False)
    pending = Q(done_on__isnull=True)

    def person(condition: Q) -> Count:
        return Count("pathway__participant", distinct=True, filter=condition)

    situations = FollowUp.Situation.values
    rows = {
        row["months"]: row
        for row in FollowUp.objects.filter(
            pathway__in=cohort.pathways.filter(ended_on__isnull=False)
        )
        .values("months")
        .annotate(
            done=person(done),
            not_yet_due=person(pending & Q(due_on__gt=today)),
            missing=person(pending & Q(due_on__lte=today)),
            **{f"s_{s}": person(done & Q(situation=s)) for s in situations},
        )
        .order_by()
    }
    result = []
    for months in FollowUp.MONTHS:
        row = rows.get(months, {})
        result.append(
            FollowUpRow(
                months=months,
                by_situation={s: row.get(f"s_{s}", 0) for s in situations},
                done=row.get("done", 0),
                not_yet_due=row.get("not_yet_due", 0),
                missing=row.get("missing", 0),
            )
        )
    return result


def impact_figures(*, cohort: Cohort, today: date) -> ImpactFigures:
    profile = profile_at_entry(cohort=cohort)
    return ImpactFigures(
        cohort=cohort,
        persons=cohort.participants.count(),
        regularity=attendance_regularity(cohort=cohort),
        needs=needs_lifted(cohort=cohort, today=today),
        outcomes=exit_outcomes(cohort=cohort),
        follow_ups=follow_ups(cohort=cohort, today=today),
        **profile,
    )


# --- A chantier's whole life (the chantier summary report) -----------------------------------


@dataclass(frozen=True)
class ChantierGroup:
    candidates: int
    enrolled: int  # selected, active, completed or withdrawn (the chantier figures' "enrolled")
    by_status: list[Share]
    # Withdrawals are counted, never listed by their reason: the reason is free text, which may
    # hold health details, and a count of one would point at the person.


def chantier_group(*, chantier: Chantier) -> ChantierGroup:
    """Enrolments by status, in one query."""
    from reporting.indicators.chantiers import ENROLLED

    counts = _grouped(chantier.enrolments.all(), "status")
    return ChantierGroup(
        candidates=counts.get(Enrolment.Status.CANDIDATE, 0),
        enrolled=sum(counts.get(status, 0) for status in ENROLLED),
        by_status=_shares(counts, Enrolment.Status.choices),
    )


def chantier_people(*, chantier: Chantier, cohort: Cohort, period) -> list[dict]:
    """One row per enrolment of the chantier (the rows behind the summary's figures): its
    status and dates, the person's marks in the period (held sessions: recorded, present-like,
    hours; indemnities of every mark), where they stand in the cohort's pathways (open, exited)
    — not their exit's outcome. Three queries; ``participant_id`` is for the pseudonym."""
    from reporting.indicators.chantiers import ZERO

    held = Q(session__status=WorkSession.Status.HELD)
    present = held & Q(status__in=Attendance.PRESENT_LIKE)
    marks = {
        row["participant_id"]: row
        for row in Attendance.objects.filter(
            session__chantier=chantier, session__date__range=(period.start, period.end)
        )
        .values("participant_id")
        .annotate(
            recorded=Count("pk", filter=held),
            present=Count("pk", filter=present),
            hours=Coalesce(Sum("hours", filter=present), ZERO),
            indemnities=Coalesce(Sum("indemnity"), ZERO),
        )
        .order_by()
    }

    pathways = {
        row["pk"]: row
        for row in cohort.participants.annotate(
            is_open=_has(cohort, Q(ended_on__isnull=True)),
            exited=_has(cohort, Q(ended_on__isnull=False)),
        ).values("pk", "is_open", "exited")
    }
    rows = []
    for enrolment in chantier.enrolments.order_by("participant_id").values(
        "participant_id", "status", "joined_on", "left_on"
    ):
        person = enrolment["participant_id"]
        rows.append(
            enrolment
            | {"recorded": 0, "present": 0, "hours": ZERO, "indemnities": ZERO}
            | marks.get(person, {})
            | {"in_cohort": person in pathways}
            | pathways.get(person, {"is_open": False, "exited": False})
        )
    return rows


def chantier_sessions(*, chantier: Chantier) -> list[Share]:
    """Sessions by status (planned, held, cancelled)."""
    return _shares(_grouped(chantier.sessions.all(), "status"), WorkSession.Status.choices)


def chantier_incidents(*, chantier: Chantier) -> list[Share]:
    """Incidents by kind: counts only, never a description or a name."""
    from chantiers.models import Incident

    return _shares(_grouped(chantier.incidents.all(), "kind"), Incident.Kind.choices)
