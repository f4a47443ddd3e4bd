"""The collective modules' figures of an operator for a calendar year (issue 20, point 4): the
activity report's sections « Modules collectifs » and « Espace public numérique (EPN) », their
two spreadsheet listings and the director's dashboard read them from here.

Definitions, for an operator and a year Y:
- a session is "of Y" when its day is in Y and it is not cancelled; it is "held" when at least
  one person is marked there present, late or left early (``PRESENT_LIKE``), or one drop-in
  visit is counted there. A session of Y with neither (still to come, or its grid not filled
  in) is not held: it counts nowhere;
- participants: the distinct people marked present-like at a session of Y; participant-hours:
  the hours of those marks (the session's length unless the grid said otherwise), added up;
- by kind: the same three figures per kind of module (its kind today), every kind listed,
  zeros included. A person who came to two kinds counts in each: the kinds' participants add
  up to more than the distinct participants;
- EPN: the held sessions of the modules of kind EPN. Visits: the present-like marks of the
  registered participants there plus the drop-in visitors counted there (a drop-in row counts
  its ``people``). People: the distinct registered participants present there plus the drop-in
  visitors: those have no name, so one who comes back is counted at each visit — the figure is
  an upper bound. Drop-in visitors by need, age band and gender: every value listed, zeros
  included, each visitor counted once per visit.
Anonymised participants' marks count like the others: anonymisation keeps a mark's session,
status and hours (it empties its note, free text), so the figures of a past year stay the
same; the listing shows them by pseudonym, as every person.

The figures are one query: aggregates of ``sessions_held_of_year``, ``presences_of_year`` and
``drop_ins_of_year``, the rows the spreadsheet lists (sessions through those two listings),
read as subqueries of one select, as the trainings' figures are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from participants.grid import PRESENT_LIKE
from participants.models import Gender
from reporting.indicators.activity import BreakdownRow
from reporting.indicators.common import Period, aggregate_of
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleSession

PRESENT = sorted(str(status) for status in PRESENT_LIKE)
KINDS = list(Module.Kind.choices)
EPN = Module.Kind.EPN.value
NEEDS = list(DropInVisit.Need.choices)
AGE_BANDS = list(DropInVisit.AgeBand.choices)
GENDERS = list(Gender.choices)
HOURS_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class KindRow:
    code: str
    label: str
    sessions: int  # held
    participants: int  # distinct, present-like
    hours: Decimal  # of the present-like marks


@dataclass(frozen=True)
class ModuleFigures:
    year: int
    sessions_held: int
    participants: int  # distinct people marked present-like
    hours: Decimal  # participant-hours: the hours of those marks
    by_kind: list[KindRow]  # every kind, in the order of Module.Kind
    epn_sessions_held: int
    epn_presences: int  # present-like marks of registered participants at EPN sessions
    epn_participants: int  # the distinct registered participants of those
    drop_in_people: int  # the drop-in visitors counted at EPN sessions
    drop_ins_by_need: list[BreakdownRow]  # visitors, every need in the order of Need
    drop_ins_by_age_band: list[BreakdownRow]
    drop_ins_by_gender: list[BreakdownRow]

    @property
    def epn_visits(self) -> int:
        """Visits to the EPN: the registered participants' presences and the drop-in visitors."""
        return self.epn_presences + self.drop_in_people

    @property
    def epn_people(self) -> int:
        """People met at the EPN: the registered ones once each; the drop-in visitors, who have
        no name, at each visit (an upper bound)."""
        return self.epn_participants + self.drop_in_people


def _of_year(organization: Organization, year: int, to_session: str = "") -> Q:
    """The rows of the operator's sessions of Y that are not cancelled; ``to_session`` is the
    path from the rows to their session ("session__", or "" for sessions)."""
    period = Period.year(year)
    return Q(
        **{
            f"{to_session}module__organization": organization,
            f"{to_session}date__gte": period.start,
            f"{to_session}date__lte": period.end,
            f"{to_session}status": ModuleSession.Status.PLANNED,
        }
    )


def presences_of_year(*, organization: Organization, year: int) -> QuerySet[ModuleAttendance]:
    """The present-like marks at the operator's sessions of Y, each with its module's ``kind``:
    the rows the participants and the hours are counted from, and the listing shows."""
    return ModuleAttendance.objects.filter(
        _of_year(organization, year, "session__"), status__in=PRESENT
    ).annotate(kind=F("session__module__kind"))


def drop_ins_of_year(*, organization: Organization, year: int) -> QuerySet[DropInVisit]:
    """The drop-in visits counted at the operator's sessions of Y, each with its module's
    ``kind`` (EPN: the service counts them nowhere else)."""
    return DropInVisit.objects.filter(_of_year(organization, year, "session__")).annotate(
        kind=F("session__module__kind")
    )


def sessions_held_of_year(*, organization: Organization, year: int) -> QuerySet[ModuleSession]:
    """The operator's sessions of Y held: with a present-like mark or a drop-in visit."""
    return ModuleSession.objects.filter(_of_year(organization, year)).filter(
        Exists(ModuleAttendance.objects.filter(session=OuterRef("pk"), status__in=PRESENT))
        | Exists(DropInVisit.objects.filter(session=OuterRef("pk")))
    )


def _hours(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum("hours", filter=condition), HOURS_ZERO)


def module_figures(*, organization: Organization, year: int) -> ModuleFigures:
    """The figures of the year, in one query."""
    held = sessions_held_of_year(organization=organization, year=year)
    presences = presences_of_year(organization=organization, year=year)
    drop_ins = drop_ins_of_year(organization=organization, year=year)
    epn = Q(kind=EPN)
    counts = (
        Organization.objects.filter(pk=organization.pk)
        .values(
            **{
                name: aggregate_of(held, expression)
                for name, expression in (
                    ("sessions_held", Count("pk")),
                    *(
                        (f"sessions_{code}", Count("pk", filter=Q(module__kind=code)))
                        for code, _label in KINDS
                    ),
                )
            },
            **{
                name: aggregate_of(presences, expression)
                for name, expression in (
                    ("persons", Count("participant_id", distinct=True)),
                    ("hours", _hours()),
                    ("epn_presences", Count("pk", filter=epn)),
                    *(
                        (
                            f"persons_{code}",
                            Count("participant_id", distinct=True, filter=Q(kind=code)),
                        )
                        for code, _label in KINDS
                    ),
                    *((f"hours_{code}", _hours(Q(kind=code))) for code, _label in KINDS),
                )
            },
            **{
                name: aggregate_of(drop_ins, Coalesce(Sum("people", filter=epn & condition), 0))
                for name, condition in (
                    ("drop_in_people", Q()),
                    *((f"need_{code}", Q(need=code)) for code, _label in NEEDS),
                    *((f"age_{code}", Q(age_band=code)) for code, _label in AGE_BANDS),
                    *((f"gender_{code}", Q(gender=code)) for code, _label in GENDERS),
                )
            },
        )
        .get()
    )

    def breakdown(prefix: str, choices) -> list[BreakdownRow]:
        return [
            BreakdownRow(code, str(label), counts[f"{prefix}_{code}"]) for code, label in choices
        ]

    return ModuleFigures(
        year=year,
        sessions_held=counts["sessions_held"],
        participants=counts["persons"],
        hours=counts["hours"].quantize(HOURS_ZERO),
        by_kind=[
            KindRow(
                code=code,
                label=str(label),
                sessions=counts[f"sessions_{code}"],
                participants=counts[f"persons_{code}"],
                hours=counts[f"hours_{code}"].quantize(HOURS_ZERO),
            )
            for code, label in KINDS
        ],
        epn_sessions_held=counts[f"sessions_{EPN}"],
        epn_presences=counts["epn_presences"],
        epn_participants=counts[f"persons_{EPN}"],
        drop_in_people=counts["drop_in_people"],
        drop_ins_by_need=breakdown("need", NEEDS),
        drop_ins_by_age_band=breakdown("age", AGE_BANDS),
        drop_ins_by_gender=breakdown("gender", GENDERS),
    )
