"""The outreach log and the signals' loop in a browser (issue 21, point 3).

Outreach: Sophie Martin, coordinator, adds on a desktop the fixed contact point "Maison de quartier
Wayez" with its opening hours — first without its address: refused beside the field, announced by
the error summary, everything typed kept —, then corrects its hours. On her phone after the round
she notes the action there with Nadia (a relay) and Karim (a counsellor): 10 people met, but 6
women and 5 men — refused beside "Femmes" with the numbers, everything typed and ticked kept —;
corrected, the year's list shows the action, its counts, themes and who went.

Signals: Nadia, a relay with her own log-in, raises an anonymous signal from "Mes signalements" on
her phone (an empty need and situation refused first). Karim, counsellor, finds it in his inbox,
takes it up, closes it "Orienté·e vers un autre service" (no outcome chosen refused first). Nadia
sees it "Clôturé", never the outcome.

Every state: axe at 360 and 1280 px, no sideways scroll at 320 and 360 px; with SCREENSHOTS set,
each state is photographed (``outreach-…``)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.a11y import check_state
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from volunteers.models import ContactPoint, OutreachActivity, Signal
from volunteers.services import volunteer_register

PASSWORD = "correct horse battery"  # the factories'
POINT = "Maison de quartier Wayez"
ADDRESS = "Rue Wayez 52, 1070 Anderlecht"
HOURS = "mardi et jeudi, 14 h – 17 h"
NEW_HOURS = "mardi, jeudi et samedi, 14 h – 17 h"
SITUATION = "Une voisine âgée ne sort plus depuis l'hiver ; son propriétaire veut la faire partir."
NOTE = "Beaucoup de questions sur les primes énergie."


def _check(page, state):
    check_state(page, state, prefix="outreach")


def _phone_of(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="fr-BE",
        service_workers="block",
    )
    return context, context.new_page()


def _summary(page, count):
    errors = "1 erreur" if count == 1 else f"{count} erreurs"
    return page.get_by_role("alert").filter(has_text=f"Le formulaire contient {errors}.")


@pytest.fixture
def team(transactional_db, legal_ceilings):
    """The operator, Sophie (coordinator), Karim (counsellor), Nadia (a relay with a log-in) and
    Marc (a relay without)."""
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    coordinator = MembershipFactory(
        organization=operator,
        role=Role.COORDINATOR,
        user=UserFactory(email="sophie@example.org", first_name="Sophie", last_name="Martin"),
    ).user
    counsellor = MembershipFactory(
        organization=operator,
        role=Role.COUNSELLOR,
        user=UserFactory(email="karim@example.org", first_name="Karim", last_name="Benali"),
    ).user
    since = dt.date(timezone.localdate().year - 1, 6, 1)
    relays = {}
    for first, last, birth in (("Nadia", "Verhoeven", 1968), ("Marc", "Dubois", 1955)):
        relays[first] = volunteer_register(
            organization=operator,
            by=coordinator,
            since=since,
            activity="Relais de quartier",
            last_name=last,
            first_name=first,
            birth_date=dt.date(birth, 4, 12),
            gender="F" if first == "Nadia" else "M",
            nationality_group="BE",
        )
    nadia = relays["Nadia"]
    nadia.user = MembershipFactory(
        organization=operator,
        role=Role.VOLUNTEER,
        user=UserFactory(email="nadia@example.org", first_name="Nadia", last_name="Verhoeven"),
    ).user
    nadia.save(update_fields=["user"])
    return {
        "operator": operator,
        "coordinator": coordinator,
        "counsellor": counsellor,
        "nadia": nadia,
        "marc": relays["Marc"],
    }


def test_a_coordinator_adds_a_contact_point_and_notes_an_outreach_action(
    desktop, browser, live_server, team
):
    page = desktop
    today = timezone.localdate()
    log_in(page, live_server, team["coordinator"].email, password=PASSWORD)

    # 1. From "Bénévoles": the outreach log, empty; its contact points, none yet.
    page.get_by_test_id("main-nav").get_by_role("link", name="Bénévoles", exact=True).click()
    page.wait_for_url(f"{live_server.url}/benevoles/")
    page.get_by_role("link", name="Actions de proximité").click()
    page.wait_for_url(f"{live_server.url}/benevoles/proximite/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Actions de proximité {today.year}")
    expect(page.get_by_text(f"Aucune action notée en {today.year}.")).to_be_visible()
    _check(page, "list empty")
    page.get_by_role("link", name="Points de contact").click()
    page.wait_for_url(f"{live_server.url}/benevoles/points-de-contact/")
    expect(page.get_by_text("Aucun point de contact pour l'instant.")).to_be_visible()
    _check(page, "contact points empty")

    # 2. A fixed point without its address: refused beside the field, the rest kept.
    page.get_by_role("link", name="Ajouter un point de contact").click()
    page.wait_for_url(f"{live_server.url}/benevoles/points-de-contact/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un point de contact")
    expect(page.get_by_label("En activité")).to_have_count(0)  # a new point is in activity
    _check(page, "contact point form")
    page.get_by_label("Nom").fill(POINT)
    page.get_by_label("Point fixe").check()
    page.get_by_label("Heures de présence").fill(HOURS)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    summary = _summary(page, 1)
    expect(summary).to_be_focused()
    place = page.get_by_label("Lieu ou parcours")
    expect(page.locator("#id_place_error")).to_have_text("Ce champ est obligatoire.")
    expect(place).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom")).to_have_value(POINT)
    expect(page.get_by_label("Point fixe")).to_be_checked()
    expect(page.get_by_label("Heures de présence")).to_have_value(HOURS)
    assert not ContactPoint.objects.exists()
    _check(page, "contact point refused")

    summary.get_by_role("link").click()
    expect(place).to_be_focused()
    place.fill(ADDRESS)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"{live_server.url}/benevoles/points-de-contact/")
    message = page.locator("[data-messages]")
    expect(message).to_contain_text(f"Point de contact « {POINT} » enregistré.")
    item = page.get_by_test_id("contact-point")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Point fixe")
    expect(item).to_contain_text(ADDRESS)
    expect(item).to_contain_text(HOURS)
    _check(page, "contact point added")

    # 3. Its hours corrected.
    item.get_by_role("link", name=POINT).click()
    point = ContactPoint.objects.get()
    page.wait_for_url(f"{live_server.url}/benevoles/points-de-contact/{point.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Point de contact — {POINT}")
    expect(page.get_by_label("En activité")).to_be_checked()
    expect(page.get_by_label("Lieu ou parcours")).to_have_value(ADDRESS)
    _check(page, "contact point edit")
    page.get_by_label("Heures de présence").fill(NEW_HOURS)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"{live_server.url}/benevoles/points-de-contact/")
    expect(page.get_by_test_id("contact-point")).to_contain_text(NEW_HOURS)
    point.refresh_from_db()
    assert (point.kind, point.place, point.opening_hours, point.is_active) == (
        "fixed",
        ADDRESS,
        NEW_HOURS,
        True,
    )

    # 4. On her phone after the round: the action, more women and men than people met first.
    context, phone = _phone_of(browser)
    try:
        _note_the_action(phone, live_server, team, point, today)
    finally:
        context.close()

    # 5. On the desktop again: the year's list.
    page.goto(f"{live_server.url}/benevoles/proximite/")
    cards = page.locator(".stat-card")
    expect(cards).to_have_text(
        [re.compile(r"^\s*1\s+action\s*$"), re.compile(r"^\s*10\s+personnes rencontrées\s*$")]
    )
    expect(page.get_by_test_id("outreach-activity")).to_have_count(1)
    _check(page, "list one action desktop")


def _note_the_action(page, live_server, team, point, today):
    log_in(page, live_server, team["coordinator"].email, password=PASSWORD)
    page.goto(f"{live_server.url}/benevoles/proximite/")
    page.get_by_role("link", name="Noter une action").click()
    page.wait_for_url(f"{live_server.url}/benevoles/proximite/nouvelle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter une action de proximité")
    expect(page.get_by_label("Date")).to_have_value(today.isoformat())
    _check(page, "action form")

    page.get_by_label("Point de contact").select_option(label=POINT)
    page.get_by_label("Personnes rencontrées").fill("10")
    page.get_by_label("Femmes").fill("6")
    page.get_by_label("Hommes").fill("5")
    page.get_by_label("Moins de 25 ans").fill("2")
    page.get_by_label("25 à 54 ans").fill("5")
    page.get_by_label("55 ans et plus").fill("3")
    page.get_by_role("checkbox", name="Logement").check()
    page.get_by_role("checkbox", name="Situation financière, dettes").check()
    page.get_by_role("checkbox", name="Nadia VERHOEVEN").check()
    page.get_by_role("checkbox", name="Sophie Martin").check()
    page.get_by_role("checkbox", name="Karim Benali").check()
    page.get_by_label("Remarques").fill(NOTE)
    page.get_by_role("button", name="Enregistrer l'action").click()
    page.wait_for_load_state()
    summary = _summary(page, 1)
    expect(summary).to_be_focused()
    refusal = "Femmes et hommes (11) dépassent les personnes rencontrées (10)."
    expect(summary.get_by_role("link")).to_have_text(f"Femmes : {refusal}")
    expect(page.locator("#id_women_error")).to_have_text(refusal)
    expect(page.get_by_label("Femmes")).to_have_attribute("aria-invalid", "true")
    # Everything typed and ticked is still there.
    expect(page.get_by_label("Point de contact")).to_have_value(str(point.pk))
    for label, value in (
        ("Personnes rencontrées", "10"),
        ("Femmes", "6"),
        ("Hommes", "5"),
        ("Moins de 25 ans", "2"),
        ("25 à 54 ans", "5"),
        ("55 ans et plus", "3"),
        ("Remarques", NOTE),
    ):
        expect(page.get_by_label(label)).to_have_value(value)
    for label in (
        "Logement",
        "Situation financière, dettes",
        "Nadia VERHOEVEN",
        "Sophie Martin",
        "Karim Benali",
    ):
        expect(page.get_by_role("checkbox", name=label)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Marc DUBOIS")).not_to_be_checked()
    assert not OutreachActivity.objects.exists()
    _check(page, "action refused")

    summary.get_by_role("link").click()
    expect(page.get_by_label("Femmes")).to_be_focused()
    page.get_by_label("Hommes").fill("4")
    page.get_by_role("button", name="Enregistrer l'action").click()
    page.wait_for_url(f"{live_server.url}/benevoles/proximite/?year={today.year}")
    message = page.locator("[data-messages]")
    expect(message).to_contain_text(f"Action du {today:%d/%m/%Y} à {POINT} enregistrée.")
    action = page.get_by_test_id("outreach-activity")
    expect(action).to_have_count(1)
    expect(action).to_contain_text(POINT)
    expect(action).to_contain_text("10 personnes rencontrées")
    expect(action).to_contain_text("6 femmes, 4 hommes")
    expect(action).to_contain_text("2 de moins de 25 ans, 5 de 25 à 54, 3 de 55 et plus")
    expect(action).to_contain_text("Thèmes : Logement, Situation financière, dettes")
    expect(action).to_contain_text("Présent·es : Nadia, Karim, Sophie")
    _check(page, "list one action")

    activity = OutreachActivity.objects.get()
    assert (activity.date, activity.contact_point, activity.place) == (today, point, "")
    assert (activity.people_met, activity.women, activity.men) == (10, 6, 4)
    assert (activity.under_25, activity.from_25_to_54, activity.from_55) == (2, 5, 3)
    assert activity.themes == ["housing", "financial"]
    assert list(activity.volunteers.all()) == [team["nadia"]]
    assert set(activity.staff.all()) == {team["coordinator"], team["counsellor"]}
    assert (activity.note, activity.recorded_by) == (NOTE, team["coordinator"])


def test_a_relay_raises_a_signal_a_counsellor_closes_it_and_the_relay_sees_only_its_state(
    phone, desktop, live_server, team
):
    page = phone
    today = timezone.localdate()
    log_in(page, live_server, team["nadia"].user.email, password=PASSWORD)

    # 1. Nadia: "Mes signalements" from the menu, none yet.
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.locator("#main-nav.show").wait_for()
    page.get_by_test_id("main-nav").get_by_role("link", name="Mes signalements").click()
    page.wait_for_url(f"{live_server.url}/benevoles/mes-signalements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes signalements")
    expect(page.get_by_text("Aucun signalement pour l'instant.")).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value(today.isoformat())
    _check(page, "my signals empty")

    # 2. Sent without the need nor the situation: both refused beside their fields.
    page.get_by_label("Urgent").check()
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_load_state()
    summary = _summary(page, 2)
    expect(summary).to_be_focused()
    expect(page.locator("#id_need_category_error")).to_have_text("Choisissez le besoin.")
    expect(page.locator("#id_description_error")).to_have_text(
        "Décrivez la situation en quelques mots."
    )
    expect(page.get_by_label("Besoin")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Urgent")).to_be_checked()
    assert not Signal.objects.exists()
    _check(page, "my signals refused")

    page.get_by_label("Besoin").select_option(label="Logement")
    page.get_by_role("textbox", name="Situation").fill(SITUATION)
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url(f"{live_server.url}/benevoles/mes-signalements/")
    message = page.locator("[data-messages]")
    expect(message).to_contain_text(
        "Signalement envoyé : l'équipe d'accompagnement va s'en occuper."
    )
    item = page.get_by_test_id("signal-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Logement")
    expect(item.locator(".badge")).to_have_text("Reçu")
    _check(page, "my signals sent")
    signal = Signal.objects.get()
    assert (signal.raised_by, signal.participant, signal.urgency) == (team["nadia"], None, "urgent")

    # 3. Karim, on a desktop: the inbox, the signal waiting; taken up, then closed.
    _counsellor_closes(desktop, live_server, team, signal)

    # 4. Nadia again: the signal closed, nothing of what came of it.
    page.reload()
    item = page.get_by_test_id("signal-item")
    expect(item.locator(".badge")).to_have_text("Clôturé")
    expect(item).to_contain_text(f"Clôturé le {today:%d/%m/%Y} : l'équipe y a donné suite.")
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(str(Signal.Outcome.REFERRED.label))
    expect(main).not_to_contain_text("Orienté")
    expect(main).not_to_contain_text("Karim")
    _check(page, "my signals closed")


def _counsellor_closes(page, live_server, team, signal):
    day = f"{signal.raised_on:%d/%m/%Y}"
    log_in(page, live_server, team["counsellor"].email, password=PASSWORD)
    page.get_by_test_id("main-nav").get_by_role("link", name="Signalements", exact=True).click()
    page.wait_for_url(f"{live_server.url}/benevoles/signalements/")
    waiting = page.get_by_test_id("open")
    row = waiting.get_by_test_id("signal-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Relais : Nadia V.")
    expect(row).to_contain_text("anonyme")
    expect(row).to_contain_text(SITUATION)
    expect(row.locator(".badge")).to_have_text("Urgent")
    _check(page, "inbox one waiting")

    row.get_by_role("button", name=f"Prendre en charge — Logement, {day}").click()
    page.wait_for_url(f"{live_server.url}/benevoles/signalements/{signal.pk}/")
    expect(page.locator("[data-messages]")).to_contain_text(
        "Vous avez pris ce signalement en charge."
    )
    expect(page.locator("h1 + .badge")).to_have_text("Pris en charge")
    relay_sees = "Le relais voit seulement que le signalement est clôturé"
    expect(page.get_by_text(relay_sees)).to_be_visible()
    _check(page, "signal taken up")

    # Closed without an outcome: refused beside it.
    page.get_by_role("button", name="Clôturer le signalement").click()
    page.wait_for_url(f"{live_server.url}/benevoles/signalements/{signal.pk}/cloturer/")
    expect(_summary(page, 1)).to_be_focused()
    expect(page.locator("#id_outcome_error")).to_have_text(
        "Choisissez la suite donnée au signalement."
    )
    signal.refresh_from_db()
    assert signal.status == Signal.Status.TAKEN_UP
    _check(page, "signal close refused")

    page.get_by_label(str(Signal.Outcome.REFERRED.label)).check()
    page.get_by_role("button", name="Clôturer le signalement").click()
    page.wait_for_url(f"{live_server.url}/benevoles/signalements/{signal.pk}/")
    expect(page.locator("[data-messages]")).to_contain_text("Signalement clôturé.")
    expect(page.locator("h1 + .badge")).to_have_text("Clôturé")
    expect(page.get_by_role("main")).to_contain_text(str(Signal.Outcome.REFERRED.label))
    expect(page.get_by_role("button", name="Clôturer le signalement")).to_have_count(0)
    _check(page, "signal closed")

    page.goto(f"{live_server.url}/benevoles/signalements/")
    expect(page.get_by_test_id("open").get_by_test_id("signal-row")).to_have_count(0)
    expect(page.get_by_test_id("closed").get_by_test_id("signal-row")).to_have_count(1)
    signal.refresh_from_db()
    assert (signal.status, signal.outcome, signal.taken_up_by) == (
        "closed",
        "referred",
        team["counsellor"],
    )
