"""Each demo account logs in and finds its own navigation and dashboard."""

import random

import pytest

from demo.accounts import seed_accounts
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in

NAVIGATION = {
    "admin@demo.local": [
        "Tableau de bord",
        "Planning",
        "Chantiers",
        "Paiements",
        "Rapports",
    ],
    "direction@demo.local": [
        "Tableau de bord",
        "Chantiers",
        "Paiements",
        "Participant·es",
        "Agenda",
        "Modules",
        "Partenaires",
        "Employeurs",
        "Bénévoles",
        "Rapports",
    ],
    "conseil@demo.local": [
        "Tableau de bord",
        "Planning",
        "Mon suivi",
        "Participant·es",
        "Agenda",
        "Modules",
        "Signalements",
        "Partenaires",
        "Employeurs",
    ],
    "chantier@demo.local": [
        "Tableau de bord",
        "Aujourd'hui",
        "Planning",
        "Chantiers",
        "Bénévoles",
        "Rapports",
    ],
    "partenaire@demo.local": ["Tableau de bord", "Orientations reçues", "Chantiers accueillis"],
    "benevole@demo.local": ["Mes prestations", "Mes signalements", "Planning"],
}
# Managing the organization sits in the user's menu, beside the password and the log-out.
USER_MENU = {
    "admin@demo.local": [
        "Équipe",
        "Organisation",
        "Anonymisation",
        "Droit d'accès",
        "Journal des accès",
    ],
    # The direction's bar is full: its rota ("Planning") sits here.
    "direction@demo.local": ["Équipe", "Planning", "Droit d'accès", "Journal des accès"],
}
ORGANIZATION = {
    "admin@demo.local": "Mission Locale de Bruxelles-Midi",
    "direction@demo.local": "Mission Locale de Bruxelles-Midi",
    "conseil@demo.local": "Mission Locale de Bruxelles-Midi",
    "chantier@demo.local": "Mission Locale de Bruxelles-Midi",
    "partenaire@demo.local": "Le Foyer du Midi (SISP)",
}


@pytest.fixture
def demo_data(transactional_db):
    """The demo organizations and accounts of seed_demo (its participants are not needed here;
    the demo volunteer's record is: their home is their own sheets)."""
    import datetime as dt

    from accounts.models import Organization, User
    from volunteers.services import volunteer_register

    seed_accounts(rng=random.Random(2026))
    user = User.objects.get(email="benevole@demo.local")
    volunteer = volunteer_register(
        organization=Organization.objects.get(slug="ml-bruxelles-midi"),
        by=user,
        since=dt.date(2026, 1, 5),
        activity="Relais de quartier",
        first_name=user.first_name,
        last_name=user.last_name,
        birth_date=dt.date(1962, 4, 2),
        gender="F",
        nationality_group="BE",
        income_kind="none",
    )
    volunteer.user = user
    volunteer.save(update_fields=["user"])


@pytest.mark.parametrize("email", NAVIGATION)
def test_each_demo_account_sees_its_own_navigation(desktop, live_server, demo_data, email):
    log_in(desktop, live_server, email)
    assert_accessible(desktop, f"dashboard of {email}")
    nav = desktop.get_by_test_id("main-nav").get_by_role("link")
    assert nav.all_inner_texts() == NAVIGATION[email]
    desktop.locator("#user-menu").click()
    menu = desktop.locator("[aria-labelledby=user-menu] a")
    entries = menu.all_inner_texts()
    assert_accessible(desktop, "user menu open")
    assert entries[: entries.index("Changer mon mot de passe")] == USER_MENU.get(email, [])
    # The bar holds on one line of a 1280 px screen, nine entries included.
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1280
    main = desktop.get_by_role("main")
    if email == "benevole@demo.local":  # a volunteer's home is their own sheets, no team
        assert main.get_by_role("heading", level=1).inner_text() == "Mes prestations"
        return
    assert ORGANIZATION[email] in main.inner_text()
    total = int(main.get_by_test_id("team-total").inner_text())
    assert total > 0


def test_the_admin_switches_organization(desktop, live_server, demo_data):
    log_in(desktop, live_server, "admin@demo.local")
    switcher = desktop.get_by_label("Organisation")
    with desktop.expect_navigation():  # the choice submits itself, no button to press
        switcher.select_option(label="Mission Locale de Forest · Administration")
    main = desktop.inner_text("main")
    assert "Vous travaillez maintenant pour Mission Locale de Forest." in main
    assert "Mission Locale de Forest · Administration" in main
    assert_accessible(desktop, "organization switched")


def test_on_a_phone_the_menu_opens_and_leads_to_the_team(phone, live_server, demo_data):
    log_in(phone, live_server, "direction@demo.local")
    team_link = phone.get_by_role("link", name="Équipe")
    assert not team_link.is_visible()  # folded behind the menu button on a phone
    phone.get_by_role("button", name="Ouvrir le menu").click()
    phone.locator("#main-nav.show").wait_for()  # the menu has finished unfolding
    phone.locator("#user-menu").click()
    phone.locator("[aria-labelledby=user-menu].show").wait_for()
    assert_accessible(phone, "menu and user menu open")
    team_link.click()
    phone.wait_for_url(f"{live_server.url}/organisation/equipe/")
    assert "Équipe de Mission Locale de Bruxelles-Midi" in phone.inner_text("main")
    assert_accessible(phone, "team")
    # Nothing overflows the 360 px screen sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
