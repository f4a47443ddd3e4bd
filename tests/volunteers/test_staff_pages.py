"""The coordinators' and direction's pages about volunteers (issue 21): who may open each (every
other role 403, the volunteer's own included; another organisation's volunteer 404), a volunteer
registered (a possible duplicate asked about), invited, given an agreement without chantier, their
sheets validated or sent back, their month validated with the sheets, the receipt of a sheet
downloaded through the checked and logged view — and pages whose queries do not grow with rows.

2026 ceilings (seeded): 44.02 € a day, 1 760.83 € a year. The agreements pay 25.00 € a day.
"""

import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessLog, Membership, Role
from accounts.services import membership_accept, membership_decline
from chantiers import services
from chantiers.models import Attendance, MonthlyStatement, ServiceSheet, VolunteerAgreement
from chantiers.sheets import sheet_submit, sheet_validate
from participants import services as participant_services
from tests.chantiers.helpers import _agreement, _mark
from tests.factories import MembershipFactory, ParticipantFactory
from volunteers import services as volunteer_services
from volunteers.models import Volunteer
from volunteers.services import volunteer_register

D = Decimal
MARCH = dt.date(2026, 3, 1)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


# Builders ----------------------------------------------------------------------------------------


def _volunteer(organization, by, *, last_name="Relais", agreement=True, **agreement_fields):
    """A volunteer with no income (no declaration due) and, unless told otherwise, an agreement
    without chantier for 2026 at 25.00 a day."""
    person = ParticipantFactory(
        organization=organization, first_name="Aline", last_name=last_name, email="a@example.org"
    )
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    volunteer = volunteer_register(
        organization=organization,
        by=by,
        since=dt.date(2026, 1, 1),
        activity="Relais de quartier",
        participant=person,
    )
    if agreement:
        _agreement(person, declaration="", declaration_on=None, **agreement_fields)
    return volunteer


def _sheet(volunteer, day, by, **fields):
    values = {"date": day, "hours": D("3.00"), "activity": "Visites à domicile"}
    sheet = ServiceSheet(participant=volunteer.participant, **(values | fields))
    return sheet_submit(sheet=sheet, by=by)


def _with_receipt(volunteer, day, by):
    """A sheet of a real-costs volunteer with 8.40 € of tickets and their photo."""
    return _sheet(
        volunteer,
        day,
        by,
        expense_amount=D("8.40"),
        expense_description="Tickets STIB",
        receipt=SimpleUploadedFile("ticket de Madame.jpg", JPEG, content_type="image/jpeg"),
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _text(response) -> str:
    return html.unescape(response.text)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def relay(operator, coordinator, legal_ceilings):
    return _volunteer(operator, coordinator)


@pytest.fixture
def volunteer_user(operator):
    """Someone logged in with the ``volunteer`` role: their own sheets, nothing of these pages."""
    return MembershipFactory(organization=operator, role=Role.VOLUNTEER).user


@pytest.fixture
def elsewhere(other_operator):
    """The coordinator and the direction of another organisation."""
    return {
        role: MembershipFactory(organization=other_operator, role=role).user
        for role in (Role.COORDINATOR, Role.DIRECTION)
    }


@pytest.fixture
def own(relay, coordinator):
    """One row of each kind the addresses name: the volunteer, an agreement, a sheet waiting."""
    return {
        "volunteer": relay,
        "agreement": VolunteerAgreement.objects.get(participant=relay.participant),
        "sheet": _sheet(relay, dt.date(2026, 3, 2), coordinator),
    }


def _pages(own) -> list[str]:
    volunteer = own["volunteer"].pk
    return [
        reverse("volunteers:list"),
        reverse("volunteers:new"),
        reverse("volunteers:detail", args=[volunteer]),
        reverse("volunteers:agreement_new", args=[volunteer]),
        reverse("volunteers:agreement_edit", args=[own["agreement"].pk]),
        reverse("volunteers:month", args=[volunteer, 2026, 3]),
    ]


def _posts(own) -> list[tuple[str, dict]]:
    return [
        (reverse("volunteers:invite", args=[own["volunteer"].pk]), {"email": "x@example.org"}),
        (reverse("volunteers:sheet_review", args=[own["sheet"].pk]), {"action": "validate"}),
        (reverse("volunteers:month", args=[own["volunteer"].pk, 2026, 3]), {"action": "prepare"}),
    ]


# Who may open what -----------------------------------------------------------------------------

ACCESS = {
    "coordinator": 200,
    "director": 200,
    "admin": 403,
    "counsellor": 403,
    "partner": 403,
}


@pytest.mark.parametrize("persona", ACCESS)
def test_the_pages_by_role(client, personas, persona, own):
    client.force_login(personas[persona])
    statuses = {client.get(url).status_code for url in _pages(own)}
    assert statuses == {ACCESS[persona]}


@pytest.mark.parametrize("persona", ["admin", "counsellor", "partner"])
def test_another_role_changes_nothing(client, personas, persona, own):
    client.force_login(personas[persona])
    assert [client.post(url, data).status_code for url, data in _posts(own)] == [403] * 3
    own["sheet"].refresh_from_db()
    assert own["sheet"].status == ServiceSheet.Status.SUBMITTED
    assert own["volunteer"].user is None and not MonthlyStatement.objects.exists()


def test_the_volunteer_role_sees_none_of_these_pages(client, volunteer_user, own):
    client.force_login(volunteer_user)
    assert {client.get(url).status_code for url in _pages(own)} == {403}
    assert [client.post(url, data).status_code for url, data in _posts(own)] == [403] * 3


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DIRECTION])
def test_another_organisations_volunteer_answers_404(client, elsewhere, role, own):
    client.force_login(elsewhere[role])
    listed = client.get(reverse("volunteers:list"))
    assert listed.status_code == 200 and "RELAIS" not in _text(listed)
    for url in _pages(own)[2:]:
        assert client.get(url).status_code == 404, url
    assert [client.post(url, data).status_code for url, data in _posts(own)] == [404] * 3
    own["sheet"].refresh_from_db()
    assert own["sheet"].status == ServiceSheet.Status.SUBMITTED


# The list --------------------------------------------------------------------------------------


def test_the_list_shows_the_volunteers_and_the_sheets_waiting_oldest_first(
    client, coordinator, operator, relay
):
    later = _sheet(relay, dt.date(2026, 3, 9), coordinator)
    earlier = _sheet(relay, dt.date(2026, 3, 2), coordinator)
    _sheet(relay, dt.date(2026, 3, 3), coordinator)
    answered = _sheet(relay, dt.date(2026, 3, 4), coordinator)
    sheet_validate(sheet=answered, by=coordinator)
    _volunteer(operator, coordinator, last_name="Sansfiche")
    client.force_login(coordinator)

    page = client.get(reverse("volunteers:list"))

    pending = [row["sheet"] for row in page.context["pending"]]
    assert pending[0] == earlier and pending[-1] == later and len(pending) == 3
    assert {v.participant.last_name: v.waiting for v in page.context["page"]} == {
        "Relais": 3,
        "Sansfiche": 0,
    }
    assert "Relais de quartier" in _text(page) and "25,00\u00a0€" in _text(page)
    # Each button says whose day it answers.
    assert 'Valider<span class="visually-hidden"> — Aline RELAIS, 02/03/2026' in _text(page)


def test_the_list_makes_the_same_queries_for_one_volunteer_and_for_four(
    client, coordinator, operator, relay
):
    _sheet(relay, dt.date(2026, 3, 2), coordinator)
    client.force_login(coordinator)
    url = reverse("volunteers:list")
    one = _queries(client, url)
    for number in range(3):
        other = _volunteer(operator, coordinator, last_name=f"Autre{number}")
        _sheet(other, dt.date(2026, 3, 2 + number), coordinator)
        Volunteer.objects.filter(pk=other.pk).update(user=MembershipFactory().user)

    assert _queries(client, url) == one


# A new volunteer -------------------------------------------------------------------------------


def _new_data(**fields):
    data = {
        "last_name": "Mertens",
        "first_name": "Josée",
        "birth_date": "1958-04-02",
        "gender": "F",
        "nationality_group": "BE",
        "email": "josee@example.org",
        "phone": "0470 12 34 56",
        "iban": "BE74 3630 8101 1107",
        "income_kind": "unemployment",
        "income_since": "2025-01-01",
        "since": "2026-02-01",
        "activity": "Permanence au local",
    }
    return data | fields


def test_a_volunteer_is_registered_without_a_pathway(client, director, operator):
    client.force_login(director)
    response = client.post(reverse("volunteers:new"), _new_data())

    volunteer = Volunteer.objects.get()
    assert response.url == reverse("volunteers:detail", args=[volunteer.pk])
    person = volunteer.participant
    assert (person.first_name, person.iban, person.organization) == (
        "Josée",
        "BE74363081011107",
        operator,
    )
    assert (volunteer.since, volunteer.activity) == (dt.date(2026, 2, 1), "Permanence au local")
    assert person.income_sources.get().kind == "unemployment"
    assert not person.pathways.exists()


def test_a_refused_volunteer_comes_back_as_typed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("volunteers:new"), _new_data(since="2099-01-01", activity="", phone="0470 99")
    )

    assert response.status_code == 200 and not Volunteer.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"since", "activity"}
    assert form["last_name"].value() == "Mertens" and form["phone"].value() == "0470 99"
    assert 'value="BE74 3630 8101 1107"' in _text(response)


def test_a_possible_duplicate_is_asked_about_then_registered_as_another_person(
    client, director, operator
):
    ParticipantFactory(
        organization=operator,
        last_name="Mertens",
        first_name="Josée",
        birth_date=dt.date(1958, 4, 2),
    )
    client.force_login(director)
    asked = client.post(reverse("volunteers:new"), _new_data())

    assert asked.status_code == 200 and not Volunteer.objects.exists()
    assert "Une personne du même nom, née le même jour, a déjà une fiche." in _text(asked)
    assert "c'est une autre personne" in _text(asked)
    assert asked.context["form"]["activity"].value() == "Permanence au local"

    client.post(reverse("volunteers:new"), _new_data(offered="1", not_a_duplicate="on"))
    assert Volunteer.objects.get().participant.email == "josee@example.org"
    assert operator.participants.filter(last_name="Mertens").count() == 2


def test_a_possible_duplicate_may_be_the_person_already_known(client, director, operator):
    known = ParticipantFactory(
        organization=operator,
        last_name="Mertens",
        first_name="Josée",
        birth_date=dt.date(1958, 4, 2),
    )
    client.force_login(director)
    asked = client.post(reverse("volunteers:new"), _new_data())
    assert f'value="{known.pk}"' in _text(asked)  # offered among the answers

    client.post(reverse("volunteers:new"), _new_data(offered="1", existing=str(known.pk)))
    assert Volunteer.objects.get().participant == known
    assert operator.participants.count() == 1


def test_only_a_record_of_the_typed_name_may_be_chosen(client, director, operator):
    someone = ParticipantFactory(organization=operator, last_name="Autre")
    client.force_login(director)
    refused = client.post(reverse("volunteers:new"), _new_data(offered="1", existing=someone.pk))

    assert "existing" in refused.context["form"].errors
    assert not Volunteer.objects.exists()


# A volunteer's page and log-in -----------------------------------------------------------------


def test_the_volunteers_page_shows_the_year_and_logs_the_opening(client, coordinator, relay):
    _sheet(relay, dt.date(2026, 3, 2), coordinator)
    returned = _sheet(relay, dt.date(2026, 4, 1), coordinator)
    client.force_login(coordinator)
    client.post(
        reverse("volunteers:sheet_review", args=[returned.pk]),
        {"action": "return", "reason": "Quelle activité ?"},
    )

    page = client.get(reverse("volunteers:detail", args=[relay.pk]) + "?year=2026")

    assert page.context["section"]["balance"].paid == D("25.00")
    assert [row["month"] for row in page.context["months"]] == [MARCH, dt.date(2026, 4, 1)]
    assert "Quelle activité ?" in _text(page) and "Envoyer l'invitation" in _text(page)
    assert reverse("volunteers:agreement_new", args=[relay.pk]) in _text(page)
    logged = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (logged.user, logged.object_id) == (coordinator, str(relay.participant_id))


def test_the_volunteers_page_makes_the_same_queries_for_one_sheet_and_for_four(
    client, coordinator, relay
):
    _sheet(relay, dt.date(2026, 3, 2), coordinator)
    client.force_login(coordinator)
    url = reverse("volunteers:detail", args=[relay.pk]) + "?year=2026"
    one = _queries(client, url)
    for day in (3, 4):
        _sheet(relay, dt.date(2026, 3, day), coordinator)
    sheet_validate(sheet=_sheet(relay, dt.date(2026, 5, 4), coordinator), by=coordinator)

    assert _queries(client, url) == one


def test_inviting_sends_an_email_and_waits_for_the_persons_answer(
    client, coordinator, operator, relay, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:invite", args=[relay.pk]),
            {"email": "Aline.Relais@Example.org", "language": "fr"},
        )

    assert response.status_code == 302
    relay.refresh_from_db()
    membership = Membership.objects.get(user=relay.user, organization=operator)
    assert (membership.role, membership.accepted_at) == (Role.VOLUNTEER, None)
    assert relay.user.email == "aline.relais@example.org"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aline.relais@example.org"]
    page = client.get(reverse("volunteers:detail", args=[relay.pk]))
    assert "Invitation en attente, envoyée à aline.relais@example.org" in _text(page)


def test_a_refused_invitation_keeps_the_address_typed(client, coordinator, relay):
    client.force_login(coordinator)
    response = client.post(
        reverse("volunteers:invite", args=[relay.pk]), {"email": "aline@", "language": "fr"}
    )

    assert response.status_code == 200
    assert 'value="aline@"' in _text(response) and "email" in response.context["invite_form"].errors
    assert not Membership.objects.filter(role=Role.VOLUNTEER).exists()


# Agreements without chantier -------------------------------------------------------------------


def _agreement_data(**fields):
    data = {
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "scheme": "flat_rate",
        "daily_rate": "25.00",
        "signed_on": "2026-01-05",
        "organisation_note_given_on": "2026-01-05",
        "insurance_policy": "RC 45.123",
        "declaration": "none",
        "declaration_on": "",
    }
    return data | fields


def test_an_agreement_without_chantier_is_saved_for_the_volunteer(client, director, operator):
    volunteer = _volunteer(operator, director, agreement=False)
    client.force_login(director)
    assert client.get(reverse("volunteers:agreement_new", args=[volunteer.pk])).status_code == 200

    response = client.post(
        reverse("volunteers:agreement_new", args=[volunteer.pk]), _agreement_data()
    )

    agreement = VolunteerAgreement.objects.get()
    assert response.url == reverse("volunteers:agreement_edit", args=[agreement.pk])
    assert (agreement.participant, agreement.organization, agreement.chantier) == (
        volunteer.participant,
        operator,
        None,
    )
    assert (agreement.daily_rate, agreement.signed_on) == (D("25.00"), dt.date(2026, 1, 5))
    edit = client.get(response.url)
    assert edit.status_code == 200 and 'value="RC 45.123"' in _text(edit)


def test_a_refused_agreement_keeps_what_was_typed(client, coordinator, relay):
    client.force_login(coordinator)
    agreement = VolunteerAgreement.objects.get()
    response = client.post(
        reverse("volunteers:agreement_edit", args=[agreement.pk]),
        _agreement_data(daily_rate="99.00", insurance_policy="RC 77"),
    )

    assert response.status_code == 200 and "daily_rate" in response.context["form"].errors
    assert 'value="RC 77"' in _text(response)
    agreement.refresh_from_db()
    assert agreement.daily_rate == D("25.00")


def test_saving_the_agreement_pays_the_sheets_already_entered(client, coordinator, operator):
    volunteer = _volunteer(operator, coordinator, agreement=False)
    sheet = _sheet(volunteer, dt.date(2026, 3, 2), coordinator)
    assert sheet.not_payable == Attendance.NotPayable.NO_AGREEMENT
    client.force_login(coordinator)
    client.post(reverse("volunteers:agreement_new", args=[volunteer.pk]), _agreement_data())

    sheet.refresh_from_db()
    assert (sheet.indemnity, sheet.not_payable) == (D("25.00"), "")


def test_the_agreement_pdf_is_printed_for_a_volunteer(client, coordinator, relay):
    client.force_login(coordinator)
    agreement = VolunteerAgreement.objects.get()
    response = client.get(reverse("chantiers:agreement_pdf", args=[agreement.pk]))
    assert response.status_code == 200


# Sheets: validated, sent back, their receipt ---------------------------------------------------


def test_a_sheet_is_validated_and_the_page_it_came_from_shown_again(client, coordinator, own):
    client.force_login(coordinator)
    back = reverse("volunteers:detail", args=[own["volunteer"].pk])
    response = client.post(
        reverse("volunteers:sheet_review", args=[own["sheet"].pk]),
        {"action": "validate", "next": back},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == back
    assert "Prestation de Aline Relais du 02/03/2026 validée." in _messages(response)
    sheet = ServiceSheet.objects.get()
    assert (sheet.status, sheet.validated_by) == (ServiceSheet.Status.VALIDATED, coordinator)


def test_a_sheet_is_sent_back_with_its_reason(client, director, own):
    client.force_login(director)
    response = client.post(
        reverse("volunteers:sheet_review", args=[own["sheet"].pk]),
        {
            "action": "return",
            "reason": "  Il manque l'heure d'arrivée.  ",
            "next": "//evil.example/",
        },
    )

    assert response.url == reverse("volunteers:list")  # never another site
    sheet = ServiceSheet.objects.get()
    assert (sheet.status, sheet.return_reason) == (
        ServiceSheet.Status.RETURNED,
        "Il manque l'heure d'arrivée.",
    )
    assert sheet.indemnity == D("0.00")


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("   ", "Dites au·à la bénévole ce qu'il faut corriger."),
        ("Trop long. " * 100, "1000 caractères"),
    ],
)
def test_a_refused_return_keeps_the_reason_typed_beside_its_sheet(
    client, coordinator, own, reason, said
):
    client.force_login(coordinator)
    back = reverse("volunteers:month", args=[own["volunteer"].pk, 2026, 3])
    response = client.post(
        reverse("volunteers:sheet_review", args=[own["sheet"].pk]),
        {"action": "return", "reason": reason, "next": back},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "volunteers/month.html"
    [row] = [r for r in response.context["rows"] if r["review"]]
    assert row["review"]["form"]["reason"].value() == reason
    assert said in _text(response)
    assert ServiceSheet.objects.get().status == ServiceSheet.Status.SUBMITTED


def test_a_sheet_answered_already_says_so(client, coordinator, own):
    sheet_validate(sheet=own["sheet"], by=coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("volunteers:sheet_review", args=[own["sheet"].pk]),
        {"action": "return", "reason": "Trop tard"},
        follow=True,
    )

    assert "n'attend plus de réponse" in _messages(response)
    assert ServiceSheet.objects.get().status == ServiceSheet.Status.VALIDATED


def test_an_unknown_answer_is_a_bad_request(client, coordinator, own):
    client.force_login(coordinator)
    url = reverse("volunteers:sheet_review", args=[own["sheet"].pk])
    assert client.post(url, {"action": "delete"}).status_code == 400
    assert client.get(url).status_code == 405


def test_the_receipt_is_served_only_through_the_logged_view(
    client, coordinator, operator, elsewhere
):
    volunteer = _volunteer(operator, coordinator, scheme=VolunteerAgreement.Scheme.REAL_COSTS)
    sheet = _with_receipt(volunteer, dt.date(2026, 3, 2), coordinator)
    assert "Madame" not in sheet.receipt.name
    url = reverse("volunteers:sheet_receipt", args=[sheet.pk])
    client.force_login(coordinator)
    assert url in client.get(reverse("volunteers:list")).text

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert f'filename="servicesheet-{sheet.pk}.jpg"' in response["Content-Disposition"]
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    [logged] = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD)
    assert (logged.user, logged.object_id) == (coordinator, str(volunteer.participant_id))
    client.force_login(elsewhere[Role.DIRECTION])
    assert client.get(url).status_code == 404


def test_a_sheet_without_receipt_has_none_to_serve(client, coordinator, own):
    client.force_login(coordinator)
    response = client.get(reverse("volunteers:sheet_receipt", args=[own["sheet"].pk]))
    assert response.status_code == 404


# A month's statement ---------------------------------------------------------------------------


def test_a_pending_sheet_stops_the_months_validation_with_a_message(client, coordinator, own):
    client.force_login(coordinator)
    url = reverse("volunteers:month", args=[own["volunteer"].pk, 2026, 3])
    page = client.get(url)
    assert "1 prestation attend d'être validée ou renvoyée" in _text(page)

    response = client.post(url, {"action": "validate"}, follow=True)

    assert "attendent d'être validées ou renvoyées : 02/03." in _messages(response)
    assert MonthlyStatement.objects.get().status == MonthlyStatement.Status.DRAFT


def test_the_month_is_validated_with_its_sheets_and_chantier_days(client, director, relay):
    _mark(relay.participant, dt.date(2026, 3, 2))
    sheet = _sheet(relay, dt.date(2026, 3, 5), director)
    sheet_validate(sheet=sheet, by=director)
    _sheet(relay, dt.date(2026, 4, 1), director)  # another month's: not this one's business
    client.force_login(director)
    url = reverse("volunteers:month", args=[relay.pk, 2026, 3])
    page = client.get(url)
    assert [row["sheet"] for row in page.context["rows"]] == [False, True]

    response = client.post(url, {"action": "validate"}, follow=True)

    assert "Fiche de Aline Relais validée." in _messages(response)
    statement = MonthlyStatement.objects.get()
    assert (statement.status, statement.validated_by) == ("validated", director)
    assert (statement.days, statement.hours, statement.amount) == (2, D("6.00"), D("50.00"))
    assert reverse("chantiers:statement_pdf", args=[statement.pk]) in _text(response)


def test_the_days_not_paid_are_confirmed_before_the_month_is_validated(
    client, coordinator, operator
):
    """No agreement: the chantier day is not paid, and says why; confirmed, the month passes."""
    volunteer = _volunteer(operator, coordinator, agreement=False)
    _mark(volunteer.participant, dt.date(2026, 3, 2))
    client.force_login(coordinator)
    url = reverse("volunteers:month", args=[volunteer.pk, 2026, 3])

    refused = client.post(url, {"action": "validate"}, follow=True)
    assert "ne sont pas payables et n'ont pas été confirmés" in _messages(refused)
    assert client.get(url).context["waiting"] == 1

    confirmed = client.post(url, {"action": "acknowledge"}, follow=True)
    assert "1 jour(s) non payable(s) confirmé(s)." in _messages(confirmed)
    client.post(url, {"action": "validate"})
    assert MonthlyStatement.objects.get().status == MonthlyStatement.Status.VALIDATED


def test_the_month_page_makes_the_same_queries_for_one_day_and_for_four(client, coordinator, relay):
    """A sheet and a chantier day, then four sheets and two chantier days."""
    _sheet(relay, dt.date(2026, 3, 2), coordinator)
    _mark(relay.participant, dt.date(2026, 3, 9))
    client.force_login(coordinator)
    url = reverse("volunteers:month", args=[relay.pk, 2026, 3])
    client.post(url, {"action": "prepare"})
    one = _queries(client, url)
    _sheet(relay, dt.date(2026, 3, 3), coordinator)
    _sheet(relay, dt.date(2026, 3, 5), coordinator)
    sheet_validate(sheet=_sheet(relay, dt.date(2026, 3, 4), coordinator), by=coordinator)
    _mark(relay.participant, dt.date(2026, 3, 10))

    assert _queries(client, url) == one


@pytest.mark.parametrize(("year", "month"), [(2026, 13), (1, 1), (9999, 12)])
def test_a_month_that_does_not_exist_answers_404(client, coordinator, relay, year, month):
    client.force_login(coordinator)
    url = reverse("volunteers:month", args=[relay.pk, year, month])
    assert client.get(url).status_code == 404


def test_a_coordinator_prints_a_volunteers_month(client, coordinator, relay):
    sheet_validate(sheet=_sheet(relay, dt.date(2026, 3, 2), coordinator), by=coordinator)
    client.force_login(coordinator)
    client.post(reverse("volunteers:month", args=[relay.pk, 2026, 3]), {"action": "validate"})
    statement = MonthlyStatement.objects.get()
    response = client.get(reverse("chantiers:statement_pdf", args=[statement.pk]))
    assert response.status_code == 200
    # A day outside a chantier: its line names the activity, and the column says so.
    text = _pdf_text(response)
    assert "Date Chantier ou activité Séance" in text and "Visites à domicile" in text


def test_a_month_of_chantier_days_only_keeps_the_chantier_column(client, director, relay):
    _mark(relay.participant, dt.date(2026, 3, 2))
    statement = services.statement_prepare(participant=relay.participant, month=MARCH)
    client.force_login(director)
    text = _pdf_text(client.get(reverse("chantiers:statement_pdf", args=[statement.pk])))
    assert "Date Chantier Séance" in text and "ou activité" not in text


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


# A known person made a volunteer: the direction only --------------------------------------------

MAYBE_KNOWN = (
    "Une fiche existe peut-être déjà pour cette personne. Demandez à la direction de l'inscrire "
    "comme bénévole, ou cochez « c'est une autre personne » si vous êtes sûr·e."
)


def _known(operator, **fields):
    """A person followed here, spelt differently from what the coordinator types (the duplicate
    rule ignores accents and case): the page must not teach the coordinator how."""
    values = {"last_name": "Mërtens", "first_name": "JOSÉE", "birth_date": dt.date(1958, 4, 2)}
    return ParticipantFactory(organization=operator, **(values | fields))


def test_a_coordinator_is_told_neutrally_that_the_person_may_be_known(
    client, coordinator, operator
):
    _known(operator)
    client.force_login(coordinator)

    asked = client.post(reverse("volunteers:new"), _new_data())

    page = _text(asked)
    assert asked.status_code == 200 and not Volunteer.objects.exists()
    assert MAYBE_KNOWN in page and "c'est une autre personne" in page
    assert "Mërtens" not in page and "MËRTENS" not in page and "JOSÉE" not in page
    # No choice of the known record (its id is not on the page as an answer).
    assert 'name="existing"' not in page and "Oui :" not in page
    assert "existing" not in asked.context["form"].fields
    # Refused again for something else: still asked about, still without a name.
    again = client.post(reverse("volunteers:new"), _new_data(offered="1", activity=""))
    page = _text(again)
    assert MAYBE_KNOWN in page and "c'est une autre personne" in page
    assert "Mërtens" not in page and 'name="existing"' not in page


def test_a_coordinator_is_not_told_about_a_known_volunteer_either(client, coordinator, operator):
    known = _volunteer(operator, coordinator, last_name="Mertens", agreement=False)
    client.force_login(coordinator)

    asked = client.post(
        reverse("volunteers:new"),
        _new_data(first_name="Aline", birth_date=known.participant.birth_date.isoformat()),
    )

    assert MAYBE_KNOWN in _text(asked)
    assert reverse("volunteers:detail", args=[known.pk]) not in _text(asked)
    assert "déjà bénévole" not in _text(asked)


def test_a_coordinator_cannot_post_a_known_persons_id(client, coordinator, operator):
    known = _known(operator)
    client.force_login(coordinator)

    refused = client.post(reverse("volunteers:new"), _new_data(offered="1", existing=str(known.pk)))
    assert refused.status_code == 200 and not Volunteer.objects.exists()
    assert MAYBE_KNOWN in _text(refused) and "Mërtens" not in _text(refused)

    # Sure it is another person: a new record, never the known one.
    client.post(
        reverse("volunteers:new"),
        _new_data(offered="1", existing=str(known.pk), not_a_duplicate="on"),
    )
    assert Volunteer.objects.get().participant != known
    assert not Volunteer.objects.filter(participant=known).exists()


def test_the_direction_is_offered_the_known_person_and_may_choose_them(client, director, operator):
    known = _known(operator)
    client.force_login(director)

    asked = client.post(reverse("volunteers:new"), _new_data())
    assert "MËRTENS JOSÉE" in _text(asked) and f'value="{known.pk}"' in _text(asked)
    assert 'name="existing"' in _text(asked)  # what a coordinator is never offered
    assert MAYBE_KNOWN not in _text(asked)

    client.post(reverse("volunteers:new"), _new_data(offered="1", existing=str(known.pk)))
    assert Volunteer.objects.get().participant == known


# Registered twice -------------------------------------------------------------------------------


def test_registering_the_same_person_twice_says_so(operator, coordinator, legal_ceilings):
    person = ParticipantFactory(organization=operator, last_name="Deux")
    kwargs = {
        "organization": operator,
        "by": coordinator,
        "since": dt.date(2026, 1, 1),
        "activity": "Relais",
        "participant": person,
    }
    volunteer_register(**kwargs)

    with pytest.raises(ValidationError, match="est déjà bénévole"):
        volunteer_register(**kwargs)
    assert Volunteer.objects.filter(participant=person).count() == 1


def test_registered_at_the_same_moment_is_said_not_a_server_error(
    operator, coordinator, monkeypatch
):
    person = ParticipantFactory(organization=operator, last_name="Deux")
    kwargs = {
        "organization": operator,
        "by": coordinator,
        "since": dt.date(2026, 1, 1),
        "activity": "Relais",
        "participant": person,
    }
    volunteer_register(**kwargs)
    # The check passed as if the other click had not committed yet: the constraint refuses.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)

    with pytest.raises(ValidationError, match="est déjà bénévole"):
        volunteer_register(**kwargs)
    monkeypatch.undo()
    assert Volunteer.objects.filter(participant=person).count() == 1


# Invited again ----------------------------------------------------------------------------------


def _invite(client, volunteer, email):
    return client.post(
        reverse("volunteers:invite", args=[volunteer.pk]), {"email": email, "language": "fr"}
    )


def _login_of(volunteer):
    volunteer.refresh_from_db()
    return Membership.objects.get(user=volunteer.user, organization=volunteer.organization)


def test_a_declined_invitation_may_be_sent_again(client, coordinator, relay):
    client.force_login(coordinator)
    _invite(client, relay, "aline@example.org")
    membership_decline(membership=_login_of(relay))

    page = client.get(reverse("volunteers:detail", args=[relay.pk]))
    assert "Envoyer l'invitation" in _text(page) and page.context["membership"] is None
    assert _invite(client, relay, "aline@example.org").status_code == 302
    again = _login_of(relay)
    assert (again.user.email, again.accepted_at, again.is_active) == (
        "aline@example.org",
        None,
        True,
    )


def test_a_closed_access_may_be_given_again_to_another_address(
    client, coordinator, operator, relay
):
    client.force_login(coordinator)
    _invite(client, relay, "aline@example.org")
    first = _login_of(relay)
    membership_accept(membership=first)
    Membership.objects.filter(pk=first.pk).update(is_active=False)

    page = client.get(reverse("volunteers:detail", args=[relay.pk]))
    assert "il n'est plus actif" in _text(page) and "Envoyer l'invitation" in _text(page)
    listed = client.get(reverse("volunteers:list"))
    assert [(v.login_active, v.login_pending) for v in listed.context["page"]] == [(False, False)]
    # The same address: the team's rule (the closed access is reopened from the team page).
    same = _invite(client, relay, "aline@example.org")
    assert same.status_code == 200 and "email" in same.context["invite_form"].errors
    # Another address: a new log-in, waiting for the person's answer.
    assert _invite(client, relay, "aline.new@example.org").status_code == 302
    relay.refresh_from_db()
    assert relay.user.email == "aline.new@example.org"
    assert Membership.objects.pending().filter(user=relay.user, organization=operator).exists()


def test_the_address_of_another_volunteers_access_is_refused_beside_it(
    client, coordinator, operator, relay
):
    other = _volunteer(operator, coordinator, last_name="Autre", agreement=False)
    client.force_login(coordinator)
    _invite(client, other, "partage@example.org")
    membership_decline(membership=_login_of(other))  # the other's record keeps the account

    response = _invite(client, relay, "Partage@Example.org")

    assert response.status_code == 200
    assert "autre bénévole" in " ".join(response.context["invite_form"].errors["email"])
    assert 'value="Partage@Example.org"' in _text(response)
    relay.refresh_from_db()
    assert relay.user is None


def test_an_open_access_is_not_given_twice(coordinator, relay):
    membership = volunteer_services.volunteer_invite(volunteer=relay, email="aline@example.org")
    with pytest.raises(ValidationError, match="attend déjà la réponse"):
        volunteer_services.volunteer_invite(volunteer=relay, email="autre@example.org")
    membership_accept(membership=membership)
    with pytest.raises(ValidationError, match="a déjà un accès"):
        volunteer_services.volunteer_invite(volunteer=relay, email="autre@example.org")


def test_the_page_says_whether_the_access_is_active_or_waiting(client, coordinator, relay):
    client.force_login(coordinator)
    _invite(client, relay, "aline@example.org")
    url = reverse("volunteers:detail", args=[relay.pk])

    waiting = _text(client.get(url))
    assert "Invitation en attente, envoyée à aline@example.org" in waiting
    assert "Envoyer l'invitation" not in waiting
    assert "Invitation envoyée" in _text(client.get(reverse("volunteers:list")))
    membership_accept(membership=_login_of(relay))
    active = _text(client.get(url))
    assert "La personne se connecte avec aline@example.org" in active
    assert "Envoyer l'invitation" not in active


# The end of the volunteering --------------------------------------------------------------------

JUNE_END = dt.date(2026, 6, 30)


def _end(client, volunteer, day):
    return client.post(reverse("volunteers:end", args=[volunteer.pk]), {"ended_on": day})


def test_the_end_is_refused_in_the_future_before_the_start_or_twice(coordinator, relay):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for day, message in (
        (tomorrow, "dans le futur"),
        (dt.date(2025, 12, 31), "ne peut pas précéder le début du bénévolat \\(01/01/2026\\)"),
    ):
        with pytest.raises(ValidationError, match=message) as refused:
            volunteer_services.volunteer_end(volunteer=relay, ended_on=day, by=coordinator)
        assert "ended_on" in refused.value.error_dict
    volunteer_services.volunteer_end(volunteer=relay, ended_on=JUNE_END, by=coordinator)
    with pytest.raises(ValidationError, match="déjà terminé \\(le 30/06/2026\\)"):
        volunteer_services.volunteer_end(volunteer=relay, ended_on=JUNE_END, by=coordinator)


def test_the_end_waits_for_the_sheets_answered(coordinator, relay):
    sheet = _sheet(relay, dt.date(2026, 3, 2), coordinator)
    with pytest.raises(ValidationError, match=r"^\['1 prestation attend encore une réponse"):
        volunteer_services.volunteer_end(volunteer=relay, ended_on=JUNE_END, by=coordinator)
    second = _sheet(relay, dt.date(2026, 3, 3), coordinator)
    with pytest.raises(ValidationError, match="2 prestations attendent encore une réponse"):
        volunteer_services.volunteer_end(volunteer=relay, ended_on=JUNE_END, by=coordinator)
    relay.refresh_from_db()
    assert relay.ended_on is None

    sheet_validate(sheet=sheet, by=coordinator)
    sheet_validate(sheet=second, by=coordinator)
    volunteer_services.volunteer_end(volunteer=relay, ended_on=JUNE_END, by=coordinator)
    relay.refresh_from_db()
    assert relay.ended_on == JUNE_END


def test_the_end_closes_the_volunteers_access(coordinator, operator, relay):
    membership = volunteer_services.volunteer_invite(volunteer=relay, email="aline@example.org")
    membership_accept(membership=membership)
    relay.refresh_from_db()
    assert volunteer_services.volunteer_of(user=relay.user, organization=operator) == relay

    volunteer_services.volunteer_end(volunteer=relay, ended_on=JUNE_END, by=coordinator)

    membership.refresh_from_db()
    assert not membership.is_active
    assert volunteer_services.volunteer_of(user=relay.user, organization=operator) is None
    with pytest.raises(ValidationError, match="terminé"):
        volunteer_services.volunteer_invite(volunteer=relay, email="autre@example.org")


@pytest.mark.parametrize("persona", ["coordinator", "director"])
def test_the_end_is_said_on_the_page_and_shown_on_the_list(client, personas, persona, relay):
    client.force_login(personas[persona])
    url = reverse("volunteers:detail", args=[relay.pk])
    assert "Fin du bénévolat" in _text(client.get(url))

    response = _end(client, relay, "2026-06-30")

    assert response.status_code == 302 and response.url == url
    relay.refresh_from_db()
    assert relay.ended_on == JUNE_END
    page = _text(client.get(url))
    assert "Bénévolat terminé le 30/06/2026." in page and "fin le 30/06/2026" in page
    assert reverse("volunteers:end", args=[relay.pk]) not in page
    assert "Envoyer l'invitation" not in page
    assert "fin le 30/06/2026" in _text(client.get(reverse("volunteers:list")))


def test_the_end_says_how_many_shifts_of_the_rota_reopened(client, coordinator, relay):
    from volunteers.models import Shift, ShiftAssignment

    def on_shift(day):
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        shift = Shift.objects.create(
            organization=relay.organization,
            role="Accueil",
            place="Maison",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            needed=1,
            created_by=coordinator,
        )
        return ShiftAssignment.objects.create(
            shift=shift, volunteer=relay, how="assigned", assigned_by=coordinator
        )

    kept = on_shift(JUNE_END)
    on_shift(dt.date(2026, 7, 1))
    on_shift(timezone.localdate() + dt.timedelta(days=3))
    client.force_login(coordinator)

    response = _end(client, relay, "2026-06-30")

    page = client.get(response.url)
    assert "Créneaux du planning rouverts : 2." in _messages(page)
    assert list(ShiftAssignment.objects.filter(volunteer=relay)) == [kept]


@pytest.mark.parametrize(
    ("day", "field_error"), [("2025-06-01", True), ("2026-06-30", False)], ids=["date", "sheet"]
)
def test_a_refused_end_keeps_the_date_typed(client, coordinator, own, day, field_error):
    client.force_login(coordinator)

    response = _end(client, own["volunteer"], day)

    assert response.status_code == 200
    form = response.context["end_form"]
    assert bool(form.errors.get("ended_on")) == field_error
    assert field_error or "attend encore une réponse" in _text(response)
    assert f'value="{day}"' in _text(response)
    own["volunteer"].refresh_from_db()
    assert own["volunteer"].ended_on is None


@pytest.mark.parametrize("persona", ["admin", "counsellor", "partner"])
def test_another_role_cannot_end_a_volunteering(client, personas, persona, relay):
    client.force_login(personas[persona])
    assert _end(client, relay, "2026-06-30").status_code == 403
    relay.refresh_from_db()
    assert relay.ended_on is None


def test_the_volunteer_cannot_end_a_volunteering(client, volunteer_user, relay):
    client.force_login(volunteer_user)
    assert _end(client, relay, "2026-06-30").status_code == 403


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DIRECTION])
def test_another_organisation_cannot_end_a_volunteering(client, elsewhere, role, relay):
    client.force_login(elsewhere[role])
    assert _end(client, relay, "2026-06-30").status_code == 404
    relay.refresh_from_db()
    assert relay.ended_on is None
