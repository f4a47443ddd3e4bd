import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import PathwayFactory
from workshops import services
from workshops.models import Module


@pytest.fixture
def module(operator):
    return services.module_create(
        organization=operator,
        title="Atelier CV et lettre de motivation",
        kind=Module.Kind.WORKSHOP,
        duration_minutes=150,
        facilitator="Nadia (conseillère emploi)",
    )


@pytest.fixture
def epn(operator):
    return services.module_create(
        organization=operator, title="EPN – accès libre accompagné", kind=Module.Kind.EPN
    )


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def past_session(module, counsellor):
    return services.session_plan(
        module=module,
        date=days_ago(7),
        starts_at=dt.time(9, 30),
        room="Salle polyvalente",
        capacity=3,
        by=counsellor,
    )


@pytest.fixture
def coming_session(module, counsellor):
    return services.session_plan(
        module=module,
        date=timezone.localdate() + dt.timedelta(days=7),
        starts_at=dt.time(9, 30),
        capacity=2,
        by=counsellor,
    )


@pytest.fixture
def pathways(operator):
    """Three people of the organization, each with an open pathway started a year ago."""
    started = days_ago(365)
    names = [("Amina", "Benali"), ("Jonas", "Peeters"), ("Fatou", "Diallo")]
    return [
        PathwayFactory(
            participant__organization=operator,
            participant__first_name=first,
            participant__last_name=last,
            started_on=started,
        )
        for first, last in names
    ]


@pytest.fixture
def enrolled(past_session, pathways, counsellor):
    for pathway in pathways:
        services.enrolment_add(session=past_session, pathway=pathway, by=counsellor)
    return past_session
