"""Defects found by the review of the chantiers work, each pinned by a test that failed before.

2026 ceilings: 44.02 a day, 1 760.83 a year.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chantiers.indemnities import indemnities_recompute
from chantiers.models import Attendance, Enrolment
from chantiers.services import (
    Mark,
    attendance_record,
    indemnities_recompute_from,
    statement_prepare,
    statement_unlock,
    statement_validate,
)
from participants import services as participant_services
from tests.chantiers.test_indemnities import _agreement, _amounts, _mark
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

D = Decimal
Reason = Attendance.NotPayable


@pytest.fixture
def volunteer(operator):
    person = ParticipantFactory(organization=operator)
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    return person


def test_a_later_validated_month_counts_before_an_earlier_open_day(volunteer, coordinator):
    # 1 650.00 declared; March validated: 2 × 44.02 = 88.04. Then 2 February is marked:
    # only 1 760.83 − 1 650.00 − 88.04 = 22.79 is left, never 44.02.
    _agreement(volunteer, daily_rate=D("44.02"), declaration="", amount_from_others=D("1650.00"))
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


def test_amounts_declared_last_year_do_not_reduce_this_year(volunteer):
    _agreement(
        volunteer,
        starts_on=dt.date(2025, 9, 1),
        ends_on=None,
        declaration="",
        amount_from_others=D("1750.00"),
    )
    _mark(volunteer, dt.date(2026, 3, 2))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("25.00"), "")]
    assert balance.declared_elsewhere == D("0.00") and not balance.warning


def test_a_real_costs_agreement_excludes_the_flat_rate_for_the_whole_year(volunteer):
    _agreement(volunteer, ends_on=dt.date(2026, 5, 31), declaration="")
    _agreement(volunteer, starts_on=dt.date(2026, 6, 1), scheme="real_costs", declaration="")
    _mark(volunteer, dt.date(2026, 7, 1))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("0.00"), Reason.REAL_COSTS)]


def test_a_mark_a_colleague_created_meanwhile_is_not_overwritten(volunteer, coordinator, director):
    session = WorkSessionFactory(chantier=ChantierFactory(organization=volunteer.organization))
    attendance_record(session=session, marks=[Mark(volunteer.pk, "present")], by=director)
    # The coordinator's page showed no mark (version None) and says "unexcused".
    result = attendance_record(
        session=session, marks=[Mark(volunteer.pk, "unexcused", version=None)], by=coordinator
    )
    assert [a.participant_id for a in result.conflicts] == [volunteer.pk]
    assert Attendance.objects.get().status == "present"


def test_one_validated_person_does_not_block_the_others(operator, coordinator, admin):
    chantier = ChantierFactory(organization=operator)
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    x, y = ParticipantFactory.create_batch(2, organization=operator)
    for person in (x, y):
        participant_services.income_source_change(
            participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
        )
        _agreement(person, declaration="")
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


def test_only_an_administrator_reopens_a_month(volunteer, coordinator):
    statement = statement_validate(
        statement=statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1)),
        by=coordinator,
    )
    with pytest.raises(PermissionDenied):
        statement_unlock(statement=statement, by=coordinator, reason="Je corrige")


def test_a_month_without_a_ceiling_cannot_be_validated(volunteer, coordinator):
    from chantiers.models import IndemnityCeiling

    IndemnityCeiling.objects.filter(year=2026).delete()
    _agreement(volunteer, declaration="")
    _mark(volunteer, dt.date(2026, 3, 2))
    statement = statement_prepare(participant=volunteer, month=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="Aucun plafond"):
        statement_validate(statement=statement, by=coordinator)


def test_a_back_dated_income_change_recomputes_the_days(volunteer):
    # From 1 March, CPAS integration income: the CPAS must be informed; nothing was.
    _agreement(volunteer, declaration="none", declaration_on=dt.date(2026, 1, 1))
    _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("25.00"), "")]
    participant_services.income_source_change(
        participant=volunteer, kind="ris", starts_on=dt.date(2026, 3, 1)
    )
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]  # by the service
    indemnities_recompute_from(participant=volunteer, day=dt.date(2026, 3, 1))
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]


def test_the_income_change_recomputes_in_its_own_transaction(volunteer):
    """The service recomputes, with the change: refused, neither is saved; no signal does it
    after the commit (a change saved another way is not a change of income source)."""
    from participants.models import IncomeSource

    _agreement(volunteer, declaration="none", declaration_on=dt.date(2026, 1, 1))
    _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    participant_services.income_source_change(
        participant=volunteer, kind="unemployment", starts_on=dt.date(2026, 3, 1)
    )
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]
    IncomeSource.objects.filter(participant=volunteer).update(kind="none")  # not the service
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]


def test_a_ceiling_added_in_the_admin_site_recomputes_the_year_through_the_service(
    client, volunteer, django_capture_on_commit_callbacks
):
    """The year 2027 has no ceiling: its days are not paid, with the reason. The administration
    adds it in the admin site; the service recomputes the year (in the background)."""
    from chantiers.models import IndemnityCeiling
    from tests.factories import UserFactory

    _agreement(volunteer, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31))
    _mark(volunteer, dt.date(2027, 3, 1))
    indemnities_recompute(participant=volunteer, year=2027)
    assert _amounts(volunteer) == [(D("0.00"), Reason.NO_CEILING)]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            reverse("admin:chantiers_indemnityceiling_add"),
            {"year": "2027", "daily": "45.00", "annual": "1800.00"},
        )
    assert len(queued) == 1  # the task, once committed
    assert response.status_code == 302
    assert IndemnityCeiling.objects.get(year=2027).daily == D("45.00")
    assert _amounts(volunteer) == [(D("25.00"), "")]


def test_a_coordinator_cannot_print_a_strangers_agreement(client, coordinator, operator):
    from chantiers.models import VolunteerAgreement

    mine = ChantierFactory(organization=operator)
    mine.coordinators.add(coordinator)
    stranger = ParticipantFactory(organization=operator)
    agreement = VolunteerAgreement.objects.create(
        participant=stranger,
        organization=operator,
        starts_on=dt.date(2026, 1, 1),
        daily_rate=D("10.00"),
    )
    client.force_login(coordinator)
    url = reverse("chantiers:agreement_pdf", args=[agreement.pk])
    assert client.get(url).status_code == 404
    Enrolment.objects.create(chantier=mine, participant=stranger, status="active")
    assert client.get(url).status_code == 200


def test_unreadable_numbers_of_hours_are_refused(volunteer, coordinator):
    session = WorkSessionFactory(chantier=ChantierFactory(organization=volunteer.organization))
    with pytest.raises(ValidationError, match="impossible"):
        attendance_record(
            session=session, marks=[Mark(volunteer.pk, "present", hours=D("NaN"))], by=coordinator
        )
