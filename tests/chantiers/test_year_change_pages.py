"""The pages of a volunteer's year after the fact (DESIGN §4 rules 6–8, §6 data protection, issue
16): what they declared receiving elsewhere, their real costs with receipts, a ceiling exceeded,
the corrections of a validated month, the kilometres on the grid and the excesses listed on the
dashboard — who may open each, another organization's rows answering 404, what is typed kept
when refused, and receipts and attestations downloaded only through a checked, logged view.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year, 0.4326 €/km by car.
"""

import datetime as dt
import html
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Role
from chantiers.models import (
    Attendance,
    CeilingExcess,
    ElsewhereDeclaration,
    MonthlyStatement,
    RealCost,
    StatementCorrection,
)
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from chantiers.storage import private_document_storage
from chantiers.year_changes import declaration_save
from participants import services as participant_services
from tests.chantiers.helpers import _agreement, _member
from tests.factories import (
    ChantierFactory,
    MembershipFactory,
    ParticipantFactory,
    WorkSessionFactory,
)

D = Decimal
MARCH = dt.date(2026, 3, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
NO_REAL_COSTS = "Pas de convention au régime des frais réels couvrant ce jour."
MONTH_VALIDATED = "Le mois de cette dépense est validé : ajoutez une correction à sa fiche."


# Builders ----------------------------------------------------------------------------------------


@pytest.fixture
def chantier(operator, coordinator, legal_ceilings):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return chantier


@pytest.fixture
def member(chantier):
    """Someone of the coordinator's chantier, no income, signed agreement at 12.50 from 2026."""
    person = _member(chantier)[0]
    return person


@pytest.fixture
def elsewhere_coordinator(operator):
    """A coordinator of the operator, of another chantier than the member's."""
    user = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    ChantierFactory(organization=operator).coordinators.add(user)
    return user


@pytest.fixture
def stranger(other_operator):
    """The direction of another operator: every role that may open the pages, elsewhere."""
    return MembershipFactory(organization=other_operator, role=Role.DIRECTION).user


@pytest.fixture
def real_costs_person(operator):
    """No income, a signed agreement for 2026 under the real-costs regime (the note given)."""
    person = ParticipantFactory(organization=operator)
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    _agreement(person, scheme="real_costs", declaration="", declaration_on=None)
    return person


def _png(name="attestation.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _jpeg(name="ticket.jpg"):
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _text(response) -> str:
    """The page as read, entities decoded (an apostrophe is written &#x27;)."""
    return html.unescape(response.text)


def _stored_files() -> list[Path]:
    """The receipts and attestations written under this test's MEDIA_ROOT."""
    root = Path(private_document_storage.location)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


class _Inputs(HTMLParser):
    """The attributes of each input and select of a page, by id."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("id"):
            self.by_id[attrs["id"]] = attrs


def _input(response, input_id: str) -> dict:
    return _Inputs(response.text).by_id[input_id]


def _declaration_data(**fields):
    data = {
        "year": "2026",
        "amount": "100.00",
        "km": "0",
        "declared_on": "2026-11-02",
        "source": "ASBL Voisine",
        "proof": "",
    }
    return data | fields


def _cost_data(**fields):
    data = {
        "date": "2026-03-10",
        "amount": "23.40",
        "description": "Gants de travail",
        "receipt": _jpeg(),
    }
    return data | fields


def _validated(person, month, by):
    return statement_validate(statement=statement_prepare(participant=person, month=month), by=by)


def _marked_and_validated(chantier, person, coordinator):
    """Present on the chantier on 2 March (12.50), March validated."""
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    attendance_record(session=session, marks=[Mark(person.pk, "present")], by=coordinator)
    return _validated(person, MARCH, coordinator)


def _declared(person, amount, by):
    declaration = ElsewhereDeclaration(
        participant=person,
        year=2026,
        amount=D(amount),
        declared_on=dt.date(2026, 11, 2),
        source="ASBL Voisine",
    )
    declaration_save(declaration=declaration, by=by)
    return declaration


# Who may open what -------------------------------------------------------------------------------


def _rows_of(person, organization, by) -> dict:
    """A declaration with its attestation, a real cost with its receipt and an open excess."""
    declaration = ElsewhereDeclaration.objects.create(
        participant=person,
        organization=organization,
        year=2026,
        amount=D("10.00"),
        declared_on=dt.date(2026, 2, 1),
        source="ASBL",
        proof_file=_png(),
    )
    cost = RealCost.objects.create(
        participant=person,
        organization=organization,
        date=dt.date(2026, 2, 3),
        amount=D("5.00"),
        description="Gants",
        receipt=_jpeg(),
        entered_by=by,
    )
    excess = CeilingExcess.objects.create(
        participant=person, organization=organization, year=2026, amount_over=D("1.00")
    )
    return {"participant": person, "declaration": declaration, "cost": cost, "excess": excess}


@pytest.fixture
def foreign(other_operator, stranger):
    """One row of each kind the pages name, in another operator."""
    person = ParticipantFactory(organization=other_operator)
    rows = _rows_of(person, other_operator, stranger)
    statement = MonthlyStatement.objects.create(
        participant=person, organization=other_operator, month=MARCH, status="validated"
    )
    correction = StatementCorrection.objects.create(
        statement=statement, amount=D("-1.00"), reason="Erreur", created_by=stranger
    )
    return rows | {"statement": statement, "correction": correction}


def _addresses(rows):
    """(method, address) of every page of the year's changes, for these rows."""
    return [
        ("get", reverse("chantiers:declarations", args=[rows["participant"].pk])),
        ("post", reverse("chantiers:declarations", args=[rows["participant"].pk])),
        ("post", reverse("chantiers:declaration_delete", args=[rows["declaration"].pk])),
        ("get", reverse("chantiers:declaration_proof", args=[rows["declaration"].pk])),
        ("get", reverse("chantiers:real_costs", args=[rows["participant"].pk])),
        ("post", reverse("chantiers:real_costs", args=[rows["participant"].pk])),
        ("post", reverse("chantiers:real_cost_delete", args=[rows["cost"].pk])),
        ("get", reverse("chantiers:real_cost_receipt", args=[rows["cost"].pk])),
        ("get", reverse("chantiers:excess", args=[rows["excess"].pk])),
        ("post", reverse("chantiers:excess", args=[rows["excess"].pk])),
        ("get", reverse("chantiers:corrections", args=[rows["statement"].pk])),
        ("post", reverse("chantiers:corrections", args=[rows["statement"].pk])),
        ("post", reverse("chantiers:correction_settle", args=[rows["correction"].pk])),
    ]


def test_another_organizations_rows_answer_404_and_stay(client, director, foreign):
    """The direction of the operator may open every one of these pages, but not for the rows
    of another operator — not even to learn that they exist."""
    client.force_login(director)
    for method, url in _addresses(foreign):
        response = getattr(client, method)(url, {"outcome": "taxable", "told_on": "2026-11-02"})
        assert response.status_code == 404, (method, url)
    assert ElsewhereDeclaration.objects.count() == 1 and RealCost.objects.count() == 1
    assert CeilingExcess.objects.get().is_open
    assert StatementCorrection.objects.get().is_pending
    assert not AccessLog.objects.filter(action="download").exists()


@pytest.fixture
def own(operator, director, member, coordinator):
    """The same rows in the operator, for the member of the coordinator's chantier."""
    return _rows_of(member, operator, director)


def _year_pages(rows):
    return [
        reverse("chantiers:declarations", args=[rows["participant"].pk]),
        reverse("chantiers:declaration_proof", args=[rows["declaration"].pk]),
        reverse("chantiers:real_costs", args=[rows["participant"].pk]),
        reverse("chantiers:real_cost_receipt", args=[rows["cost"].pk]),
        reverse("chantiers:excess", args=[rows["excess"].pk]),
    ]


# The coordinators of the person's chantiers, the counsellors and the direction follow a
# volunteer's money; the administration and the partners do not (role_required answers 403).
YEAR_ACCESS = {
    "coordinator": 200,
    "counsellor": 200,
    "director": 200,
    "admin": 403,
    "partner": 403,
}


@pytest.mark.parametrize("persona", YEAR_ACCESS)
def test_year_pages_by_role(client, personas, persona, own):
    client.force_login(personas[persona])
    statuses = {client.get(url).status_code for url in _year_pages(own)}
    assert statuses == {YEAR_ACCESS[persona]}


def test_a_coordinator_sees_only_the_people_of_their_chantiers(client, elsewhere_coordinator, own):
    client.force_login(elsewhere_coordinator)
    for url in _year_pages(own):
        assert client.get(url).status_code == 404, url
    person = own["participant"]
    refused = [
        client.post(reverse("chantiers:declarations", args=[person.pk]), _declaration_data()),
        client.post(reverse("chantiers:declaration_delete", args=[own["declaration"].pk])),
        client.post(reverse("chantiers:real_costs", args=[person.pk]), _cost_data()),
        client.post(reverse("chantiers:real_cost_delete", args=[own["cost"].pk])),
    ]
    assert [response.status_code for response in refused] == [404] * 4
    assert ElsewhereDeclaration.objects.count() == 1 and RealCost.objects.count() == 1


def test_a_coordinator_cannot_record_what_was_done_about_an_excess(client, coordinator, own):
    client.force_login(coordinator)
    url = reverse("chantiers:excess", args=[own["excess"].pk])
    page = client.get(url)
    assert not page.context["can_resolve"] and "Seule la direction" in page.text
    response = client.post(url, {"outcome": "taxable", "told_on": "2026-11-02"})
    assert response.status_code == 404
    excess = CeilingExcess.objects.get()
    assert excess.is_open and excess.resolved_by is None and excess.told_on is None


def test_direction_records_what_was_done_about_an_excess(client, director, own):
    client.force_login(director)
    url = reverse("chantiers:excess", args=[own["excess"].pk])
    seen = str(own["excess"].amount_over)  # the amount the page showed, sent back hidden
    assert client.get(url).context["form"]["seen"].value() == own["excess"].amount_over
    changed = client.post(
        url, {"outcome": "taxable", "told_on": "2026-11-02", "seen": "0.01"}, follow=True
    )
    assert "Le dépassement a changé entre-temps" in changed.text
    assert CeilingExcess.objects.get().is_open
    response = client.post(
        url,
        {"outcome": "taxable", "told_on": "2026-11-02", "note": "Informée", "seen": seen},
        follow=True,
    )
    assert "Suite enregistrée" in " ".join(_messages(response))
    excess = CeilingExcess.objects.get()
    assert (excess.outcome, excess.told_on, excess.resolved_by) == (
        "taxable",
        dt.date(2026, 11, 2),
        director,
    )


# Declarations of what was received elsewhere (rule 6) --------------------------------------------


def test_a_declaration_is_recorded_for_the_persons_organization(
    client, operator, coordinator, member
):
    client.force_login(coordinator)
    url = reverse("chantiers:declarations", args=[member.pk])
    response = client.post(url, _declaration_data(amount="100.00", km="120"))
    assert response.status_code == 302 and response.url == url
    declaration = ElsewhereDeclaration.objects.get()
    assert (declaration.participant, declaration.organization, declaration.entered_by) == (
        member,
        operator,
        coordinator,
    )
    assert (declaration.year, declaration.amount, declaration.km) == (2026, D("100.00"), 120)
    page = client.get(url)
    assert "Déclaration enregistrée" in " ".join(_messages(page))
    assert page.context["balance"].declared_elsewhere == D("100.00")


def test_a_declaration_that_exceeds_says_so_naming_the_person(client, coordinator, member):
    # 1 800.00 declared, the ceiling 1 760.83: 39.17 over.
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:declarations", args=[member.pk]),
        _declaration_data(amount="1800.00"),
        follow=True,
    )
    said = " ".join(_messages(response))
    assert f"Plafond de 2026 dépassé pour {member.first_name} {member.last_name}" in said
    assert "39,17" in said
    excess = CeilingExcess.objects.get(participant=member)
    assert excess.is_open and excess.amount_over == D("39.17")
    assert reverse("chantiers:excess", args=[excess.pk]) in response.text


@pytest.mark.parametrize(
    ("typed", "field", "said"),
    [
        ({"amount": "abc"}, "amount", "Saisissez un nombre."),
        ({"amount": "0", "km": "0"}, None, "Indiquez un montant ou des kilomètres reçus ailleurs."),
    ],
)
def test_a_refused_declaration_comes_back_as_typed(client, counsellor, member, typed, field, said):
    client.force_login(counsellor)
    response = client.post(
        reverse("chantiers:declarations", args=[member.pk]),
        _declaration_data(source="Croix-Rouge locale", proof="Attestation au dossier", **typed),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert said in (form.errors.get(field) or form.non_field_errors())
    assert said in _text(response)
    assert _input(response, "id_amount")["value"] == typed["amount"]
    assert _input(response, "id_source")["value"] == "Croix-Rouge locale"
    assert _input(response, "id_proof")["value"] == "Attestation au dossier"
    assert not ElsewhereDeclaration.objects.exists()


def test_an_attestation_is_stored_and_downloaded_only_through_the_logged_view(
    client, counsellor, member
):
    client.force_login(counsellor)
    client.post(
        reverse("chantiers:declarations", args=[member.pk]),
        _declaration_data(proof_file=_png("attestation de Madame X.png")),
    )
    declaration = ElsewhereDeclaration.objects.get()
    # Stored without the name it came with, under the private documents, with no URL.
    assert declaration.proof_file.name.endswith(".png")
    assert "Madame" not in declaration.proof_file.name
    with pytest.raises(ValueError):
        declaration.proof_file.url  # noqa: B018
    response = client.get(reverse("chantiers:declaration_proof", args=[declaration.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        f'filename="elsewheredeclaration-{declaration.pk}.png"' in (response["Content-Disposition"])
    )
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    [logged] = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD)
    assert (logged.user, logged.object_id) == (counsellor, str(member.pk))


@pytest.mark.parametrize(
    ("upload", "said"),
    [
        (
            SimpleUploadedFile("scan.exe", b"MZ\x90\x00" + b"\x00" * 32),
            "Envoyez une photo ou un PDF",
        ),
        (
            SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>"),
            "Ce fichier n'est pas le .pdf que son nom annonce.",
        ),
        (
            SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024)),
            "Le fichier dépasse 10 Mo",
        ),
    ],
    ids=["exe", "fake-pdf", "over-10-mb"],
)
def test_an_attestation_that_is_not_a_photo_or_a_pdf_is_refused(
    client, counsellor, member, upload, said
):
    client.force_login(counsellor)
    response = client.post(
        reverse("chantiers:declarations", args=[member.pk]),
        _declaration_data(amount="321.00", proof_file=upload),
    )
    assert response.status_code == 200
    assert said in " ".join(response.context["form"].errors["proof_file"])
    assert said in _text(response)
    assert _input(response, "id_amount")["value"] == "321.00"
    assert not ElsewhereDeclaration.objects.exists()
    assert _stored_files() == []


def test_a_declaration_deleted_takes_its_attestation_with_it(
    client, counsellor, member, django_capture_on_commit_callbacks
):
    """An attestation is personal data: the record gone, the file must not stay on the disk
    where no page, no export and no anonymisation can reach it (the receipt of a real cost
    deleted is removed, year_changes.real_cost_delete)."""
    client.force_login(counsellor)
    client.post(
        reverse("chantiers:declarations", args=[member.pk]), _declaration_data(proof_file=_png())
    )
    declaration = ElsewhereDeclaration.objects.get()
    stored = declaration.proof_file.name
    assert private_document_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):  # once the row is gone for good
        response = client.post(
            reverse("chantiers:declaration_delete", args=[declaration.pk]), follow=True
        )
    assert "Déclaration de 2026 supprimée" in " ".join(_messages(response))
    assert not ElsewhereDeclaration.objects.exists()
    assert not private_document_storage.exists(stored), "the attestation is left on the disk"


# Real costs with receipts (rule 8) ---------------------------------------------------------------


def test_a_real_cost_with_its_receipt_goes_on_the_months_statement(
    client, operator, counsellor, real_costs_person
):
    client.force_login(counsellor)
    url = reverse("chantiers:real_costs", args=[real_costs_person.pk])
    response = client.post(url, _cost_data(amount="23.40"))
    assert response.status_code == 302 and response.url == url
    cost = RealCost.objects.get()
    assert (cost.participant, cost.organization, cost.entered_by) == (
        real_costs_person,
        operator,
        counsellor,
    )
    assert (cost.date, cost.amount, cost.description) == (
        dt.date(2026, 3, 10),
        D("23.40"),
        "Gants de travail",
    )
    assert private_document_storage.exists(cost.receipt.name)
    statement = statement_prepare(participant=real_costs_person, month=MARCH)
    assert (statement.amount, statement.real_costs, statement.to_pay) == (
        D("0.00"),
        D("23.40"),
        D("23.40"),
    )


def test_a_real_cost_without_a_real_costs_agreement_is_refused_as_typed(client, counsellor, member):
    client.force_login(counsellor)  # the member is under the flat rate
    response = client.post(
        reverse("chantiers:real_costs", args=[member.pk]),
        _cost_data(amount="17.85", description="Peinture achetée"),
    )
    assert response.status_code == 200
    assert NO_REAL_COSTS in response.context["form"].errors["date"]
    assert NO_REAL_COSTS in _text(response)
    assert _input(response, "id_amount")["value"] == "17.85"
    assert _input(response, "id_description")["value"] == "Peinture achetée"
    assert _input(response, "id_date")["value"] == "2026-03-10"
    # The one thing a browser cannot be given back, the photo, is said to be chosen again.
    assert "Choisissez-le à nouveau." in _text(response)
    assert not RealCost.objects.exists() and _stored_files() == []


def test_a_real_cost_in_a_validated_month_is_refused(
    client, counsellor, coordinator, real_costs_person
):
    _validated(real_costs_person, MARCH, coordinator)
    client.force_login(counsellor)
    response = client.post(
        reverse("chantiers:real_costs", args=[real_costs_person.pk]), _cost_data()
    )
    assert response.status_code == 200
    assert MONTH_VALIDATED in response.context["form"].errors["date"]
    assert not RealCost.objects.exists() and _stored_files() == []


def test_a_real_cost_without_its_receipt_is_refused(client, counsellor, real_costs_person):
    client.force_login(counsellor)
    data = _cost_data()
    del data["receipt"]  # nothing to choose again: no sentence about it
    response = client.post(reverse("chantiers:real_costs", args=[real_costs_person.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["receipt"]
    assert _input(response, "id_description")["value"] == "Gants de travail"
    assert "Choisissez-le à nouveau." not in _text(response)
    assert not RealCost.objects.exists()


def test_a_real_cost_is_deleted_while_its_month_is_a_draft_not_after(
    client, counsellor, coordinator, real_costs_person, django_capture_on_commit_callbacks
):
    client.force_login(counsellor)
    url = reverse("chantiers:real_costs", args=[real_costs_person.pk])
    client.post(url, _cost_data(date="2026-03-10", description="Mars"))
    client.post(url, _cost_data(date="2026-04-10", description="Avril"))
    march_cost, april_cost = RealCost.objects.order_by("date")
    statement_prepare(participant=real_costs_person, month=MARCH)  # a draft: still open
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        response = client.post(
            reverse("chantiers:real_cost_delete", args=[march_cost.pk]), follow=True
        )
    assert "Dépense supprimée." in _messages(response)
    assert not RealCost.objects.filter(pk=march_cost.pk).exists()
    assert not private_document_storage.exists(march_cost.receipt.name)
    _validated(real_costs_person, dt.date(2026, 4, 1), coordinator)
    response = client.post(reverse("chantiers:real_cost_delete", args=[april_cost.pk]), follow=True)
    assert MONTH_VALIDATED in _messages(response)
    assert RealCost.objects.filter(pk=april_cost.pk).exists()
    assert private_document_storage.exists(april_cost.receipt.name)


def test_a_receipt_is_downloaded_by_the_counsellor_and_logged_not_by_another_operator(
    client, counsellor, stranger, real_costs_person
):
    client.force_login(counsellor)
    client.post(reverse("chantiers:real_costs", args=[real_costs_person.pk]), _cost_data())
    cost = RealCost.objects.get()
    url = reverse("chantiers:real_cost_receipt", args=[cost.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == JPEG
    assert AccessLog.objects.filter(
        action=AccessLog.Action.DOWNLOAD, user=counsellor, object_id=str(real_costs_person.pk)
    ).exists()
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert not AccessLog.objects.filter(user=stranger).exists()


# Corrections of a validated month (rule 8) -------------------------------------------------------


def test_the_chantiers_coordinator_corrects_a_validated_month(
    client, coordinator, chantier, member
):
    statement = _marked_and_validated(chantier, member, coordinator)
    client.force_login(coordinator)
    url = reverse("chantiers:corrections", args=[statement.pk])
    page = client.get(url)
    assert page.context["can_correct"] and "Nouvelle correction" in page.text
    response = client.post(
        url, {"amount": "-5.00", "km": "0", "reason": "Jour compté deux fois"}, follow=True
    )
    assert "Correction enregistrée" in " ".join(_messages(response))
    correction = StatementCorrection.objects.get()
    assert (correction.statement, correction.amount, correction.created_by) == (
        statement,
        D("-5.00"),
        coordinator,
    )
    assert correction.reason == "Jour compté deux fois" and correction.is_pending
    assert "Jour compté deux fois" in response.text


def test_a_draft_statement_offers_no_correction(client, coordinator, chantier, member):
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    attendance_record(session=session, marks=[Mark(member.pk, "present")], by=coordinator)
    draft = statement_prepare(participant=member, month=MARCH)
    client.force_login(coordinator)
    url = reverse("chantiers:corrections", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["can_correct"]
    assert "Nouvelle correction" not in page.text and 'name="reason"' not in page.text
    response = client.post(url, {"amount": "-5.00", "km": "0", "reason": "Erreur"})
    assert response.status_code == 404
    assert not StatementCorrection.objects.exists()


def test_a_coordinator_corrects_only_the_months_marked_on_their_chantiers(
    client, coordinator, elsewhere_coordinator, chantier, member
):
    statement = _marked_and_validated(chantier, member, coordinator)
    client.force_login(elsewhere_coordinator)
    url = reverse("chantiers:corrections", args=[statement.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"amount": "-5.00", "km": "0", "reason": "x"}).status_code == 404
    assert not StatementCorrection.objects.exists()


def test_direction_marks_a_pending_correction_settled_a_coordinator_cannot(
    client, coordinator, director, chantier, member
):
    statement = _marked_and_validated(chantier, member, coordinator)
    correction = StatementCorrection.objects.create(
        statement=statement, amount=D("-5.00"), reason="Erreur", created_by=coordinator
    )
    url = reverse("chantiers:correction_settle", args=[correction.pk])
    data = {"settled_on": "2026-11-30", "settled_note": "Remboursé par virement"}
    client.force_login(coordinator)
    assert client.post(url, data).status_code == 403
    correction.refresh_from_db()
    assert correction.is_pending
    client.force_login(director)
    page = client.get(reverse("chantiers:corrections", args=[statement.pk]))
    assert url in page.text  # the form is offered to direction
    response = client.post(url, data, follow=True)
    assert "Correction marquée comme réglée hors lot." in _messages(response)
    correction.refresh_from_db()
    assert (correction.settled_on, correction.settled_note) == (
        dt.date(2026, 11, 30),
        "Remboursé par virement",
    )
    assert not correction.is_pending


def test_a_refused_settlement_comes_back_as_typed_on_its_line(
    client, coordinator, director, chantier, member
):
    """A date in the future: the page again (no redirect), the comment and the date as typed on
    the correction's own line, marked, and nothing settled."""
    statement = _marked_and_validated(chantier, member, coordinator)
    correction = StatementCorrection.objects.create(
        statement=statement, amount=D("-5.00"), reason="Erreur", created_by=coordinator
    )
    client.force_login(director)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("chantiers:correction_settle", args=[correction.pk]),
        {"settled_on": tomorrow, "settled_note": "Remboursé en liquide"},
    )
    assert response.status_code == 200
    line = _input(response, f"id_c{correction.pk}_settled_note")
    assert line["value"] == "Remboursé en liquide"
    assert _input(response, f"id_c{correction.pk}_settled_on")["value"] == tomorrow
    assert _input(response, f"id_c{correction.pk}_settled_on")["aria-invalid"] == "true"
    assert "La date ne peut pas être dans le futur." in response.text
    correction.refresh_from_db()
    assert correction.is_pending


def test_the_month_page_links_the_corrections_of_validated_statements(
    client, coordinator, chantier, member
):
    statement = _marked_and_validated(chantier, member, coordinator)
    other = _member(chantier)[0]
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 3))
    attendance_record(session=session, marks=[Mark(other.pk, "present")], by=coordinator)
    draft = statement_prepare(participant=other, month=MARCH)
    client.force_login(coordinator)
    page = client.get(reverse("chantiers:month_statements", args=[chantier.pk, 2026, 3])).text
    corrections = reverse("chantiers:corrections", args=[statement.pk])
    assert f'href="{corrections}?chantier={chantier.pk}">Corrections' in page
    assert reverse("chantiers:corrections", args=[draft.pk]) not in page


# Kilometres on the grid (rule 8) -----------------------------------------------------------------


@pytest.fixture
def session(chantier):
    return WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))


def test_the_grid_saves_the_kilometres_and_the_vehicle(client, coordinator, session, member):
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {f"status-{member.pk}": "present", f"km-{member.pk}": "30", f"vehicle-{member.pk}": "car"},
        follow=True,
    )
    mark = Attendance.objects.get()
    # 30 km × 0.4326 = 12.978: 12.98, on top of the 12.50.
    assert (mark.km, mark.vehicle, mark.km_paid) == (30, "car", 30)
    assert (mark.indemnity, mark.mileage) == (D("12.50"), D("12.98"))
    assert "Indemnité km : <strong>12,98\u00a0€</strong>" in response.text
    assert _input(response, f"k-{member.pk}")["value"] == "30"


def test_km_without_a_vehicle_come_back_with_the_vehicle_marked(
    client, coordinator, session, member
):
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {f"status-{member.pk}": "present", f"km-{member.pk}": "30", f"vehicle-{member.pk}": ""},
    )
    assert response.status_code == 200
    assert _input(response, f"v-{member.pk}").get("aria-invalid") == "true"
    assert _input(response, f"k-{member.pk}").get("aria-invalid") is None
    assert _input(response, f"k-{member.pk}")["value"] == "30"
    assert "Choisissez voiture ou vélo." in response.text
    assert not Attendance.objects.exists()


def test_unreadable_km_come_back_marked(client, coordinator, session, member):
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {f"status-{member.pk}": "present", f"km-{member.pk}": "abc", f"vehicle-{member.pk}": "car"},
    )
    assert response.status_code == 200
    assert _input(response, f"k-{member.pk}").get("aria-invalid") == "true"
    assert _input(response, f"k-{member.pk}")["value"] == "abc"
    assert "Kilomètres illisibles ou impossibles" in " ".join(_messages(response))
    assert not Attendance.objects.exists()


# The dashboard (rule 7) --------------------------------------------------------------------------


def _excesses_listed(client, user):
    client.force_login(user)
    page = client.get(reverse("dashboard:home"))
    assert page.status_code == 200
    return page


def test_the_dashboard_lists_the_excesses_to_those_who_answer_for_them(
    client, coordinator, director, counsellor, elsewhere_coordinator, member
):
    _declared(member, "1760.84", by=director)  # one cent over
    excess = CeilingExcess.objects.get(participant=member)
    link = reverse("chantiers:excess", args=[excess.pk])
    for user in (coordinator, director):
        page = _excesses_listed(client, user)
        assert 'data-testid="ceiling-excesses"' in page.text
        assert "Plafonds de défraiement dépassés" in page.text
        assert [e.pk for e in page.context["ceiling_excesses"]] == [excess.pk]
        assert link in page.text and member.last_name.upper() in page.text
    page = _excesses_listed(client, elsewhere_coordinator)
    assert 'data-testid="ceiling-excesses"' not in page.text and link not in page.text
    page = _excesses_listed(client, counsellor)
    assert 'data-testid="ceiling-excesses"' not in page.text and link not in page.text
