"""The world of tests/walk.py built once for a whole module, for the tests that open every page as
every role (tests/test_forms_keep_typed.py): built per test it costs a second, and such a module
has hundreds of cases.

It is built in a transaction the module never commits; each test runs in a savepoint of it
(pytest-django's ``db``, as Django's ``TestCase`` nests in ``setUpTestData``'s), so what a test
writes is gone before the next one.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import urlencode

from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from accounts.models import Organization, Role
from chantiers.models import Attendance, MonthlyStatement, StatementCorrection, WorkSession
from participants.models import Participant
from partners import services as partner_services
from partners.models import Referral
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    WorkSessionFactory,
    ceilings_seed_again,
)
from tests.walk import world_rows

# A week of no validated statement.
OPEN_MONDAY = dt.date(2026, 4, 6)


def _member(organization, role):
    return MembershipFactory(organization=organization, role=role).user


def _personas():
    """tests/conftest.py's personas, as its fixtures build them."""
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    other = OrganizationFactory(name="Mission Locale Voisine", slug="ml-voisine")
    housing = OrganizationFactory(
        name="Logement Test", slug="logement-test", kind=Organization.Kind.HOUSING
    )
    personas = {
        "admin": _member(operator, Role.ADMIN),
        "director": _member(operator, Role.DIRECTION),
        "counsellor": _member(operator, Role.COUNSELLOR),
        "coordinator": _member(operator, Role.COORDINATOR),
        "partner": _member(housing, Role.PARTNER),
        "outsider": _member(other, Role.ADMIN),
        "volunteer": _member(operator, Role.VOLUNTEER),
    }
    return operator, housing, personas


def _typed_in_world(world, operator, personas):
    """What the walk's world lacks for each form to be shown: a session and a week whose marks
    can be typed (the walk's, in March, are validated), the corrected month marked on the
    coordinator's chantier (else it is not theirs) with a correction still to settle, a
    statement that a batch can pay, and the partner's signed answer link (made as the e-mail's
    is)."""
    statement = MonthlyStatement.objects.get(pk=world["paths"]["chantiers:corrections"]["pk"])
    week = world["paths"]["chantiers:week_entry"]
    session = WorkSessionFactory(chantier_id=week["pk"], date=OPEN_MONDAY)
    marked = WorkSession.objects.get(pk=world["paths"]["chantiers:session_cancel"]["pk"])
    Attendance.objects.create(
        session=marked, participant=statement.participant, status="present", hours=marked.hours
    )
    StatementCorrection.objects.create(
        statement=statement,
        amount=Decimal("-2.50"),
        reason="Une journée en trop",
        created_by=personas["director"],
    )
    MonthlyStatement.objects.create(
        participant=ParticipantFactory(organization=operator, iban="BE62510007547061"),
        organization=operator,
        month=dt.date(2026, 1, 1),
        days=1,
        amount=Decimal("12.50"),
        status=MonthlyStatement.Status.VALIDATED,
    )
    # The person's address is confidential: direction's page offers the form that shows it.
    Participant.objects.filter(pk=world["paths"]["participants:detail"]["pk"]).update(
        address_confidential=True
    )
    referral = Referral.objects.get(pk=world["paths"]["partners:answer"]["pk"])
    token = partner_services.referral_link_token(referral=referral)
    world["paths"]["chantiers:week_entry"] = week | {
        "year": OPEN_MONDAY.year,
        "month": OPEN_MONDAY.month,
        "day": OPEN_MONDAY.day,
    }
    world["paths"]["chantiers:session_attendance"] = {"pk": session.pk}
    world["queries"] = {"partners:link_answer": {"t": token}}
    return world


@contextmanager
def world_in_transaction(django_db_blocker, media_root):
    """The world, in a transaction rolled back when the ``with`` ends."""
    settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media_root,
    )
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with django_db_blocker.unblock(), settings:
            ceilings_seed_again()
            operator, housing, personas = _personas()
            world = _typed_in_world(world_rows(operator, housing, personas), operator, personas)
        world["media_root"] = media_root  # where the receipt is: a test reads it there
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def url_of(world, name: str) -> str:
    url = reverse(name, kwargs=world["paths"].get(name))
    query = world["queries"].get(name)
    return f"{url}?{urlencode(query)}" if query else url
