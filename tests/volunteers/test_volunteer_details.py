"""A volunteer's details changed by the team (issue 21): coordinators and direction change the
contact (not the log-in), the address — a confidential one neither shown nor overwritten for a
role that may not see it —, the IBAN (validated as on the participant's record) and the income
source (through ``income_source_change``: the history kept, the days since recomputed). The
form's opening is logged; a refusal keeps everything typed; every other role 403, another
organisation's volunteer 404; its queries do not grow with the person's history.
"""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AccessLog, Role
from chantiers.models import ServiceSheet
from participants import services as participant_services
from participants.confidential import address_edit_allow
from participants.models import IncomeSource
from tests.factories import MembershipFactory, PathwayFactory
from tests.volunteers.test_staff_pages import _sheet, _volunteer

D = Decimal
IBAN = "BE74 3630 8101 1107"


def _url(volunteer) -> str:
    return reverse("volunteers:details", args=[volunteer.pk])


def _typed(**changes) -> dict:
    data = {
        "phone": "0470 99 88 77",
        "email": "aline.nouvelle@example.org",
        "street": "Rue Haute 12",
        "postcode": "1000",
        "commune": "",
        "iban": IBAN,
        "kind": "",
        "starts_on": "",
    }
    return data | changes


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def relay(operator, coordinator, legal_ceilings):
    return _volunteer(operator, coordinator)


# Who may open it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("director", 200), ("counsellor", 403), ("admin", 403)],
)
def test_the_page_by_role(client, personas, persona, status, relay):
    client.force_login(personas[persona])
    assert client.get(_url(relay)).status_code == status
    if status == 403:
        assert client.post(_url(relay), _typed()).status_code == 403
        relay.participant.refresh_from_db()
        assert relay.participant.phone == ""


def test_the_volunteer_role_cannot_change_details(client, operator, relay):
    client.force_login(MembershipFactory(organization=operator, role=Role.VOLUNTEER).user)
    assert client.get(_url(relay)).status_code == 403
    assert client.post(_url(relay), _typed()).status_code == 403


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DIRECTION])
def test_another_organisations_volunteer_answers_404(client, other_operator, role, relay):
    client.force_login(MembershipFactory(organization=other_operator, role=role).user)
    assert client.get(_url(relay)).status_code == 404
    assert client.post(_url(relay), _typed()).status_code == 404
    relay.participant.refresh_from_db()
    assert relay.participant.iban == ""


def test_the_volunteers_page_offers_the_form(client, coordinator, relay):
    client.force_login(coordinator)
    page = _text(client.get(reverse("volunteers:detail", args=[relay.pk])))
    assert f'href="{_url(relay)}"' in page and "Modifier les coordonnées" in page


def test_a_volunteer_followed_in_a_pathway_is_the_caseloads_not_the_coordinators(
    client, coordinator, director, relay
):
    PathwayFactory(participant=relay.participant)
    client.force_login(coordinator)
    page = _text(client.get(reverse("volunteers:detail", args=[relay.pk])))
    assert f'href="{_url(relay)}"' not in page and "aussi suivie dans un parcours" in page
    assert client.get(_url(relay)).status_code == 403
    assert client.post(_url(relay), _typed()).status_code == 403
    relay.participant.refresh_from_db()
    assert relay.participant.iban == ""

    client.force_login(director)  # a caseload role: as on the person's record
    assert client.get(_url(relay)).status_code == 200


# The details -------------------------------------------------------------------------------------


def test_opening_the_form_is_logged(client, coordinator, relay):
    client.force_login(coordinator)
    client.get(_url(relay))
    logged = AccessLog.objects.get()
    assert (logged.user, logged.action, logged.object_id) == (
        coordinator,
        AccessLog.Action.VIEW,
        str(relay.participant_id),
    )


def test_a_coordinator_changes_the_contact_address_and_iban(client, coordinator, relay):
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed())

    assert response.url == reverse("volunteers:detail", args=[relay.pk])
    person = relay.participant
    person.refresh_from_db()
    assert (person.phone, person.email, person.street, person.postcode, person.commune) == (
        "0470 99 88 77",
        "aline.nouvelle@example.org",
        "Rue Haute 12",
        "1000",
        "Bruxelles",
    )
    assert person.iban == "BE74363081011107"  # stored as the participant's form stores it
    assert "0470998877" in person.search_text  # found by the phone in the lists' search


def test_the_contact_email_is_not_the_log_in(client, coordinator, operator, relay):
    user = MembershipFactory(organization=operator, role=Role.VOLUNTEER).user
    relay.user = user
    relay.save(update_fields=["user"])
    login = user.email
    client.force_login(coordinator)
    client.post(_url(relay), _typed(email="autre@example.org"))
    user.refresh_from_db()
    relay.participant.refresh_from_db()
    assert (user.email, relay.participant.email) == (login, "autre@example.org")


def test_a_bad_iban_is_refused_beside_it_with_everything_typed(client, director, relay):
    client.force_login(director)
    response = client.post(_url(relay), _typed(iban="BE00 1234", phone="0470 11 22 33"))

    assert response.status_code == 200
    assert response.context["form"].errors["iban"]
    page = _text(response)
    assert 'value="BE00 1234"' in page and 'value="0470 11 22 33"' in page
    relay.participant.refresh_from_db()
    assert (relay.participant.iban, relay.participant.phone) == ("", "")


def test_the_income_source_changes_through_its_service_and_recomputes_the_days(
    client, coordinator, relay
):
    sheet = _sheet(relay, dt.date(2026, 3, 2), coordinator)
    assert sheet.indemnity == D("25.00")
    client.force_login(coordinator)
    client.post(_url(relay), _typed(kind="unemployment", starts_on="2026-03-01"))

    sources = list(IncomeSource.objects.filter(participant=relay.participant).order_by("starts_on"))
    assert [(s.kind, s.starts_on, s.ends_on) for s in sources] == [
        ("none", dt.date(2024, 1, 1), dt.date(2026, 2, 28)),
        ("unemployment", dt.date(2026, 3, 1), None),
    ]
    sheet = ServiceSheet.objects.get(pk=sheet.pk)
    # Unemployment needs the C45B filed, which the agreement does not say: the day is not paid.
    assert (sheet.indemnity, sheet.not_payable) == (D("0.00"), "declaration_missing")


def test_a_new_income_source_needs_its_date(client, coordinator, relay):
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed(kind="ris"))
    assert response.context["form"].errors["starts_on"] == ["Indiquez depuis quand."]
    assert IncomeSource.objects.filter(participant=relay.participant).count() == 1


def test_the_income_services_refusal_is_beside_its_date_and_nothing_is_changed(
    client, coordinator, relay
):
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed(kind="ris", starts_on="2023-06-01"))

    assert response.context["form"].errors["starts_on"] == [
        "La nouvelle source doit commencer après le 01/01/2024."
    ]
    relay.participant.refresh_from_db()
    assert relay.participant.phone == ""  # all or nothing
    page = _text(response)
    assert 'value="2023-06-01"' in page and '<option value="ris" selected>' in page


def test_the_current_income_source_is_not_offered_as_a_new_one(client, coordinator, relay):
    client.force_login(coordinator)
    page = _text(client.get(_url(relay)))
    assert "<strong>Aucun revenu de remplacement</strong>" in page  # the current one
    assert '<option value="none"' not in page


# A confidential address --------------------------------------------------------------------------


@pytest.fixture
def hidden(relay):
    person = relay.participant
    participant_services.participant_update(
        participant=person,
        street="Rue Secrète 3",
        postcode="1080",
        address_confidential=True,
    )
    return relay


def test_a_coordinator_neither_sees_nor_overwrites_a_confidential_address(
    client, coordinator, hidden
):
    client.force_login(coordinator)
    page = _text(client.get(_url(hidden)))
    assert "Rue Secrète" not in page and "1080" not in page and 'name="street"' not in page
    assert "Adresse confidentielle" in page and "visible pour : Direction" in page

    client.post(_url(hidden), _typed(street="Ailleurs 1", postcode="1000", commune="X"))

    person = hidden.participant
    person.refresh_from_db()
    assert (person.street, person.postcode, person.phone) == (
        "Rue Secrète 3",
        "1080",
        "0470 99 88 77",
    )


def test_the_direction_is_sent_to_show_it_with_a_reason_first(client, director, hidden):
    client.force_login(director)
    page = _text(client.get(_url(hidden)))
    assert "Rue Secrète" not in page
    assert reverse("participants:detail", args=[hidden.participant_id]) + "#address" in page


def test_the_direction_edits_it_just_after_showing_it(client, director, hidden):
    client.force_login(director)
    session = client.session
    address_edit_allow(session=session, participant=hidden.participant)
    session.save()
    page = _text(client.get(_url(hidden)))
    assert 'value="Rue Secrète 3"' in page

    client.post(_url(hidden), _typed(street="Rue Neuve 8", postcode="1000"))

    hidden.participant.refresh_from_db()
    assert (hidden.participant.street, hidden.participant.address_confidential) == (
        "Rue Neuve 8",
        True,
    )


# Queries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [0, 4])
def test_the_page_reads_the_same_queries_whatever_the_history(
    client, coordinator, relay, changes, django_assert_num_queries
):
    kinds = ["unemployment", "none"]
    for number in range(changes):
        participant_services.income_source_change(
            participant=relay.participant,
            kind=kinds[number % 2],
            starts_on=dt.date(2025, 1 + number, 1),
        )
        _sheet(relay, dt.date(2026, 2, 2 + number), coordinator)
    client.force_login(coordinator)
    client.get(_url(relay))
    # The session, the user, the memberships; the savepoint; the volunteer and their record;
    # whether the person is followed in a pathway (the caseload's then); the income source of
    # today; the access log (its content type cached); the savepoint released.
    with django_assert_num_queries(9):
        assert client.get(_url(relay)).status_code == 200
