"""The activity figures of an operator for a calendar year (DESIGN §5).

Definitions, for an operator and a year Y (a pathway is "open in Y" when it started by 31/12/Y and
did not end before 01/01/Y; see ``reporting.indicators.common``):
- persons accompanied: distinct participants with a pathway open in Y;
- new: those whose first pathway ever (at this operator, any programme) started in Y;
- exits: distinct persons with a pathway ended in Y; positive exits: distinct persons with a
  pathway ended in Y with a positive outcome (employment or training);
- positive-exit rate: positive exits / persons accompanied, shown beside positive exits / exits;
- the profile of the persons accompanied, one value per person so that every breakdown sums to
  the persons accompanied:
  - age band: age on 31/12/Y, i.e. Y minus the birth year;
  - job-seeking duration: whole months from ``jobseeker_since`` to the start of the person's
    earliest pathway open in Y (a ``jobseeker_since`` after that start counts as "< 6 months");
    no ``jobseeker_since`` is "unknown";
  - income source: the one in effect on the last day of Y the person was accompanied (31/12/Y,
    or the latest end of their pathways open in Y when all ended during Y); none known there is
    "unknown";
  - commune: as recorded, blank is "unknown"; a confidential address's is "unknown" too, in the
    counts as in the listing (``commune_counted``), so that neither the rows nor the counts less
    the rows tell who hides or where (participants.confidential);
- the exit shown for a person (listing): their positive exit in Y if they had one, else their
  last exit in Y (latest end, then latest pathway);
- exits by outcome count pathways ended in Y (an exit is an event; a person leaving two
  programmes in Y gives two exits), with the distinct persons beside;
- needs: needs of the operator's participants identified in Y, resolved in Y, per category;
- referrals: referrals of the operator's participants sent in Y, by the receiving partner's kind
  and by status (the status today);
- employers: prospection contacts dated in Y and the distinct employers they reached; matchings
  proposed in Y by outcome (status today); hires: matchings whose status became "hired" in Y.
- individual appointments (held, persons met, hours, no-shows and their rate, cancelled, to
  complete): ``reporting.indicators.appointments``.
Every figure is an aggregate query; the number of queries does not depend on the data. The rows
behind the needs, referrals and employer figures (the spreadsheet's listings) are read from the
same querysets as the figures (``needs_of_year``, ``referrals_sent``, ``employer_contacts``,
``matchings_of_year``); those behind the indemnities paid from ``chantiers.statements_paid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from participants.models import (
    EMPLOYMENT_OUTCOMES,
    POSITIVE_OUTCOMES,
    TRAINING_OUTCOMES,
    EducationLevel,
    ExitOutcome,
    Gender,
    IncomeKind,
    IncomeSource,
    Need,
    NeedCategory,
    Participant,
    Pathway,
)
from partners.models import EmployerContact, Matching, Referral
from reporting.indicators.common import (
    OuterAggregate,
    PerGroup,
    Period,
    accompanied,
    completed_months,
    rate,
)

UNKNOWN = "unknown"

AGE_BANDS = [
    ("<18", _("moins de 18 ans")),
    ("18–24", _("18 à 24 ans")),
    ("25–29", _("25 à 29 ans")),
    ("30–49", _("30 à 49 ans")),
    ("50–54", _("50 à 54 ans")),
    ("55+", _("55 ans et plus")),
]
JOBSEEKING_BANDS = [
    ("<6", _("moins de 6 mois")),
    ("6–12", _("6 à 12 mois")),
    ("12–24", _("12 à 24 mois")),
    ("24–60", _("24 à 60 mois")),
    ("60+", _("60 mois et plus")),
    (UNKNOWN, _("inconnue")),
]
# The job-seeking bands below 60 months and their upper limits (exclusive); from 60, "60+".
JOBSEEKING_LIMITS = [("<6", 6), ("6–12", 12), ("12–24", 24), ("24–60", 60)]
OUTCOME_GROUPS = [
    ("employment", _("Emploi")),
    ("training", _("Formation")),
    ("other", _("Autre sortie")),
]


def outcome_group(outcome: str) -> str:
    if outcome in EMPLOYMENT_OUTCOMES:
        return "employment"
    if outcome in TRAINING_OUTCOMES:
        return "training"
    return "other"


# --- headline and trend -------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    year: int
    persons_accompanied: int
    new: int  # first pathway (ever, at this operator) started in Y
    positive_exits: int  # distinct persons with a pathway ended in Y, positive outcome
    exits: int  # distinct persons with a pathway ended in Y
    positive_exit_rate: Decimal | None  # positive_exits / persons_accompanied
    positive_over_exits: Decimal | None  # positive_exits / exits
    target: int | None  # organization.annual_target
    target_attainment: Decimal | None  # persons_accompanied / target


@dataclass(frozen=True)
class TrendYear:
    year: int
    persons_accompanied: int
    positive_exits: int
    positive_exit_rate: Decimal | None


def _open_in(period: Period, via: str = "") -> Q:
    """Pathways open in the period; ``via="pathways__"`` for a participant's pathways."""
    return Q(**{f"{via}started_on__lte": period.end}) & (
        Q(**{f"{via}ended_on__isnull": True}) | Q(**{f"{via}ended_on__gte": period.start})
    )


def _ended_in(period: Period, via: str = "") -> Q:
    return Q(**{f"{via}ended_on__range": (period.start, period.end)})


def _any(condition: Q) -> Max:
    """1 when one of the grouped rows meets the condition, else NULL (which ``Count`` skips)."""
    return Max(Case(When(condition, then=Value(1)), output_field=IntegerField()))


def _year_counts(*, organization: Organization, years: list[int]) -> dict[str, int]:
    """One scan of the operator's pathways, grouped by person, then counted: per year, persons
    accompanied / exited / exited positively / new (keys "accompanied_2025", ...).

    A person is new in Y when their first pathway started in Y (none started before)."""
    per_person = {"first_start": Min("started_on")}
    aggregates = {}
    for year in years:
        period = Period.year(year)
        per_person |= {
            f"in_{year}": _any(_open_in(period)),
            f"left_{year}": _any(_ended_in(period)),
            f"left_positively_{year}": _any(
                _ended_in(period) & Q(exit_outcome__in=POSITIVE_OUTCOMES)
            ),
        }
        aggregates |= {
            f"accompanied_{year}": Count(f"in_{year}"),
            f"exits_{year}": Count(f"left_{year}"),
            f"positive_{year}": Count(f"left_positively_{year}"),
            f"new_{year}": Count(
                "participant_id", filter=Q(first_start__range=(period.start, period.end))
            ),
        }
    return (
        Pathway.objects.filter(participant__organization=organization)
        .values("participant_id")
        .annotate(**per_person)
        .aggregate(**aggregates)
    )


def _headline(organization: Organization, year: int, counts: dict[str, int]) -> Headline:
    persons = counts[f"accompanied_{year}"]
    positive = counts[f"positive_{year}"]
    exits = counts[f"exits_{year}"]
    target = organization.annual_target or None
    return Headline(
        year=year,
        persons_accompanied=persons,
        new=counts[f"new_{year}"],
        positive_exits=positive,
        exits=exits,
        positive_exit_rate=rate(positive, persons),
        positive_over_exits=rate(positive, exits),
        target=target,
        target_attainment=rate(persons, target) if target else None,
    )


def _trend(span: list[int], counts: dict[str, int]) -> list[TrendYear]:
    return [
        TrendYear(
            year=y,
            persons_accompanied=counts[f"accompanied_{y}"],
            positive_exits=counts[f"positive_{y}"],
            positive_exit_rate=rate(counts[f"positive_{y}"], counts[f"accompanied_{y}"]),
        )
        for y in span
    ]


def _span(year: int, years: int) -> list[int]:
    return list(range(year - years + 1, year + 1))


def headline(*, organization: Organization, year: int) -> Headline:
    """The key figures of a year, in one query."""
    return _headline(organization, year, _year_counts(organization=organization, years=[year]))


def trend(*, organization: Organization, year: int, years: int = 5) -> list[TrendYear]:
    """Y-4 … Y (oldest first), in one query."""
    span = _span(year, years)
    return _trend(span, _year_counts(organization=organization, years=span))


def headline_and_trend(
    *, organization: Organization, year: int, years: int = 5
) -> tuple[Headline, list[TrendYear]]:
    """``headline`` and ``trend`` together, in one query (the trend's last year is Y)."""
    span = _span(year, years)
    counts = _year_counts(organization=organization, years=span)
    return _headline(organization, year, counts), _trend(span, counts)


# --- the persons accompanied, one annotated row each ---------------------------------------------


def _age_band(year: int) -> Case:
    # Age on 31/12/Y is Y minus the birth year: born after 31/12/(Y-18) means under 18, etc.
    limits = [("<18", 18), ("18–24", 25), ("25–29", 30), ("30–49", 50), ("50–54", 55)]
    return Case(
        *[When(birth_date__gt=date(year - age, 12, 31), then=Value(code)) for code, age in limits],
        default=Value("55+"),
        output_field=CharField(),
    )


def _jobseeking_band(months: str) -> Case:
    """The band of ``months`` (whole months from ``jobseeker_since`` to the reference start,
    15/01 → 14/07 is 5 months); no ``jobseeker_since`` is "unknown"."""
    return Case(
        When(jobseeker_since__isnull=True, then=Value(UNKNOWN)),
        *[
            When(Q(**{f"{months}__lt": limit}), then=Value(code))
            for code, limit in JOBSEEKING_LIMITS
        ],
        default=Value("60+"),
        output_field=CharField(),
    )


def _jobseeking_conditions(months: str) -> dict[str, Q]:
    """``_jobseeking_band`` as one condition per band, on ``months``: the breakdown counts these
    (filters on the months, a smaller expression than the band built from them)."""
    known = Q(jobseeker_since__isnull=False)
    conditions, lower = {UNKNOWN: Q(jobseeker_since__isnull=True)}, None
    for code, limit in [*JOBSEEKING_LIMITS, ("60+", None)]:
        condition = known
        if lower is not None:
            condition &= Q(**{f"{months}__gte": lower})
        if limit is not None:
            condition &= Q(**{f"{months}__lt": limit})
        conditions[code], lower = condition, limit
    return conditions


def commune_counted() -> Case:
    """The commune a person is counted and listed under: blank (shown "unknown") when their
    address is confidential, like anyone whose commune is not known."""
    return Case(
        When(address_confidential=True, then=Value("")),
        default=F("commune"),
        output_field=CharField(),
    )


def persons_accompanied(*, organization: Organization, year: int) -> QuerySet[Participant]:
    """The persons accompanied in Y, each annotated with what the report says about them.

    The breakdowns count this queryset and the listing reads it, so the two always agree. One
    row per person, grouped over their pathways (one join, no subquery per pathway figure); only
    the exit outcome shown and the income source are read by a subquery, once per person.
    """
    period = Period.year(year)
    open_in_year = _open_in(period, via="pathways__")
    ended_in_year = _ended_in(period, via="pathways__")
    positive = ended_in_year & Q(pathways__exit_outcome__in=POSITIVE_OUTCOMES)
    # The exit shown: the positive one if any, else the latest.
    shown_exit = (
        Pathway.objects.filter(_ended_in(period), participant=OuterRef("pk"))
        .annotate(
            positive_first=Case(
                When(exit_outcome__in=POSITIVE_OUTCOMES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("positive_first", "-ended_on", "-pk")
    )
    # The income source in effect on the last day accompanied (the aggregate ``last_day``), the
    # latest started.
    last_day = OuterAggregate(OuterRef("last_day"), output_field=DateField())
    income_then = IncomeSource.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=last_day),
        participant=OuterRef("pk"),
        starts_on__lte=last_day,
    ).order_by("-starts_on", "-pk")
    return (
        accompanied(organization=organization, period=period)
        .annotate(
            first_start=Min("pathways__started_on"),
            # The job-seeking duration at the earliest start of a pathway open in Y: the least
            # over those pathways, as the months only grow with the start (computed once per
            # pathway rather than once per band compared).
            jobseeking_months=Min(
                completed_months("jobseeker_since", "pathways__started_on"), filter=open_in_year
            ),
            # The last day accompanied: 31/12/Y unless every pathway open in Y ended during Y.
            last_day=Max(
                Least(Coalesce("pathways__ended_on", Value(period.end)), Value(period.end)),
                filter=open_in_year,
            ),
            exit_on=Coalesce(
                Max("pathways__ended_on", filter=positive),
                Max("pathways__ended_on", filter=ended_in_year),
            ),
            positive_exits=Count("pathways", filter=positive),
        )
        .annotate(
            is_new=Case(
                When(first_start__range=(period.start, period.end), then=Value(True)),
                default=Value(False),
            ),
            age_band=PerGroup(_age_band(year), output_field=CharField()),
            commune_shown=PerGroup(commune_counted(), output_field=CharField()),
            # Read only for the persons who left (a Case on an aggregate stays out of the
            # GROUP BY, so the subquery runs once per person).
            exit_outcome=Case(
                When(exit_on__isnull=True, then=Value(None)),
                default=Subquery(shown_exit.values("exit_outcome")[:1]),
                output_field=CharField(),
            ),
            exit_positive=Case(When(positive_exits__gt=0, then=Value(True)), default=Value(False)),
            income=PerGroup(
                Coalesce(Subquery(income_then.values("kind")[:1]), Value(UNKNOWN)),
                output_field=CharField(),
            ),
        )
        .annotate(jobseeking_band=_jobseeking_band("jobseeking_months"))
        .order_by("pk")
    )


# --- breakdowns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdowns:
    gender: list[BreakdownRow]
    age_band: list[BreakdownRow]
    education: list[BreakdownRow]
    jobseeking: list[BreakdownRow]
    commune: list[BreakdownRow]
    income: list[BreakdownRow]


def _fixed(persons: QuerySet[Participant], breakdowns: dict) -> dict[str, list[BreakdownRow]]:
    """Every category of each breakdown in its usual order, zeros included, counted in one
    aggregate query over the persons (whose figures are computed once per person).

    ``breakdowns`` maps a name to its (code, label) choices and, optionally, the condition of each
    code (by default, the field of that name equals the code)."""
    aggregates = {}
    for name, (choices, conditions) in breakdowns.items():
        for i, (code, _label) in enumerate(choices):
            condition = conditions[code] if conditions else Q(**{name: code})
            aggregates[f"{name}_{i}"] = Count("pk", filter=condition)
    counts = persons.aggregate(**aggregates)
    return {
        name: [
            BreakdownRow(code, str(label), counts[f"{name}_{i}"])
            for i, (code, label) in enumerate(choices)
        ]
        for name, (choices, _conditions) in breakdowns.items()
    }


GENDERS = list(Gender.choices)
EDUCATION_LEVELS = list(EducationLevel.choices)
INCOME_KINDS = [*IncomeKind.choices, (UNKNOWN, _("inconnue"))]


def breakdowns(*, organization: Organization, year: int) -> Breakdowns:
    """Persons accompanied by gender, age band, education, job-seeking duration, commune and
    income source (two queries: the communes, grouped; the others, counted per category; each
    sums to the persons accompanied)."""
    communes = dict(
        accompanied(organization=organization, period=Period.year(year))
        .values(shown=commune_counted())
        .annotate(n=Count("pk"))
        .values_list("shown", "n")
        .order_by()
    )
    unknown_communes = communes.pop("", 0)
    commune_rows = [
        BreakdownRow(name, name, n)
        for name, n in sorted(communes.items(), key=lambda item: (-item[1], item[0]))
    ]
    if unknown_communes:
        commune_rows.append(BreakdownRow(UNKNOWN, str(_("inconnue")), unknown_communes))
    rows = _fixed(
        # Only what is counted: the other figures of the persons stay out of the query.
        persons_accompanied(organization=organization, year=year).values("pk"),
        {
            "gender": (GENDERS, None),
            "age_band": (AGE_BANDS, None),
            "education_level": (EDUCATION_LEVELS, None),
            "jobseeking_band": (JOBSEEKING_BANDS, _jobseeking_conditions("jobseeking_months")),
            "income": (INCOME_KINDS, None),
        },
    )
    return Breakdowns(
        gender=rows["gender"],
        age_band=rows["age_band"],
        education=rows["education_level"],
        jobseeking=rows["jobseeking_band"],
        commune=commune_rows,
        income=rows["income"],
    )


# --- exits ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitRow:
    outcome: str
    label: str
    group: str  # "employment", "training", "other"
    positive: bool
    exits: int  # pathways ended in Y with this outcome
    persons: int  # distinct persons among them


@dataclass(frozen=True)
class Exits:
    rows: list[ExitRow]  # every outcome, in the order of ExitOutcome
    exits: int  # pathways ended in Y
    persons: int  # distinct persons


def exits_ended_in(*, organization: Organization, year: int) -> QuerySet[Pathway]:
    return Pathway.objects.filter(
        _ended_in(Period.year(year)), participant__organization=organization
    )


def exits_by_outcome(*, organization: Organization, year: int) -> Exits:
    ended = exits_ended_in(organization=organization, year=year)
    grouped = {
        row["exit_outcome"]: row
        for row in ended.values("exit_outcome")
        .annotate(exits=Count("pk"), persons=Count("participant_id", distinct=True))
        .order_by()
    }
    totals = ended.aggregate(exits=Count("pk"), persons=Count("participant_id", distinct=True))
    rows = [
        ExitRow(
            outcome=code,
            label=str(label),
            group=outcome_group(code),
            positive=code in POSITIVE_OUTCOMES,
            exits=grouped.get(code, {}).get("exits", 0),
            persons=grouped.get(code, {}).get("persons", 0),
        )
        for code, label in ExitOutcome.choices
    ]
    return Exits(rows=rows, exits=totals["exits"], persons=totals["persons"])


# --- needs, referrals, employers -----------------------------------------------------------------


@dataclass(frozen=True)
class NeedRow:
    category: str
    label: str
    identified: int
    resolved: int

    @property
    def resolved_rate(self) -> Decimal | None:
        return rate(self.resolved, self.identified)


def need_rows(counts) -> list[NeedRow]:
    """Every need category in its usual order, zeros included, from rows grouped by category
    (``category``, ``identified``, ``resolved``)."""
    by_category = {row["category"]: row for row in counts}
    return [
        NeedRow(
            category=code,
            label=str(label),
            identified=by_category.get(code, {}).get("identified", 0),
            resolved=by_category.get(code, {}).get("resolved", 0),
        )
        for code, label in NeedCategory.choices
    ]


def _need_dates(year: int) -> tuple[Q, Q]:
    """Identified in Y, resolved in Y."""
    period = Period.year(year)
    return (
        Q(identified_on__range=(period.start, period.end)),
        Q(resolved_on__range=(period.start, period.end)),
    )


def needs_of_year(*, organization: Organization, year: int) -> QuerySet[Need]:
    """The operator's participants' needs identified or resolved in Y: the rows the needs table
    counts (``needs_by_category``) and the listing shows."""
    identified, resolved = _need_dates(year)
    return Need.objects.filter(identified | resolved, participant__organization=organization)


def needs_by_category(*, organization: Organization, year: int) -> list[NeedRow]:
    identified, resolved = _need_dates(year)
    return need_rows(
        needs_of_year(organization=organization, year=year)
        .values("category")
        .annotate(identified=Count("pk", filter=identified), resolved=Count("pk", filter=resolved))
        .order_by()
    )


@dataclass(frozen=True)
class ReferralRow:
    kind: str  # Organization.Kind of the receiving partner
    label: str
    by_status: dict[str, int]  # Referral.Status value → count, every status present
    total: int


def referrals_sent(*, organization: Organization, year: int) -> QuerySet[Referral]:
    """The referrals of the operator's participants sent in Y (``referrals_by_kind`` counts
    them, the listing shows them)."""
    period = Period.year(year)
    return Referral.objects.filter(
        participant__organization=organization, sent_on__range=(period.start, period.end)
    )


def referrals_by_kind(*, organization: Organization, year: int) -> list[ReferralRow]:
    """Referrals sent in Y, per receiving partner kind (only kinds that received some)."""
    counts: dict[str, dict[str, int]] = {}
    for kind, status, n in (
        referrals_sent(organization=organization, year=year)
        .values("to_organization__kind", "status")
        .annotate(n=Count("pk"))
        .values_list("to_organization__kind", "status", "n")
        .order_by()
    ):
        counts.setdefault(kind, {})[status] = n
    rows = []
    for kind, label in Organization.Kind.choices:
        if kind not in counts:
            continue
        by_status = {status: counts[kind].get(status, 0) for status in Referral.Status.values}
        rows.append(ReferralRow(kind, str(label), by_status, sum(by_status.values())))
    return rows


@dataclass(frozen=True)
class Employers:
    employers_contacted: int  # distinct employers of the prospection contacts of Y
    contacts: int  # prospection contacts dated in Y
    matchings: int  # matchings proposed in Y
    matchings_by_status: dict[str, int]  # Matching.Status value → count (proposed in Y)
    hires: int  # matchings whose status became "hired" in Y


def employer_contacts(*, organization: Organization, year: int) -> QuerySet[EmployerContact]:
    """The operator's prospection contacts dated in Y."""
    period = Period.year(year)
    return EmployerContact.objects.filter(
        organization=organization, date__range=(period.start, period.end)
    )


def _proposed_in(year: int) -> Q:
    period = Period.year(year)
    return Q(proposed_on__range=(period.start, period.end))


def _hired_in(year: int) -> Q:
    """A hire of Y: the matching's status became "hired" in Y (whenever it was proposed)."""
    period = Period.year(year)
    return Q(status=Matching.Status.HIRED, status_on__range=(period.start, period.end))


def matchings_of_year(*, organization: Organization, year: int) -> QuerySet[Matching]:
    """The matchings of the operator's participants proposed in Y or hired in Y: the rows behind
    the matchings by outcome and the hires."""
    return Matching.objects.filter(
        _proposed_in(year) | _hired_in(year),
        participant__organization=organization,
    )


def employers(*, organization: Organization, year: int) -> Employers:
    contact_counts = employer_contacts(organization=organization, year=year).aggregate(
        contacts=Count("pk"), employers=Count("employer_id", distinct=True)
    )
    matchings = Matching.objects.filter(participant__organization=organization)
    by_status = dict(
        matchings.filter(_proposed_in(year))
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    hires = matchings.filter(_hired_in(year)).count()
    return Employers(
        employers_contacted=contact_counts["employers"],
        contacts=contact_counts["contacts"],
        matchings=sum(by_status.values()),
        matchings_by_status={s: by_status.get(s, 0) for s in Matching.Status.values},
        hires=hires,
    )


def outcome_groups() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in OUTCOME_GROUPS]
