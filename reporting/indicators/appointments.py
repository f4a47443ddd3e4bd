"""The individual appointments' figures of an operator for a calendar year (issue 20, point 4):
the activity report's section « Rendez-vous individuels », its spreadsheet listing and the
director's dashboard read them from here.

Definitions, for an operator and a year Y:
- an appointment is "of Y" when it starts on a day of Y in the organization's time
  (``TIME_ZONE``, Brussels), as every date of the reports is a local date: 31/12 at 23:30 is of
  Y, 01/01 at 00:15 of Y+1, whatever the hour in UTC (``Period.moments``);
- its outcome: held, no-show or cancelled as the counsellor said; still "planned" once its time
  has come (it has begun: from then on the agenda lets the counsellor say what became of it), it
  is "to complete" — its outcome unsaid; still planned and not begun, it is "to come";
- held: the appointments held; persons met: the distinct participants of those;
- hours held: the held appointments' durations in hours, rounded half up to the hundredth as
  hours worked are. The duration of a held appointment is the real one the counsellor gave when
  saying it was held (the interview's in the pathway's log), else the one planned;
- no-show rate: no-shows / (held + no-shows), None when both are 0. The appointments to complete
  are in neither: while there are some, the rate is provisional (the report and the dashboard
  say so, with their number);
- held by mode (in person, phone, video), every mode listed, zeros included.
Appointments of anonymised participants count like the others: anonymisation keeps their time,
length, mode, counsellor and outcome (privacy.anonymisation), as it keeps every fact the reports
count, so the figures of a past year stay the same.

The figures are one aggregate query over ``appointments_of_year``, the rows the spreadsheet
lists: the two cannot disagree, and ``now`` is given to both by the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from agenda.models import Appointment
from reporting.indicators.activity import BreakdownRow
from reporting.indicators.common import Period, rate

HELD = Appointment.Status.HELD.value
NO_SHOW = Appointment.Status.NO_SHOW.value
CANCELLED = Appointment.Status.CANCELLED.value
TO_COMPLETE = "to_complete"
TO_COME = "to_come"
# Every appointment of the year has exactly one of these outcomes, in this order.
OUTCOMES = [
    (HELD, Appointment.Status.HELD.label),
    (NO_SHOW, Appointment.Status.NO_SHOW.label),
    (CANCELLED, Appointment.Status.CANCELLED.label),
    (TO_COMPLETE, _("À compléter")),
    (TO_COME, _("À venir")),
]
MODES = list(Appointment.Mode.choices)


@dataclass(frozen=True)
class AppointmentFigures:
    year: int
    held: int
    persons_met: int  # distinct participants with a held appointment
    hours_held: Decimal  # durations of the held ones (the real one when given), in hours
    no_shows: int
    cancelled: int
    to_complete: int  # planned, begun, outcome unsaid: in neither part of the rate
    to_come: int  # planned, not begun yet (the current year only)
    no_show_rate: Decimal | None  # no_shows / (held + no_shows)
    held_by_mode: list[BreakdownRow]  # every mode, in the order of Appointment.Mode

    @property
    def provisional(self) -> bool:
        """Some appointments of the year still wait for their outcome: the rate may change."""
        return self.to_complete > 0

    @property
    def listed(self) -> int:
        """Every appointment of the year, whatever its outcome (the rows of the listing)."""
        return self.held + self.no_shows + self.cancelled + self.to_complete + self.to_come


def _outcome(now: datetime) -> Case:
    return Case(
        When(status=Appointment.Status.PLANNED, starts_at__lte=now, then=Value(TO_COMPLETE)),
        When(status=Appointment.Status.PLANNED, then=Value(TO_COME)),
        default=F("status"),
        output_field=CharField(),
    )


def appointments_of_year(
    *, organization: Organization, year: int, now: datetime | None = None
) -> QuerySet[Appointment]:
    """The operator's appointments of Y, each with its ``outcome`` (one of ``OUTCOMES``, as of
    ``now``) and the ``minutes`` it counts (the real duration of a held one when given, else the
    planned one): the rows ``appointment_figures`` counts and the listing shows."""
    since, until = Period.year(year).moments()
    return Appointment.objects.filter(
        pathway__participant__organization=organization,
        starts_at__gte=since,
        starts_at__lt=until,
    ).annotate(
        outcome=_outcome(now or timezone.now()),
        minutes=Coalesce(
            "event__duration_minutes", "duration_minutes", output_field=IntegerField()
        ),
    )


def hours(minutes: int) -> Decimal:
    """Minutes as hours, rounded half up to the hundredth (90 → 1.50, 20 → 0.33)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def appointment_figures(
    *, organization: Organization, year: int, now: datetime | None = None
) -> AppointmentFigures:
    """The figures of the year, in one query."""
    held = Q(outcome=HELD)
    counts = appointments_of_year(organization=organization, year=year, now=now).aggregate(
        **{code: Count("pk", filter=Q(outcome=code)) for code, _label in OUTCOMES},
        persons_met=Count("pathway__participant_id", distinct=True, filter=held),
        minutes_held=Coalesce(Sum("minutes", filter=held), 0),
        **{f"mode_{code}": Count("pk", filter=held & Q(mode=code)) for code, _label in MODES},
    )
    return AppointmentFigures(
        year=year,
        held=counts[HELD],
        persons_met=counts["persons_met"],
        hours_held=hours(counts["minutes_held"]),
        no_shows=counts[NO_SHOW],
        cancelled=counts[CANCELLED],
        to_complete=counts[TO_COMPLETE],
        to_come=counts[TO_COME],
        no_show_rate=rate(counts[NO_SHOW], counts[HELD] + counts[NO_SHOW]),
        held_by_mode=[
            BreakdownRow(code, str(label), counts[f"mode_{code}"]) for code, label in MODES
        ],
    )
