"""Corrections of validated months (DESIGN §4 rule 8, issue 16): a draft is prepared again,
only a validated month is corrected; a correction counts in the year's balance, never crosses the
annual ceiling or the kilometre cap, never pays more than the month's payable days nor mixes the
regimes; it is carried by the next transfer — which a negative one larger than it blocks — or
settled by direction, and one settled while a batch is being made stops that batch.

2026 ceilings (seeded): 1 760.83 € a year, 2 000 km at 0.4326 €/km by car and 0.37 €/km by bike.
The agreements pay 25.00 € a day unless said otherwise (tests/chantiers/indemnity_helpers.py).
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chantiers import payments
from chantiers.indemnities import indemnities_recompute
from chantiers.models import CeilingExcess, PaymentBatch, StatementCorrection, VolunteerAgreement
from chantiers.services import attendance_acknowledge, statement_prepare
from chantiers.year_changes import correction_create, correction_settle, declaration_delete
from tests.chantiers.helpers import D, _mark
from tests.chantiers.indemnity_helpers import (
    APRIL,
    MARCH,
    _batch,
    _declared,
    _paid,
    _trip,
    _validated,
    fixture_march_validated,  # noqa: F401
    fixture_operator,  # noqa: F401
    fixture_volunteer,  # noqa: F401
)

TOO_NEGATIVE = "Une correction négative dépasse ce qui est à payer"


def test_a_draft_statement_is_not_corrected_but_prepared_again(volunteer, coordinator):
    _mark(volunteer, dt.date(2026, 3, 2))
    draft = statement_prepare(participant=volunteer, month=MARCH)
    with pytest.raises(ValidationError, match="n'est pas validée"):
        correction_create(
            statement=draft, amount=D("-10.00"), km=0, reason="Erreur", by=coordinator
        )
    assert not StatementCorrection.objects.exists()


@pytest.fixture
def march_paid(volunteer, coordinator, director, march_validated):
    """March (50.00) paid by a batch; one day in April, validated (25.00)."""
    _paid(march_validated, director)
    _mark(volunteer, dt.date(2026, 4, 1))
    return march_validated, _validated(volunteer, APRIL, coordinator)


def test_a_negative_correction_is_carried_by_the_next_months_transfer(
    operator, coordinator, director, march_paid
):
    march, april = march_paid
    correction = correction_create(
        statement=march, amount=D("-10.00"), km=0, reason="Un jour noté deux fois", by=coordinator
    )
    candidates = payments.batch_candidates(organization=operator)
    assert candidates.payable == [april]
    assert (candidates.payable[0].transfer, candidates.payable[0].carried) == (
        D("15.00"),
        [correction],
    )
    batch = _batch([april], director)
    correction.refresh_from_db()
    assert correction.carried_by == april and not correction.is_pending
    assert [t.amount for t in payments.batch_transfers(batch=batch)] == [D("15.00")]
    payments.batch_cancel(batch=batch)
    correction.refresh_from_db()
    assert correction.carried_by is None and correction.is_pending


def test_corrections_count_in_the_years_balance(volunteer, coordinator, march_paid):
    march, _april = march_paid
    correction_create(statement=march, amount=D("-10.00"), km=0, reason="Erreur", by=coordinator)
    balance = indemnities_recompute(participant=volunteer, year=2026)
    # March 50.00 − 10.00 + April 25.00.
    assert (balance.validated, balance.paid) == (D("65.00"), D("65.00"))


def test_a_positive_correction_never_crosses_the_annual_ceiling(volunteer, coordinator):
    # 1 740.83 declared: 2 March is paid the 20.00 left, 3 March nothing (annual ceiling).
    first = _declared(volunteer, "1740.83", by=coordinator)
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    attendance_acknowledge(statement=statement_prepare(participant=volunteer, month=MARCH))
    march = _validated(volunteer, MARCH, coordinator)
    assert march.amount == D("20.00")
    # The declaration was wrong: 1 730.00. The days would allow 30.00 more, the year 10.83.
    declaration_delete(declaration=first)
    _declared(volunteer, "1730.00", by=coordinator)
    with pytest.raises(ValidationError, match="dépasserait le plafond annuel de 2026"):
        correction_create(statement=march, amount=D("10.84"), km=0, reason="Oubli", by=coordinator)
    correction = correction_create(
        statement=march, amount=D("10.83"), km=0, reason="Oubli", by=coordinator
    )
    assert correction.total == D("10.83")
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert (balance.total, balance.exceeded) == (D("1760.83"), False)
    assert not CeilingExcess.objects.exists()


def test_a_positive_correction_pays_no_more_than_the_months_payable_days(
    volunteer, coordinator, march_validated
):
    """Two days paid 25.00 each: the month is paid in full, a correction adds nothing (the
    daily rate, the daily ceiling and the paperwork of each day bound it)."""
    with pytest.raises(ValidationError, match="au plus 0,00"):
        correction_create(
            statement=march_validated, amount=D("0.01"), km=0, reason="Oubli", by=coordinator
        )


def test_a_km_correction_is_at_the_rate_of_its_vehicle_and_takes_back_no_more_than_paid(
    volunteer, coordinator
):
    # March: 100 km by bike (37.00) and 10 km by car (4.33).
    _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100, vehicle="bike")
    _trip(volunteer, dt.date(2026, 3, 3), coordinator, km=10, vehicle="car")
    march = _validated(volunteer, MARCH, coordinator)
    with pytest.raises(ValidationError, match="véhicule de ces kilomètres"):
        correction_create(statement=march, amount=D("0"), km=-5, reason="Erreur", by=coordinator)
    with pytest.raises(ValidationError, match="pour ce véhicule"):
        correction_create(
            statement=march, amount=D("0"), km=-11, vehicle="car", reason="Erreur", by=coordinator
        )
    bike = correction_create(
        statement=march, amount=D("0"), km=-100, vehicle="bike", reason="Erreur", by=coordinator
    )
    assert bike.mileage == D("-37.00")


def test_no_flat_rate_nor_km_correction_under_the_real_costs_regime(
    volunteer, coordinator, director
):
    """A real-costs year has no payable flat-rate day: a correction cannot mix the regimes."""
    VolunteerAgreement.objects.filter(participant=volunteer).update(scheme="real_costs")
    _mark(volunteer, dt.date(2026, 3, 2))
    attendance_acknowledge(statement=statement_prepare(participant=volunteer, month=MARCH))
    march = _validated(volunteer, MARCH, coordinator)
    with pytest.raises(ValidationError, match="au plus 0,00"):
        correction_create(statement=march, amount=D("25.00"), km=0, reason="x", by=coordinator)
    with pytest.raises(ValidationError, match="Aucun jour payable"):
        correction_create(
            statement=march, amount=D("0"), km=100, vehicle="car", reason="x", by=coordinator
        )


def test_a_km_correction_never_crosses_the_km_cap(volunteer, coordinator):
    # 1 950 km declared, 30 km in March: 20 km left, at the car rate (20 × 0.4326 = 8.65).
    _declared(volunteer, km=1950, by=coordinator)
    _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=30)
    march = _validated(volunteer, MARCH, coordinator)
    with pytest.raises(ValidationError, match="il en reste 20"):
        correction_create(
            statement=march, amount=D("0"), km=21, vehicle="car", reason="Oubli", by=coordinator
        )
    correction = correction_create(
        statement=march, amount=D("0"), km=20, vehicle="car", reason="Oubli", by=coordinator
    )
    assert (correction.km, correction.mileage) == (20, D("8.65"))


def test_a_correction_settled_by_direction_is_carried_by_no_batch(
    operator, coordinator, director, march_paid
):
    march, april = march_paid
    correction = correction_create(
        statement=march, amount=D("-10.00"), km=0, reason="Erreur", by=coordinator
    )
    with pytest.raises(PermissionDenied):
        correction_settle(
            correction=correction, on=dt.date(2026, 4, 2), note="Remboursé", by=coordinator
        )
    settled = correction_settle(
        correction=correction, on=dt.date(2026, 4, 2), note="Remboursé en liquide", by=director
    )
    assert not settled.is_pending
    candidate = payments.batch_candidates(organization=operator).payable[0]
    assert (candidate, candidate.transfer, candidate.carried) == (april, D("25.00"), [])


def test_a_negative_correction_larger_than_the_next_transfer_blocks_it(
    operator, coordinator, director, march_paid
):
    march, april = march_paid
    correction_create(statement=march, amount=D("-40.00"), km=0, reason="Erreur", by=coordinator)
    candidates = payments.batch_candidates(organization=operator)
    assert candidates.payable == []
    [blocked] = candidates.without_iban
    assert blocked.statement == april and blocked.reason.startswith(TOO_NEGATIVE)
    with pytest.raises(ValidationError, match=TOO_NEGATIVE):
        _batch([april], director)
    assert StatementCorrection.objects.get().is_pending


# The review of issue 16: each fix at its edge -----------------------------------------------------


def test_a_correction_settled_meanwhile_is_not_carried_and_stops_the_batch(
    operator, coordinator, director, march_paid, monkeypatch
):
    march, april = march_paid
    correction = correction_create(
        statement=march, amount=D("-10.00"), km=0, reason="Erreur", by=coordinator
    )
    # Settled between the batch's reading of the pending corrections and its carrying them.
    read = payments._with_corrections

    def read_then_settled(statements):
        blocked = read(statements)
        correction_settle(correction=correction, on=dt.date(2026, 4, 2), note="Payé", by=director)
        return blocked

    monkeypatch.setattr(payments, "_with_corrections", read_then_settled)
    with pytest.raises(ValidationError, match="Une correction a été réglée entre-temps"):
        _batch([april], director)
    assert not PaymentBatch.objects.filter(statements=april).exists()
    april.refresh_from_db()
    assert april.batch is None
    monkeypatch.undo()
    # Settled before: the next batch pays the month alone and carries nothing.
    correction_settle(correction=correction, on=dt.date(2026, 4, 2), note="Payé", by=director)
    batch = _batch([april], director)
    correction.refresh_from_db()
    assert correction.carried_by is None and not correction.is_pending
    assert [t.amount for t in payments.batch_transfers(batch=batch)] == [D("25.00")]
