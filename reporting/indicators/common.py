"""Scopes shared by every figure: which pathways and which people count for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from accounts.models import Organization
from participants.models import Participant, Pathway, Programme


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    def __str__(self):
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    def moments(self) -> tuple[datetime, datetime]:
        """The period as aware times, for what is dated to the minute (an appointment): from
        midnight of its first day to midnight after its last, in the organization's time
        (``TIME_ZONE``, Brussels), so a time counts in the period of its local date, as every
        date of the reports does; the end is excluded (``__gte``, ``__lt``)."""
        zone = timezone.get_default_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), zone),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), zone),
        )


def pathways_of(
    *, organization: Organization, programme: Programme | None = None
) -> QuerySet[Pathway]:
    pathways = Pathway.objects.filter(participant__organization=organization)
    if programme is not None:
        pathways = pathways.filter(programme=programme)
    return pathways


def pathways_open_during(
    *, organization: Organization, period: Period, programme: Programme | None = None
) -> QuerySet[Pathway]:
    """Pathways open at some day of the period: started by its end, not ended before its start."""
    return pathways_of(organization=organization, programme=programme).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start),
        started_on__lte=period.end,
    )


def accompanied(
    *, organization: Organization, period: Period, programme: Programme | None = None
) -> QuerySet[Participant]:
    """Persons accompanied: distinct participants with a pathway open at some day of the period."""
    # The operator filters the participants: their pathways need no join back to it.
    pathways = Pathway.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start), started_on__lte=period.end
    )
    if programme is not None:
        pathways = pathways.filter(programme=programme)
    return Participant.objects.filter(
        organization=organization, pk__in=pathways.values("participant_id")
    )


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """A fraction rounded once, half up, to what is shown (32,5 % is Decimal("0.325")); None when
    nothing to divide."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )


def completed_months(since, until):
    """Whole calendar months from ``since`` to ``until`` (two date expressions), in SQL.

    Counts like ``accounts.dates.add_months``: 29/02/2024 → 28/02/2025 is 11 months, since
    the 29th is not reached. Ages are ``completed_months(birth, day) // 12``, compared in months
    (216 = 18 years) so no division is needed.
    """
    since, until = _as_expression(since), _as_expression(until)
    return (
        (ExtractYear(until) - ExtractYear(since)) * 12
        + (ExtractMonth(until) - ExtractMonth(since))
        - Case(
            When(GreaterThan(ExtractDay(since), ExtractDay(until)), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def _as_expression(value):
    return F(value) if isinstance(value, str) else value


class PerGroup(ExpressionWrapper):
    """An expression of a query grouped by its primary key that reads the group's aggregates or
    its row's own columns: it stays out of the GROUP BY, where Django would put it, and is
    evaluated once per group (a subquery among them, once per person, not once per pathway)."""

    def get_group_by_cols(self):
        return []


class OuterAggregate(Func):
    """An aggregate of the outer, grouped query read inside a subquery's filter (``OuterRef`` to
    it), as ``(SELECT aggregate)``: the filter stays a WHERE of the subquery (Django would turn it
    into a HAVING) and SQLite accepts it there."""

    template = "(SELECT %(expressions)s)"
    contains_aggregate = False


def aggregate_of(rows: QuerySet, expression) -> Subquery:
    """``rows.aggregate(value=expression)`` as a scalar subquery — grouped by a constant, that
    is by nothing: one row, even over no rows — so that one select reads aggregates of two
    tables."""
    return Subquery(
        rows.order_by()
        .annotate(every=Value(1))
        .values("every")
        .annotate(value=expression)
        .values("value")
    )
