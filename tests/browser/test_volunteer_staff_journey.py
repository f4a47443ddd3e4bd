"""A coordinator's pages about one volunteer in a browser (issue 21): the volunteer's page, a
month's statement and the end of the volunteering.

Sophie Martin, coordinator, opens Nadia Verhoeven's page from "Bénévoles": two days of the month,
one validated, one waiting. She tries to end the volunteering tomorrow (refused beside the date,
announced by the error summary, the date kept), then today (refused: a sheet still waits). On the
month's page she prepares the statement, tries to validate it (refused: the sheet waits), validates
the sheet from its line, then the statement: 2 days at 25,00 € (the draft counted the waiting
day already). Back on Nadia's page she ends the
volunteering: the page says so, the invitation and end forms are gone, Nadia's access is closed.

The month is this one from its 2nd day (its 1st and 2nd days are past or today), else last month.
Every state: axe at 360 and 1280 px, no sideways scroll at 320 and 360 px."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from accounts.models import Membership, Role
from accounts.templatetags.formatting import euros
from chantiers.models import MonthlyStatement, ServiceSheet, VolunteerAgreement
from chantiers.sheets import sheet_submit, sheet_validate
from participants import services as participant_services
from tests.browser.a11y import check_state
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, ceiling_of_year
from volunteers.services import volunteer_register

PASSWORD = "correct horse battery"  # the factories'
RATE = Decimal("25.00")


def _check(page, state):
    check_state(page, state, prefix="volunteer-staff")


def _euros(amount) -> str:
    with translation.override("fr"):
        return euros(amount)


def _month() -> dt.date:
    today = timezone.localdate()
    first = today.replace(day=1)
    return first if today.day >= 2 else (first - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def team(transactional_db, legal_ceilings):
    """Sophie (coordinator) and Nadia (a volunteer with a log-in, a signed flat-rate agreement
    for the month's year): the month's 1st day validated, its 2nd waiting."""
    month = _month()
    ceiling_of_year(month.year)
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    coordinator = MembershipFactory(
        organization=operator,
        role=Role.COORDINATOR,
        user=UserFactory(email="sophie@example.org", first_name="Sophie", last_name="Martin"),
    ).user
    nadia = volunteer_register(
        organization=operator,
        by=coordinator,
        since=dt.date(month.year - 1, 6, 1),
        activity="Relais de quartier",
        last_name="Verhoeven",
        first_name="Nadia",
        birth_date=dt.date(1968, 4, 12),
        gender="F",
        nationality_group="BE",
        email="nadia@example.org",
        iban="BE71096123456769",
    )
    person = nadia.participant
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(month.year - 1, 1, 1)
    )
    first_day = dt.date(month.year, 1, 1)
    VolunteerAgreement.objects.create(
        participant=person,
        organization=operator,
        chantier=None,
        starts_on=first_day,
        ends_on=dt.date(month.year, 12, 31),
        daily_rate=RATE,
        signed_on=first_day,
        organisation_note_given_on=first_day,
        declaration="",
    )
    nadia.user = MembershipFactory(
        organization=operator,
        role=Role.VOLUNTEER,
        user=UserFactory(email="nadia@example.org", first_name="Nadia", last_name="Verhoeven"),
    ).user
    nadia.save(update_fields=["user"])
    sheets = [
        sheet_submit(
            sheet=ServiceSheet(participant=person, date=day, hours=Decimal("3"), activity=activity),
            by=coordinator,
        )
        for day, activity in (
            (month, "Visites aux voisins"),
            (month + dt.timedelta(days=1), "Stand du marché"),
        )
    ]
    sheet_validate(sheet=sheets[0], by=coordinator)
    return {"coordinator": coordinator, "nadia": nadia, "done": sheets[0], "waiting": sheets[1]}


def test_a_coordinator_closes_a_volunteers_month_and_ends_the_volunteering(
    desktop, live_server, team
):
    page = desktop
    nadia, waiting = team["nadia"], team["waiting"]
    month, today = _month(), timezone.localdate()
    with translation.override("fr"):
        month_name = date_format(month, "F Y")  # "décembre 2026"
    log_in(page, live_server, team["coordinator"].email, password=PASSWORD)

    # 1. Nadia's page from the list: the month not prepared, a day validated, one waiting.
    page.get_by_test_id("main-nav").get_by_role("link", name="Bénévoles", exact=True).click()
    page.wait_for_url(f"{live_server.url}/benevoles/")
    page.get_by_role("table").get_by_role("link", name="Nadia VERHOEVEN").click()
    detail = f"{live_server.url}/benevoles/{nadia.pk}/"
    page.wait_for_url(detail)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia VERHOEVEN")
    months = page.get_by_test_id("months")
    expect(months.get_by_role("listitem")).to_have_count(1)
    expect(months).to_contain_text("pas encore préparée")
    expect(page.get_by_test_id("sheets").locator(".badge")).to_have_text(["Validée", "À valider"])
    _check(page, "detail")

    # 2. The end tomorrow: refused beside the date, kept; today: refused, a sheet waits.
    end = page.get_by_test_id("end")
    tomorrow = today + dt.timedelta(days=1)
    end.get_by_label("Date de fin").fill(tomorrow.isoformat())
    end.get_by_role("button", name="Terminer le bénévolat").click()
    page.wait_for_url(f"{live_server.url}/benevoles/{nadia.pk}/fin/")
    end = page.get_by_test_id("end")
    summary = end.get_by_role("alert").filter(has_text="Le formulaire contient 1 erreur.")
    expect(summary).to_be_focused()
    expect(page.locator("#id_ended_on_error")).to_have_text(
        "La date ne peut pas être dans le futur."
    )
    expect(end.get_by_label("Date de fin")).to_have_attribute("aria-invalid", "true")
    expect(end.get_by_label("Date de fin")).to_have_value(tomorrow.isoformat())
    _check(page, "end refused future")

    end.get_by_label("Date de fin").fill(today.isoformat())
    end.get_by_role("button", name="Terminer le bénévolat").click()
    page.wait_for_url(f"{live_server.url}/benevoles/{nadia.pk}/fin/")
    end = page.get_by_test_id("end")
    summary = end.get_by_role("alert").filter(has_text="Le formulaire contient 1 erreur.")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "1 prestation attend encore une réponse : validez-la ou renvoyez-la avant de terminer le "
        "bénévolat."
    )
    expect(end.get_by_label("Date de fin")).to_have_value(today.isoformat())
    nadia.refresh_from_db()
    assert nadia.ended_on is None
    _check(page, "end refused waiting")

    # 3. The month: prepared; its validation refused while the sheet waits.
    page.get_by_test_id("months").get_by_role("link", name=month_name.capitalize()).click()
    month_url = f"{live_server.url}/benevoles/{nadia.pk}/mois/{month.year}/{month.month}/"
    page.wait_for_url(month_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Fiche de défraiement — {month_name}"
    )
    statement = page.get_by_test_id("statement")
    expect(statement).to_contain_text("Pas encore préparée")
    expect(statement).to_contain_text("1 prestation attend d'être validée ou renvoyée")
    expect(page.get_by_test_id("days").get_by_role("listitem")).to_have_count(2)
    _check(page, "month not prepared")

    statement.get_by_role("button", name="Préparer la fiche").click()
    page.wait_for_url(month_url)
    expect(page.locator("[data-messages]")).to_contain_text("La fiche du mois est à jour.")
    statement = page.get_by_test_id("statement")
    # A draft: the day waiting counts until it is answered (the engine reserves it).
    expect(statement).to_contain_text("ÉtatBrouillon")
    expect(statement).to_contain_text("Jours2")
    expect(statement).to_contain_text(f"Forfait{_euros(2 * RATE)}")
    expect(statement.get_by_role("button", name="Actualiser la fiche")).to_be_visible()
    _check(page, "month prepared")

    statement.get_by_role("button", name="Valider la fiche").click()
    page.wait_for_url(month_url)
    expect(page.locator("[data-messages]")).to_contain_text(
        "Des fiches de prestation du mois attendent d'être validées ou renvoyées : "
        f"{waiting.date:%d/%m}."
    )
    assert (
        not MonthlyStatement.objects.filter(participant=nadia.participant)
        .exclude(status="draft")
        .exists()
    )
    _check(page, "month validation refused")

    # The waiting day validated from its line, then the month.
    day = f"{waiting.date:%d/%m/%Y}"
    page.get_by_role("button", name=f"Valider — Nadia VERHOEVEN, {day}", exact=True).click()
    page.wait_for_url(month_url)
    expect(page.locator("[data-messages]")).to_contain_text(
        f"Prestation de Nadia Verhoeven du {day} validée."
    )
    expect(page.get_by_test_id("statement")).not_to_contain_text("attend d'être validée")
    page.get_by_test_id("statement").get_by_role("button", name="Valider la fiche").click()
    page.wait_for_url(month_url)
    expect(page.locator("[data-messages]")).to_contain_text("Fiche de Nadia Verhoeven validée.")
    statement = page.get_by_test_id("statement")
    expect(statement).to_contain_text("ÉtatValidée")
    expect(statement).to_contain_text("Jours2")
    expect(statement).to_contain_text(f"À verser{_euros(2 * RATE)}")
    expect(statement.get_by_role("button")).to_have_count(0)  # validated: nothing to do on it
    expect(statement.get_by_test_id("statement-pdf")).to_be_visible()
    _check(page, "month validated")

    # 4. Back on Nadia's page: the volunteering ended today.
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link").click()
    page.wait_for_url(f"{detail}?year={month.year}")
    expect(page.get_by_test_id("months")).to_contain_text(_euros(2 * RATE))
    end = page.get_by_test_id("end")
    end.get_by_label("Date de fin").fill(today.isoformat())
    end.get_by_role("button", name="Terminer le bénévolat").click()
    page.wait_for_url(detail)
    expect(page.locator("[data-messages]")).to_contain_text(
        f"Le bénévolat de Nadia Verhoeven est terminé au {today:%d/%m/%Y}."
    )
    end = page.get_by_test_id("end")
    expect(end).to_contain_text(f"Bénévolat terminé le {today:%d/%m/%Y}.")
    expect(end.get_by_role("button")).to_have_count(0)
    expect(page.get_by_test_id("login")).to_contain_text(
        "Le bénévolat est terminé : la personne n'a plus accès à l'application."
    )
    _check(page, "detail ended")

    nadia.refresh_from_db()
    assert nadia.ended_on == today
    assert not Membership.objects.filter(user=nadia.user, is_active=True).exists()
    statement = MonthlyStatement.objects.get(participant=nadia.participant, month=month)
    assert (statement.status, statement.validated_by) == ("validated", team["coordinator"])
