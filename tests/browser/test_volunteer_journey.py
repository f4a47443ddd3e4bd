"""A volunteer who is not a participant notes a day of service on a phone, and a coordinator
validates it (issue 21). Nadia Verhoeven, registered as a volunteer without a pathway (no income,
an IBAN, a signed flat-rate agreement without chantier for the whole year at 25,00 € a day, the
organisation's note given), logs in with her own account: her home is "Mes prestations", first of
a menu of her own pages only, her year at 0 € of the 1 760,83 € ceiling (2026's). She taps "Noter
une prestation" and sends a day of tomorrow with 12 km and no vehicle: both refusals beside their
fields, announced by the error summary, everything typed kept; corrected (today, by car), she is
back on her list with the message and the sheet "À valider" at 30,19 € (the 25,00 € flat rate
and 5,19 € for 12 km at 2026's 0,4326 € a km).

The coordinator, on another phone, opens "Bénévoles" from the menu: two sheets waiting (Nadia's
and one of Marc Dubois, a volunteer without a log-in whose sheet she entered from his paper). She
sends Marc's back with an empty reason: refused beside the field, the line's form left open; with
a reason, it goes back. She validates Nadia's (the button named with her name and the date):
nothing waits any more. A short look on a desktop: the list and Nadia's page. Nadia, on her phone
again, sees the sheet "Validée" and its page, which no longer changes. The database says the same.

Every state checked by axe at 360 and 1280 px, no sideways scroll at 320 and 360 px; with
SCREENSHOTS set, each state is photographed at 360, 320 and 1280 px (``volunteers-…``).

The sheets are of today (Brussels): a day before it may not be of this year (1 January), and a
day after it is the mistake."""

import datetime as dt
import os
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from accounts.models import Role
from accounts.templatetags.formatting import euros
from chantiers.models import IndemnityCeiling, ServiceSheet, VolunteerAgreement
from chantiers.sheets import sheet_submit
from participants import services as participant_services
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, ceiling_of_year
from volunteers.services import volunteer_register

PASSWORD = "correct horse battery"  # the factories'
DESKTOP = 1280
ACTIVITY = "Relais de quartier"
TYPED_ACTIVITY = "Visites aux voisins isolés de la rue Wayez"
RATE = Decimal("25.00")
KM = 12
REASON = "Il manque le nombre d'heures passées au stand."


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if folder := os.environ.get("SCREENSHOTS"):  # to look at the states as a person would
        os.makedirs(folder, exist_ok=True)
        name = state.replace(" ", "-").replace("'", "")
        viewport = page.viewport_size
        # The phone's states also at 320 px (the narrowest checked) and on a desktop.
        widths = [viewport["width"]] + ([320, DESKTOP] if viewport["width"] < DESKTOP else [])
        for width in widths:
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            page.screenshot(path=f"{folder}/volunteers-{name}-{width}.png", full_page=True)
        page.set_viewport_size(viewport)


def _euros(amount) -> str:
    """As the pages write an amount (the ``euros`` filter, in French)."""
    with translation.override("fr"):
        return euros(amount)


def _volunteer(operator, coordinator, *, first, last, birth, iban="", email=""):
    """A person registered as a volunteer only (no pathway), without income since last year,
    with a signed flat-rate agreement without chantier for the whole of this year."""
    year = timezone.localdate().year
    volunteer = volunteer_register(
        organization=operator,
        by=coordinator,
        since=dt.date(year - 1, 6, 1),
        activity=ACTIVITY,
        last_name=last,
        first_name=first,
        birth_date=birth,
        gender="F",
        nationality_group="BE",
        email=email,
        iban=iban,
    )
    person = volunteer.participant
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(year - 1, 1, 1)
    )
    first_day = dt.date(year, 1, 1)
    VolunteerAgreement.objects.create(
        participant=person,
        organization=operator,
        chantier=None,
        starts_on=first_day,
        ends_on=dt.date(year, 12, 31),
        daily_rate=RATE,
        signed_on=first_day,
        organisation_note_given_on=first_day,
        declaration="",
    )
    return volunteer


@pytest.fixture
def team(transactional_db, legal_ceilings):
    """The operator, its coordinator (Sophie Martin), Nadia (a volunteer with a log-in) and Marc
    (one without, whose sheet of today the coordinator entered and is waiting)."""
    year = timezone.localdate().year
    # Seeded up to 2026: a later year gets 2026's amounts, as the volunteers' unit tests do.
    ceiling_of_year(year)
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    coordinator = MembershipFactory(
        organization=operator,
        role=Role.COORDINATOR,
        user=UserFactory(email="sophie@example.org", first_name="Sophie", last_name="Martin"),
    ).user
    nadia = _volunteer(
        operator,
        coordinator,
        first="Nadia",
        last="Verhoeven",
        birth=dt.date(1968, 4, 12),
        iban="BE71096123456769",
        email="nadia@example.org",
    )
    nadia.user = MembershipFactory(
        organization=operator,
        role=Role.VOLUNTEER,
        user=UserFactory(email="nadia@example.org", first_name="Nadia", last_name="Verhoeven"),
    ).user
    nadia.save(update_fields=["user"])
    marc = _volunteer(operator, coordinator, first="Marc", last="Dubois", birth=dt.date(1955, 9, 3))
    marcs_sheet = sheet_submit(
        sheet=ServiceSheet(
            participant=marc.participant,
            date=timezone.localdate(),
            hours=Decimal("2"),
            activity="Stand du marché",
        ),
        by=coordinator,
    )
    return {
        "operator": operator,
        "coordinator": coordinator,
        "nadia": nadia,
        "marc": marc,
        "marcs_sheet": marcs_sheet,
    }


def test_a_volunteer_notes_a_day_on_a_phone_and_a_coordinator_validates_it(
    phone, desktop, browser, live_server, team
):
    page = phone
    today = timezone.localdate()
    day = f"{today:%d/%m/%Y}"
    tomorrow = today + dt.timedelta(days=1)
    nadia, marc, coordinator = team["nadia"], team["marc"], team["coordinator"]
    ceiling = IndemnityCeiling.objects.get(year=today.year)
    annual = ceiling.annual
    # 12 km by car: 5,19 € at 2026's rate (0,4326 €/km); a later year's own rate if seeded.
    mileage = (KM * ceiling.km_rate_car).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if today.year == 2026:
        assert (annual, mileage) == (Decimal("1760.83"), Decimal("5.19"))

    # 1. Nadia logs in: her own page, her year untouched, one entry in her menu.
    log_in(page, live_server, nadia.user.email, password=PASSWORD)
    assert page.url == f"{live_server.url}/benevoles/mes-prestations/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes prestations")
    balance = page.locator("section[aria-labelledby=balance-heading]")
    expect(balance.get_by_role("heading")).to_have_text(f"Mes défraiements {today.year}")
    expect(balance.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(balance).to_contain_text(f"Plafond annuel{_euros(annual)}")
    expect(balance).to_contain_text(f"Déjà utilisé{_euros(0)}")
    expect(balance).to_contain_text(f"Reste pour l'année{_euros(annual)}")
    expect(page.get_by_test_id("sheet-item")).to_have_count(0)
    expect(page.get_by_text("Aucune prestation notée cette année.")).to_be_visible()
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.locator("#main-nav.show").wait_for()
    nav = page.get_by_test_id("main-nav").get_by_role("link")
    # Her own pages only (her sheets, her signals, the rota she signs up on): nothing of the
    # team's.
    expect(nav.first).to_have_text("Mes prestations")
    expect(nav.first).to_have_attribute("aria-current", "page")
    entries = nav.all_inner_texts()
    assert entries == ["Mes prestations", "Mes signalements", "Planning"], entries
    _check(page, "mine menu open")
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.locator("#main-nav.show").wait_for(state="detached")
    _check(page, "mine empty")

    # 2. A day noted with two mistakes (tomorrow, 12 km without a vehicle): refused beside the
    # fields, the summary read first, everything typed kept.
    page.get_by_role("link", name="Noter une prestation").click()
    page.wait_for_url(f"{live_server.url}/benevoles/mes-prestations/nouvelle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter une prestation")
    expect(page.get_by_label("Date")).to_have_value(today.isoformat())
    expect(page.get_by_label("Activité")).to_have_value(ACTIVITY)  # her usual one
    _check(page, "sheet form")
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Heures").fill("3,5")
    page.get_by_label("Activité").fill(TYPED_ACTIVITY)
    page.get_by_label("Kilomètres").fill("12")
    page.get_by_role("button", name="Envoyer pour validation").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient 2 erreurs.")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Date : Une prestation se note une fois faite : la date est dans le futur.",
            "Véhicule : Indiquez le véhicule des kilomètres.",
        ]
    )
    expect(page.locator("#id_date_error")).to_have_text(
        "Une prestation se note une fois faite : la date est dans le futur."
    )
    expect(page.locator("#id_vehicle_error")).to_have_text("Indiquez le véhicule des kilomètres.")
    expect(page.get_by_label("Date")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Véhicule")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Date")).to_have_value(tomorrow.isoformat())
    expect(page.get_by_label("Heures")).to_have_value("3,5")
    expect(page.get_by_label("Activité")).to_have_value(TYPED_ACTIVITY)
    expect(page.get_by_label("Kilomètres")).to_have_value("12")
    assert not ServiceSheet.objects.filter(participant=nadia.participant).exists()
    _check(page, "sheet form refused")

    # The summary's link takes her to the field; corrected, the day is sent.
    summary.get_by_role("link", name="Véhicule : Indiquez le véhicule des kilomètres.").click()
    expect(page.get_by_label("Véhicule")).to_be_focused()
    page.get_by_label("Véhicule").select_option(label="Voiture")
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_role("button", name="Envoyer pour validation").click()
    page.wait_for_url(f"{live_server.url}/benevoles/mes-prestations/")
    with translation.override("fr"):
        long_day = date_format(today, "l j F Y")  # "vendredi 15 mai 2026"
    message = page.locator("[data-messages]")
    expect(message).to_contain_text(
        f"Prestation du {long_day} envoyée : votre coordinateur·rice va la vérifier."
    )
    expect(message).to_be_focused()
    sheet = ServiceSheet.objects.get(participant=nadia.participant)
    assert (sheet.status, sheet.date, sheet.hours) == ("submitted", today, Decimal("3.5"))
    assert (sheet.km, sheet.vehicle, sheet.entered_by) == (12, "car", nadia.user)
    item = page.get_by_test_id("sheet-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"{today:%d/%m/%Y}")
    expect(item.locator(".badge")).to_have_text("À valider")
    expect(item).to_contain_text(f"{TYPED_ACTIVITY} · 3,5 h")
    expect(item).to_contain_text(
        f"Défraiement : {_euros(RATE + mileage)} (dont {_euros(mileage)} pour 12 km)"
    )
    expect(item.get_by_role("link", name=f"Modifier — {day}")).to_be_visible()
    expect(balance).to_contain_text(f"Déjà utilisé{_euros(RATE)}")  # the km are on top
    expect(balance).to_contain_text(f"Reste pour l'année{_euros(annual - RATE)}")
    expect(balance).to_contain_text("Kilomètres remboursés12 sur")
    _check(page, "mine sheet sent")

    # 3. The coordinator, on her phone: "Bénévoles" from the menu, two sheets waiting.
    coordinator_phone = browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="fr-BE",
        service_workers="block",
    )
    try:
        staff = coordinator_phone.new_page()
        _coordinator_answers(staff, live_server, team, sheet, day, mileage)
    finally:
        coordinator_phone.close()

    # 4. A short look on a desktop: the list, nothing waiting; Nadia's page, the day validated.
    log_in(desktop, live_server, coordinator.email, password=PASSWORD)
    desktop.get_by_test_id("main-nav").get_by_role("link", name="Bénévoles", exact=True).click()
    desktop.wait_for_url(f"{live_server.url}/benevoles/")
    expect(desktop.get_by_text("Aucune prestation n'attend de réponse.")).to_be_visible()
    rows = desktop.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Marc DUBOIS")
    expect(rows.nth(0)).to_contain_text("Non")  # no log-in
    expect(rows.nth(1)).to_contain_text("Nadia VERHOEVEN")
    expect(rows.nth(1)).to_contain_text("Oui")
    _check(desktop, "desktop list answered")
    desktop.get_by_role("link", name="Nadia VERHOEVEN").click()
    desktop.wait_for_url(f"{live_server.url}/benevoles/{nadia.pk}/")
    sheets = desktop.get_by_test_id("sheets")
    expect(sheets.locator(".badge")).to_have_text("Validée")
    expect(sheets).to_contain_text(f"{_euros(RATE)} · 12 km (Voiture) : {_euros(mileage)}")
    expect(sheets.get_by_role("button")).to_have_count(0)  # answered: nothing to do on it
    expect(desktop.get_by_test_id("login")).to_contain_text("nadia@example.org")
    _check(desktop, "desktop volunteer page")

    # 5. Nadia, on her phone again: the day validated, its page no longer a form.
    page.reload()
    item = page.get_by_test_id("sheet-item")
    expect(item.locator(".badge")).to_have_text("Validée")
    expect(item).to_contain_text(f"Défraiement : {_euros(RATE + mileage)}")
    _check(page, "mine sheet validated")
    item.get_by_role("link", name=f"Voir — {day}").click()
    page.wait_for_url(f"{live_server.url}/benevoles/mes-prestations/{sheet.pk}/")
    expect(page.get_by_text("Cette prestation est validée : elle ne change plus.")).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer les modifications")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("12 (Voiture)")
    _check(page, "sheet validated")

    # 6. The database: validated by the coordinator, at 25,00 € and 5,19 € for 12 km; Marc's
    # sent back with the reason, counting nothing until corrected.
    sheet.refresh_from_db()
    assert sheet.status == ServiceSheet.Status.VALIDATED
    assert sheet.validated_by == coordinator
    assert sheet.validated_at is not None
    assert (sheet.indemnity, sheet.not_payable) == (RATE, "")
    assert (sheet.km_paid, sheet.mileage) == (12, mileage)
    marcs = team["marcs_sheet"]
    marcs.refresh_from_db()
    assert (marcs.status, marcs.return_reason) == (ServiceSheet.Status.RETURNED, REASON)
    assert marcs.validated_by is None
    assert marcs.indemnity == 0
    assert marc.participant.service_sheets.count() == 1


def _coordinator_answers(page, live_server, team, sheet, day, mileage):
    """On the coordinator's phone: the list from the menu, Marc's sheet sent back (an empty
    reason refused first), Nadia's validated."""
    marcs = team["marcs_sheet"]
    log_in(page, live_server, team["coordinator"].email, password=PASSWORD)
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.locator("#main-nav.show").wait_for()
    page.get_by_test_id("main-nav").get_by_role("link", name="Bénévoles", exact=True).click()
    page.wait_for_url(f"{live_server.url}/benevoles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bénévoles")
    pending = page.get_by_test_id("pending")
    expect(pending.get_by_role("heading", level=2)).to_have_text("Prestations à valider 2")
    lines = pending.get_by_test_id("pending-sheet")
    expect(lines).to_have_count(2)
    marcs_line, nadias_line = lines.nth(0), lines.nth(1)  # the same day: in the order sent
    expect(marcs_line).to_contain_text("Marc DUBOIS")
    expect(marcs_line).to_contain_text("Stand du marché")
    expect(nadias_line.get_by_role("link", name="Nadia VERHOEVEN")).to_be_visible()
    expect(nadias_line).to_contain_text(f"3,5 h · {TYPED_ACTIVITY}")
    expect(nadias_line).to_contain_text(f"{_euros(RATE)} · 12 km (Voiture) : {_euros(mileage)}")
    _check(page, "list two waiting")

    # Marc's sent back: an empty reason is refused beside the field, the line's form open.
    review = page.get_by_test_id(f"sheet-review-{marcs.pk}")
    review.locator("summary").click()
    reason = review.get_by_label("Motif du renvoi")
    expect(reason).to_be_visible()
    _check(page, "list send back open")
    send_back = review.get_by_role("button", name=f"Renvoyer pour correction — Marc DUBOIS, {day}")
    send_back.click()
    page.wait_for_url(f"{live_server.url}/benevoles/fiches/{marcs.pk}/")
    review = page.get_by_test_id(f"sheet-review-{marcs.pk}")
    summary = review.get_by_role("alert").filter(has_text="Le formulaire contient 1 erreur.")
    expect(summary).to_be_focused()
    expect(review.locator("details")).to_have_attribute("open", "")
    reason = review.get_by_label("Motif du renvoi")
    expect(page.locator(f"#id_sheet{marcs.pk}_reason_error")).to_have_text(
        "Dites au·à la bénévole ce qu'il faut corriger."
    )
    expect(reason).to_have_attribute("aria-invalid", "true")
    # Only Marc's line is open; Nadia's answer is still offered, closed.
    expect(page.locator("details[open]")).to_have_count(1)
    expect(page.get_by_test_id("pending-sheet")).to_have_count(2)
    marcs.refresh_from_db()
    assert marcs.status == ServiceSheet.Status.SUBMITTED
    _check(page, "list send back refused")

    reason.fill(REASON)
    review.get_by_role("button", name=f"Renvoyer pour correction — Marc DUBOIS, {day}").click()
    page.wait_for_url(f"{live_server.url}/benevoles/")
    message = page.locator("[data-messages]")
    expect(message).to_contain_text(f"Prestation de Marc Dubois du {day} renvoyée pour correction.")
    expect(message).to_be_focused()
    lines = page.get_by_test_id("pending").get_by_test_id("pending-sheet")
    expect(lines).to_have_count(1)
    expect(lines).to_contain_text("Nadia VERHOEVEN")
    _check(page, "list one waiting")

    # Nadia's validated, from its button named with her and the day.
    lines.get_by_role("button", name=f"Valider — Nadia VERHOEVEN, {day}", exact=True).click()
    page.wait_for_url(f"{live_server.url}/benevoles/")
    message = page.locator("[data-messages]")
    expect(message).to_contain_text(f"Prestation de Nadia Verhoeven du {day} validée.")
    expect(message).to_be_focused()
    pending = page.get_by_test_id("pending")
    expect(pending.get_by_test_id("pending-sheet")).to_have_count(0)
    expect(pending.get_by_text("Aucune prestation n'attend de réponse.")).to_be_visible()
    expect(pending.locator(".badge")).to_have_count(0)
    sheet.refresh_from_db()
    assert sheet.status == ServiceSheet.Status.VALIDATED
    _check(page, "list validated")
