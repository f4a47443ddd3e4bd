"""Builders the chantiers tests share: a member of a chantier's group with a signed agreement, a
whole group of them, an agreement on its own, a mark and the amounts the marks were given.

Their names keep the leading underscore the tests call them by (``group`` and ``member`` are
fixtures' names in several modules)."""

import datetime as dt
from decimal import Decimal

from chantiers.models import Attendance, Enrolment, VolunteerAgreement
from participants import services as participant_services
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

D = Decimal


def _member(chantier, *, declaration="none", income="none", last_name=None):
    """An active member of the chantier's group, income and agreement (12.50 a day from 2026)
    signed: returns the person and the agreement."""
    person = ParticipantFactory(
        organization=chantier.organization, **({"last_name": last_name} if last_name else {})
    )
    participant_services.income_source_change(
        participant=person, kind=income, starts_on=dt.date(2024, 1, 1)
    )
    Enrolment.objects.create(chantier=chantier, participant=person, status="active")
    agreement = VolunteerAgreement.objects.create(
        participant=person,
        organization=chantier.organization,
        chantier=chantier,
        starts_on=dt.date(2026, 1, 1),
        daily_rate=Decimal("12.50"),
        signed_on=dt.date(2026, 1, 1),
        organisation_note_given_on=dt.date(2026, 1, 1),
        declaration=declaration,
        declaration_on=dt.date(2026, 1, 1) if declaration else None,
        insurance_policy="RC 45.123",
    )
    return person, agreement


def _group(chantier, size, daily_rate=Decimal("12.50")):
    """``size`` active members with no income, each with a signed agreement (12.50 a day)."""
    people = ParticipantFactory.create_batch(size, organization=chantier.organization)
    for person in people:
        participant_services.income_source_change(
            participant=person, kind="none", starts_on=dt.date(2025, 1, 1)
        )
        Enrolment.objects.create(chantier=chantier, participant=person, status="active")
        VolunteerAgreement.objects.create(
            participant=person,
            organization=chantier.organization,
            starts_on=dt.date(2026, 1, 1),
            daily_rate=daily_rate,
            signed_on=dt.date(2026, 1, 1),
            organisation_note_given_on=dt.date(2026, 1, 1),
            declaration="none",
        )
    return people


def _agreement(volunteer, **fields):
    """A signed agreement for 2026 at 25.00 a day, a C45B filed; ``fields`` change any of it."""
    values = {
        "participant": volunteer,
        "organization": volunteer.organization,
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "daily_rate": D("25.00"),
        "signed_on": dt.date(2026, 1, 1),
        "organisation_note_given_on": dt.date(2026, 1, 1),
        "declaration": VolunteerAgreement.Declaration.C45B,
        "declaration_on": dt.date(2025, 12, 20),
    }
    return VolunteerAgreement.objects.create(**(values | fields))


def _mark(volunteer, day, status="present", chantier=None, starts_at=dt.time(9, 0)):
    """A mark on a session of its own (three hours), on a new chantier unless one is given."""
    session = WorkSessionFactory(
        chantier=chantier or ChantierFactory(organization=volunteer.organization),
        date=day,
        starts_at=starts_at,
        ends_at=dt.time(starts_at.hour + 3, 0),
    )
    return Attendance.objects.create(
        session=session, participant=volunteer, status=status, hours=session.hours
    )


def _amounts(volunteer):
    """(indemnity, reason not paid) of each of the volunteer's marks, in the order of the days."""
    rows = Attendance.objects.filter(participant=volunteer).order_by(
        "session__date", "session__starts_at"
    )
    return [(a.indemnity, a.not_payable) for a in rows]
