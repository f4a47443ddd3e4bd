"""The volunteer's own pages (issue 21, role ``volunteer``): their year against the ceilings and
their sheets — theirs only, in the organization they act in — and the phone form that notes a
day or corrects one sent back, through ``chantiers.sheets.sheet_submit``: its refusals come back
beside their fields with everything typed, and a validated sheet no longer changes.

The volunteer has no income (no declaration due) and a signed flat-rate agreement for the whole
of this year at 25.00 € a day; their sheets are of this year, today at the latest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from accounts.templatetags.formatting import euros
from chantiers.models import ElsewhereDeclaration, ServiceSheet
from chantiers.sheets import sheet_return, sheet_submit, sheet_validate
from participants import services as participant_services
from tests.chantiers.helpers import D, _agreement
from tests.factories import MembershipFactory, ParticipantFactory, ceiling_of_year
from volunteers.models import Volunteer

TODAY = timezone.localdate()
YEAR = TODAY.year
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WARNING = "Vous avez utilisé 80 % du plafond"


@pytest.fixture(autouse=True)
def year_ceiling(db):
    """This year's ceiling and kilometre rates (seeded up to 2026; a later year gets 2026's)."""
    return ceiling_of_year(YEAR)


def _volunteer_in(organization, *, activity="Relais de quartier", signed=True, **agreement):
    """A volunteer who is not a participant, with a log-in (role ``volunteer``) and, if
    ``signed``, an agreement for this year with its paperwork done (``agreement`` changes it)."""
    person = ParticipantFactory(organization=organization)
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(YEAR - 1, 1, 1)
    )
    if signed:
        first = dt.date(YEAR, 1, 1)
        this_year = {"starts_on": first, "ends_on": dt.date(YEAR, 12, 31), "signed_on": first}
        no_declaration = {"declaration": "", "declaration_on": None}
        _agreement(
            person, **this_year, organisation_note_given_on=first, **no_declaration, **agreement
        )
    return Volunteer.objects.create(
        participant=person,
        organization=organization,
        since=dt.date(YEAR - 1, 6, 1),
        activity=activity,
        user=MembershipFactory(organization=organization, role=Role.VOLUNTEER).user,
    )


@pytest.fixture
def volunteer(operator):
    return _volunteer_in(operator)


@pytest.fixture
def other_volunteer(operator):
    return _volunteer_in(operator, activity="Stand du marché")


@pytest.fixture
def spender(operator):
    """A volunteer under the real-costs regime: repaid on receipts, no flat rate."""
    return _volunteer_in(operator, scheme="real_costs")


def _login(client, volunteer):
    client.force_login(volunteer.user)
    return client


def _sheet(volunteer, day=TODAY, **fields) -> ServiceSheet:
    """A sheet sent through the service, as the volunteer's form does."""
    values = {"hours": D("3.50"), "activity": "Visites aux voisins"} | fields
    sheet = ServiceSheet(participant=volunteer.participant, date=day, **values)
    return sheet_submit(sheet=sheet, by=volunteer.user)


def _stored(volunteer, day, **fields) -> ServiceSheet:
    """A sheet as the engine left it, written directly: any day, any state."""
    values = {
        "participant": volunteer.participant,
        "organization": volunteer.organization,
        "date": day,
        "hours": D("2.00"),
        "activity": "Permanence",
        "entered_by": volunteer.user,
    }
    return ServiceSheet.objects.create(**(values | fields))


def _euros(amount) -> str:
    with translation.override("fr"):
        return euros(amount)


def _typed(day=TODAY, **changes) -> dict:
    """The form as a volunteer fills it in: today, three hours and a half, no trip, no expense."""
    data = {
        "date": day.isoformat(),
        "hours": "3,5",
        "activity": "Courses pour Mme Peeters",
        "km": "0",
        "vehicle": "",
        "expense_amount": "0",
        "expense_description": "",
    }
    return data | changes


NEW = reverse("volunteers:sheet_new")
MINE = reverse("volunteers:mine")


def _edit(sheet) -> str:
    return reverse("volunteers:sheet_edit", args=[sheet.pk])


# The year's balance and the sheets, theirs only.


def test_a_volunteer_sees_the_balance_of_their_year(client, volunteer, year_ceiling):
    _sheet(volunteer, km=10, vehicle="car")
    page = _login(client, volunteer).get(MINE).content.decode()
    assert f"Mes défraiements {YEAR}" in page
    mileage = (10 * year_ceiling.km_rate_car).quantize(D("0.01"))
    used = D("25.00")  # the flat rate; the kilometres are on top of it, not against it
    for amount in (year_ceiling.annual, used, year_ceiling.annual - used, used + mileage):
        assert _euros(amount) in page, amount
    assert "10 sur 2" in page  # kilometres used of the year's cap
    assert WARNING not in page


@pytest.mark.parametrize(("cents_from_80", "warned"), [(-1, False), (0, True)])
def test_the_warning_starts_at_80_percent_of_the_ceiling(
    client, volunteer, year_ceiling, cents_from_80, warned
):
    at_80 = (year_ceiling.annual * Decimal("0.80")).quantize(D("0.01"), rounding="ROUND_UP")
    ElsewhereDeclaration.objects.create(
        participant=volunteer.participant,
        organization=volunteer.organization,
        year=YEAR,
        amount=at_80 + Decimal(cents_from_80) / 100,
        declared_on=dt.date(YEAR, 1, 1),
        source="ASBL Voisine",
    )
    page = _login(client, volunteer).get(MINE).content.decode()
    assert (WARNING in page) is warned
    assert "autres organisations" in page  # what was declared received elsewhere


def test_the_list_shows_each_sheet_with_its_amount_and_state(client, volunteer):
    today = _sheet(volunteer, activity="Stand de la brocante")
    # Sent back last year and not corrected yet: still on the list, to correct.
    returned = _stored(
        volunteer,
        dt.date(YEAR - 1, 12, 1),
        activity="Distribution du journal",
        status=ServiceSheet.Status.RETURNED,
        return_reason="Il manque l'adresse des visites.",
    )
    _stored(volunteer, dt.date(YEAR - 1, 11, 1), activity="Vieille affaire", status="validated")
    page = _login(client, volunteer).get(MINE).content.decode()
    assert "Stand de la brocante" in page
    assert _euros(D("25.00")) in page
    assert "À valider" in page
    assert "Renvoyée pour correction" in page
    assert "Il manque l&#x27;adresse des visites." in page
    assert f'href="{_edit(returned)}"' in page
    assert f'href="{_edit(today)}"' in page
    assert page.index("Stand de la brocante") < page.index("Distribution du journal")
    assert "Vieille affaire" not in page


def test_a_sheet_not_paid_says_why_in_words(client, operator):
    without_agreement = _volunteer_in(operator, signed=False)
    _sheet(without_agreement)
    page = _login(client, without_agreement).get(MINE).content.decode()
    assert "Pas de convention de bénévolat couvrant ce jour" in page


def test_the_page_shows_nothing_of_another_volunteer(
    client, volunteer, other_volunteer, other_operator
):
    _sheet(other_volunteer, activity="Le secret de l'autre")
    elsewhere = _volunteer_in(other_operator)
    _sheet(elsewhere, activity="Ailleurs")
    page = _login(client, volunteer).get(MINE).content.decode()
    assert "Le secret" not in page
    assert "Ailleurs" not in page
    assert "Aucune prestation notée cette année." in page


@pytest.mark.parametrize("count", [1, 5])
def test_the_page_reads_the_same_number_of_queries_whatever_the_sheets(
    client, volunteer, count, django_assert_num_queries
):
    for day in range(1, count + 1):
        _stored(
            volunteer,
            dt.date(YEAR, 1, day),
            status=["submitted", "returned", "validated"][day % 3],
            return_reason="À préciser",
            indemnity=D("25.00"),
            km=day,
            km_paid=day,
            vehicle="car",
            mileage=D("0.43") * day,
            not_payable="annual_ceiling" if day == 4 else "",
        )
    _login(client, volunteer)
    # The session, the user, the memberships; the request's savepoint (ATOMIC_REQUESTS); the
    # volunteer; the balance (the ceiling, the marks, the sheets, the corrections, the
    # declarations, the excesses); the sheets; the rota's shifts still to declare; the
    # savepoint released.
    with django_assert_num_queries(14):
        response = client.get(MINE)
    assert response.content.decode().count("sheet-item") == count


# Who may open these pages.


@pytest.mark.parametrize("role", ["admin", "director", "counsellor", "coordinator", "partner"])
def test_staff_and_partners_are_refused_the_volunteers_pages(client, volunteer, role, request):
    sheet = _sheet(volunteer)
    client.force_login(request.getfixturevalue(role))
    for url in (MINE, NEW, _edit(sheet)):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, _typed(dt.date(YEAR, 1, 1))).status_code == 403
    assert ServiceSheet.objects.count() == 1


def test_an_anonymous_visitor_is_asked_to_log_in(client, volunteer):
    sheet = _sheet(volunteer)
    for url in (MINE, NEW, _edit(sheet)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login")), url


def test_a_volunteer_whose_volunteering_ended_has_no_pages(client, volunteer):
    sheet = _sheet(volunteer)
    Volunteer.objects.filter(pk=volunteer.pk).update(ended_on=TODAY)
    _login(client, volunteer)
    for url in (MINE, NEW, _edit(sheet)):
        assert client.get(url).status_code == 404, url


def test_another_volunteers_sheet_answers_404(client, volunteer, other_volunteer):
    theirs = _sheet(other_volunteer)
    _login(client, volunteer)
    assert client.get(_edit(theirs)).status_code == 404
    assert client.post(_edit(theirs), _typed(hours="8")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.hours == D("3.50")


def test_another_organizations_sheet_answers_404(client, volunteer, other_operator):
    theirs = _sheet(_volunteer_in(other_operator))
    _login(client, volunteer)
    assert client.get(_edit(theirs)).status_code == 404
    assert client.post(_edit(theirs), _typed(hours="8")).status_code == 404


def test_a_sheet_number_beyond_the_database_answers_404(client, volunteer):
    url = reverse("volunteers:sheet_edit", args=[10**20])
    assert _login(client, volunteer).get(url).status_code == 404


# Noting a day.


def test_the_new_form_offers_today_and_the_volunteers_activity(client, volunteer):
    _sheet(volunteer)
    page = _login(client, volunteer).get(NEW).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f'value="{TODAY.isoformat()}"' in page
    assert 'value="Relais de quartier"' in page
    assert 'accept="image/*,application/pdf"' in page
    assert f"Jours déjà notés : {TODAY:%d/%m}" in page


def test_a_sheet_sent_is_waiting_for_validation_with_its_indemnity(client, volunteer):
    response = _login(client, volunteer).post(NEW, _typed(km="12", vehicle="bike"), follow=True)
    assert response.redirect_chain == [(MINE, 302)]
    sheet = ServiceSheet.objects.get()
    assert sheet.participant == volunteer.participant
    assert sheet.organization == volunteer.organization
    assert sheet.entered_by == volunteer.user
    assert sheet.status == ServiceSheet.Status.SUBMITTED
    assert (sheet.date, sheet.hours) == (TODAY, D("3.5"))
    assert sheet.activity == "Courses pour Mme Peeters"
    assert (sheet.indemnity, sheet.not_payable) == (D("25.00"), "")
    assert (sheet.km_paid, sheet.mileage) == (12, D("4.44"))  # 12 km at 0.37 € by bike
    assert "envoyée : votre coordinateur·rice va la vérifier" in response.content.decode()


def test_expenses_on_a_receipt_are_sent_under_real_costs(client, spender):
    typed = _typed(
        expense_amount="12,40",
        expense_description="Timbres",
        receipt=SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg"),
    )
    assert _login(client, spender).post(NEW, typed).status_code == 302
    sheet = ServiceSheet.objects.get()
    assert (sheet.expense_amount, sheet.expense_description) == (D("12.40"), "Timbres")
    assert sheet.receipt.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"date": (TODAY + dt.timedelta(days=1)).isoformat()},
            "date",
            "la date est dans le futur",
        ),
        ({"km": "14"}, "vehicle", "Indiquez le véhicule des kilomètres."),
        (
            {"expense_amount": "8,20", "expense_description": "Ticket de bus"},
            "receipt",
            "Joignez une photo du ticket ou de la facture.",
        ),
        ({"hours": "0"}, "hours", "Indiquez un nombre d'heures entre 0,25 et 24."),
        ({"hours": "24,5"}, "hours", "Indiquez un nombre d'heures entre 0,25 et 24."),
        ({"date": "0026-03-02"}, "date", "Année improbable"),
    ],
)
def test_a_refused_sheet_comes_back_with_what_was_typed_and_the_reason(
    client, volunteer, changes, field, error
):
    typed = _typed(**changes)
    response = _login(client, volunteer).post(NEW, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page.replace("&#x27;", "'")
    assert f'href="#id_{field}"' in page  # in the summary, a link to the field
    assert 'value="Courses pour Mme Peeters"' in page
    assert f'value="{typed["date"]}"' in page
    assert not ServiceSheet.objects.exists()


def test_expenses_under_a_flat_rate_agreement_are_refused_beside_the_amount(client, volunteer):
    typed = _typed(
        expense_amount="8,20",
        expense_description="Ticket de bus",
        receipt=SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg"),
    )
    response = _login(client, volunteer).post(NEW, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "vos frais sont couverts par le forfait" in page
    assert 'href="#id_expense_amount"' in page
    assert 'value="8,20"' in page
    assert 'value="Ticket de bus"' in page
    assert "data-file-again" in page  # the browser does not send the file back: choose it again
    assert not ServiceSheet.objects.exists()


def test_a_second_sheet_the_same_day_is_refused_beside_the_date(client, volunteer):
    _sheet(volunteer)
    response = _login(client, volunteer).post(NEW, _typed())
    assert response.status_code == 200
    assert "Une prestation est déjà notée ce jour-là" in response.content.decode()
    assert ServiceSheet.objects.count() == 1


# Correcting a sheet.


def test_a_returned_sheet_shows_the_reason_and_is_sent_again_corrected(
    client, volunteer, coordinator
):
    sheet = _sheet(volunteer)
    sheet_return(sheet=sheet, by=coordinator, reason="Combien d'heures au juste ?")
    _login(client, volunteer)
    page = client.get(_edit(sheet)).content.decode()
    assert "Combien d&#x27;heures au juste ?" in page
    assert 'value="3,50"' in page
    assert client.post(_edit(sheet), _typed(hours="2")).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.return_reason, sheet.hours) == ("submitted", "", D("2"))
    assert sheet.indemnity == D("25.00")  # counted again once sent
    assert ServiceSheet.objects.count() == 1


def test_a_refused_correction_keeps_the_coordinators_reason_on_the_page(client, volunteer):
    _sheet(volunteer)
    day = dt.date(YEAR - 1, 12, 1)
    sheet = _stored(volunteer, day, status="returned", return_reason="Mauvais jour")
    response = _login(client, volunteer).post(_edit(sheet), _typed(TODAY))  # today's is taken
    page = response.content.decode()
    assert response.status_code == 200
    assert "Une prestation est déjà notée ce jour-là" in page
    assert "Mauvais jour" in page
    assert f"Prestation du {day:%d/%m/%Y}" in page  # the title
    assert f'value="{TODAY.isoformat()}"' in page
    sheet.refresh_from_db()
    assert (sheet.status, sheet.date) == ("returned", day)


def test_a_returned_sheet_keeps_its_receipt_when_no_new_one_is_chosen(client, spender, coordinator):
    receipt = SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg")
    sheet = _sheet(spender, expense_amount=D("5.00"), expense_description="Colle", receipt=receipt)
    stored = sheet.receipt.name
    sheet_return(sheet=sheet, by=coordinator, reason="Le montant est de 5,50 €.")
    _login(client, spender)
    assert "Un ticket est déjà joint" in client.get(_edit(sheet)).content.decode()
    typed = _typed(expense_amount="5,50", expense_description="Colle")
    assert client.post(_edit(sheet), typed).status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.expense_amount, sheet.receipt.name) == (
        "submitted",
        D("5.50"),
        stored,
    )


def test_a_validated_sheet_is_shown_but_no_longer_changes(client, volunteer, coordinator):
    sheet = sheet_validate(sheet=_sheet(volunteer), by=coordinator)
    _login(client, volunteer)
    page = client.get(_edit(sheet)).content.decode()
    assert "Cette prestation est validée" in page
    assert '<form method="post" enctype' not in page
    assert 'name="hours"' not in page
    response = client.post(_edit(sheet), _typed(hours="8"), follow=True)
    assert response.redirect_chain == [(_edit(sheet), 302)]
    assert "elle ne change plus" in response.content.decode()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.hours) == ("validated", D("3.50"))
