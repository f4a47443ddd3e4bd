"""Fixtures the volunteers tests share."""

import datetime as dt

import pytest

from participants import services as participant_services
from tests.factories import ParticipantFactory


@pytest.fixture
def volunteer(operator):
    """Someone with no income since 2024: no declaration is due before their days are paid (as
    in the chantiers tests)."""
    person = ParticipantFactory(organization=operator)
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    return person
