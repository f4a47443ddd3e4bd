"""Chantier figures for a period (DESIGN §5 "chantiers"), one row per chantier and a total.

Definitions (the same for the activity report, the chantier summary and the dashboard):
- a chantier counts for the period when its [starts_on, ends_on] overlaps the period (no end =
  still going) OR it has a held session in the period (a chantier whose dates were not updated
  but which worked is still reported);
- participants: distinct persons with an enrolment selected / active / completed / withdrawn
  (candidates never worked) whose [joined_on, left_on] overlaps the period; a missing date is
  open-ended on that side;
- sessions held: sessions dated in the period with status "held";
- hours and attendance rate: marks of held sessions in the period; hours are those of the
  present-like marks (present, late, left early); the rate is present-like marks / all marks;
- indemnities: the sum of the marks' indemnity amounts for sessions dated in the period, whatever
  the session's status (the money follows the marks);
- completion rate: completed / (completed + withdrawn) enrolments that ended in the period, the
  end being left_on or, without it, the chantier's end;
- incidents: incidents dated in the period.
Each figure is one grouped query over all the chantiers, so the number of queries does not
depend on the number of chantiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from chantiers.models import (
    Attendance,
    Chantier,
    Enrolment,
    Incident,
    MonthlyStatement,
    WorkSession,
)
from participants.models import Programme
from reporting.indicators.common import Period, pathways_of, pathways_open_during, rate

ZERO = Decimal("0.00")
ENROLLED = (
    Enrolment.Status.SELECTED,
    Enrolment.Status.ACTIVE,
    Enrolment.Status.COMPLETED,
    Enrolment.Status.WITHDRAWN,
)


@dataclass(frozen=True)
class ChantierRow:
    chantier_id: int | None  # None for the total row
    code: str  # "" for the total row
    name: str  # "Total" for the total row
    participants: int
    sessions_held: int
    hours: Decimal
    attendance_rate: Decimal | None
    indemnities: Decimal
    completion_rate: Decimal | None
    incidents: int


@dataclass(frozen=True)
class ChantierFigures:
    rows: list[ChantierRow]
    total: ChantierRow  # participants: distinct persons across the chantiers


def chantiers_running(
    *,
    organization: Organization,
    period: Period,
    programme: Programme | None = None,
    chantier: Chantier | None = None,
) -> QuerySet[Chantier]:
    """The operator's chantiers whose dates overlap the period or that held a session in it."""
    chantiers = Chantier.objects.filter(organization=organization)
    if programme is not None:
        chantiers = chantiers.filter(programme=programme)
    if chantier is not None:
        chantiers = chantiers.filter(pk=chantier.pk)
    held_in_period = WorkSession.objects.filter(
        chantier=OuterRef("pk"),
        status=WorkSession.Status.HELD,
        date__range=(period.start, period.end),
    )
    overlaps = Q(starts_on__lte=period.end) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.start)
    )
    return chantiers.filter(overlaps | Exists(held_in_period)).order_by("starts_on", "code")


def _enrolments_in(period: Period, chantier_ids) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=period.end),
        Q(left_on__isnull=True) | Q(left_on__gte=period.start),
        chantier_id__in=chantier_ids,
        status__in=ENROLLED,
    )


def chantier_figures(
    *,
    organization: Organization,
    period: Period,
    programme: Programme | None = None,
    chantier: Chantier | None = None,
) -> ChantierFigures:
    chantiers = list(
        chantiers_running(
            organization=organization, period=period, programme=programme, chantier=chantier
        ).values("pk", "code", "name")
    )
    ids = [c["pk"] for c in chantiers]
    in_period = (period.start, period.end)
    present_like = Q(status__in=Attendance.PRESENT_LIKE)

    enrolled = _enrolments_in(period, ids)
    participants = dict(
        enrolled.values("chantier_id")
        .annotate(n=Count("participant_id", distinct=True))
        .values_list("chantier_id", "n")
        .order_by()
    )
    total_participants = enrolled.aggregate(n=Count("participant_id", distinct=True))["n"]

    sessions = dict(
        WorkSession.objects.filter(
            chantier_id__in=ids, status=WorkSession.Status.HELD, date__range=in_period
        )
        .values("chantier_id")
        .annotate(n=Count("pk"))
        .values_list("chantier_id", "n")
        .order_by()
    )

    held = Q(session__status=WorkSession.Status.HELD)
    marks = {
        row["session__chantier_id"]: row
        for row in Attendance.objects.filter(
            session__chantier_id__in=ids, session__date__range=in_period
        )
        .values("session__chantier_id")
        .annotate(
            hours=Coalesce(Sum("hours", filter=held & present_like), ZERO),
            present=Count("pk", filter=held & present_like),
            marks=Count("pk", filter=held),
            indemnities=Coalesce(Sum("indemnity"), ZERO),
        )
        .order_by()
    }

    ended = {
        row["chantier_id"]: row
        for row in Enrolment.objects.filter(
            chantier_id__in=ids,
            status__in=(Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN),
        )
        .annotate(ended_on=Coalesce("left_on", "chantier__ends_on"))
        .filter(ended_on__range=in_period)
        .values("chantier_id")
        .annotate(
            completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
            ended=Count("pk"),
        )
        .order_by()
    }

    incidents = dict(
        Incident.objects.filter(chantier_id__in=ids, date__range=in_period)
        .values("chantier_id")
        .annotate(n=Count("pk"))
        .values_list("chantier_id", "n")
        .order_by()
    )

    rows = []
    for c in chantiers:
        pk = c["pk"]
        m = marks.get(pk, {})
        e = ended.get(pk, {})
        rows.append(
            ChantierRow(
                chantier_id=pk,
                code=c["code"],
                name=c["name"],
                participants=participants.get(pk, 0),
                sessions_held=sessions.get(pk, 0),
                hours=m.get("hours", ZERO),
                attendance_rate=rate(m.get("present", 0), m.get("marks", 0)),
                indemnities=m.get("indemnities", ZERO),
                completion_rate=rate(e.get("completed", 0), e.get("ended", 0)),
                incidents=incidents.get(pk, 0),
            )
        )

    # Chantiers are disjoint, so every figure but the persons adds up over the rows.
    total = ChantierRow(
        chantier_id=None,
        code="",
        name="Total",
        participants=total_participants,
        sessions_held=sum(sessions.values()),
        hours=sum((m["hours"] for m in marks.values()), ZERO),
        attendance_rate=rate(
            sum(m["present"] for m in marks.values()), sum(m["marks"] for m in marks.values())
        ),
        indemnities=sum((m["indemnities"] for m in marks.values()), ZERO),
        completion_rate=rate(
            sum(e["completed"] for e in ended.values()), sum(e["ended"] for e in ended.values())
        ),
        incidents=sum(incidents.values()),
    )
    return ChantierFigures(rows=rows, total=total)


def statements_paid(*, organization: Organization, period: Period) -> QuerySet[MonthlyStatement]:
    """The paid monthly statements of the months of the period (the rows behind
    ``indemnities_paid``)."""
    first_month = date(period.start.year, period.start.month, 1)
    return MonthlyStatement.objects.filter(
        organization=organization,
        status=MonthlyStatement.Status.PAID,
        month__gte=first_month,
        month__lte=period.end,
    )


def indemnities_paid(*, organization: Organization, period: Period) -> Decimal:
    """Indemnities actually paid: paid monthly statements for the months of the period."""
    return statements_paid(organization=organization, period=period).aggregate(
        total=Coalesce(Sum("amount"), ZERO)
    )["total"]


@dataclass(frozen=True)
class ProgrammeHours:
    """The hours worked on a programme's chantiers in a period, split by whether the person had a
    pathway of the programme open that day (the subsidy report counts those only)."""

    by_chantier: dict[int, tuple[Decimal, Decimal]]  # chantier id → (in a pathway, outside)

    @property
    def in_pathways(self) -> Decimal:
        return sum((inside for inside, _outside in self.by_chantier.values()), ZERO)

    @property
    def outside(self) -> Decimal:
        return sum((outside for _inside, outside in self.by_chantier.values()), ZERO)

    @property
    def all(self) -> Decimal:
        return self.in_pathways + self.outside


def _programme_work(
    *, organization: Organization, programme: Programme, period: Period
) -> QuerySet[Attendance]:
    """The marks that are hours worked on the programme's chantiers in the period: present-like
    marks of held sessions (the chantier figures' hours)."""
    return Attendance.objects.filter(
        session__chantier__organization=organization,
        session__chantier__programme=programme,
        session__status=WorkSession.Status.HELD,
        session__date__range=(period.start, period.end),
        status__in=Attendance.PRESENT_LIKE,
    )


def programme_hours(
    *, organization: Organization, programme: Programme, period: Period
) -> ProgrammeHours:
    """Hours of the present-like marks of held sessions of the programme's chantiers in the
    period (the chantier figures' hours), per chantier, split into those of a person who had a
    pathway of the programme open on the session's day and the others. One query."""
    open_that_day = pathways_of(organization=organization, programme=programme).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("session__date")),
        participant_id=OuterRef("participant_id"),
        started_on__lte=OuterRef("session__date"),
    )
    rows = (
        _programme_work(organization=organization, programme=programme, period=period)
        .annotate(in_pathway=Exists(open_that_day))
        .values("session__chantier_id")
        .annotate(
            inside=Coalesce(Sum("hours", filter=Q(in_pathway=True)), ZERO),
            outside=Coalesce(Sum("hours", filter=Q(in_pathway=False)), ZERO),
        )
        .values_list("session__chantier_id", "inside", "outside")
        .order_by()
    )
    return ProgrammeHours({chantier: (inside, outside) for chantier, inside, outside in rows})


def pathway_hours(
    *, organization: Organization, programme: Programme, period: Period, by_name: bool
) -> list[dict]:
    """Pathways of the programme open during the period, with the hours each person worked on
    the programme's chantiers while that pathway was open in the period (present-like marks of
    held sessions, the chantier figures' definition). A day shared by two pathways of the
    person (one closed, the next opened that day) counts once, for the later one.

    Two queries: the pathways, and the hours per person and day, given to the pathways here.
    (One query with a subquery per pathway read every session of the period once per pathway:
    4.3 s for 2 500 pathways on the benchmark's data.)"""
    pathways = pathways_open_during(organization=organization, period=period, programme=programme)
    worked = (
        _programme_work(organization=organization, programme=programme, period=period)
        .filter(participant__in=pathways.values("participant_id"))
        .values_list("participant_id", "session__date")
        .annotate(hours=Sum("hours"))
        .order_by()
    )
    days: dict[int, list[tuple[date, Decimal]]] = {}
    for participant_id, day, hours in worked:
        days.setdefault(participant_id, []).append((day, hours))
    if by_name:
        pathways = pathways.order_by("participant__last_name", "participant__first_name", "pk")
    else:
        pathways = pathways.order_by("participant_id", "started_on", "pk")
    listed = list(
        pathways.values(
            "pk",
            "participant_id",
            "participant__last_name",
            "participant__first_name",
            "participant__gender",
            "started_on",
            "ended_on",
            "exit_outcome",
        )
    )
    hours = _hours_per_pathway(listed, days)
    for row in listed:
        row["hours"] = hours[row["pk"]]
    return listed


def _hours_per_pathway(pathways: list[dict], days: dict) -> dict[int, Decimal]:
    """Each day's hours to the pathway of the person open that day; to the later-started one
    when two are (one closed and the next opened on the same day)."""
    by_person: dict[int, list[dict]] = {}
    for pathway in sorted(pathways, key=lambda p: (p["started_on"], p["pk"])):
        by_person.setdefault(pathway["participant_id"], []).append(pathway)
    hours = {pathway["pk"]: ZERO for pathway in pathways}
    for participant_id, worked in days.items():
        own = by_person.get(participant_id, [])
        for day, amount in worked:
            open_that_day = [
                p for p in own if p["started_on"] <= day <= (p["ended_on"] or date.max)
            ]
            if open_that_day:
                hours[open_that_day[-1]["pk"]] += amount
    return hours
