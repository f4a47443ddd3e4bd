import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organization, Role, User
from demo.participants import national_number_for


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Mission Locale {n}")
    slug = factory.Sequence(lambda n: f"ml-{n}")
    kind = Organization.Kind.OPERATOR


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("correct horse battery")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.COUNSELLOR


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = "participants.Programme"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"prog-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = "participants.Participant"

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = factory.Sequence(lambda n: datetime.date(1980, 1, 1) + datetime.timedelta(days=n))
    gender = "F"
    nationality_group = "BE"
    national_number = factory.LazyAttributeSequence(
        lambda o, n: national_number_for(o.birth_date, 2 + 2 * (n % 400))
    )


class PathwayFactory(DjangoModelFactory):
    class Meta:
        model = "participants.Pathway"

    participant = factory.SubFactory(ParticipantFactory)
    programme = factory.SubFactory(
        ProgrammeFactory, organization=factory.SelfAttribute("..participant.organization")
    )
    started_on = datetime.date(2025, 1, 6)


class ChantierFactory(DjangoModelFactory):
    class Meta:
        model = "chantiers.Chantier"

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"ch-{n}")
    name = factory.Sequence(lambda n: f"Chantier {n}")
    site_address = "Rue Wayez 12, 1070 Anderlecht"
    trade = "painting"
    starts_on = datetime.date(2026, 1, 5)


class WorkSessionFactory(DjangoModelFactory):
    class Meta:
        model = "chantiers.WorkSession"

    chantier = factory.SubFactory(ChantierFactory)
    date = datetime.date(2026, 3, 2)
    starts_at = datetime.time(9, 0)
    ends_at = datetime.time(13, 0)
    status = "held"


def ceilings_seed_again() -> None:
    """What the data migrations put in the ceilings table (the amounts, then the km rates),
    written again: a flush empties it."""
    import importlib

    from django.apps import apps

    importlib.import_module("chantiers.migrations.0002_seed_ceilings").seed(apps, None)
    importlib.import_module("chantiers.migrations.0008_indemnity_safety").rates_2026(apps, None)


def ceiling_of_year(year: int):
    """The year's legal ceiling and kilometre rates: seeded up to 2026, a later year (the tests
    that follow today's date) gets 2026's amounts."""
    from decimal import Decimal

    from chantiers.models import IndemnityCeiling

    ceiling, _created = IndemnityCeiling.objects.get_or_create(
        year=year,
        defaults={
            "daily": Decimal("44.02"),
            "annual": Decimal("1760.83"),
            "km_rate_car": Decimal("0.4326"),
            "km_rate_bike": Decimal("0.3700"),
        },
    )
    return ceiling
