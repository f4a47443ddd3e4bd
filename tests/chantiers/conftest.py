"""Fixtures the chantiers tests share."""

import datetime as dt
from decimal import Decimal

import pytest

from chantiers.models import Enrolment, VolunteerAgreement
from participants import services as participant_services
from tests.factories import ParticipantFactory


@pytest.fixture
def volunteer(operator):
    """Someone with no income since 2024: no declaration is due before their days are paid."""
    person = ParticipantFactory(organization=operator)
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    return person


@pytest.fixture
def group(operator, session):
    """Three members of the group of the module's ``session``, paperwork complete (20 € a
    day)."""
    people = ParticipantFactory.create_batch(3, organization=operator)
    for person in people:
        Enrolment.objects.create(chantier=session.chantier, participant=person, status="active")
        participant_services.income_source_change(
            participant=person, kind="none", starts_on=dt.date(2025, 1, 1)
        )
        VolunteerAgreement.objects.create(
            participant=person,
            organization=operator,
            starts_on=dt.date(2026, 1, 1),
            daily_rate=Decimal("20.00"),
            signed_on=dt.date(2026, 1, 1),
            organisation_note_given_on=dt.date(2026, 1, 1),
            declaration="none",
        )
    return people
