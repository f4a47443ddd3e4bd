"""Fixtures the chantiers tests share."""

import datetime as dt
from decimal import Decimal

import pytest

from participants import services as participant_services
from tests.chantiers.helpers import _group
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
def group(session):
    """Three members of the group of the module's ``session``, paperwork complete (20 € a
    day)."""
    return _group(session.chantier, 3, daily_rate=Decimal("20.00"))
