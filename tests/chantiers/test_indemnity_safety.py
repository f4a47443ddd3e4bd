"""Indemnities that can never silently cost a volunteer their benefits (DESIGN §4 rules 2, 4
and 6–8, issue 16), each rule at its edges, on the services and the engine: declarations per
calendar year, the "exceeded" state, the 80 % warning, the cent that crosses, a year without
ceilings, mileage within 2 000 km, corrections of validated months, real costs with receipts.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year, 2 000 km at 0.4326 €/km by car and
0.37 €/km by bike. The agreements pay 25.00 € a day unless said otherwise.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
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
    RealCost,
    StatementCorrection,
    VolunteerAgreement,
)
from chantiers.services import (
    Mark,
    attendance_acknowledge,
    attendance_record,
    statement_prepare,
    statement_validate,
)
from chantiers.year_changes import (
    correction_create,
    correction_settle,
    declaration_delete,
    declaration_save,
    excess_resolve,
    real_cost_add,
    real_cost_delete,
)
from participants import services as participant_services
from tests.chantiers.helpers import _agreement, _amounts, _mark
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

D = Decimal
Reason = Attendance.NotPayable

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
VOLUNTEER_IBAN = "BE74363081011107"
EXCEEDED = "Plafond annuel dépassé : la direction doit d'abord indiquer la suite donnée."
TOO_NEGATIVE = "Une correction négative dépasse ce qui est à payer"


@pytest.fixture
def operator(operator):
    """The operator with its bank account: batches can be made."""
    operator.iban, operator.bic = "BE56310253082988", "BBRUBEBB"
    operator.sepa_creditor_name = "Mission Locale de Test ASBL"
    operator.save()
    return operator


@pytest.fixture
def volunteer(volunteer):
    """No income (no declaration due), an IBAN, an agreement for 2026 at 25.00 a day."""
    volunteer.iban = VOLUNTEER_IBAN
    volunteer.save()
    _agreement(volunteer, declaration="", declaration_on=None)
    return volunteer


def _declared(volunteer, amount="0.00", *, km=0, year=2026, by=None):
    """A declaration of what the volunteer received elsewhere in ``year``, through the service
    when someone enters it (the year recomputed), else recorded as it stands."""
    declaration = ElsewhereDeclaration(
        participant=volunteer,
        organization=volunteer.organization,
        year=year,
        amount=D(amount),
        km=km,
        declared_on=dt.date(year, 1, 15),
        source="ASBL Voisine",
    )
    if by is None:
        declaration.save()
    else:
        declaration_save(declaration=declaration, by=by)
    return declaration


def _trip(volunteer, day, coordinator, *, km, vehicle="car", status="present"):
    """A mark with kilometres on a session of its own, through the attendance service."""
    session = WorkSessionFactory(
        chantier=ChantierFactory(organization=volunteer.organization), date=day
    )
    attendance_record(
        session=session,
        marks=[Mark(volunteer.pk, status, km=km, vehicle=vehicle)],
        by=coordinator,
    )
    return Attendance.objects.get(session=session)


def _validated(volunteer, month, by):
    return statement_validate(
        statement=statement_prepare(participant=volunteer, month=month), by=by
    )


def _paid(statement, director):
    """The statement paid by a batch of its own (created, downloaded, executed)."""
    batch = payments.batch_create(
        organization=statement.organization,
        statement_ids=[statement.pk],
        execution_date=timezone.localdate() + dt.timedelta(days=1),
        by=director,
    )
    payments.batch_mark_exported(batch=batch, by=director)
    payments.batch_mark_paid(batch=batch, by=director)
    statement.refresh_from_db()
    return statement


def _batch(statements, director):
    return payments.batch_create(
        organization=statements[0].organization,
        statement_ids=[s.pk for s in statements],
        execution_date=timezone.localdate() + dt.timedelta(days=1),
        by=director,
    )


def _open_excess(volunteer, year=2026):
    return CeilingExcess.objects.filter(participant=volunteer, year=year, outcome="").first()


# Rule 6: declarations per calendar year ---------------------------------------------------------


def test_a_declaration_of_2025_does_not_count_in_2026_inside_one_agreement(volunteer):
    # One agreement from October 2025, no end. 1 650.00 declared for 2025 (ceiling 1 692.51):
    # 2025 has 42.51 left — 25.00, then 17.51; 2026 has its whole ceiling.
    _agreement(
        volunteer,
        starts_on=dt.date(2025, 10, 1),
        ends_on=None,
        signed_on=dt.date(2025, 10, 1),
        organisation_note_given_on=dt.date(2025, 10, 1),
        declaration="",
    )
    _declared(volunteer, "1650.00", year=2025)
    for day in (dt.date(2025, 10, 6), dt.date(2025, 10, 7), dt.date(2026, 3, 2)):
        _mark(volunteer, day)
    last_year = indemnities_recompute(participant=volunteer, year=2025)
    this_year = indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [
        (D("25.00"), ""),
        (D("17.51"), Reason.ANNUAL_CEILING),
        (D("25.00"), ""),
    ]
    assert (last_year.declared_elsewhere, last_year.remaining) == (D("1650.00"), D("0.00"))
    assert (this_year.declared_elsewhere, this_year.remaining) == (D("0.00"), D("1735.83"))


def test_two_declarations_of_one_year_add_up(volunteer):
    # 1 000.00 + 700.00 = 1 700.00 declared: 60.83 left — 25.00, 25.00, then 10.83.
    _declared(volunteer, "1000.00")
    _declared(volunteer, "700.00")
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        _mark(volunteer, day)
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert [amount for amount, _reason in _amounts(volunteer)] == [
        D("25.00"),
        D("25.00"),
        D("10.83"),
    ]
    assert balance.declared_elsewhere == D("1700.00") and balance.remaining == D("0.00")


def test_km_declared_elsewhere_count_against_the_km_cap(volunteer, coordinator):
    # 1 200 + 750 = 1 950 km declared: 50 km left of the 2 000.
    _declared(volunteer, km=1200)
    _declared(volunteer, km=750)
    trip = _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=80)
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert (trip.km, trip.km_paid) == (80, 50)
    assert (balance.km_declared, balance.km_used, balance.km_remaining) == (1950, 50, 0)


@pytest.mark.parametrize(
    ("amount", "km", "declared_on", "message"),
    [
        ("-0.01", 0, dt.date(2026, 1, 15), "ne peut pas être négatif"),
        ("0.00", 0, dt.date(2026, 1, 15), "Indiquez un montant ou des kilomètres"),
        ("10.00", 0, None, "ne peut pas être dans le futur"),
    ],
)
def test_a_declaration_says_something_true_by_today(
    volunteer, coordinator, amount, km, declared_on, message
):
    declaration = ElsewhereDeclaration(
        participant=volunteer,
        year=2026,
        amount=D(amount),
        km=km,
        declared_on=declared_on or timezone.localdate() + dt.timedelta(days=1),
        source="ASBL Voisine",
    )
    with pytest.raises(ValidationError, match=message):
        declaration_save(declaration=declaration, by=coordinator)
    assert not ElsewhereDeclaration.objects.exists()


def test_a_declaration_records_who_entered_it_for_the_persons_organization(volunteer, coordinator):
    declaration = _declared(volunteer, "100.005", by=coordinator)
    declaration.refresh_from_db()
    assert (declaration.entered_by, declaration.organization) == (
        coordinator,
        volunteer.organization,
    )
    assert declaration.amount == D("100.01")  # half up to the cent


@contextmanager
def _before_0008():
    """The database migrated back to 0007, the old models to write with; forward again after
    (a fresh graph: the state moved)."""
    before = [("chantiers", "0007_incident_follow_up")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        yield executor.loader.project_state(before).apps
    finally:
        MigrationExecutor(connection).migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_agreements_amount_to_its_start_year(operator):
    """0008: the amount on an agreement was "received elsewhere the year it starts"; it becomes
    one declaration of that year — the largest when several agreements started in one year."""
    amina = ParticipantFactory(organization=operator, last_name="Aubry")
    bruno = ParticipantFactory(organization=operator, last_name="Bernard")
    with _before_0008() as old_apps:
        agreement = old_apps.get_model("chantiers", "VolunteerAgreement")
        for person, starts_on, amount in [
            (amina, dt.date(2025, 1, 6), "300.00"),
            (amina, dt.date(2025, 9, 1), "450.00"),
            (amina, dt.date(2026, 1, 5), "0.00"),  # nothing declared: nothing moved
            (bruno, dt.date(2026, 2, 2), "120.00"),
        ]:
            agreement.objects.create(
                participant_id=person.pk,
                organization_id=operator.pk,
                starts_on=starts_on,
                daily_rate=D("25.00"),
                amount_from_others=D(amount),
            )
    rows = ElsewhereDeclaration.objects.order_by("participant__last_name", "year").values_list(
        "participant", "organization", "year", "amount", "km", "declared_on", "entered_by"
    )
    assert list(rows) == [
        (amina.pk, operator.pk, 2025, D("450.00"), 0, dt.date(2025, 9, 1), None),
        (bruno.pk, operator.pk, 2026, D("120.00"), 0, dt.date(2026, 2, 2), None),
    ]


def test_the_2026_km_rates_are_in_the_ceilings_table(db):
    ceiling = IndemnityCeiling.objects.get(year=2026)
    assert (ceiling.km_cap, ceiling.km_rate_car, ceiling.km_rate_bike) == (
        2000,
        D("0.4326"),
        D("0.3700"),
    )


# Rule 7: exceeded is a state, never a silence ----------------------------------------------------


@pytest.fixture
def march_validated(volunteer, coordinator):
    """2 and 3 March validated: 50.00. 1 710.83 may still be declared without crossing."""
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    return _validated(volunteer, MARCH, coordinator)


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


# Rule 2: the 80 % warning and the cent that crosses ----------------------------------------------


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


# Rule 4: a year without ceilings -----------------------------------------------------------------


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


# Rule 8: mileage ---------------------------------------------------------------------------------


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


# Rule 8: corrections of validated months ---------------------------------------------------------


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


# Rule 8: real costs with receipts ----------------------------------------------------------------


NO_REAL_COSTS = "Pas de convention au régime des frais réels couvrant ce jour."
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def spender(operator):
    """No income, an IBAN, a signed agreement for 2026 under the real-costs regime."""
    person = ParticipantFactory(organization=operator, iban="BE71096123456769")
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    _agreement(person, scheme="real_costs", declaration="", declaration_on=None)
    return person


def _cost(person, day=dt.date(2026, 3, 10), amount="23.40", *, receipt=True):
    return RealCost(
        participant=person,
        date=day,
        amount=D(amount),
        description="Gants de travail",
        receipt=SimpleUploadedFile("ticket.jpg", JPEG) if receipt else None,
    )


def test_real_costs_are_refused_to_someone_under_the_flat_rate(volunteer, coordinator):
    with pytest.raises(ValidationError, match=NO_REAL_COSTS) as refused:
        real_cost_add(cost=_cost(volunteer), by=coordinator)
    assert list(refused.value.message_dict) == ["date"]
    assert not RealCost.objects.exists()


def test_real_costs_are_refused_outside_the_real_costs_agreement(spender, coordinator):
    VolunteerAgreement.objects.filter(participant=spender).update(ends_on=dt.date(2026, 3, 9))
    with pytest.raises(ValidationError, match=NO_REAL_COSTS):
        real_cost_add(cost=_cost(spender, dt.date(2026, 3, 10)), by=coordinator)
    assert real_cost_add(cost=_cost(spender, dt.date(2026, 3, 9)), by=coordinator).pk


@pytest.mark.parametrize(
    ("fields", "income", "label"),
    [
        ({"signed_on": None}, "none", Reason.NOT_SIGNED.label),
        ({"signed_on": dt.date(2026, 3, 11)}, "none", Reason.NOT_SIGNED.label),  # the day after
        ({"organisation_note_given_on": None}, "none", Reason.NOTE_MISSING.label),
        ({}, "unemployment", Reason.DECLARATION_MISSING.label),  # no C45B filed
    ],
)
def test_real_costs_wait_for_the_paperwork_and_say_which(
    spender, coordinator, fields, income, label
):
    VolunteerAgreement.objects.filter(participant=spender).update(**fields)
    if income != "none":
        participant_services.income_source_change(
            participant=spender, kind=income, starts_on=dt.date(2026, 1, 1)
        )
    with pytest.raises(ValidationError) as refused:
        real_cost_add(cost=_cost(spender), by=coordinator)
    assert refused.value.message_dict == {"date": [str(label)]}
    assert not RealCost.objects.exists()


def test_real_costs_with_the_declaration_their_income_requires_are_accepted(spender, coordinator):
    participant_services.income_source_change(
        participant=spender, kind="unemployment", starts_on=dt.date(2026, 1, 1)
    )
    VolunteerAgreement.objects.filter(participant=spender).update(
        declaration="c45b", declaration_on=dt.date(2026, 1, 1)
    )
    assert real_cost_add(cost=_cost(spender), by=coordinator).amount == D("23.40")


def test_real_costs_of_tomorrow_are_refused(spender, coordinator):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    VolunteerAgreement.objects.filter(participant=spender).update(ends_on=None)
    with pytest.raises(ValidationError) as refused:
        real_cost_add(cost=_cost(spender, tomorrow), by=coordinator)
    assert refused.value.message_dict == {"date": ["La date ne peut pas être dans le futur."]}
    assert not RealCost.objects.exists()


def test_real_costs_need_their_receipt_and_a_positive_amount(spender, coordinator):
    with pytest.raises(ValidationError) as refused:
        real_cost_add(cost=_cost(spender, amount="0.00", receipt=False), by=coordinator)
    assert refused.value.message_dict == {
        "amount": ["Le montant doit être positif."],
        "receipt": ["Joignez le ticket ou la facture."],
    }
    assert not RealCost.objects.exists()


def test_real_costs_in_a_validated_month_are_refused(spender, coordinator):
    _validated(spender, MARCH, coordinator)  # nothing that month, validated all the same
    with pytest.raises(ValidationError, match="Le mois de cette dépense est validé"):
        real_cost_add(cost=_cost(spender), by=coordinator)
    assert not RealCost.objects.exists()


def test_real_costs_are_kept_with_who_entered_them_and_rounded(operator, spender, coordinator):
    cost = real_cost_add(cost=_cost(spender, amount="12.345"), by=coordinator)
    cost.refresh_from_db()
    assert (cost.organization, cost.entered_by, cost.amount) == (operator, coordinator, D("12.35"))


def test_real_costs_do_not_count_against_the_flat_rate_ceiling(spender, coordinator):
    # 1 700.00 received elsewhere: 60.83 left of the flat ceiling, whatever the receipts say.
    _declared(spender, "1700.00", by=coordinator)
    before = indemnities_recompute(participant=spender, year=2026)
    real_cost_add(cost=_cost(spender, amount="500.00"), by=coordinator)
    after = indemnities_recompute(participant=spender, year=2026)
    assert (after.paid, after.validated, after.total, after.remaining) == (
        before.paid,
        before.validated,
        before.total,
        D("60.83"),
    )
    assert not after.exceeded and not CeilingExcess.objects.exists()


def test_the_statement_sums_the_months_real_costs(spender, coordinator):
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 2), "500.00"), by=coordinator)
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 31), "12.34"), by=coordinator)
    real_cost_add(cost=_cost(spender, dt.date(2026, 4, 1), "7.00"), by=coordinator)
    march = statement_prepare(participant=spender, month=MARCH)
    assert (march.amount, march.mileage, march.real_costs, march.to_pay) == (
        D("0.00"),
        D("0.00"),
        D("512.34"),
        D("512.34"),
    )
    assert statement_prepare(participant=spender, month=APRIL).real_costs == D("7.00")


def test_a_real_cost_is_deleted_while_its_month_is_open_only(spender, coordinator):
    march_cost = real_cost_add(cost=_cost(spender, dt.date(2026, 3, 10)), by=coordinator)
    april_cost = real_cost_add(cost=_cost(spender, dt.date(2026, 4, 10)), by=coordinator)
    real_cost_delete(cost=march_cost)
    _validated(spender, APRIL, coordinator)
    with pytest.raises(ValidationError, match="Le mois de cette dépense est validé"):
        real_cost_delete(cost=april_cost)
    assert list(RealCost.objects.all()) == [april_cost]


def test_the_sepa_transfer_is_the_flat_rate_the_mileage_and_the_real_costs(
    volunteer, spender, coordinator, director
):
    # Under the flat rate: 25.00 and 100 km by car (43.26). Under real costs: 23.40 + 10.00.
    _trip(volunteer, dt.date(2026, 3, 2), coordinator, km=100)
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 10), "23.40"), by=coordinator)
    real_cost_add(cost=_cost(spender, dt.date(2026, 3, 11), "10.00"), by=coordinator)
    flat, real = _validated(volunteer, MARCH, coordinator), _validated(spender, MARCH, coordinator)
    batch = _batch([flat, real], director)
    transfers = {t.statement: t.amount for t in payments.batch_transfers(batch=batch)}
    assert transfers == {flat: D("68.26"), real: D("33.40")}
    assert all(amount == s.amount + s.mileage + s.real_costs for s, amount in transfers.items())
    assert batch.total == D("101.66")


# The review of issue 16: each fix at its edge --------------------------------------------------


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


@pytest.mark.parametrize(("validated", "refused"), [(True, True), (False, False)])
def test_the_scheme_of_an_agreement_whose_year_is_validated_stays(
    volunteer, coordinator, validated, refused
):
    from chantiers.forms import AgreementForm

    agreement = VolunteerAgreement.objects.get(participant=volunteer)
    _mark(volunteer, dt.date(2026, 3, 2))
    if validated:
        _validated(volunteer, MARCH, coordinator)
    else:
        statement_prepare(participant=volunteer, month=MARCH)  # a draft only
    data = {
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "scheme": "real_costs",
        "daily_rate": "25.00",
        "signed_on": "2026-01-01",
        "organisation_note_given_on": "2026-01-01",
        "insurance_policy": "",
        "declaration": "",
        "declaration_on": "",
    }
    form = AgreementForm(data, instance=agreement)
    if refused:
        assert not form.is_valid()
        assert "nouvelle convention" in " ".join(form.errors["scheme"])
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["scheme"] == "real_costs"


def test_declarations_real_costs_corrections_and_answers_are_in_the_audit_log(
    volunteer, spender, coordinator, director, march_validated
):
    from auditlog.models import LogEntry

    def entries(instance, pk=None):
        return LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_pk=str(pk or instance.pk),
        )

    declaration = ElsewhereDeclaration(
        participant=volunteer,
        year=2026,
        amount=D("1710.84"),
        declared_on=dt.date(2026, 4, 2),
        source="ASBL Voisine",
        proof_file=SimpleUploadedFile("attestation.jpg", JPEG),
    )
    declaration_save(declaration=declaration, by=coordinator)
    assert declaration.proof_file  # the file was kept…
    excess = _open_excess(volunteer)
    excess_resolve(excess=excess, outcome="taxable", by=director, told_on=dt.date(2026, 4, 3))
    cost = real_cost_add(cost=_cost(spender), by=coordinator)
    correction = correction_create(
        statement=march_validated, amount=D("-10.00"), km=0, reason="Erreur", by=coordinator
    )
    created = [entries(declaration), entries(cost), entries(correction)]
    for rows in created:
        assert rows.filter(action=LogEntry.Action.CREATE).count() == 1
    assert "proof_file" not in created[0].get().changes_dict  # …not its trace in the log
    assert "receipt" not in created[1].get().changes_dict
    answered = entries(excess).get(action=LogEntry.Action.UPDATE)
    assert answered.changes_dict["outcome"] == ["", "taxable"]
    pks = [declaration.pk, cost.pk, correction.pk]
    declaration_delete(declaration=declaration)
    real_cost_delete(cost=cost)
    correction.delete()
    for instance, pk in zip((declaration, cost, correction), pks, strict=True):
        deleted = entries(instance, pk).get(action=LogEntry.Action.DELETE)
        assert not {"proof_file", "receipt"} & set(deleted.changes_dict)


@pytest.mark.django_db(transaction=True)
def test_the_migration_flags_a_year_already_over_and_goes_back_to_the_agreements_amount(
    operator, legal_ceilings
):
    """Forward: 1 750.00 received elsewhere and March validated at 50.00 is 39.17 above the
    2026 ceiling (1 760.83): flagged at once. Backward: a year's declared amounts added up on
    the agreement starting that year, kilometres aside."""
    flagged = ParticipantFactory(organization=operator, last_name="Aubry")
    declared = ParticipantFactory(organization=operator, last_name="Bernard")
    with _before_0008() as old_apps:
        old_apps.get_model("chantiers", "VolunteerAgreement").objects.create(
            participant_id=flagged.pk,
            organization_id=operator.pk,
            starts_on=dt.date(2026, 1, 1),
            daily_rate=D("25.00"),
            amount_from_others=D("1750.00"),
        )
        old_apps.get_model("chantiers", "MonthlyStatement").objects.create(
            participant_id=flagged.pk,
            organization_id=operator.pk,
            month=MARCH,
            days=2,
            amount=D("50.00"),
            status="validated",
        )
    excess = CeilingExcess.objects.get(participant=flagged)
    assert (excess.year, excess.amount_over, excess.outcome) == (2026, D("39.17"), "")

    agreement = _agreement(declared, declaration="", declaration_on=None)
    for amount, km in [("300.00", 0), ("200.00", 0), ("0.00", 500)]:
        _declared(declared, amount, km=km)
    with _before_0008() as old_apps:
        old = old_apps.get_model("chantiers", "VolunteerAgreement").objects.get(pk=agreement.pk)
        assert old.amount_from_others == D("500.00")


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
