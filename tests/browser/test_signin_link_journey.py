"""A sign-in link for a volunteer without e-mail habits (issue 21), on phones. Sophie, the
coordinator, opens Josiane's page at 360 px and gives her a link: the page shows it once, with
its expiry and the message to send by SMS. On another phone (a fresh browser, nobody signed in),
Josiane opens the link: "Se connecter comme Josiane", a button; she presses it and lands on
"Mes prestations". The same link opened again says it is no longer valid.

Every state checked by axe at 360 and 1280 px, no sideways scroll at 320 and 360 px; with
SCREENSHOTS set, each state is photographed at 360 px (``signin-link-…``)."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from participants import services as participant_services
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import _phone, log_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from volunteers.services import volunteer_register

PASSWORD = "correct horse battery"  # the factories'


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if folder := os.environ.get("SCREENSHOTS"):
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=f"{folder}/signin-link-{state.replace(' ', '-')}.png", full_page=True)


@pytest.fixture
def team(transactional_db, legal_ceilings):
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    coordinator = MembershipFactory(
        organization=operator,
        role=Role.COORDINATOR,
        user=UserFactory(email="sophie@example.org", first_name="Sophie", last_name="Martin"),
    ).user
    josiane = volunteer_register(
        organization=operator,
        by=coordinator,
        since=dt.date(2025, 6, 1),
        activity="Relais de quartier",
        last_name="Lambert",
        first_name="Josiane",
        birth_date=dt.date(1951, 2, 17),
        gender="F",
        nationality_group="BE",
        email="",
    )
    participant_services.income_source_change(
        participant=josiane.participant, kind="none", starts_on=dt.date(2025, 1, 1)
    )
    return {"coordinator": coordinator, "josiane": josiane}


def test_a_coordinator_gives_a_link_and_the_volunteer_signs_in_with_it(
    phone, browser, live_server, team
):
    page = phone
    log_in(page, live_server, team["coordinator"].email, password=PASSWORD)
    page.goto(f"{live_server.url}/benevoles/{team['josiane'].pk}/")
    _check(page, "volunteer page")
    page.get_by_role("button", name="Donner un lien de connexion").click()
    expect(page.get_by_role("heading", name="Lien de connexion pour Josiane")).to_be_visible()
    expect(page.get_by_test_id("link-facts")).to_contain_text("ne sert qu'une fois")
    _check(page, "link given")
    link = page.get_by_test_id("signin-link").inner_text()
    assert link.startswith(f"{live_server.url}/connexion/lien/?t=")

    context = _phone(browser, "block")  # Josiane's phone: nobody signed in
    try:
        hers = context.new_page()
        hers.goto(link)
        expect(hers.get_by_role("heading", name="Se connecter comme Josiane")).to_be_visible()
        _check(hers, "link opened")
        hers.get_by_role("button", name="Se connecter comme Josiane").click()
        hers.wait_for_url(f"{live_server.url}/benevoles/mes-prestations/")
        expect(hers.get_by_role("heading", level=1)).to_contain_text("Mes prestations")
        _check(hers, "signed in")

        hers.goto(link)  # the link served once
        expect(hers.get_by_test_id("link-unusable")).to_be_visible()
        _check(hers, "link used")
    finally:
        context.close()
