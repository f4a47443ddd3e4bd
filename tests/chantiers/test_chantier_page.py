"""The chantier page and the agreement PDF it links to: who may see them, what they say."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLog, Role
from chantiers.models import Enrolment
from tests.chantiers.helpers import _member
from tests.factories import ChantierFactory, MembershipFactory, ParticipantFactory

D = Decimal


@pytest.fixture
def chantier(operator, coordinator, housing):
    chantier = ChantierFactory(organization=operator, host=housing, name="Peinture des halls")
    chantier.coordinators.add(coordinator)
    return chantier


def test_the_page_shows_what_paperwork_is_missing(client, coordinator, chantier):
    _member(chantier, last_name="Enordre")
    _member(chantier, income="unemployment", declaration="", last_name="Sansdeclaration")
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:detail", args=[chantier.pk]))
    missing = {
        row["enrolment"].participant.last_name: row["missing"] for row in response.context["group"]
    }
    assert missing == {
        "Enordre": "",
        "Sansdeclaration": "Déclaration requise par la source de revenus pas faite",
    }


@pytest.mark.parametrize(
    "persona,expected",
    [("coordinator", 200), ("director", 200), ("counsellor", 403), ("partner", 403)],
)
def test_chantier_page_and_pdf_by_role(client, personas, persona, expected, chantier):
    _person, agreement = _member(chantier)
    client.force_login(personas[persona])
    assert client.get(reverse("chantiers:detail", args=[chantier.pk])).status_code == expected
    assert (
        client.get(reverse("chantiers:agreement_pdf", args=[agreement.pk])).status_code == expected
    )


def test_another_coordinators_chantier_and_its_agreements_answer_404(client, operator, chantier):
    _person, agreement = _member(chantier)
    other = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    client.force_login(other)
    assert client.get(reverse("chantiers:detail", args=[chantier.pk])).status_code == 404
    assert client.get(reverse("chantiers:agreement_pdf", args=[agreement.pk])).status_code == 404


def test_a_coordinator_cannot_print_a_strangers_agreement(client, coordinator, operator):
    from chantiers.models import VolunteerAgreement

    mine = ChantierFactory(organization=operator)
    mine.coordinators.add(coordinator)
    stranger = ParticipantFactory(organization=operator)
    agreement = VolunteerAgreement.objects.create(
        participant=stranger,
        organization=operator,
        starts_on=dt.date(2026, 1, 1),
        daily_rate=D("10.00"),
    )
    client.force_login(coordinator)
    url = reverse("chantiers:agreement_pdf", args=[agreement.pk])
    assert client.get(url).status_code == 404
    Enrolment.objects.create(chantier=mine, participant=stranger, status="active")
    assert client.get(url).status_code == 200


def test_the_agreement_pdf_says_what_the_volunteer_signs(
    client, coordinator, chantier, legal_ceilings
):
    person, agreement = _member(chantier, income="unemployment", declaration="c45b")
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:agreement_pdf", args=[agreement.pk]))
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(page.extract_text() for page in pages)
    text = text.replace("\xa0", " ").replace("\u202f", " ")  # the PDF keeps "12,50 €" together
    assert len(pages) == 2
    assert person.last_name.upper() in text
    assert (
        "12,50 €" in text
        and "44,02 €" in text
        and "1 760,83 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    )
    assert "C45B" in text and "RC 45.123" in text
    assert "Note d'organisation" in text and "page 2 / 2" in text
    entry = AccessLog.objects.get(action="print")
    assert (entry.user, entry.object_id) == (coordinator, str(person.pk))


def test_the_agreement_pdfs_running_header_prints_a_name_with_an_apostrophe(
    client, coordinator, chantier, legal_ceilings
):
    person, agreement = _member(chantier, last_name="D'Hondt")
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:agreement_pdf", args=[agreement.pk]))
    page_two = PdfReader(io.BytesIO(response.content)).pages[1].extract_text()
    # the header of page 2 is the running title (the body's name is on page 1)
    assert f"{person.first_name} D'HONDT" in page_two and "&#x27;" not in page_two


@pytest.mark.parametrize("size", [3, 15])
def test_the_chantier_page_query_count_does_not_grow_with_the_group(
    client, coordinator, chantier, size, django_assert_num_queries
):
    for _ in range(size):
        _member(chantier)
    client.force_login(coordinator)
    # session, user, memberships, savepoints ×2, chantier, figures ×2 (sessions held with their
    # marks, open incidents; the group's size from the group's rows), next sessions, group,
    # agreements, incomes
    with django_assert_num_queries(12):
        client.get(reverse("chantiers:detail", args=[chantier.pk]))


def test_the_attendance_rate_reads_as_the_hosts_half_up_not_floats_round(
    client, coordinator, chantier
):
    from chantiers.models import Attendance
    from tests.factories import WorkSessionFactory

    person, _agreement = _member(chantier)
    for day in range(8):  # 1 present of 8 marks: 12.5 %
        Attendance.objects.create(
            session=WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2 + day)),
            participant=person,
            status="present" if day == 0 else "unexcused",
            hours=4 if day == 0 else 0,
        )
    client.force_login(coordinator)
    page = client.get(reverse("chantiers:detail", args=[chantier.pk])).content.decode()
    # {% widthratio %} read 12 (a float, rounded half to even); the host's page says 13
    assert '<div class="stat-value" data-testid="attendance-rate">13</div>' in page
