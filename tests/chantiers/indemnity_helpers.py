"""Builders the indemnity tests share (declarations elsewhere, ceiling exceeded, mileage,
statement corrections, real costs): an operator that can make payment batches, a volunteer
with an IBAN and an agreement, a declaration, a trip, a month validated or paid, a batch, the
open excess of a year.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year, 2 000 km at 0.4326 €/km by car and
0.37 €/km by bike. The agreements pay 25.00 € a day unless said otherwise.

The fixtures refine tests/conftest.py's ``operator`` and tests/chantiers/conftest.py's
``volunteer`` for the modules that import them, and those modules only (the other chantiers
tests keep the plain ones). Pytest finds a fixture among a module's names, so a test module
imports them; their Python names (``fixture_…``) are not the names the tests ask for, so that
the tests' arguments do not redefine the import.
"""

import datetime as dt

import pytest
from django.utils import timezone

from chantiers import payments
from chantiers.models import Attendance, CeilingExcess, ElsewhereDeclaration, Enrolment
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from chantiers.year_changes import declaration_save
from tests.chantiers.helpers import D, _agreement, _mark
from tests.factories import ChantierFactory, WorkSessionFactory

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
VOLUNTEER_IBAN = "BE74363081011107"


@pytest.fixture(name="operator")
def fixture_operator(operator):
    """The operator with its bank account: batches can be made."""
    operator.iban, operator.bic = "BE56310253082988", "BBRUBEBB"
    operator.sepa_creditor_name = "Mission Locale de Test ASBL"
    operator.save()
    return operator


@pytest.fixture(name="volunteer")
def fixture_volunteer(volunteer):
    """No income (no declaration due), an IBAN, an agreement for 2026 at 25.00 a day."""
    volunteer.iban = VOLUNTEER_IBAN
    volunteer.save()
    _agreement(volunteer, declaration="", declaration_on=None)
    return volunteer


@pytest.fixture(name="march_validated")
def fixture_march_validated(volunteer, coordinator):
    """2 and 3 March validated: 50.00. 1 710.83 may still be declared without crossing."""
    _mark(volunteer, dt.date(2026, 3, 2))
    _mark(volunteer, dt.date(2026, 3, 3))
    return _validated(volunteer, MARCH, coordinator)


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
    """A mark with kilometres on a session of its own (the volunteer in its group), through the
    attendance service."""
    session = WorkSessionFactory(
        chantier=ChantierFactory(organization=volunteer.organization), date=day
    )
    Enrolment.objects.create(chantier=session.chantier, participant=volunteer, status="active")
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
    batch = _batch([statement], director)
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
