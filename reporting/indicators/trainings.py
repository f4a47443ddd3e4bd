"""The trainings' and certifications' figures of an operator for a calendar year (issue 20,
point 4): the activity report's section « Formations et certifications », its two spreadsheet
listings and the director's dashboard read them from here.

Definitions, for an operator and a year Y (the operator's participants, whoever noted the
record: a partner that gives the training notes it too):
- a certification is "of Y" when it was obtained on a day of Y; counted by kind, every kind
  listed, zeros included; persons certified: the distinct participants of those;
- a training's end: its end date; an abandoned one without an end date ends on its start date
  (the only date it has). A training still "ongoing" has no end yet, even when its planned end
  date has passed;
- a training is "followed in Y" when it has begun (not "planned": one never started counts in
  no year, whatever its dates) by 31/12/Y and has not ended before 01/01/Y. One that runs across
  a new year is followed in both; persons in training: the distinct participants of those;
- each training followed in Y has one ``outcome`` in Y: completed or abandoned (ended in Y),
  ongoing (still ongoing today), or ended later (completed or abandoned after Y: a past year's
  report only);
- training hours: the hours done of the trainings that ended in Y, completed or abandoned. A
  training's hours count once, in the year it ends: never in two years. The hours done so far
  of the trainings still ongoing are shown apart, not added: they count the year those end;
- by provider: the partner of the application that gives the training
  (``provider_organization``), never the free-text provider, which anonymisation empties; the
  others are one line, "another provider".
Anonymised participants' trainings and certifications count like the others: anonymisation
empties their titles and providers (free text) and keeps their dates, hours, state and kind.

The figures are one query: aggregates of ``trainings_of_year`` and ``certifications_of_year``,
the rows the spreadsheet lists, read as subqueries of one select (so the dashboard reads two
tables with one query more). The table by provider is a second query, grouped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from participants.models import Certification, Training
from reporting.indicators.activity import BreakdownRow
from reporting.indicators.common import Period, aggregate_of

COMPLETED = Training.Status.COMPLETED.value
ABANDONED = Training.Status.ABANDONED.value
ONGOING = Training.Status.ONGOING.value
ENDED_LATER = "ended_later"
# Every training followed in the year has exactly one of these outcomes, in this order.
OUTCOMES = [
    (COMPLETED, _("Terminée dans l'année")),
    (ABANDONED, _("Abandonnée dans l'année")),
    (ONGOING, _("Toujours en cours")),
    (ENDED_LATER, _("Finie après l'année")),
]
# Their hours are the training hours of the year.
ENDED_IN_YEAR = (COMPLETED, ABANDONED)
KINDS = list(Certification.Kind.choices)
HOURS_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TrainingFigures:
    year: int
    certifications: int  # obtained in the year
    persons_certified: int
    certifications_by_kind: list[BreakdownRow]  # every kind, in the order of Certification.Kind
    trainings: int  # followed in the year
    persons_in_training: int
    completed: int
    abandoned: int
    ongoing: int
    ended_later: int  # a past year's report only
    hours: Decimal  # hours done of the trainings completed or abandoned in the year
    ongoing_hours: Decimal  # hours done so far of those still ongoing: not in ``hours``


@dataclass(frozen=True)
class ProviderRow:
    label: str  # the partner's name, or "another provider"
    trainings: int
    completed: int
    abandoned: int
    hours: Decimal  # as ``TrainingFigures.hours``


def _ended_on() -> Case:
    """When the training ended: its end, or its start for an abandoned one without an end;
    none while it has not ended."""
    return Case(
        When(status__in=Training.ENDED, then=Coalesce("ends_on", "starts_on")),
        default=None,
        output_field=DateField(),
    )


def _outcome(period: Period) -> Case:
    return Case(
        When(status=ONGOING, then=Value(ONGOING)),
        When(ended_on__gt=period.end, then=Value(ENDED_LATER)),
        default=F("status"),
        output_field=CharField(),
    )


def trainings_of_year(*, organization: Organization, year: int) -> QuerySet[Training]:
    """The operator's trainings followed in Y, each with the day it ``ended_on`` (none while
    ongoing) and its ``outcome`` in Y (one of ``OUTCOMES``): the rows ``training_figures``
    counts and the listing shows."""
    period = Period.year(year)
    return (
        Training.objects.filter(
            participant__organization=organization,
            status__in=Training.STARTED,
            starts_on__lte=period.end,
        )
        .annotate(ended_on=_ended_on())
        .filter(Q(status=ONGOING) | Q(ended_on__gte=period.start))
        .annotate(outcome=_outcome(period))
    )


def certifications_of_year(*, organization: Organization, year: int) -> QuerySet[Certification]:
    """The operator's certifications obtained in Y."""
    period = Period.year(year)
    return Certification.objects.filter(
        participant__organization=organization,
        obtained_on__gte=period.start,
        obtained_on__lte=period.end,
    )


def _hours(outcomes) -> Coalesce:
    return Coalesce(Sum("hours_done", filter=Q(outcome__in=outcomes)), HOURS_ZERO)


def training_figures(*, organization: Organization, year: int) -> TrainingFigures:
    """The figures of the year, in one query."""
    trainings = trainings_of_year(organization=organization, year=year)
    certifications = certifications_of_year(organization=organization, year=year)
    counts = (
        Organization.objects.filter(pk=organization.pk)
        .values(
            **{
                name: aggregate_of(trainings, expression)
                for name, expression in (
                    ("trainings", Count("pk")),
                    ("persons_in_training", Count("participant_id", distinct=True)),
                    *((code, Count("pk", filter=Q(outcome=code))) for code, _label in OUTCOMES),
                    ("hours", _hours(ENDED_IN_YEAR)),
                    ("ongoing_hours", _hours([ONGOING])),
                )
            },
            **{
                name: aggregate_of(certifications, expression)
                for name, expression in (
                    ("certifications", Count("pk")),
                    ("persons_certified", Count("participant_id", distinct=True)),
                    *((f"kind_{code}", Count("pk", filter=Q(kind=code))) for code, _l in KINDS),
                )
            },
        )
        .get()
    )
    return TrainingFigures(
        year=year,
        certifications=counts["certifications"],
        persons_certified=counts["persons_certified"],
        certifications_by_kind=[
            BreakdownRow(code, str(label), counts[f"kind_{code}"]) for code, label in KINDS
        ],
        trainings=counts["trainings"],
        persons_in_training=counts["persons_in_training"],
        completed=counts[COMPLETED],
        abandoned=counts[ABANDONED],
        ongoing=counts[ONGOING],
        ended_later=counts[ENDED_LATER],
        hours=counts["hours"].quantize(HOURS_ZERO),
        ongoing_hours=counts["ongoing_hours"].quantize(HOURS_ZERO),
    )


def trainings_by_provider(*, organization: Organization, year: int) -> list[ProviderRow]:
    """The trainings followed in Y by the partner giving them, by name; those of another
    provider (free text, or none known to the application) last, in one line."""
    rows = (
        trainings_of_year(organization=organization, year=year)
        .values("provider_organization_id", "provider_organization__name")
        .annotate(
            trainings=Count("pk"),
            completed=Count("pk", filter=Q(outcome=COMPLETED)),
            abandoned=Count("pk", filter=Q(outcome=ABANDONED)),
            hours=_hours(ENDED_IN_YEAR),
        )
        .order_by(F("provider_organization__name").asc(nulls_last=True), "provider_organization_id")
    )
    other = str(_("Autre organisme"))
    return [
        ProviderRow(
            label=row["provider_organization__name"] or other,
            trainings=row["trainings"],
            completed=row["completed"],
            abandoned=row["abandoned"],
            hours=row["hours"].quantize(HOURS_ZERO),
        )
        for row in rows
    ]
