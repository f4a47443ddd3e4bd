"""Direction marks a person's address confidential and shows it again with a reason, on a phone
(issue 17, item 4): the box ticked in the edit form, the badge on the page, the address hidden,
a reveal refused without its reason, then shown and logged, then changed in the edit form that
holds it after that showing. Every state checked by axe at 360 and 1280 px, no sideways scroll
at 320 and 360 px."""

import os

from playwright.sync_api import expect

from accounts.models import Role
from participants.models import AddressReveal
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory, OrganizationFactory, ParticipantFactory

STREET, POSTCODE = "Rue des Tilleuls Discrets 12", "1190"
REASON = "Courrier recommandé pour l'attestation de fin de chantier"


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if os.environ.get("SCREENSHOTS"):  # to look at the page as a person would
        name = state.replace(" ", "-")
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/{name}.png", full_page=True)


def test_direction_hides_an_address_and_shows_it_with_a_reason(
    phone, live_server, transactional_db
):
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    director = MembershipFactory(organization=operator, role=Role.DIRECTION).user
    person = ParticipantFactory(
        organization=operator,
        first_name="Noor",
        last_name="Verborgen",
        street=STREET,
        postcode=POSTCODE,
    )
    log_in(phone, live_server, director.email, password="correct horse battery")

    phone.goto(f"{live_server.url}/participants/{person.pk}/modifier/")
    phone.get_by_label("Adresse confidentielle").check()
    phone.get_by_role("button", name="Enregistrer").click()
    phone.wait_for_url(f"**/participants/{person.pk}/")
    expect(phone.get_by_text("La fiche est enregistrée.")).to_be_visible()
    identity = phone.locator("#identity")
    expect(identity.get_by_text("Adresse confidentielle")).to_be_visible()
    assert STREET not in phone.inner_text("main") and "Forest" not in phone.inner_text("main")
    _check(phone, "address marked confidential")

    identity.get_by_text("Afficher l'adresse").first.click()  # the summary opens the form
    identity.get_by_role("button", name="Afficher l'adresse").click()
    expect(identity.get_by_text("Indiquez pourquoi vous avez besoin").last).to_be_visible()
    assert not AddressReveal.objects.exists()
    _check(phone, "reveal refused without a reason")

    identity = phone.locator("#identity")
    identity.get_by_label("Pourquoi avez-vous besoin de l'adresse ?").fill(REASON)
    identity.get_by_role("button", name="Afficher l'adresse").click()
    expect(phone.locator("#identity").get_by_text(STREET)).to_be_visible()
    expect(phone.locator("#identity").get_by_text(f"{POSTCODE} Forest")).to_be_visible()
    _check(phone, "address revealed")
    reveal = AddressReveal.objects.get()
    assert (reveal.user, reveal.reason) == (director, REASON)

    # Shown with a reason, it may be changed for a few minutes: the edit form holds it.
    phone.locator("#identity").get_by_role("link", name="Modifier l'adresse").click()
    phone.wait_for_url(f"**/participants/{person.pk}/modifier/")
    expect(phone.get_by_label("Adresse", exact=True)).to_have_value(STREET)
    _check(phone, "edit form after the reveal")
    assert AddressReveal.objects.count() == 1  # the showing asked for, no other
