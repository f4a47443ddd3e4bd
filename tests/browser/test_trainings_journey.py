"""A person's trainings and certifications on a phone (issue 20, point 3): the counsellor notes a
training (an end before its start refused, the error beside the field, everything typed kept),
then its news (completed, the hours done) and the certificate it led to; the training centre the
person was referred to notes, on the referral it accepted, the training it gives and what it
certified, without seeing the counsellor's; back on the person's page, both, the partner's said
noted by it. Every state checked by axe at 360 and 1280 px, no sideways scroll at 320 and 360 px.

Dates are relative to today in Brussels (a month ago, a few days ago, today): always in the past
or today, whatever the day of the run."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organization, Role
from participants.models import Certification, NeedCategory, Training
from partners import services as partner_services
from partners.models import PartnerService
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    PathwayFactory,
    ProgrammeFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"  # the factories'
TITLE = "Formation qualifiante peintre en bâtiment"
PROVIDER = "Centre de formation Bâtir Ensemble"
CERTIFICATE = "Certificat de peintre"
PARTNER = "Sécurité Formation Bruxelles"
PARTNER_TRAINING = "Module sécurité VCA"
PARTNER_CERTIFICATE = "VCA de base"


def _check(page, state, section=None):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if folder := os.environ.get("SCREENSHOTS"):  # to look at the states as a person would
        os.makedirs(folder, exist_ok=True)
        name = state.replace(" ", "-").replace("'", "")
        width = page.viewport_size["width"]
        page.screenshot(path=f"{folder}/trainings-{name}-{width}.png", full_page=True)
        if section is not None:  # the section alone: the whole page is long on a phone
            section.screenshot(path=f"{folder}/trainings-{name}-section-{width}.png")


@pytest.fixture
def people(transactional_db):
    """A counsellor (Camille Lambert), a person in an open pathway, referred by her to the
    qualification service of a training centre that accepted; a member of that centre."""
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    counsellor = MembershipFactory(
        organization=operator,
        role=Role.COUNSELLOR,
        user=UserFactory(email="camille@example.org", first_name="Camille", last_name="Lambert"),
    ).user
    person = ParticipantFactory(
        organization=operator,
        first_name="Samir",
        last_name="Haddad",
        gender="M",
        phone="0470 12 34 56",
        counsellor=counsellor,
    )
    programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    PathwayFactory(participant=person, programme=programme)
    centre = OrganizationFactory(
        name=PARTNER, slug="securite-formation", kind=Organization.Kind.TRAINING
    )
    partner = MembershipFactory(
        organization=centre,
        role=Role.PARTNER,
        user=UserFactory(email="lea@example.org", first_name="Léa", last_name="Dubois"),
    ).user
    service = PartnerService.objects.create(
        organization=centre,
        name="Sécurité sur chantier (VCA)",
        need_category=NeedCategory.QUALIFICATION,
    )
    referral = partner_services.referral_send(
        participant=person,
        to_organization=centre,
        service=service,
        reason="Le VCA est demandé par les employeurs du bâtiment.",
        by=counsellor,
    )
    partner_services.referral_answer(referral=referral, accept=True, by=partner)
    return {
        "counsellor": counsellor,
        "person": person,
        "centre": centre,
        "partner": partner,
        "referral": referral,
    }


def _details(section, summary):
    """A folded part of the section, by the words of its summary."""
    return section.locator("details").filter(has=section.page.locator("summary", has_text=summary))


def _fill_training(form, *, starts_on, ends_on, provider=True):
    form.get_by_label("Intitulé").fill(TITLE if provider else PARTNER_TRAINING)
    if provider:
        form.get_by_label("Organisme de formation").fill(PROVIDER)
    form.get_by_label("Début").fill(starts_on.isoformat())
    form.get_by_label("Fin").fill(ends_on.isoformat() if ends_on else "")


def test_a_counsellor_and_the_training_centre_note_trainings_and_certifications(
    phone, browser, live_server, people
):
    page = phone
    today = timezone.localdate()
    month_ago = today - dt.timedelta(days=30)
    person, centre, referral = people["person"], people["centre"], people["referral"]
    log_in(page, live_server, people["counsellor"].email, password=PASSWORD)

    # 1. The person's page: nothing noted. An end before the start: refused beside "Fin", the
    # form still open with everything as typed, nothing written.
    page.goto(f"{live_server.url}/participants/{person.pk}/")
    section = page.locator("#trainings")
    expect(section.get_by_role("heading", name="Formations et certifications")).to_be_visible()
    expect(section.get_by_text("Aucune formation notée.")).to_be_visible()
    expect(section.get_by_text("Aucune certification notée.")).to_be_visible()

    adding = _details(section, "Noter une formation")
    adding.locator("summary").click()
    _fill_training(adding, starts_on=month_ago, ends_on=month_ago - dt.timedelta(days=5))
    adding.get_by_label("Heures prévues").fill("300")
    adding.get_by_label("Heures suivies").fill("120")
    adding.get_by_label("État").select_option(label="En cours")
    adding.get_by_role("button", name="Noter la formation").click()

    adding = _details(page.locator("#trainings"), "Noter une formation")
    summary = adding.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    expect(adding).to_have_attribute("open", "")
    expect(adding.locator("#div_id_training-ends_on .invalid-feedback")).to_have_text(
        f"La fin ne peut pas précéder le début ({month_ago:%d/%m/%Y})."
    )
    expect(adding.get_by_label("Fin")).to_have_attribute("aria-invalid", "true")
    expect(adding.get_by_label("Intitulé")).to_be_visible()
    assert adding.get_by_label("Intitulé").input_value() == TITLE
    assert adding.get_by_label("Organisme de formation").input_value() == PROVIDER
    assert adding.get_by_label("Début").input_value() == month_ago.isoformat()
    assert (
        adding.get_by_label("Fin").input_value() == (month_ago - dt.timedelta(days=5)).isoformat()
    )
    assert adding.get_by_label("Heures prévues").input_value() == "300"
    assert adding.get_by_label("Heures suivies").input_value() == "120"
    assert adding.get_by_label("État").input_value() == Training.Status.ONGOING
    assert not Training.objects.filter(participant=person).exists()
    _check(page, "section training refused", page.locator("#trainings"))

    # Right: ongoing, no end yet.
    adding.get_by_label("Fin").fill("")
    adding.get_by_role("button", name="Noter la formation").click()
    section = page.locator("#trainings")
    expect(section.get_by_text("Aucune formation notée.")).to_have_count(0)
    training = Training.objects.get(participant=person)
    listed = section.locator(f"[data-testid=training-{training.pk}]")
    expect(listed).to_contain_text(TITLE)
    expect(listed).to_contain_text(PROVIDER)
    expect(listed).to_contain_text("En cours")
    expect(listed).to_contain_text(f"à partir du {month_ago:%d/%m/%Y}")
    expect(listed).to_contain_text("120 h suivies sur 300 h prévues")
    expect(listed).not_to_contain_text("notée par")  # by the person's own organization
    expect(_details(section, "Noter une formation")).not_to_have_attribute("open", "")

    # 2. Its news: completed today, 310 h done (it ran over).
    updating = listed.locator("details")
    updating.locator("summary").click()
    updating.get_by_label("Heures suivies").fill("310")
    updating.get_by_label("État").select_option(label="Terminée")
    updating.get_by_label("Fin").fill(today.isoformat())
    updating.get_by_role("button", name="Enregistrer").click()
    listed = page.locator(f"#trainings [data-testid=training-{training.pk}]")
    expect(listed).to_contain_text("Terminée")
    expect(listed).to_contain_text("310 h suivies sur 300 h prévues")
    expect(listed).to_contain_text(f"du {month_ago:%d/%m/%Y} au {today:%d/%m/%Y}")
    training.refresh_from_db()
    assert (training.status, training.hours_done, training.ends_on) == ("completed", 310, today)

    # 3. The certificate it led to: issued by the training's provider (left empty).
    section = page.locator("#trainings")
    certifying = _details(section, "Noter une certification")
    certifying.locator("summary").click()
    certifying.get_by_label("Type").select_option(label="Certificat")
    certifying.get_by_label("Intitulé").fill(CERTIFICATE)
    certifying.get_by_label("Obtenu le").fill(today.isoformat())
    certifying.get_by_label("À l'issue de la formation").select_option(
        label=f"{TITLE} ({month_ago:%d/%m/%Y})"
    )
    certifying.get_by_role("button", name="Noter la certification").click()
    section = page.locator("#trainings")
    expect(section.get_by_text("Aucune certification notée.")).to_have_count(0)
    certification = Certification.objects.get(participant=person)
    obtained = section.locator(f"[data-testid=certification-{certification.pk}]")
    expect(obtained).to_contain_text(CERTIFICATE)
    expect(obtained).to_contain_text("Certificat")
    expect(obtained).to_contain_text(f"obtenu le {today:%d/%m/%Y}, délivré par {PROVIDER}")
    expect(obtained).to_contain_text(f"à l'issue de : {TITLE}")
    _check(page, "section filled by the counsellor", section)

    # 4. The training centre, on its own phone: from its inbox to the referral's page.
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="fr-BE",
        service_workers="block",
    )
    centre_page = context.new_page()
    log_in(centre_page, live_server, people["partner"].email, password=PASSWORD)
    centre_page.get_by_role("button", name="Ouvrir le menu").click()
    centre_page.locator("#main-nav.show").wait_for()
    centre_page.get_by_test_id("main-nav").get_by_role("link", name="Orientations reçues").click()
    centre_page.wait_for_url(f"{live_server.url}/partenaires/orientations-recues/")
    row = centre_page.locator(f"[data-testid=referral-{referral.pk}]")
    expect(row).to_contain_text("Acceptée")
    row.get_by_role("link", name="Formation et certification : Samir Haddad").click()
    centre_page.wait_for_url(f"**/orientations-recues/{referral.pk}/formations/")
    main = centre_page.get_by_role("main")
    expect(centre_page.get_by_role("heading", level=1)).to_have_text("Formation et certification")
    expect(main).to_contain_text("Samir HADDAD")
    expect(main.get_by_text("Rien de noté pour l'instant.")).to_be_visible()
    # The counsellor's training and certificate are not the centre's to see, nor to choose.
    expect(main).not_to_contain_text(TITLE)
    expect(main).not_to_contain_text(CERTIFICATE)
    _check(centre_page, "partner page empty")

    giving = centre_page.locator("section[aria-labelledby=training-heading]")
    started, ended = today - dt.timedelta(days=3), today - dt.timedelta(days=2)
    _fill_training(giving, starts_on=started, ends_on=ended, provider=False)
    giving.get_by_label("Heures prévues").fill("16")
    giving.get_by_label("Heures suivies").fill("16")
    giving.get_by_label("État").select_option(label="Terminée")
    giving.get_by_role("button", name="Noter la formation").click()
    centre_page.wait_for_url(f"**/orientations-recues/{referral.pk}/formations/")
    expect(centre_page.get_by_text("La formation est notée et transmise.")).to_be_visible()
    given = Training.objects.get(participant=person, recorded_by_organization=centre)
    listed_there = centre_page.locator(f"[data-testid=training-{given.pk}]")
    expect(listed_there).to_contain_text(PARTNER_TRAINING)
    expect(listed_there.locator(".badge")).to_have_text("Terminée")
    expect(listed_there).to_contain_text(f"du {started:%d/%m/%Y} au {ended:%d/%m/%Y}")
    expect(listed_there).to_contain_text("16 h suivies sur 16 h prévues")

    certifying = centre_page.locator("section[aria-labelledby=certification-heading]")
    offered = certifying.get_by_label("À l'issue de la formation")
    assert offered.locator("option").all_inner_texts() == [
        "Aucune en particulier",
        f"{PARTNER_TRAINING} ({started:%d/%m/%Y})",
    ]
    certifying.get_by_label("Type").select_option(label="Attestation de compétences")
    certifying.get_by_label("Intitulé").fill(PARTNER_CERTIFICATE)
    certifying.get_by_label("Obtenu le").fill(ended.isoformat())
    offered.select_option(label=f"{PARTNER_TRAINING} ({started:%d/%m/%Y})")
    certifying.get_by_role("button", name="Noter la certification").click()
    centre_page.wait_for_url(f"**/orientations-recues/{referral.pk}/formations/")
    expect(centre_page.get_by_text("La certification est notée et transmise.")).to_be_visible()
    issued = Certification.objects.get(participant=person, recorded_by_organization=centre)
    listed_there = centre_page.locator(f"[data-testid=certification-{issued.pk}]")
    expect(listed_there).to_contain_text(PARTNER_CERTIFICATE)
    expect(listed_there.locator(".badge")).to_have_text("Attestation de compétences")
    expect(listed_there).to_contain_text(f"obtenu le {ended:%d/%m/%Y}, délivré par {PARTNER}")
    expect(listed_there).to_contain_text(f"à l'issue de : {PARTNER_TRAINING}")
    main = centre_page.get_by_role("main")
    expect(main.get_by_text("Rien de noté pour l'instant.")).to_have_count(0)
    expect(main).not_to_contain_text(TITLE)
    expect(main).not_to_contain_text(CERTIFICATE)
    _check(centre_page, "partner page filled")
    context.close()

    # 5. Back on the person's page: both trainings and both certifications, the centre's said
    # noted by it.
    page.reload()
    section = page.locator("#trainings")
    expect(section.locator("[data-testid^=training-]")).to_have_count(2)
    expect(section.locator("[data-testid^=certification-]")).to_have_count(2)
    ours = section.locator(f"[data-testid=training-{training.pk}]")
    expect(ours).to_contain_text("310 h suivies sur 300 h prévues")
    expect(ours).not_to_contain_text("notée par")
    theirs = section.locator(f"[data-testid=training-{given.pk}]")
    expect(theirs).to_contain_text(PARTNER_TRAINING)
    expect(theirs).to_contain_text(PARTNER)  # the provider: the centre itself
    expect(theirs).to_contain_text("Terminée")
    expect(theirs).to_contain_text("16 h suivies sur 16 h prévues")
    expect(theirs).to_contain_text(f"notée par {PARTNER}")
    expect(section.locator(f"[data-testid=certification-{certification.pk}]")).not_to_contain_text(
        "notée par"
    )
    certified = section.locator(f"[data-testid=certification-{issued.pk}]")
    expect(certified).to_contain_text(PARTNER_CERTIFICATE)
    expect(certified).to_contain_text("Attestation de compétences")
    expect(certified).to_contain_text(f"obtenu le {ended:%d/%m/%Y}, délivré par {PARTNER}")
    expect(certified).to_contain_text(f"à l'issue de : {PARTNER_TRAINING}")
    expect(certified).to_contain_text(f"notée par {PARTNER}")
    _check(page, "section with the partners", section)
