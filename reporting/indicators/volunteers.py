"""The volunteering and outreach figures of an operator for a calendar year (issue 21, point 5):
the activity report's section « Bénévolat et proximité », its four spreadsheet listings and the
director's dashboard read them from here.

Definitions, for an operator and a year Y (in the words of the report's « Définitions »):
- volunteers registered in Y: the operator's volunteer records whose volunteering covers at
  least one day of Y (begun by 31/12, not ended before 01/01);
- a volunteer is *active* in Y when at least one of their service sheets dated in Y is
  validated, or when they are noted present at an outreach action dated in Y. A volunteer
  active both ways counts once. Whether their volunteering has ended since does not matter,
  nor whether they were anonymised since (anonymisation keeps the sheets and the presences);
- sheets: the operator's service sheets dated in Y, *validated*, of a person who is one of its
  volunteers. A sheet waiting for validation or sent back counts nowhere (it is not yet a day
  of volunteering the organisation answers for). Hours: the hours of those sheets, added up;
- indemnities: the flat rate (« défraiement ») and the mileage (« indemnité kilométrique »)
  the indemnity engine gave those sheets, added up — what is due for them, paid or not yet; so
  they are counted again, once their month is paid, in the report's « Défraiements payés »,
  which adds up the paid monthly statements of volunteers and chantier participants alike.
  Real costs (expenses repaid on a receipt, under a real-costs agreement) are apart: the
  amounts of the receipts of those sheets;
- outreach actions: the operator's actions dated in Y. People met: the sum of the people counted
  at each (without a name: a person met twice counts twice). By gender: women, men, and "not
  said" — the people met minus the women and the men of each action. By age band: under 25,
  25 to 54, 55 and over, and "not said" the same way. Themes: for each need category, the
  actions where it was talked about (an action touching three themes counts in three rows, so
  the rows do not add up to the actions);
- signals raised in Y: the operator's signals whose date is in Y, whoever raised them (a
  volunteer relay or the team; those of a relay are said apart). Their state is today's — as
  for the referrals: a signal of 30/12 taken up on 02/01 is taken up in the report of its year.
  *Taken up*: a counsellor took charge of it — its state is "pris en charge", or it is closed
  after being taken up (taken up before the moment it was closed), or it is closed at once with
  a follow-up other than « Pas de suite nécessaire » (a counsellor acted on it: an intake, a
  need noted, a referral, or a person tried and not reached). A signal closed at once with « Pas
  de suite nécessaire » is closed without being taken up. (Closing an open signal notes it
  taken up by whoever closes it, at the moment of the closing: "closed at once" is that, or no
  date of taking up at all.) *Closed*: its state is "clôturé",
  whether taken up first or not. *Waiting*: still "reçu". So the signals raised are the
  waiting ones, the taken up ones and those closed without being taken up. By follow-up: the
  closed ones, every follow-up listed, zeros included. By need: the signals raised, every
  category listed;
- signals waiting (the dashboard only): the operator's signals still "reçu" today, whatever
  their date — the director's to-do, not a figure of a year.
Counts only: no volunteer, no person met, no signal's description nor person reaches the
section; the listings show volunteers by pseudonym (the figures count distinct volunteers) and
the signals without any person (a need beside a name would say too much).

The figures are one query: aggregates of ``volunteers_of_year``, ``volunteers_active``,
``validated_sheets_of_year``, ``outreach_of_year``, ``signals_of_year`` (the rows the
spreadsheet lists) and of the signals waiting, read as subqueries of one select, as the
modules' figures are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    TextField,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from accounts.models import Organization
from chantiers.models import ServiceSheet
from participants.models import NeedCategory
from reporting.indicators.activity import BreakdownRow
from reporting.indicators.common import Period, aggregate_of
from volunteers.models import OutreachActivity, Signal, Volunteer

NEEDS = list(NeedCategory.choices)
OUTCOMES = list(Signal.Outcome.choices)
STATUSES = list(Signal.Status.choices)
URGENCIES = list(Signal.Urgency.choices)
HOURS_ZERO = Decimal("0.00")
MONEY_ZERO = Decimal("0.00")

# Taken up before being closed: ``volunteers.signals.signal_close`` leaves ``taken_up_at`` empty
# on a signal closed at once.
TAKEN_UP_BEFORE_CLOSING = Q(taken_up_at__isnull=False)
# A signal taken up (see the module's docstring): taken in charge, closed after being taken up,
# or closed at once with a follow-up other than « Pas de suite nécessaire ».
TAKEN_UP = Q(status=Signal.Status.TAKEN_UP) | (
    Q(status=Signal.Status.CLOSED) & (TAKEN_UP_BEFORE_CLOSING | ~Q(outcome=Signal.Outcome.NOTHING))
)


@dataclass(frozen=True)
class VolunteerFigures:
    year: int
    volunteers_registered: int  # volunteering covering a day of Y
    volunteers_active: int  # a validated sheet of Y or present at an outreach action of Y
    active_with_sheets: int  # of which with a validated sheet
    active_in_outreach: int  # of which present at an outreach action (both: in each)
    sheets: int  # validated sheets of Y
    hours: Decimal  # of those sheets
    flat_rate: Decimal  # the sheets' flat-rate indemnities
    mileage: Decimal  # the sheets' mileage
    real_costs: Decimal  # the receipts of those sheets, apart
    outreach_actions: int
    people_met: int
    women: int
    men: int
    under_25: int
    from_25_to_54: int
    from_55: int
    themes: list[BreakdownRow]  # actions per need category talked about, every category
    signals_raised: int
    signals_by_volunteers: int  # raised by a volunteer relay
    signals_taken_up: int
    signals_closed: int
    signals_open: int  # still "reçu" today
    signals_by_outcome: list[BreakdownRow]  # the closed ones, every follow-up
    signals_by_need: list[BreakdownRow]  # the raised ones, every category
    signals_waiting: int  # today, whatever their date (the dashboard)

    @property
    def indemnities(self) -> Decimal:
        """Flat rate and mileage of the validated sheets (real costs apart)."""
        return self.flat_rate + self.mileage

    @property
    def gender_not_said(self) -> int:
        return self.people_met - self.women - self.men

    @property
    def age_not_said(self) -> int:
        return self.people_met - self.under_25 - self.from_25_to_54 - self.from_55

    @property
    def by_gender(self) -> list[BreakdownRow]:
        return [
            BreakdownRow("women", _("Femmes"), self.women),
            BreakdownRow("men", _("Hommes"), self.men),
            BreakdownRow("not_said", _("Non précisé"), self.gender_not_said),
        ]

    @property
    def by_age_band(self) -> list[BreakdownRow]:
        return [
            BreakdownRow("under_25", _("Moins de 25 ans"), self.under_25),
            BreakdownRow("25_54", _("25 à 54 ans"), self.from_25_to_54),
            BreakdownRow("55_plus", _("55 ans et plus"), self.from_55),
            BreakdownRow("not_said", _("Non précisé"), self.age_not_said),
        ]

    @property
    def shown(self) -> bool:
        """Whether the year has anything of volunteering or outreach to show: a volunteer
        registered or active, an outreach action or a signal of Y. Without, the report has no
        section « Bénévolat et proximité »."""
        return bool(
            self.volunteers_registered
            or self.volunteers_active
            or self.outreach_actions
            or self.signals_raised
        )


def _year(year: int, field: str) -> Q:
    period = Period.year(year)
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def volunteers_of_year(*, organization: Organization, year: int) -> QuerySet[Volunteer]:
    """The operator's volunteers whose volunteering covers a day of Y."""
    period = Period.year(year)
    return Volunteer.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start),
        organization=organization,
        since__lte=period.end,
    )


def validated_sheets_of_year(*, organization: Organization, year: int) -> QuerySet[ServiceSheet]:
    """The operator's service sheets dated in Y, validated, of one of its volunteers: the rows
    the hours and the indemnities are counted from, and the listing shows."""
    return ServiceSheet.objects.filter(
        _year(year, "date"),
        organization=organization,
        participant__volunteer__organization=organization,
        status=ServiceSheet.Status.VALIDATED,
    )


def outreach_of_year(*, organization: Organization, year: int) -> QuerySet[OutreachActivity]:
    """The operator's outreach actions dated in Y."""
    return OutreachActivity.objects.filter(_year(year, "date"), organization=organization)


def signals_of_year(*, organization: Organization, year: int) -> QuerySet[Signal]:
    """The operator's signals raised in Y, each with ``taken_up`` (see the docstring)."""
    return Signal.objects.filter(_year(year, "raised_on"), organization=organization).annotate(
        taken_up=ExpressionWrapper(TAKEN_UP, output_field=BooleanField())
    )


def volunteers_active(*, organization: Organization, year: int) -> QuerySet[Volunteer]:
    """The operator's volunteers active in Y, each with ``with_sheet`` and ``in_outreach``."""
    sheets = validated_sheets_of_year(organization=organization, year=year)
    actions = outreach_of_year(organization=organization, year=year)
    return (
        Volunteer.objects.filter(organization=organization)
        .annotate(
            with_sheet=Exists(sheets.filter(participant_id=OuterRef("participant_id"))),
            in_outreach=Exists(actions.filter(volunteers=OuterRef("pk"))),
        )
        .filter(Q(with_sheet=True) | Q(in_outreach=True))
    )


def volunteers_active_with_counts(*, organization: Organization, year: int) -> QuerySet[Volunteer]:
    """The active volunteers with, each, their validated sheets of Y (``sheets``), those
    sheets' ``hours`` and the outreach actions of Y they were at (``actions``): the listing."""
    sheets = validated_sheets_of_year(organization=organization, year=year).filter(
        participant_id=OuterRef("participant_id")
    )
    actions = outreach_of_year(organization=organization, year=year).filter(
        volunteers=OuterRef("pk")
    )
    return volunteers_active(organization=organization, year=year).annotate(
        sheets=aggregate_of(sheets, Count("pk")),
        hours=aggregate_of(sheets, Coalesce(Sum("hours"), HOURS_ZERO)),
        actions=aggregate_of(actions, Count("pk")),
    )


def outreach_with_counts(*, organization: Organization, year: int) -> QuerySet[OutreachActivity]:
    """The actions of Y with the number of volunteers present (``volunteers_present``)."""
    return outreach_of_year(organization=organization, year=year).annotate(
        volunteers_present=Count("volunteers", distinct=True)
    )


def _theme(code: str) -> Q:
    """An action whose themes include ``code``: ``"code"``, quotes included (no code matches
    inside another), found in the text of the JSON list — SQLite has no JSON containment
    (``themes__contains``), and the test suite runs on SQLite as on PostgreSQL."""
    return Q(themes_text__contains=f'"{code}"')


def volunteer_figures(*, organization: Organization, year: int) -> VolunteerFigures:
    """The figures of the year, in one query."""
    registered = volunteers_of_year(organization=organization, year=year)
    active = volunteers_active(organization=organization, year=year)
    sheets = validated_sheets_of_year(organization=organization, year=year)
    actions = outreach_of_year(organization=organization, year=year).annotate(
        themes_text=Cast("themes", TextField())
    )
    signals = signals_of_year(organization=organization, year=year)
    waiting = Signal.objects.filter(organization=organization, status=Signal.Status.OPEN)

    def total(field: str):
        return Coalesce(Sum(field), 0, output_field=IntegerField())

    def money(field: str):
        return Coalesce(Sum(field), MONEY_ZERO)

    counts = (
        Organization.objects.filter(pk=organization.pk)
        .values(
            registered=aggregate_of(registered, Count("pk")),
            **{
                name: aggregate_of(active, expression)
                for name, expression in (
                    ("active", Count("pk")),
                    ("active_with_sheets", Count("pk", filter=Q(with_sheet=True))),
                    ("active_in_outreach", Count("pk", filter=Q(in_outreach=True))),
                )
            },
            **{
                name: aggregate_of(sheets, expression)
                for name, expression in (
                    ("sheets", Count("pk")),
                    ("hours", Coalesce(Sum("hours"), HOURS_ZERO)),
                    ("flat_rate", money("indemnity")),
                    ("mileage", money("mileage")),
                    ("real_costs", money("real_cost__amount")),
                )
            },
            **{
                name: aggregate_of(actions, expression)
                for name, expression in (
                    ("actions", Count("pk")),
                    ("people_met", total("people_met")),
                    ("women", total("women")),
                    ("men", total("men")),
                    ("under_25", total("under_25")),
                    ("from_25_to_54", total("from_25_to_54")),
                    ("from_55", total("from_55")),
                    *(
                        (f"theme_{code}", Count("pk", filter=_theme(code)))
                        for code, _label in NEEDS
                    ),
                )
            },
            **{
                name: aggregate_of(signals, expression)
                for name, expression in (
                    ("signals", Count("pk")),
                    ("by_volunteers", Count("pk", filter=Q(raised_by__isnull=False))),
                    ("taken_up", Count("pk", filter=Q(taken_up=True))),
                    ("closed", Count("pk", filter=Q(status=Signal.Status.CLOSED))),
                    ("open", Count("pk", filter=Q(status=Signal.Status.OPEN))),
                    *(
                        (
                            f"outcome_{code}",
                            Count("pk", filter=Q(status=Signal.Status.CLOSED, outcome=code)),
                        )
                        for code, _label in OUTCOMES
                    ),
                    *(
                        (f"need_{code}", Count("pk", filter=Q(need_category=code)))
                        for code, _label in NEEDS
                    ),
                )
            },
            waiting=aggregate_of(waiting, Count("pk")),
        )
        .get()
    )

    def breakdown(prefix: str, choices) -> list[BreakdownRow]:
        return [
            BreakdownRow(code, str(label), counts[f"{prefix}_{code}"]) for code, label in choices
        ]

    return VolunteerFigures(
        year=year,
        volunteers_registered=counts["registered"],
        volunteers_active=counts["active"],
        active_with_sheets=counts["active_with_sheets"],
        active_in_outreach=counts["active_in_outreach"],
        sheets=counts["sheets"],
        hours=counts["hours"].quantize(HOURS_ZERO),
        flat_rate=counts["flat_rate"].quantize(MONEY_ZERO),
        mileage=counts["mileage"].quantize(MONEY_ZERO),
        real_costs=counts["real_costs"].quantize(MONEY_ZERO),
        outreach_actions=counts["actions"],
        people_met=counts["people_met"],
        women=counts["women"],
        men=counts["men"],
        under_25=counts["under_25"],
        from_25_to_54=counts["from_25_to_54"],
        from_55=counts["from_55"],
        themes=breakdown("theme", NEEDS),
        signals_raised=counts["signals"],
        signals_by_volunteers=counts["by_volunteers"],
        signals_taken_up=counts["taken_up"],
        signals_closed=counts["closed"],
        signals_open=counts["open"],
        signals_by_outcome=breakdown("outcome", OUTCOMES),
        signals_by_need=breakdown("need", NEEDS),
        signals_waiting=counts["waiting"],
    )
