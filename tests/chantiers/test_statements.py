"""Monthly statements and rule 5: validating a month locks it; only an admin reopens it, with a
reason. Figures computed by hand in the comments (2026 ceilings: 44.02 a day, 1 760.83 a year)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chantiers.indemnities import indemnities_recompute
from chantiers.models import (
    Attendance,
    ElsewhereDeclaration,
    Enrolment,
    IndemnityCeiling,
    MonthlyStatement,
    StatementUnlock,
)
from chantiers.services import (
    Mark,
    attendance_acknowledge,
    attendance_record,
    statement_prepare,
    statement_unlock,
    statement_validate,
)
from participants import services as participant_services
from tests.chantiers.helpers import _agreement, _amounts, _mark
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

D = Decimal
Reason = Attendance.NotPayable


def _declared(volunteer, amount):
    """What the volunteer declared receiving elsewhere in 2026 (rule 6: per calendar year)."""
    return ElsewhereDeclaration.objects.create(
        participant=volunteer,
        organization=volunteer.organization,
        year=2026,
        amount=amount,
        declared_on=dt.date(2026, 1, 1),
        source="ASBL Voisine",
    )


def test_the_statement_sums_the_month_and_the_year(volunteer):
    # 300.00 declared elsewhere. February: 2 days × 25.00; March: 3 present days (one with two
    # sessions) + 1 excused. March: 3 days, 75.00; year to date 125.00;
    # remaining 1 760.83 − 300.00 − 125.00 = 1 335.83.
    _agreement(volunteer, declaration="", declaration_on=None)
    _declared(volunteer, D("300.00"))
    for day in (dt.date(2026, 2, 2), dt.date(2026, 2, 3)):
        _mark(volunteer, day)
    _mark(volunteer, dt.date(2026, 3, 2), starts_at=dt.time(8, 0))
    _mark(volunteer, dt.date(2026, 3, 2), starts_at=dt.time(13, 0))
    _mark(volunteer, dt.date(2026, 3, 3))
    _mark(volunteer, dt.date(2026, 3, 4), status="late")
    _mark(volunteer, dt.date(2026, 3, 5), status="excused")
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    assert (statement.days, statement.amount) == (3, D("75.00"))
    assert statement.hours == D("12.00")  # four present sessions of 3 hours
    assert (statement.year_to_date, statement.remaining) == (D("125.00"), D("1335.83"))


def test_two_clicks_make_one_statement(volunteer):
    statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    statement_prepare(participant=volunteer, month=dt.date(2026, 3, 15))
    assert MonthlyStatement.objects.count() == 1


def test_a_validated_month_locks_attendance(volunteer, coordinator):
    _agreement(volunteer, declaration="", declaration_on=None)
    mark = _mark(volunteer, dt.date(2026, 3, 2))
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    statement_validate(statement=statement, by=coordinator)
    with pytest.raises(ValidationError, match="verrouillées"):
        attendance_record(
            session=mark.session, marks=[Mark(volunteer.pk, "unexcused")], by=coordinator
        )
    mark.refresh_from_db()
    assert (mark.status, mark.indemnity) == ("present", D("25.00"))


def test_one_validated_person_does_not_block_the_others(operator, coordinator, admin):
    chantier = ChantierFactory(organization=operator)
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    x, y = ParticipantFactory.create_batch(2, organization=operator)
    for person in (x, y):
        participant_services.income_source_change(
            participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
        )
        _agreement(person, declaration="")
        Enrolment.objects.create(chantier=chantier, participant=person, status="active")
    attendance_record(
        session=session, marks=[Mark(x.pk, "present"), Mark(y.pk, "present")], by=coordinator
    )
    for person in (x, y):
        statement_validate(
            statement=statement_prepare(participant=person, month=dt.date(2026, 3, 1)),
            by=coordinator,
        )
    statement_unlock(statement=y.statements.get(), by=admin, reason="Correction")
    marks = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    # The grid re-sends X unchanged and corrects Y: accepted.
    attendance_record(
        session=session,
        marks=[
            Mark(x.pk, "present", version=marks[x.pk].version),
            Mark(y.pk, "excused", version=marks[y.pk].version),
        ],
        by=coordinator,
    )
    assert Attendance.objects.get(participant=y).status == "excused"
    # Changing X, still validated, is refused.
    with pytest.raises(ValidationError, match="verrouillées"):
        attendance_record(
            session=session,
            marks=[Mark(x.pk, "unexcused", version=marks[x.pk].version)],
            by=coordinator,
        )


def test_a_locked_month_keeps_its_amounts_and_counts_in_the_year(volunteer, coordinator):
    # March validated at 25.00 a day for 2 days (50.00). Then the daily rate is raised to 44.02:
    # March stays at 50.00; April is paid at 44.02 and the year counts 50.00 + 44.02 = 94.02.
    agreement = _agreement(volunteer, declaration="", declaration_on=None)
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    statement_validate(
        statement=statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1)),
        by=coordinator,
    )
    agreement.daily_rate = D("44.02")
    agreement.save()
    _mark(volunteer, dt.date(2026, 4, 1))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    amounts = list(
        Attendance.objects.filter(participant=volunteer)
        .order_by("session__date")
        .values_list("indemnity", flat=True)
    )
    assert amounts == [D("25.00"), D("25.00"), D("44.02")]
    assert balance.paid == D("94.02")


def test_a_later_validated_month_counts_before_an_earlier_open_day(volunteer, coordinator):
    # 1 650.00 declared; March validated: 2 × 44.02 = 88.04. Then 2 February is marked:
    # only 1 760.83 − 1 650.00 − 88.04 = 22.79 is left, never 44.02.
    _agreement(volunteer, daily_rate=D("44.02"), declaration="")
    _declared(volunteer, D("1650.00"))
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    statement_validate(
        statement=statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1)),
        by=coordinator,
    )
    _mark(volunteer, dt.date(2026, 2, 2))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer)[0] == (D("22.79"), Reason.ANNUAL_CEILING)
    assert balance.total == D("1760.83")


def test_unconfirmed_not_payable_days_block_validation_until_confirmed(volunteer, coordinator):
    _agreement(volunteer, signed_on=dt.date(2026, 3, 3), declaration="", declaration_on=None)
    _mark(volunteer, dt.date(2026, 3, 2))  # before the signature: not payable
    _mark(volunteer, dt.date(2026, 3, 3))
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match=r"02/03 \(Convention pas encore signée\)"):
        statement_validate(statement=statement, by=coordinator)
    assert attendance_acknowledge(statement=statement) == 1
    validated = statement_validate(statement=statement, by=coordinator)
    assert (validated.status, validated.amount, validated.validated_by) == (
        "validated",
        D("25.00"),
        coordinator,
    )


def test_only_a_reason_reopens_a_validated_month_and_it_is_logged(volunteer, coordinator, admin):
    _agreement(volunteer, declaration="", declaration_on=None)
    _mark(volunteer, dt.date(2026, 3, 2))
    statement = statement_validate(
        statement=statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1)),
        by=coordinator,
    )
    with pytest.raises(ValidationError, match="motif"):
        statement_unlock(statement=statement, by=admin, reason=" ")
    reopened = statement_unlock(statement=statement, by=admin, reason="Erreur de date : 2 → 3 mars")
    assert reopened.status == "draft" and reopened.validated_by is None
    log = StatementUnlock.objects.get()
    assert (log.by, log.reason) == (admin, "Erreur de date : 2 → 3 mars")


def test_only_an_administrator_reopens_a_month(volunteer, coordinator):
    statement = statement_validate(
        statement=statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1)),
        by=coordinator,
    )
    with pytest.raises(PermissionDenied):
        statement_unlock(statement=statement, by=coordinator, reason="Je corrige")


def test_a_paid_statement_cannot_be_reopened(volunteer, coordinator, admin):
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    MonthlyStatement.objects.filter(pk=statement.pk).update(status="paid")
    statement.refresh_from_db()
    with pytest.raises(ValidationError, match="payée"):
        statement_unlock(statement=statement, by=admin, reason="x")


def test_a_month_without_ceiling_has_no_remaining_balance(volunteer):
    IndemnityCeiling.objects.filter(year=2026).delete()
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    assert statement.remaining is None


def test_a_month_without_a_ceiling_cannot_be_validated(volunteer, coordinator):
    from chantiers.models import IndemnityCeiling

    IndemnityCeiling.objects.filter(year=2026).delete()
    _agreement(volunteer, declaration="")
    _mark(volunteer, dt.date(2026, 3, 2))
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="Aucun plafond"):
        statement_validate(statement=statement, by=coordinator)
