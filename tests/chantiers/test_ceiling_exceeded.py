"""A ceiling exceeded is a state, never a silence (DESIGN §4 rules 2, 4 and 7, issue 16), so
that indemnities can never silently cost a volunteer their benefits. Up to the ceiling: the 80 %
warning, the day that would cross it paid the balance to the cent, and a year without ceilings
pays nothing. Above it: the year is flagged, no statement is validated and no payment made for
that person — whatever the year of the flag, whoever finds it, even in a batch made before —
until direction records what was done about the whole excess; the flag closes itself when
corrected data bring the year back within the ceiling.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year, 2 000 km. The agreements pay 25.00 € a
day unless said otherwise (tests/chantiers/indemnity_helpers.py).
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chantiers import payments
from chantiers.indemnities import indemnities_recompute
from chantiers.models import (
    Attendance,
    CeilingExcess,
    ElsewhereDeclaration,
    IndemnityCeiling,
    MonthlyStatement,
    PaymentBatch,
)
from chantiers.services import attendance_acknowledge, statement_prepare, statement_validate
from chantiers.year_changes import declaration_delete, declaration_save, excess_resolve
from tests.chantiers.helpers import D, _agreement, _amounts, _mark
from tests.chantiers.indemnity_helpers import (
    APRIL,
    MARCH,
    _batch,
    _declared,
    _open_excess,
    _trip,
    _validated,
    fixture_march_validated,  # noqa: F401
    fixture_operator,  # noqa: F401
    fixture_volunteer,  # noqa: F401
)

Reason = Attendance.NotPayable


EXCEEDED = "Plafond annuel dépassé : la direction doit d'abord indiquer la suite donnée."


# Rule 7: exceeded is a state, never a silence -----------------------------------------------------


@pytest.fixture
def exceeded(volunteer, coordinator, march_validated):
    """Then 1 710.84 declared: 1 760.84, one cent above the annual ceiling; a day in April."""
    _mark(volunteer, dt.date(2026, 4, 1))
    declaration = _declared(volunteer, "1710.84", by=coordinator)
    return declaration, _open_excess(volunteer)


def test_a_declaration_one_cent_over_the_ceiling_flags_the_year(volunteer, exceeded):
    _declaration, excess = exceeded
    assert excess is not None
    assert (excess.amount_over, excess.km_over, excess.organization) == (
        D("0.01"),
        0,
        volunteer.organization,
    )
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert balance.exceeded and balance.excess == D("0.01")
    assert _amounts(volunteer)[-1] == (D("0.00"), Reason.ANNUAL_CEILING)  # April: nothing
    assert CeilingExcess.objects.count() == 1  # recomputing again changes nothing


def test_a_declaration_up_to_the_ceiling_exactly_flags_nothing(
    volunteer, coordinator, march_validated
):
    balance = declaration_save(
        declaration=ElsewhereDeclaration(
            participant=volunteer,
            year=2026,
            amount=D("1710.83"),
            declared_on=dt.date(2026, 4, 2),
            source="ASBL Voisine",
        ),
        by=coordinator,
    )
    assert (balance.total, balance.remaining, balance.exceeded) == (D("1760.83"), D("0.00"), False)
    assert not CeilingExcess.objects.exists()


def test_no_statement_is_validated_while_the_year_is_exceeded(volunteer, coordinator, exceeded):
    april = statement_prepare(participant=volunteer, month=APRIL)
    attendance_acknowledge(statement=april)  # the day at 0 is confirmed: not the reason
    with pytest.raises(ValidationError, match="Plafond de 2026 dépassé") as refused:
        statement_validate(statement=april, by=coordinator)
    assert refused.value.code == "ceiling_exceeded"
    april.refresh_from_db()
    assert april.status == MonthlyStatement.Status.DRAFT


def test_no_payment_includes_someone_whose_year_is_exceeded(
    operator, director, march_validated, exceeded
):
    candidates = payments.batch_candidates(organization=operator)
    assert candidates.payable == []
    assert [(b.statement, b.reason) for b in candidates.without_iban] == [
        (march_validated, EXCEEDED)
    ]
    with pytest.raises(ValidationError, match="Plafond annuel dépassé"):
        _batch([march_validated], director)
    assert not PaymentBatch.objects.exists()


def test_only_direction_records_what_was_done(coordinator, exceeded):
    _declaration, excess = exceeded
    with pytest.raises(PermissionDenied):
        excess_resolve(
            excess=excess,
            outcome=CeilingExcess.Outcome.TAXABLE,
            by=coordinator,
            told_on=dt.date(2026, 4, 3),
        )
    excess.refresh_from_db()
    assert excess.is_open


@pytest.mark.parametrize(
    ("outcome", "told_on", "recovered", "field"),
    [
        ("taxable", None, None, "told_on"),
        ("taxable", "tomorrow", None, "told_on"),
        ("recovered", dt.date(2026, 4, 3), None, "recovered_amount"),
        ("corrected", dt.date(2026, 4, 3), None, "outcome"),  # the engine's, not direction's
    ],
)
def test_direction_says_when_the_volunteer_was_told_and_what_was_recovered(
    director, exceeded, outcome, told_on, recovered, field
):
    _declaration, excess = exceeded
    if told_on == "tomorrow":
        told_on = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        excess_resolve(
            excess=excess, outcome=outcome, by=director, told_on=told_on, recovered_amount=recovered
        )
    assert field in refused.value.message_dict
    excess.refresh_from_db()
    assert excess.is_open


def test_once_direction_accepts_it_as_taxable_statements_and_payments_go_on(
    operator, volunteer, coordinator, director, march_validated, exceeded
):
    _declaration, excess = exceeded
    resolved = excess_resolve(
        excess=excess,
        outcome=CeilingExcess.Outcome.TAXABLE,
        by=director,
        told_on=dt.date(2026, 4, 3),
        note="  Informée par téléphone.  ",
    )
    assert (resolved.outcome, resolved.resolved_by, resolved.note) == (
        "taxable",
        director,
        "Informée par téléphone.",
    )
    april = statement_prepare(participant=volunteer, month=APRIL)
    attendance_acknowledge(statement=april)
    assert statement_validate(statement=april, by=coordinator).status == "validated"
    assert payments.batch_candidates(organization=operator).payable == [march_validated]
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        excess_resolve(excess=excess, outcome="taxable", by=director, told_on=dt.date(2026, 4, 3))


def test_the_flag_closes_itself_when_the_declaration_is_deleted(volunteer, exceeded):
    declaration, excess = exceeded
    balance = declaration_delete(declaration=declaration)
    excess.refresh_from_db()
    assert (excess.outcome, excess.resolved_by) == (CeilingExcess.Outcome.CORRECTED, None)
    assert excess.resolved_at is not None
    assert not balance.exceeded and _open_excess(volunteer) is None
    assert _amounts(volunteer)[-1] == (D("25.00"), "")  # April paid again


def test_an_answered_excess_is_raised_again_only_when_the_year_goes_further(
    volunteer, coordinator, director, exceeded
):
    _declaration, excess = exceeded
    excess_resolve(excess=excess, outcome="taxable", by=director, told_on=dt.date(2026, 4, 3))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _open_excess(volunteer) is None
    _declared(volunteer, "5.00", by=coordinator)  # 5.01 over now
    again = _open_excess(volunteer)
    assert again is not None and again.pk != excess.pk
    assert again.amount_over == D("5.01")


def test_kilometres_declared_above_the_cap_flag_the_year(volunteer, coordinator):
    _declared(volunteer, km=2001, by=coordinator)
    excess = _open_excess(volunteer)
    assert (excess.amount_over, excess.km_over) == (D("0.00"), 1)


# Rule 2: the 80 % warning and the cent that crosses -----------------------------------------------


@pytest.mark.parametrize(
    ("annual", "declared", "warned"),
    [
        ("1000.00", "800.00", True),  # exactly 80 %
        ("1000.00", "799.99", False),  # one cent below
        ("1760.83", "1408.67", True),  # 80 % is 1 408.664: the first cent at or above it
        ("1760.83", "1408.66", False),
    ],
)
def test_the_warning_starts_at_80_percent_exactly(volunteer, annual, declared, warned):
    IndemnityCeiling.objects.filter(year=2026).update(annual=D(annual))
    _declared(volunteer, declared)
    assert indemnities_recompute(participant=volunteer, year=2026).warning is warned


def test_the_day_that_would_cross_the_ceiling_is_paid_the_balance_and_the_next_nothing(volunteer):
    # 1 740.00 declared: 20.83 left. Day 1: 20.83 of its 25.00; day 2: nothing.
    _declared(volunteer, "1740.00")
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [
        (D("20.83"), Reason.ANNUAL_CEILING),
        (D("0.00"), Reason.ANNUAL_CEILING),
    ]
    assert (balance.total, balance.remaining) == (D("1760.83"), D("0.00"))
    assert not CeilingExcess.objects.exists()  # paid up to the ceiling, not above


def test_the_last_cent_is_paid_and_not_one_more(volunteer):
    # 1 735.82 declared: 25.01 left. Day 1: 25.00; day 2: the last 0.01; day 3: nothing.
    _declared(volunteer, "1735.82")
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        _mark(volunteer, day)
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [
        (D("25.00"), ""),
        (D("0.01"), Reason.ANNUAL_CEILING),
        (D("0.00"), Reason.ANNUAL_CEILING),
    ]


# Rule 4: a year without ceilings ------------------------------------------------------------------


def test_a_year_without_ceilings_pays_nothing_and_says_what_to_configure(volunteer, coordinator):
    IndemnityCeiling.objects.filter(year=2027).delete()  # not published yet
    _agreement(volunteer, starts_on=dt.date(2027, 1, 1), ends_on=None, declaration="")
    trip = _trip(volunteer, dt.date(2027, 3, 1), coordinator, km=40)
    assert (trip.indemnity, trip.not_payable) == (D("0.00"), Reason.NO_CEILING)
    assert (trip.km, trip.km_paid, trip.mileage) == (40, 0, D("0.00"))
    balance = indemnities_recompute(participant=volunteer, year=2027)
    assert (balance.annual_ceiling, balance.remaining, balance.exceeded) == (None, None, False)
    statement = statement_prepare(participant=volunteer, month=dt.date(2027, 3, 1))
    attendance_acknowledge(statement=statement)  # confirming the day does not get around it
    with pytest.raises(
        ValidationError,
        match=r"Aucun plafond de défraiement n'est configuré pour 2027 .*L'administration doit",
    ):
        statement_validate(statement=statement, by=coordinator)


# The review of issue 16: each fix at its edge -----------------------------------------------------


def test_an_open_excess_of_another_year_stops_this_years_statements_and_payments(
    operator, volunteer, coordinator, director, march_validated
):
    """Rule 7 is per person, whatever the year: 2025 flagged (1 700.00 declared, the ceiling
    is 1 692.51) stops the 2026 statements — a 2026 transfer could carry a 2025 correction."""
    _declared(volunteer, "1700.00", year=2025, by=coordinator)
    assert _open_excess(volunteer, 2025).amount_over == D("7.49")
    assert _open_excess(volunteer, 2026) is None
    _mark(volunteer, dt.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="Plafond de 2025 dépassé") as refused:
        _validated(volunteer, APRIL, coordinator)
    assert refused.value.code == "ceiling_exceeded"
    assert MonthlyStatement.objects.get(month=APRIL).status == MonthlyStatement.Status.DRAFT
    candidates = payments.batch_candidates(organization=operator)
    assert candidates.payable == []
    assert [(b.statement, b.reason) for b in candidates.without_iban] == [
        (march_validated, EXCEEDED)
    ]
    with pytest.raises(ValidationError, match="Plafond annuel dépassé"):
        _batch([march_validated], director)
    assert not PaymentBatch.objects.exists()


def test_a_batch_recomputes_the_years_first_and_keeps_the_flag_it_found(
    volunteer, director, march_validated
):
    """Data above the ceiling with no flag yet (written around the services): the batch finds
    it, is refused, and the flag stays although the refused batch is rolled back."""
    _declared(volunteer, "1710.84")  # saved as it stands: no recomputation, no flag
    assert not CeilingExcess.objects.exists()
    with pytest.raises(ValidationError, match="Plafond annuel dépassé"):
        _batch([march_validated], director)
    assert not PaymentBatch.objects.exists()
    excess = _open_excess(volunteer)
    assert excess is not None and excess.amount_over == D("0.01")
    march_validated.refresh_from_db()
    assert march_validated.batch is None


def test_a_refused_validation_keeps_the_flag_its_recomputation_found(volunteer, coordinator):
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    _validated(volunteer, MARCH, coordinator)  # 50.00
    _mark(volunteer, dt.date(2026, 4, 1))
    april = statement_prepare(participant=volunteer, month=APRIL)  # a draft, before the data
    _declared(volunteer, "1710.84")  # as it stands: no flag yet
    assert not CeilingExcess.objects.exists()
    with pytest.raises(ValidationError, match="Plafond de 2026 dépassé") as refused:
        statement_validate(statement=april, by=coordinator)
    assert refused.value.code == "ceiling_exceeded"
    april.refresh_from_db()
    assert april.status == MonthlyStatement.Status.DRAFT
    excess = _open_excess(volunteer)
    assert excess is not None and excess.amount_over == D("0.01")


def test_a_batch_whose_person_is_flagged_after_it_was_made_does_not_go_to_the_bank(
    volunteer, coordinator, director, march_validated
):
    batch = _batch([march_validated], director)
    _declared(volunteer, "1710.84", by=coordinator)  # 0.01 over, flagged now
    assert _open_excess(volunteer) is not None
    with pytest.raises(ValidationError, match="Plafond annuel dépassé pour") as refused:
        payments.batch_mark_exported(batch=batch, by=director)
    assert str(volunteer) in " ".join(refused.value.messages)
    batch.refresh_from_db()
    assert (batch.status, batch.exported_at) == (PaymentBatch.Status.DRAFT, None)
    assert payments.batch_cancel(batch=batch) == 1
    march_validated.refresh_from_db()
    assert march_validated.batch is None and not PaymentBatch.objects.exists()


def test_direction_answers_the_whole_excess_as_it_stands(
    volunteer, coordinator, director, march_validated
):
    """1 810.83 declared: 100.00 over. A part recovered is not an answer; an answer to an
    amount the page showed before it changed is refused; the whole amount recovered is."""
    _declared(volunteer, "1810.83", by=coordinator)
    excess = _open_excess(volunteer)
    assert excess.amount_over == D("100.00")
    answer = {"outcome": "recovered", "by": director, "told_on": dt.date(2026, 4, 3)}
    with pytest.raises(ValidationError) as refused:
        excess_resolve(excess=excess, recovered_amount=D("99.99"), **answer)
    assert list(refused.value.message_dict) == ["recovered_amount"]
    with pytest.raises(ValidationError, match="Le dépassement a changé entre-temps"):
        excess_resolve(excess=excess, recovered_amount=D("100.00"), seen=D("0.01"), **answer)
    excess.refresh_from_db()
    assert excess.is_open
    resolved = excess_resolve(
        excess=excess, recovered_amount=D("100.00"), seen=D("100.00"), **answer
    )
    assert (resolved.outcome, resolved.recovered_amount) == ("recovered", D("100.00"))
    assert _open_excess(volunteer) is None


def test_an_answer_no_longer_covers_a_new_excess_once_the_year_was_back_within_the_ceiling(
    volunteer, coordinator, director, march_validated
):
    declaration = _declared(volunteer, "1810.83", by=coordinator)  # 100.00 over
    first = _open_excess(volunteer)
    excess_resolve(excess=first, outcome="taxable", by=director, told_on=dt.date(2026, 4, 3))
    declaration_delete(declaration=declaration)  # within the ceiling again
    first.refresh_from_db()
    assert first.outcome == "taxable" and first.superseded_at is not None
    _declared(volunteer, "1770.83", by=coordinator)  # 60.00 over: smaller, but a new case
    again = _open_excess(volunteer)
    assert again is not None and again.pk != first.pk
    assert again.amount_over == D("60.00")
