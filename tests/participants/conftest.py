import datetime as dt

import pytest

from participants import services
from tests.factories import ParticipantFactory, ProgrammeFactory


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def participant(operator, counsellor):
    return ParticipantFactory(
        organization=operator,
        first_name="Bénédicte",
        last_name="Lemaître",
        phone="0470 12 34 56",
        counsellor=counsellor,
    )


@pytest.fixture
def pathway(participant, programme, counsellor):
    return services.pathway_open(
        participant=participant, programme=programme, started_on=dt.date(2025, 3, 3), by=counsellor
    )
