"""Mileage (DESIGN §4 rule 8, issue 16): kilometres on present days are reimbursed at the
year's rate of the vehicle, on top of the flat rate, within the year's kilometre cap (declared
kilometres count); typing mistakes are refused; a year without a car rate pays none and its
statements wait; the statement and the SEPA transfer carry it.

2026 (seeded): 2 000 km at 0.4326 €/km by car and 0.37 €/km by bike. The agreements pay 25.00 € a
day unless said otherwise (tests/chantiers/indemnity_helpers.py).
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chantiers import payments
from chantiers.indemnities import indemnities_recompute
from chantiers.models import Attendance, Enrolment, IndemnityCeiling
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from tests.chantiers.helpers import D
from tests.chantiers.indemnity_helpers import (
    MARCH,
    _batch,
    _declared,
    _trip,
    _validated,
    fixture_operator,  # noqa: F401
    fixture_volunteer,  # noqa: F401
)
from tests.factories import ChantierFactory, WorkSessionFactory


def test_the_2026_km_rates_are_in_the_ceilings_table(db):
    ceiling = IndemnityCeiling.objects.get(year=2026)
    assert (ceiling.km_cap, ceiling.km_rate_car, ceiling.km_rate_bike) == (
        2000,
        D("0.4326"),
        D("0.3700"),
    )


def test_a_car_day_is_reimbursed_at_the_years_car_rate(volunteer, coordinator):
    trip = _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100)
    # 100 km × 0.4326 = 43.26, on top of the flat rate.
    assert (trip.indemnity, trip.km_paid, trip.mileage) == (D("25.00"), 100, D("43.26"))


def test_a_bike_day_is_reimbursed_at_the_years_bike_rate(volunteer, coordinator):
    trip = _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=30, vehicle="bike")
    assert (trip.km_paid, trip.mileage) == (30, D("11.10"))  # 30 × 0.37


def test_the_km_cap_reached_mid_day_pays_the_km_left_and_the_next_day_none(volunteer, coordinator):
    # 1 950 km declared: the 80 km of 2 March are paid 50 (50 × 0.4326 = 21.63); 3 March none.
    _declared(volunteer, km=1950)
    first = _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=80)
    second = _trip(volunteer, dt.date(2026, 3, 3), coordinator, km=10)
    first.refresh_from_db()
    assert (first.km_paid, first.mileage, first.km_unpaid) == (50, D("21.63"), 30)
    assert (second.km_paid, second.mileage, second.indemnity) == (0, D("0.00"), D("25.00"))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert (balance.km_total, balance.km_remaining, balance.exceeded) == (2000, 0, False)


def test_km_on_an_absent_mark_are_not_kept(volunteer, coordinator):
    trip = _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=30, status="excused")
    assert (trip.km, trip.vehicle, trip.km_paid, trip.mileage) == (0, "", 0, D("0.00"))


@pytest.mark.parametrize(("km", "refused"), [(500, False), (501, True), (-1, True)])
def test_more_than_500_km_in_a_session_is_a_typing_mistake(volunteer, coordinator, km, refused):
    session = WorkSessionFactory(
        chantier=ChantierFactory(organization=volunteer.organization), date=dt.date(2026, 3, 2)
    )
    Enrolment.objects.create(chantier=session.chantier, participant=volunteer, status="active")
    mark = Mark(volunteer.pk, "present", km=km, vehicle="car")
    if refused:
        with pytest.raises(ValidationError, match="Kilomètres impossibles"):
            attendance_record(session=session, marks=[mark], by=coordinator)
        assert not Attendance.objects.exists()
    else:
        attendance_record(session=session, marks=[mark], by=coordinator)
        assert Attendance.objects.get().km_paid == 500


def test_km_without_a_vehicle_are_refused(volunteer, coordinator):
    session = WorkSessionFactory(
        chantier=ChantierFactory(organization=volunteer.organization), date=dt.date(2026, 3, 2)
    )
    with pytest.raises(ValidationError, match="Indiquez le véhicule"):
        attendance_record(
            session=session, marks=[Mark(volunteer.pk, "present", km=30)], by=coordinator
        )
    assert not Attendance.objects.exists()


def test_a_year_without_a_car_rate_pays_no_mileage_and_refuses_the_statement(
    volunteer, coordinator
):
    IndemnityCeiling.objects.filter(year=2026).update(km_rate_car=None)
    trip = _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100)
    assert (trip.indemnity, trip.km_paid, trip.mileage) == (D("25.00"), 0, D("0.00"))
    statement = statement_prepare(participant=volunteer, month=MARCH)
    with pytest.raises(
        ValidationError, match=r"Aucune indemnité kilométrique \(Voiture\) n'est configurée pour"
    ):
        statement_validate(statement=statement, by=coordinator)


def test_the_statement_sums_the_km_and_the_mileage(volunteer, coordinator):
    # 100 km by car (43.26) and 30 km by bike (11.10): 130 km, 54.36; 2 days, 50.00.
    _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100)
    _trip(volunteer, dt.date(2026, 3, 3), coordinator, km=30, vehicle="bike")
    statement = statement_prepare(participant=volunteer, month=MARCH)
    assert (statement.days, statement.amount) == (2, D("50.00"))
    assert (statement.km, statement.mileage, statement.to_pay) == (130, D("54.36"), D("104.36"))


def test_the_sepa_amount_is_the_flat_rate_plus_the_mileage(volunteer, coordinator, director):
    _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100)
    _trip(volunteer, dt.date(2026, 3, 3), coordinator, km=30, vehicle="bike")
    statement = _validated(volunteer, MARCH, coordinator)
    batch = _batch([statement], director)
    assert [t.amount for t in payments.batch_transfers(batch=batch)] == [D("104.36")]
    assert batch.total == D("104.36")
