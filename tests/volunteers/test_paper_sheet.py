"""A paper sheet typed by the team (issue 21): many volunteers have no log-in, so a coordinator
or the direction types the sheet the person filled and signed on paper; it is entered and
validated by that staff member at once (``chantiers.sheets.sheet_enter_signed``), every rule of
a sheet holding: one flat rate a day, the month validated, the volunteering ended, real costs
only under a real-costs agreement and with the scan of the receipt. A refusal keeps everything
typed; who may open the page: coordinators and direction (every other role 403, another
organisation's volunteer 404); its queries do not grow with the sheets.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year. The agreements pay 25.00 € a day.
"""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from chantiers.models import RealCost, ServiceSheet, VolunteerAgreement
from chantiers.services import statement_prepare, statement_validate
from chantiers.sheets import sheet_validate
from tests.chantiers.helpers import _mark
from tests.factories import MembershipFactory
from tests.volunteers.test_staff_pages import JPEG, _sheet, _volunteer
from volunteers.models import Volunteer

D = Decimal
DAY = dt.date(2026, 3, 2)


def _url(volunteer) -> str:
    return reverse("volunteers:paper_sheet", args=[volunteer.pk])


def _typed(**changes) -> dict:
    data = {
        "date": DAY.isoformat(),
        "hours": "3,5",
        "activity": "Visites à domicile",
        "km": "",
        "vehicle": "",
        "expense_amount": "",
        "expense_description": "",
        "signed": "on",
    }
    return data | changes


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


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
        assert not ServiceSheet.objects.exists()


def test_the_volunteer_role_cannot_type_a_paper_sheet(client, operator, relay):
    volunteer_user = MembershipFactory(organization=operator, role=Role.VOLUNTEER).user
    client.force_login(volunteer_user)
    assert client.get(_url(relay)).status_code == 403
    assert client.post(_url(relay), _typed()).status_code == 403
    assert not ServiceSheet.objects.exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DIRECTION])
def test_another_organisations_volunteer_answers_404(client, other_operator, role, relay):
    client.force_login(MembershipFactory(organization=other_operator, role=role).user)
    assert client.get(_url(relay)).status_code == 404
    assert client.post(_url(relay), _typed()).status_code == 404
    assert not ServiceSheet.objects.exists()


def test_the_volunteers_page_offers_the_paper_sheet(client, coordinator, relay):
    client.force_login(coordinator)
    page = _text(client.get(reverse("volunteers:detail", args=[relay.pk])))
    assert f'href="{_url(relay)}"' in page and "Saisir une fiche papier" in page


# Entered and validated at once ------------------------------------------------------------------


def test_a_signed_paper_sheet_is_entered_and_validated_by_the_staff_member(
    client, coordinator, relay
):
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed())

    sheet = ServiceSheet.objects.get()
    detail = reverse("volunteers:detail", args=[relay.pk])
    assert response.url == f"{detail}?year=2026"
    assert (sheet.status, sheet.entered_by, sheet.validated_by) == (
        ServiceSheet.Status.VALIDATED,
        coordinator,
        coordinator,
    )
    assert (sheet.hours, sheet.indemnity, sheet.participant) == (
        D("3.50"),
        D("25.00"),
        relay.participant,
    )
    assert sheet.validated_at is not None
    followed = client.get(response.url)
    assert "Fiche papier du lundi 2 mars 2026 enregistrée et validée : 25,00\u00a0€." in (
        _messages(followed)
    )


def test_the_form_is_the_volunteers_own_said_to_the_staff(client, director, relay):
    client.force_login(director)
    page = _text(client.get(_url(relay)))
    for name in ("date", "hours", "activity", "km", "vehicle", "expense_amount", "receipt"):
        assert f'name="{name}"' in page, name
    assert "La fiche papier est signée par la personne" in page
    assert "Ce que la personne a fait" in page and "Ce que vous avez fait" not in page
    assert 'value="Relais de quartier"' in page  # the volunteer's usual activity


def test_an_unsigned_paper_sheet_is_refused_with_everything_typed(client, coordinator, relay):
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed(signed="", km="12", vehicle="car"))

    assert response.status_code == 200 and not ServiceSheet.objects.exists()
    form = response.context["form"]
    assert form.errors["signed"] == [
        "Une fiche papier se saisit signée : elle est validée à l'enregistrement."
    ]
    page = _text(response)
    assert 'value="3,5"' in page and 'value="Visites à domicile"' in page
    assert 'value="12"' in page and '<option value="car" selected>' in page


def test_one_flat_rate_a_day_a_chantier_day_and_a_paper_sheet(client, coordinator, relay):
    _mark(relay.participant, DAY)
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed(), follow=True)

    # Paid elsewhere that day: said, and validated with the typing (an informative reason).
    sheet = ServiceSheet.objects.get()
    assert (sheet.status, sheet.indemnity, sheet.not_payable) == (
        ServiceSheet.Status.VALIDATED,
        D("0.00"),
        "other_session",
    )
    assert "Pas de défraiement ce jour-là : Déjà défrayé·e ce jour-là" in _messages(response)


def test_the_annual_ceiling_holds_for_a_paper_sheet(client, coordinator, operator, legal_ceilings):
    volunteer = _volunteer(operator, coordinator, daily_rate=D("44.02"))
    for day in range(40):  # 40 × 44.02 = 1 760.80: 0.03 left of the year's 1 760.83
        _sheet(volunteer, dt.date(2026, 1, 1) + dt.timedelta(days=day), coordinator)
    client.force_login(coordinator)
    response = client.post(_url(volunteer), _typed(date="2026-03-02"), follow=True)

    # The ceiling reached: the day waits, its reason shown, for a validation that confirms it
    # (rule 5) by someone who has read it, not by the typing.
    sheet = ServiceSheet.objects.get(date=DAY)
    assert (sheet.status, sheet.indemnity, sheet.not_payable) == (
        ServiceSheet.Status.SUBMITTED,
        D("0.03"),
        "annual_ceiling",
    )
    assert not sheet.not_payable_acknowledged and sheet.validated_by is None
    assert "enregistrée, pas encore validée" in _messages(response)
    sheet_validate(sheet=sheet, by=coordinator)
    sheet.refresh_from_db()
    assert sheet.status == ServiceSheet.Status.VALIDATED and sheet.not_payable_acknowledged


def test_a_day_already_on_a_sheet_is_refused_in_the_staffs_words(client, coordinator, relay):
    _sheet(relay, DAY, coordinator)  # sent by the volunteer, waiting
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed(activity="Permanence"))

    assert response.context["form"].errors["date"] == [
        "Une prestation est déjà notée ce jour-là pour cette personne : validez-la ou "
        "renvoyez-la depuis sa page."
    ]
    assert ServiceSheet.objects.get().status == ServiceSheet.Status.SUBMITTED
    assert 'value="Permanence"' in _text(response)


def test_a_validated_month_refuses_a_paper_sheet(client, director, relay):
    statement_validate(
        statement=statement_prepare(participant=relay.participant, month=DAY.replace(day=1)),
        by=director,
    )
    client.force_login(director)
    response = client.post(_url(relay), _typed())

    assert response.context["form"].errors["date"] == [
        "Le mois de cette prestation est déjà validé : ajoutez-la en correction à la fiche du mois."
    ]
    assert not ServiceSheet.objects.exists()


def test_no_paper_sheet_after_the_volunteering_ended(client, coordinator, relay):
    Volunteer.objects.filter(pk=relay.pk).update(ended_on=dt.date(2026, 2, 28))
    client.force_login(coordinator)
    response = client.post(_url(relay), _typed())

    assert response.context["form"].errors["date"] == [
        "Le bénévolat a pris fin le 28/02/2026 : pas de prestation après."
    ]
    assert not ServiceSheet.objects.exists()


def test_expenses_need_a_real_costs_agreement(client, coordinator, relay):
    client.force_login(coordinator)
    receipt = SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg")
    response = client.post(
        _url(relay),
        _typed(expense_amount="8,40", expense_description="Tickets STIB", receipt=receipt),
    )

    [error] = response.context["form"].errors["expense_amount"]
    assert error.startswith(
        "La convention de la personne ne prévoit pas le remboursement de frais sur ticket"
    )
    assert not ServiceSheet.objects.exists() and not RealCost.objects.exists()
    page = _text(response)
    assert 'value="8,40"' in page and 'value="Tickets STIB"' in page
    assert "Le fichier joint n'a pas été gardé" in page  # a browser does not send it again


def test_expenses_with_the_scan_of_the_receipt_become_the_months_real_costs(
    client, coordinator, operator, legal_ceilings
):
    volunteer = _volunteer(operator, coordinator, scheme=VolunteerAgreement.Scheme.REAL_COSTS)
    client.force_login(coordinator)
    receipt = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n%\xe2\xe3\n", content_type="application/pdf"
    )
    client.post(
        _url(volunteer),
        _typed(expense_amount="8,40", expense_description="Tickets STIB", receipt=receipt),
    )

    sheet = ServiceSheet.objects.get()
    assert sheet.status == ServiceSheet.Status.VALIDATED and sheet.receipt
    cost = sheet.real_cost
    assert (cost.amount, cost.description, cost.receipt.name, cost.entered_by) == (
        D("8.40"),
        "Tickets STIB",
        sheet.receipt.name,
        coordinator,
    )


def test_expenses_without_the_receipt_are_refused_beside_it(client, coordinator, operator):
    volunteer = _volunteer(operator, coordinator, scheme=VolunteerAgreement.Scheme.REAL_COSTS)
    client.force_login(coordinator)
    response = client.post(
        _url(volunteer), _typed(expense_amount="8,40", expense_description="Tickets STIB")
    )
    assert response.context["form"].errors["receipt"] == [
        "Joignez une photo du ticket ou de la facture."
    ]
    assert not ServiceSheet.objects.exists()


# Queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sheets", [1, 6])
def test_the_page_reads_the_same_queries_whatever_the_sheets(
    client, coordinator, relay, sheets, django_assert_num_queries
):
    for day in range(sheets):
        _sheet(relay, dt.date(2026, 2, 2) + dt.timedelta(days=day), coordinator)
    client.force_login(coordinator)
    client.get(_url(relay))
    # The session, the user, the memberships; the savepoint; the volunteer and their record;
    # the days already on a sheet; the savepoint released.
    with django_assert_num_queries(7):
        assert client.get(_url(relay)).status_code == 200
