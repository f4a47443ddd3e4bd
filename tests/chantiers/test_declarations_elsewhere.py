"""What a volunteer received elsewhere, declared per calendar year (DESIGN §4 rule 6, issue
16), so that it can never silently cost them their benefits: each year counts its own
declarations, in euros and in kilometres, even inside one agreement; a declaration says something
true by today and who entered it. Migration 0008 moved each agreement's amount into a declaration
of its start year, flagged a year already over its ceiling, and goes back.

2026 ceilings (seeded): 1 760.83 € a year, 2 000 km; 2025: 1 692.51 €. The agreements pay 25.00 €
a day unless said otherwise (tests/chantiers/indemnity_helpers.py).
"""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from chantiers.indemnities import indemnities_recompute
from chantiers.models import Attendance, CeilingExcess, ElsewhereDeclaration
from chantiers.year_changes import declaration_save
from tests.chantiers.helpers import D, _agreement, _amounts, _mark
from tests.chantiers.indemnity_helpers import (
    MARCH,
    _declared,
    _trip,
    fixture_operator,  # noqa: F401
    fixture_volunteer,  # noqa: F401
)
from tests.factories import ParticipantFactory

Reason = Attendance.NotPayable


# Rule 6: declarations per calendar year -----------------------------------------------------------


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


# Migration 0008: the agreement's amount becomes declarations, and back ----------------------------


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
