"""The participant's page says the year's indemnities of a volunteer of the organization's
chantiers (DESIGN §4 rule 2, issue 16): the ceiling, what was paid here, what is declared
received elsewhere, the balance, and the warning from 80 % — the cent below and the cent at it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from chantiers.models import Attendance, ElsewhereDeclaration, IndemnityCeiling
from tests.chantiers.helpers import _member
from tests.factories import (
    ChantierFactory,
    ParticipantFactory,
    WorkSessionFactory,
    ceiling_of_year,
)

WARNING = "Plafond annuel atteint à 80 %"


@pytest.fixture
def year_ceiling(legal_ceilings):
    """This year's ceiling (seeded up to 2026; a later year gets 2026's amounts)."""
    return ceiling_of_year(timezone.localdate().year)


@pytest.fixture
def volunteer(operator, year_ceiling):
    chantier = ChantierFactory(organization=operator)
    person, agreement = _member(chantier)
    agreement.starts_on = dt.date(year_ceiling.year, 1, 1)
    agreement.save()
    return person, agreement, chantier


def _declared(person, year, amount):
    """What the person declared receiving elsewhere in ``year`` (rule 6: per calendar year)."""
    return ElsewhereDeclaration.objects.create(
        participant=person,
        organization=person.organization,
        year=year,
        amount=amount,
        declared_on=dt.date(year, 1, 1),
        source="ASBL Voisine",
    )


def _page(client, counsellor, person):
    client.force_login(counsellor)
    return client.get(reverse("participants:detail", args=[person.pk])).content.decode()


def test_a_volunteer_sees_the_balance_of_the_year(client, counsellor, volunteer, year_ceiling):
    person, _agreement, chantier = volunteer
    session = WorkSessionFactory(chantier=chantier, date=timezone.localdate())
    Attendance.objects.create(
        session=session, participant=person, status="present", hours=4, indemnity=Decimal("12.50")
    )
    _declared(person, year_ceiling.year, Decimal("100.00"))
    page = _page(client, counsellor, person)
    assert f"Défraiements {year_ceiling.year}" in page
    remaining = year_ceiling.annual - Decimal("112.50")
    for amount in (year_ceiling.annual, Decimal("12.50"), Decimal("100.00"), remaining):
        shown = f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")
        assert shown in page.replace("\xa0", "\u202f"), amount
    assert WARNING not in page


@pytest.mark.parametrize(("cents_from_80", "warned"), [(-1, False), (0, True)])
def test_the_warning_starts_at_80_percent_exactly(
    client, counsellor, volunteer, year_ceiling, cents_from_80, warned
):
    person, _agreement, _chantier = volunteer
    at_80 = (year_ceiling.annual * Decimal("0.80")).quantize(Decimal("0.01"), rounding="ROUND_UP")
    _declared(person, year_ceiling.year, at_80 + Decimal(cents_from_80) / 100)
    assert (WARNING in _page(client, counsellor, person)) is warned


def test_someone_who_never_volunteered_here_has_no_such_section(client, counsellor, operator):
    person = ParticipantFactory(organization=operator)
    assert "Défraiements" not in _page(client, counsellor, person)


def test_a_year_without_a_ceiling_says_so(client, counsellor, volunteer, year_ceiling):
    person, _agreement, _chantier = volunteer
    IndemnityCeiling.objects.filter(pk=year_ceiling.pk).delete()
    page = _page(client, counsellor, person)
    assert f"Aucun plafond de défraiement n'est configuré pour {year_ceiling.year}" in page


@pytest.mark.parametrize("marks", [1, 12])
def test_the_section_reads_the_same_whatever_the_marks(
    client, counsellor, volunteer, django_assert_num_queries, marks
):
    person, _agreement, chantier = volunteer
    for day in range(marks):
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 1, 5 + day))
        Attendance.objects.create(
            session=session, participant=person, status="present", hours=4, indemnity=1
        )
    client.force_login(counsellor)
    # The section reads whether the person volunteers here, the ceiling, the amounts by the state
    # of their month (marks and service sheets), the corrections, the declarations and the open
    # excess: the same count for 1 mark and for 12 (the page's other sections included: the
    # documents' is one query, the appointments' two, the trainings' three, the modules' two —
    # tests/participants/test_participant_pages.py).
    with django_assert_num_queries(28):
        client.get(reverse("participants:detail", args=[person.pk]))
