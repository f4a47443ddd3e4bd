"""Every indemnity rule of DESIGN §4, with amounts computed by hand in the comments.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year.
"""

import datetime as dt
from decimal import Decimal

import pytest

from chantiers.indemnities import indemnities_recompute, money
from chantiers.models import (
    Attendance,
    ElsewhereDeclaration,
    IndemnityCeiling,
    VolunteerAgreement,
)
from participants import services as participant_services
from tests.chantiers.helpers import _agreement, _amounts, _mark
from tests.factories import ParticipantFactory

D = Decimal
Reason = Attendance.NotPayable


@pytest.fixture
def volunteer(operator):
    """Unemployed since 2024, unlike the conftest's volunteer: a C45B is due (the agreement's)."""
    person = ParticipantFactory(organization=operator)
    participant_services.income_source_change(
        participant=person, kind="unemployment", starts_on=dt.date(2024, 1, 1)
    )
    return person


def _declared(volunteer, amount, year=2026):
    """What the volunteer declared receiving elsewhere in ``year`` (rule 6)."""
    return ElsewhereDeclaration.objects.create(
        participant=volunteer,
        organization=volunteer.organization,
        year=year,
        amount=amount,
        declared_on=dt.date(year, 1, 1),
        source="ASBL Voisine",
    )


def _days(start, count):
    return [start + dt.timedelta(days=n) for n in range(count)]


def test_one_indemnity_per_day_across_sessions_and_chantiers(volunteer):
    _agreement(volunteer)
    _mark(volunteer, dt.date(2026, 3, 2), starts_at=dt.time(8, 0))
    _mark(volunteer, dt.date(2026, 3, 2), starts_at=dt.time(13, 0))  # another chantier
    balance = indemnities_recompute(participant=volunteer, year=2026)
    # 25.00 once; the afternoon session is noted as already paid that day.
    assert _amounts(volunteer) == [(D("25.00"), ""), (D("0.00"), Reason.OTHER_SESSION)]
    assert balance.paid == D("25.00")


def test_the_daily_rate_never_exceeds_the_daily_ceiling(volunteer):
    _agreement(volunteer, daily_rate=D("50.00"))
    _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("44.02"), "")]


def test_the_day_that_crosses_the_annual_ceiling_gets_only_the_balance(volunteer):
    # Declared elsewhere 1 700.00; remaining 1 760.83 − 1 700.00 = 60.83.
    # Day 1: 44.02 (total 1 744.02). Day 2: 60.83 − 44.02 = 16.81, reason shown. Day 3: 0.
    _agreement(volunteer, daily_rate=D("44.02"))
    _declared(volunteer, D("1700.00"))
    for day in _days(dt.date(2026, 3, 2), 3):
        _mark(volunteer, day)
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [
        (D("44.02"), ""),
        (D("16.81"), Reason.ANNUAL_CEILING),
        (D("0.00"), Reason.ANNUAL_CEILING),
    ]
    assert balance.total == D("1760.83") and balance.remaining == D("0.00")


def test_forty_full_days_then_the_three_cents_left(volunteer):
    # 40 × 44.02 = 1 760.80; day 41 gets 1 760.83 − 1 760.80 = 0.03; day 42 nothing.
    _agreement(volunteer, daily_rate=D("44.02"))
    for day in _days(dt.date(2026, 2, 1), 42):
        _mark(volunteer, day)
    balance = indemnities_recompute(participant=volunteer, year=2026)
    amounts = _amounts(volunteer)
    assert amounts[39] == (D("44.02"), "")
    assert amounts[40] == (D("0.03"), Reason.ANNUAL_CEILING)
    assert amounts[41] == (D("0.00"), Reason.ANNUAL_CEILING)
    assert balance.paid == D("1760.83")


def test_no_indemnity_without_the_declaration_then_recomputed_once_done(volunteer):
    agreement = _agreement(volunteer, declaration="", declaration_on=None)
    mark = _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    mark.refresh_from_db()
    assert (mark.status, mark.indemnity, mark.not_payable) == (
        "present",  # presence is still recorded
        D("0.00"),
        Reason.DECLARATION_MISSING,
    )
    agreement.declaration = VolunteerAgreement.Declaration.C45B
    agreement.declaration_on = dt.date(2026, 2, 27)
    agreement.save()
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("25.00"), "")]


@pytest.mark.parametrize(
    "income,declaration,payable",
    [
        ("unemployment", "c45b", True),
        ("unemployment", "cpas_informed", False),
        ("ris", "cpas_informed", True),
        ("ris_equivalent", "c45b", False),
        ("disability", "medical_adviser", True),
        ("none", "", True),
    ],
)
def test_the_declaration_follows_the_income_source_of_the_day(
    operator, income, declaration, payable
):
    person = ParticipantFactory(organization=operator)
    participant_services.income_source_change(
        participant=person, kind=income, starts_on=dt.date(2024, 1, 1)
    )
    _agreement(person, declaration=declaration, declaration_on=dt.date(2026, 1, 1))
    _mark(person, dt.date(2026, 3, 2))
    indemnities_recompute(participant=person, year=2026)
    expected = (D("25.00"), "") if payable else (D("0.00"), Reason.DECLARATION_MISSING)
    assert _amounts(person) == [expected]


def test_a_change_of_income_source_during_the_year_changes_the_declaration_due(volunteer):
    # Unemployment, C45B filed: paid. From 1 April, CPAS integration income: the CPAS social
    # worker must be informed first, so April days are not paid until then.
    participant_services.income_source_change(
        participant=volunteer, kind="ris", starts_on=dt.date(2026, 4, 1)
    )
    _agreement(volunteer)
    _mark(volunteer, dt.date(2026, 3, 31))
    _mark(volunteer, dt.date(2026, 4, 1))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("25.00"), ""), (D("0.00"), Reason.DECLARATION_MISSING)]


@pytest.mark.parametrize(
    "fields,reason",
    [
        ({"signed_on": None}, Reason.NOT_SIGNED),
        ({"signed_on": dt.date(2026, 3, 3)}, Reason.NOT_SIGNED),  # signed after the day
        ({"organisation_note_given_on": None}, Reason.NOTE_MISSING),
        ({"scheme": "real_costs"}, Reason.REAL_COSTS),
        ({"starts_on": dt.date(2026, 4, 1)}, Reason.NO_AGREEMENT),
    ],
)
def test_missing_paperwork_pays_nothing_and_says_why(volunteer, fields, reason):
    _agreement(volunteer, **fields)
    _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("0.00"), reason)]


def test_an_unknown_income_source_pays_nothing(operator):
    person = ParticipantFactory(organization=operator)
    _agreement(person)
    _mark(person, dt.date(2026, 3, 2))
    indemnities_recompute(participant=person, year=2026)
    assert _amounts(person) == [(D("0.00"), Reason.INCOME_UNKNOWN)]


def test_a_year_without_a_ceiling_pays_nothing_and_says_so(volunteer):
    assert not IndemnityCeiling.objects.filter(year=2027).exists()
    _agreement(volunteer, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31))
    _mark(volunteer, dt.date(2027, 1, 4))
    balance = indemnities_recompute(participant=volunteer, year=2027)
    assert _amounts(volunteer) == [(D("0.00"), Reason.NO_CEILING)]
    assert balance.annual_ceiling is None and balance.remaining is None
    IndemnityCeiling.objects.create(year=2027, daily=D("45.00"), annual=D("1800.00"))
    indemnities_recompute(participant=volunteer, year=2027)
    assert _amounts(volunteer) == [(D("25.00"), "")]


def test_absences_are_recorded_without_indemnity_or_reason(volunteer):
    _agreement(volunteer)
    _mark(volunteer, dt.date(2026, 3, 2), status="excused")
    _mark(volunteer, dt.date(2026, 3, 3), status="late")
    _mark(volunteer, dt.date(2026, 3, 4), status="left_early")
    _mark(volunteer, dt.date(2026, 3, 5), status="unexcused")
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [
        (D("0.00"), ""),
        (D("25.00"), ""),
        (D("25.00"), ""),
        (D("0.00"), ""),
    ]


def test_the_warning_starts_at_eighty_percent(volunteer):
    # 80 % of 1 760.83 = 1 408.664. Declared 1 383.67 + one day 25.00 = 1 408.67: warned.
    _agreement(volunteer)
    _declared(volunteer, D("1383.67"))
    assert not indemnities_recompute(participant=volunteer, year=2026).warning
    _mark(volunteer, dt.date(2026, 3, 2))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert balance.total == D("1408.67") and balance.warning


def test_amounts_round_half_up_to_the_cent():
    assert money(D("10.005")) == D("10.01")  # not the banker's 10.00
    assert money("0.125") == D("0.13")
    assert money(D("44.024")) == D("44.02")


def test_recomputing_twice_changes_nothing(volunteer, django_assert_num_queries):
    _agreement(volunteer)
    for day in _days(dt.date(2026, 3, 2), 5):
        _mark(volunteer, day)
    indemnities_recompute(participant=volunteer, year=2026)
    # savepoint, lock, ceiling, declarations, corrections, agreements, incomes, locked months,
    # attendances, service sheets, the year's excesses, release: no update at all
    with django_assert_num_queries(12):
        indemnities_recompute(participant=volunteer, year=2026)
