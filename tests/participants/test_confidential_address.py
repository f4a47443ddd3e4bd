"""A confidential address (issue 17, item 4: people hiding from violence): the street, postcode
and commune are shown only to the roles the organization names, after a reason, each showing
logged; never in lists, search results, exports, printed documents, partner views or e-mails.

Role × page: every role (admin, direction, counsellor, coordinator, partner) opens every page
that could show the address — the person's page, the edit form, the list and its search, the
export, the chantier's sign-in sheets, agreement and statements, the partner's inbox, answer
page, hosted chantiers and answer link, the e-mails to partners — with a person whose street,
postcode and commune are strings found nowhere else."""

import datetime as dt
import html as html_lib
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import AccessLog, Membership, Organization, Role
from chantiers.models import Attendance, Enrolment, MonthlyStatement, VolunteerAgreement
from participants import services
from participants.confidential import may_see_address
from participants.forms import ParticipantForm
from participants.models import AddressReveal, Participant
from partners import emails
from partners import services as partner_services
from partners.models import PartnerService
from partners.tasks import referral_send_link
from tests.factories import ChantierFactory, OrganizationFactory, PathwayFactory, WorkSessionFactory
from tests.factories import ParticipantFactory as PersonFactory

STREET, POSTCODE, COMMUNE = "Allée des Glycines Secrètes 77", "CP-73195", "Glycinebeek"
SECRETS = (STREET, "Glycines", POSTCODE, COMMUNE)
ROLES = ["admin", "director", "counsellor", "coordinator", "partner"]
CASELOAD = {"director", "counsellor"}
MONDAY = dt.date(2026, 3, 2)
REASON = "Envoi d'un courrier recommandé pour l'attestation"


@pytest.fixture
def hidden(operator, counsellor):
    """Someone whose address is confidential, with an open pathway."""
    person = PersonFactory(
        organization=operator,
        first_name="Noor",
        last_name="Verborgen",
        phone="0470 11 22 33",
        email="noor@example.org",
        street=STREET,
        postcode=POSTCODE,
        commune=COMMUNE,
        address_confidential=True,
        counsellor=counsellor,
    )
    PathwayFactory(participant=person, started_on=dt.date(2025, 1, 6))
    return person


@pytest.fixture
def cpas(db):
    """A partner without members: it answers through the e-mailed link."""
    return OrganizationFactory(
        kind=Organization.Kind.CPAS, name="CPAS de Forest", email="accueil@cpas.example"
    )


@pytest.fixture
def paperwork(hidden, operator, housing, coordinator, director, counsellor, cpas, legal_ceilings):
    """Everything printed or sent about the person: a chantier hosted by the housing company,
    its session, the person's agreement and validated statement, a referral to the housing
    company (answered in the app) and one to the CPAS (answered through the link)."""
    chantier = ChantierFactory(organization=operator, host=housing, name="Peinture des halls")
    chantier.coordinators.add(coordinator)
    session = WorkSessionFactory(chantier=chantier, date=MONDAY)
    services.income_source_change(participant=hidden, kind="none", starts_on=dt.date(2024, 1, 1))
    Enrolment.objects.create(chantier=chantier, participant=hidden, status="active")
    agreement = VolunteerAgreement.objects.create(
        participant=hidden,
        organization=operator,
        chantier=chantier,
        starts_on=dt.date(2026, 1, 1),
        daily_rate=Decimal("12.50"),
        signed_on=dt.date(2026, 1, 1),
        organisation_note_given_on=dt.date(2026, 1, 1),
        declaration="none",
    )
    statement = MonthlyStatement.objects.create(
        participant=hidden,
        organization=operator,
        month=dt.date(2026, 3, 1),
        days=1,
        amount=Decimal("12.50"),
        status=MonthlyStatement.Status.VALIDATED,
    )
    Attendance.objects.create(
        session=session, participant=hidden, status="present", hours=session.hours
    )
    referral = partner_services.referral_send(
        participant=hidden, to_organization=housing, reason="Recherche de logement", by=counsellor
    )
    service = PartnerService.objects.create(
        organization=cpas,
        name="Service social",
        need_category="childcare",
        email="orientations@cpas.example",
    )
    linked = partner_services.referral_send(
        participant=hidden,
        to_organization=cpas,
        service=service,
        reason="Garde d'enfants",
        by=counsellor,
    )
    return {
        "chantier": chantier,
        "session": session,
        "agreement": agreement,
        "statement": statement,
        "referral": referral,
        "linked": linked,
    }


def _text(response) -> str:
    """What a person reads in the answer: a PDF's text, a spreadsheet's cells, a page's text."""
    kind = response.get("Content-Type", "")
    if kind == "application/pdf":
        pages = PdfReader(io.BytesIO(response.content)).pages
        text = " ".join(page.extract_text() for page in pages)
        return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return html_lib.unescape(response.content.decode())


def _words(html: str) -> str:
    """A page's text as read: without its tags, each run of spaces one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _assert_hidden(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where}: {secret!r} shown"


def _assert_shown(text: str, where: str) -> None:
    for secret in (STREET, POSTCODE, COMMUNE):
        assert secret in text, f"{where}: {secret!r} not shown"


def _reveal(client, person, reason=REASON, **extra):
    return client.post(
        reverse("participants:address_reveal", args=[person.pk]),
        {"address-reason": reason},
        **extra,
    )


def _typed(person, **changes) -> dict:
    """The edit form as the browser posts it, for a role that may see the address."""
    form = ParticipantForm(instance=person, organization=person.organization)
    data = {name: form[name].value() for name in form.fields} | changes
    return {
        name: "" if value is None else value for name, value in data.items() if value is not False
    }


# --- The person's page ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ROLES)
def test_the_page_shows_the_address_to_no_one_until_a_reason_is_given(
    client, personas, persona, hidden
):
    client.force_login(personas[persona])
    response = client.get(reverse("participants:detail", args=[hidden.pk]))
    assert response.status_code == (200 if persona in CASELOAD else 403)
    text = _text(response)
    _assert_hidden(text, f"the page as {persona}")
    if persona == "director":  # the organization's default: direction
        assert "Adresse confidentielle" in text
        assert "Afficher l'adresse" in text and 'name="address-reason"' in text
    elif persona == "counsellor":
        assert "Adresse confidentielle — visible pour : Direction" in _words(text)
        assert 'name="address-reason"' not in text
    assert not AddressReveal.objects.exists()


def test_direction_reveals_it_with_a_reason_and_the_showing_is_logged(client, director, hidden):
    client.force_login(director)
    response = _reveal(client, hidden)
    assert response.status_code == 200
    _assert_shown(_text(response), "the page after the reveal")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    (reveal,) = AddressReveal.objects.all()
    assert (reveal.participant, reveal.user, reveal.reason) == (hidden, director, REASON)
    # Opening the page again: hidden again, the showing listed with its reason.
    again = _text(client.get(reverse("participants:detail", args=[hidden.pk])))
    _assert_hidden(again, "the page opened again")
    assert REASON in again and director.get_full_name() in again


def test_through_htmx_the_reveal_answers_the_identity_section(client, director, hidden):
    client.force_login(director)
    response = _reveal(client, hidden, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith('<section id="identity"') and "<html" not in text
    _assert_shown(text, "the identity section")
    assert "no-store" in response["Cache-Control"]
    assert AddressReveal.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reveal_without_a_reason_is_refused_with_a_clear_message(
    client, director, hidden, reason
):
    client.force_login(director)
    response = _reveal(client, hidden, reason)
    assert response.status_code == 200
    text = _text(response)
    assert "Indiquez pourquoi vous avez besoin de l'adresse" in text
    _assert_hidden(text, "the refused reveal")
    assert not AddressReveal.objects.exists()


def test_a_reason_with_a_control_character_is_refused(client, director, hidden):
    client.force_login(director)
    response = _reveal(client, hidden, "Courrier\x07")
    assert response.status_code == 200
    _assert_hidden(_text(response), "the refused reveal")
    assert not AddressReveal.objects.exists()


@pytest.mark.parametrize("persona", ["admin", "counsellor", "coordinator", "partner"])
def test_a_role_not_named_is_refused_the_reveal(client, personas, persona, hidden):
    client.force_login(personas[persona])
    response = _reveal(client, hidden)
    assert response.status_code == 403
    _assert_hidden(_text(response), f"the reveal as {persona}")
    assert not AddressReveal.objects.exists()


@pytest.mark.parametrize("reason", [REASON, ""])
def test_the_whole_page_answered_to_a_plain_post_is_in_the_access_log(
    client, director, operator, hidden, reason
):
    client.force_login(director)
    assert _reveal(client, hidden, reason).status_code == 200
    (entry,) = AccessLog.objects.all()
    assert (entry.user, entry.organization, entry.action, entry.object_id) == (
        director,
        operator,
        AccessLog.Action.VIEW,
        str(hidden.pk),
    )


def test_the_identity_section_answered_through_htmx_adds_no_entry(client, director, hidden):
    # The page it is part of was logged when it was opened.
    client.force_login(director)
    _reveal(client, hidden, HTTP_HX_REQUEST="true")
    assert not AccessLog.objects.exists()


def test_the_reveal_is_a_post(client, director, hidden):
    client.force_login(director)
    response = client.get(reverse("participants:address_reveal", args=[hidden.pk]))
    assert response.status_code == 405
    assert not AddressReveal.objects.exists()


def test_another_organizations_person_answers_404(client, outsider, hidden):
    Membership.objects.filter(user=outsider).update(role=Role.DIRECTION)
    client.force_login(outsider)
    assert client.get(reverse("participants:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("participants:edit", args=[hidden.pk])).status_code == 404
    response = _reveal(client, hidden)
    assert response.status_code == 404
    _assert_hidden(_text(response), "another organization's reveal")
    assert not AddressReveal.objects.exists()


def test_an_address_that_is_not_confidential_is_shown_as_before(client, counsellor, hidden):
    Participant.objects.filter(pk=hidden.pk).update(address_confidential=False)
    client.force_login(counsellor)
    text = _text(client.get(reverse("participants:detail", args=[hidden.pk])))
    _assert_shown(text, "the page of an ordinary address")
    assert "Adresse confidentielle" not in text
    # A reveal posted after the flag was lifted: nothing hidden, nothing to log.
    assert _reveal(client, hidden).status_code == 200
    assert not AddressReveal.objects.exists()


# --- The edit form --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ROLES)
def test_the_edit_form_holds_the_address_for_no_one_until_a_reason_is_given(
    client, personas, persona, hidden
):
    client.force_login(personas[persona])
    response = client.get(reverse("participants:edit", args=[hidden.pk]))
    assert response.status_code == (200 if persona in CASELOAD else 403)
    text = _text(response)
    _assert_hidden(text, f"the edit form as {persona}")
    assert 'name="street"' not in text and 'name="postcode"' not in text
    assert not AddressReveal.objects.exists()  # no showing, so no reason made up for one
    if persona == "director":
        assert "affichez-la d'abord sur la fiche" in _words(text)
    if persona == "counsellor":
        assert "visible pour : Direction" in text


def test_the_edit_form_holds_the_address_just_after_it_was_shown_with_a_reason(
    client, director, hidden
):
    client.force_login(director)
    assert "Modifier l'adresse" in _text(_reveal(client, hidden))
    text = _text(client.get(reverse("participants:edit", args=[hidden.pk])))
    _assert_shown(text, "the edit form after the reveal")
    # The one showing is the one asked for, with its reason.
    assert list(AddressReveal.objects.values_list("reason", flat=True)) == [REASON]


def test_the_edit_form_holds_it_for_a_few_minutes_only(client, director, hidden, monkeypatch):
    from participants import confidential

    client.force_login(director)
    _reveal(client, hidden)
    later = timezone.now() + dt.timedelta(minutes=confidential.ADDRESS_EDIT_MINUTES, seconds=1)
    monkeypatch.setattr(confidential.timezone, "now", lambda: later)
    text = _text(client.get(reverse("participants:edit", args=[hidden.pk])))
    _assert_hidden(text, "the edit form once the minutes are past")


def test_showing_one_address_opens_no_other_edit_form(client, director, operator, hidden):
    other = PersonFactory(
        organization=operator, street=STREET, postcode=POSTCODE, address_confidential=True
    )
    client.force_login(director)
    _reveal(client, hidden)
    _assert_hidden(
        _text(client.get(reverse("participants:edit", args=[other.pk]))), "another's edit form"
    )


def test_a_role_named_saving_the_form_without_the_address_keeps_it(client, director, hidden):
    client.force_login(director)
    data = _typed(hidden, phone="0499 00 00 02")
    for name in ("street", "postcode", "commune"):  # the form as shown, before any reveal
        data.pop(name)
    response = client.post(reverse("participants:edit", args=[hidden.pk]), data)
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.phone == "0499 00 00 02"
    assert (hidden.street, hidden.postcode, hidden.commune) == (STREET, POSTCODE, COMMUNE)
    assert hidden.address_confidential and not AddressReveal.objects.exists()


def test_a_refused_form_gives_back_what_was_typed_never_the_address_kept(client, director, hidden):
    client.force_login(director)
    data = _typed(hidden, street="Rue Tapée 9", postcode="", commune="", birth_date="31/02/2026")
    response = client.post(reverse("participants:edit", args=[hidden.pk]), data)
    assert response.status_code == 200
    text = _text(response)
    assert 'value="Rue Tapée 9"' in text
    _assert_hidden(text, "the refused edit form")


def test_a_role_not_named_can_neither_overwrite_the_address_nor_lift_the_flag(
    client, counsellor, hidden
):
    client.force_login(counsellor)
    data = _typed(hidden, phone="0499 00 00 01", street="Rue Écrasée 1", postcode="1000")
    data.pop("address_confidential", None)  # the box unticked, as a browser sends it
    response = client.post(reverse("participants:edit", args=[hidden.pk]), data)
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.phone == "0499 00 00 01"
    assert (hidden.street, hidden.postcode, hidden.commune) == (STREET, POSTCODE, COMMUNE)
    assert hidden.address_confidential


def test_a_role_named_edits_the_address_and_may_lift_the_flag(client, director, hidden):
    client.force_login(director)
    data = _typed(hidden, street="Rue Nouvelle 3", postcode="1060", commune="")
    data.pop("address_confidential")
    response = client.post(reverse("participants:edit", args=[hidden.pk]), data)
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert (hidden.street, hidden.commune) == ("Rue Nouvelle 3", "Saint-Gilles")
    assert not hidden.address_confidential


def test_any_caseload_role_marks_an_address_confidential(client, counsellor, operator):
    person = PersonFactory(organization=operator, street=STREET, postcode=POSTCODE)
    client.force_login(counsellor)
    data = _typed(person) | {"address_confidential": "on"}
    assert client.post(reverse("participants:edit", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.address_confidential
    _assert_hidden(
        _text(client.get(reverse("participants:detail", args=[person.pk]))), "once marked"
    )


def test_a_new_record_may_be_confidential_from_the_start(client, counsellor):
    client.force_login(counsellor)
    data = {
        "last_name": "Nieuw",
        "first_name": "Sara",
        "birth_date": "1990-05-04",
        "gender": "F",
        "nationality_group": "BE",
        "education_level": "unknown",
        "street": STREET,
        "postcode": POSTCODE,
        "commune": COMMUNE,
        "address_confidential": "on",
        "income_kind": "none",
    }
    response = client.post(reverse("participants:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    person = Participant.objects.get(last_name="Nieuw")
    assert person.address_confidential and person.street == STREET
    _assert_hidden(_text(client.get(response.url)), "the new record's page as counsellor")


# --- Lists, search, export ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ROLES)
def test_the_list_and_its_search_results_never_show_it(client, personas, persona, hidden):
    client.force_login(personas[persona])
    listed = client.get(reverse("participants:list"))
    searched = client.post(reverse("participants:list"), {"q": "Verborgen"}, HTTP_HX_REQUEST="true")
    for name, response in (("list", listed), ("search", searched)):
        assert response.status_code == (200 if persona in CASELOAD else 403), name
        text = _text(response)
        _assert_hidden(text, f"the {name} as {persona}")
        if persona in CASELOAD:
            assert "VERBORGEN" in text and "confidentielle" in text


@pytest.mark.parametrize("persona", ROLES)
def test_the_export_never_has_it(client, personas, persona, hidden):
    client.force_login(personas[persona])
    response = client.get(reverse("participants:export"))
    assert response.status_code == (200 if persona in CASELOAD else 403)
    text = _text(response)
    _assert_hidden(text, f"the export as {persona}")
    if persona in CASELOAD:
        assert "Verborgen" in text


def test_the_export_keeps_an_address_that_is_not_confidential(client, counsellor, hidden):
    Participant.objects.filter(pk=hidden.pk).update(address_confidential=False)
    client.force_login(counsellor)
    text = _text(client.get(reverse("participants:export")))
    assert POSTCODE in text and COMMUNE in text


# --- Printed documents ----------------------------------------------------------------------


def _documents(paperwork) -> dict:
    chantier, session = paperwork["chantier"], paperwork["session"]
    month = {"pk": chantier.pk, "year": 2026, "month": 3}
    return {
        "sign-in sheet": reverse("chantiers:signin_sheet_session", args=[session.pk]),
        "week's sign-in sheet": reverse(
            "chantiers:signin_sheet_week", kwargs=month | {"day": MONDAY.day}
        ),
        "agreement": reverse("chantiers:agreement_pdf", args=[paperwork["agreement"].pk]),
        "statement": reverse("chantiers:statement_pdf", args=[paperwork["statement"].pk]),
        "month's statements": reverse("chantiers:month_statements_pdf", kwargs=month),
    }


@pytest.mark.parametrize("persona", ROLES)
def test_printed_documents_never_have_it(client, personas, persona, hidden, paperwork):
    client.force_login(personas[persona])
    printed = 0
    for name, url in _documents(paperwork).items():
        response = client.get(url)
        text = _text(response)
        _assert_hidden(text, f"the {name} as {persona}")
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf", name
            assert "VERBORGEN" in text, name  # the person is on it, the address is not
            printed += 1
    # Who prints: coordination and direction all five, the administration the statements.
    assert printed == {"director": 5, "coordinator": 5, "admin": 2}.get(persona, 0)


def test_the_agreement_prints_an_address_that_is_not_confidential(
    client, director, hidden, paperwork
):
    Participant.objects.filter(pk=hidden.pk).update(address_confidential=False)
    client.force_login(director)
    response = client.get(reverse("chantiers:agreement_pdf", args=[paperwork["agreement"].pk]))
    _assert_shown(_text(response), "an ordinary agreement")


def test_the_report_counts_and_lists_a_confidential_commune_as_unknown(operator, hidden):
    """Neither the rows (an empty cell) nor the counts less the rows (a commune one person
    short) tell who hides or where: the person is one more "inconnue", like anyone whose
    commune is not known."""
    from reporting.indicators import activity
    from reporting.reports.activity import persons_listing

    for commune in (COMMUNE, ""):
        ordinary = PersonFactory(organization=operator, commune=commune, postcode="")
        PathwayFactory(participant=ordinary, started_on=dt.date(2025, 1, 6))
    listing = persons_listing(organization=operator, year=2025)
    commune = [str(column.label) for column in listing.columns].index("Commune")
    assert sorted(str(row[commune]) for row in listing.rows) == [COMMUNE, "inconnue", "inconnue"]
    breakdowns = activity.breakdowns(organization=operator, year=2025)
    assert [(row.label, row.count) for row in breakdowns.commune] == [
        (COMMUNE, 1),
        ("inconnue", 2),
    ]
    assert "inconnue" in str(listing.note) and "vide" not in str(listing.note)


# --- The audit trail -----------------------------------------------------------------------


def test_the_audit_trail_says_the_address_changed_never_what_it_is(hidden):
    from auditlog.models import LogEntry

    services.participant_update(participant=hidden, street="Rue du Refuge Discret 5")
    entries = LogEntry.objects.get_for_object(hidden)
    assert entries.filter(action=LogEntry.Action.UPDATE).exists()
    everything = str(list(LogEntry.objects.values_list("changes", "changes_text")))
    assert "street" in everything  # the change is there, its values are not
    _assert_hidden(everything, "the audit trail")
    assert "Refuge" not in everything


# --- Partners -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ROLES)
def test_partner_pages_never_have_it(client, personas, persona, hidden, paperwork):
    client.force_login(personas[persona])
    pages = {
        "inbox": reverse("partners:inbox"),
        "answer": reverse("partners:answer", args=[paperwork["referral"].pk]),
        "hosted chantiers": reverse("dashboard:hosting_list"),
        "hosted chantier": reverse("dashboard:hosting_detail", args=[paperwork["chantier"].pk]),
        "referrals": reverse("partners:referral_list"),
    }
    for name, url in pages.items():
        response = client.get(url)
        _assert_hidden(_text(response), f"{name} as {persona}")
        if persona == "partner" and name in ("inbox", "answer"):
            assert response.status_code == 200 and "VERBORGEN" in _text(response), name


def test_the_answer_link_page_never_has_it(client, hidden, paperwork):
    token = partner_services.referral_link_token(referral=paperwork["linked"])
    response = client.get(reverse("partners:link_answer"), {"t": token})
    assert response.status_code == 200
    text = _text(response)
    assert "VERBORGEN" in text
    _assert_hidden(text, "the answer link's page")


def test_emails_to_partners_never_have_it(hidden, paperwork, partner, counsellor):
    referral_send_link.delay(paperwork["linked"].pk)
    partner_services.referral_answer(referral=paperwork["referral"], accept=True, by=partner)
    emails.referrals_digest_send(now=timezone.now() + dt.timedelta(hours=1))
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"orientations@cpas.example", partner.email, counsellor.email} <= recipients
    for message in mail.outbox:
        _assert_hidden(f"{message.subject} {message.body}", f"the e-mail to {message.to}")
    assert any(
        "Verborgen" in message.body or "VERBORGEN" in message.body for message in mail.outbox
    )


# --- Who may see: the organization's settings -----------------------------------------------


def _settings(client, operator, roles):
    return client.post(
        reverse("accounts:organization_settings"),
        {"name": operator.name, "retention_years": "5", "confidential_address_roles": roles},
    )


def test_direction_is_the_default_and_the_settings_show_it(client, admin, operator):
    assert operator.address_roles == {"direction"}
    client.force_login(admin)
    response = client.get(reverse("accounts:organization_settings"))
    assert "Rôles qui voient une adresse confidentielle" in _text(response)
    field = response.context["form"]["confidential_address_roles"]
    assert field.value() == ["direction"]
    assert [value for value, _label in field.field.choices] == [
        "admin",
        "direction",
        "counsellor",
        "coordinator",
    ]


def test_the_settings_change_who_may_see(client, admin, director, counsellor, operator, hidden):
    client.force_login(admin)
    assert _settings(client, operator, ["counsellor"]).status_code == 302
    operator.refresh_from_db()
    assert operator.confidential_address_roles == "counsellor"

    client.force_login(counsellor)
    page = _text(client.get(reverse("participants:detail", args=[hidden.pk])))
    assert 'name="address-reason"' in page
    _assert_shown(_text(_reveal(client, hidden)), "the reveal as a counsellor, now named")
    assert AddressReveal.objects.get().user == counsellor

    client.force_login(director)
    page = _text(client.get(reverse("participants:detail", args=[hidden.pk])))
    assert "visible pour : Conseiller·ère ISP" in page and 'name="address-reason"' not in page
    assert _reveal(client, hidden).status_code == 403
    assert AddressReveal.objects.count() == 1


def test_no_role_at_all_hides_it_from_everyone(client, admin, director, operator, hidden):
    client.force_login(admin)
    assert _settings(client, operator, []).status_code == 302
    client.force_login(director)
    page = _text(client.get(reverse("participants:detail", args=[hidden.pk])))
    assert "visible pour : personne" in page
    assert _reveal(client, hidden).status_code == 403


def test_a_partner_is_never_named(client, admin, operator):
    client.force_login(admin)
    response = _settings(client, operator, ["direction", "partner"])
    assert response.status_code == 200  # refused beside the field
    operator.refresh_from_db()
    assert operator.confidential_address_roles == "direction"
    operator.confidential_address_roles = "partner,direction"
    assert operator.address_roles == {"direction"}


@pytest.mark.parametrize("persona", ROLES)
def test_the_rule_follows_the_roles_named(personas, persona, operator, hidden):
    operator.confidential_address_roles = "admin,direction,counsellor,coordinator"
    operator.save()
    membership = Membership.objects.select_related("organization").get(user=personas[persona])
    assert may_see_address(membership, hidden) == (persona != "partner")
    hidden.address_confidential = False
    assert may_see_address(membership, hidden)


def test_the_migration_masks_the_addresses_the_history_held_before(operator):
    """Entries written before the address was masked in the audit trail (migration 0007)."""
    import importlib

    from auditlog.models import LogEntry
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    person = PersonFactory(organization=operator)
    old = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Participant),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr="x",
        action=LogEntry.Action.UPDATE,
        changes={"street": ["Rue Haute 12", "Allée des Glycines 77"], "phone": ["1", "2"]},
        changes_text="street: Rue Haute 12 → Allée des Glycines 77",
    )
    migration = importlib.import_module("participants.migrations.0007_mask_address_history")
    migration.mask(apps, None)
    old.refresh_from_db()
    assert old.changes == {"street": ["••••", "••••"], "phone": ["1", "2"]}
    assert old.changes_text == ""
