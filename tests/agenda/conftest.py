import datetime as dt

import pytest

from agenda import sms
from participants import services as participant_services
from tests.factories import ParticipantFactory, ProgrammeFactory


@pytest.fixture(autouse=True)
def sms_outbox():
    """The texts of the in-memory backend, emptied for each test (as Django does for e-mail)."""
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="accompagnement", name="Accompagnement")


@pytest.fixture
def participant(operator, counsellor):
    return ParticipantFactory(
        organization=operator,
        first_name="Bénédicte",
        last_name="Lemaître",
        email="benedicte.lemaitre@example.org",
        phone="0470 12 34 56",
        counsellor=counsellor,
    )


@pytest.fixture
def pathway(participant, programme, counsellor):
    return participant_services.pathway_open(
        participant=participant, programme=programme, started_on=dt.date(2025, 3, 3), by=counsellor
    )
