"""The rota on a phone (issue 21, point 4). Nadia, a volunteer with a log-in, opens "Planning"
from her phone's menu and goes to the week of tomorrow's reception shift (9:00–13:00, three
people needed, Sophie the coordinator on it: "Il manque 2 personnes"). She taps "Je m'inscris":
the message says so, the shift shows her as "vous" and one person missing. Sophie, at her desk,
sees the gap reduced and Nadia's full name on the shift. Then two shifts of one day: the second
is added to that day's sheet from "Mes prestations"; a day whose sheet is validated says to ask
the team. Each state checked by axe, with no sideways scroll at 320 and 360 px."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from chantiers.models import ServiceSheet
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    UserFactory,
)
from volunteers.models import Shift, ShiftAssignment, Volunteer

PASSWORD = "correct horse battery"  # the factories'


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)


@pytest.fixture
def rota(transactional_db):
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    sophie = MembershipFactory(
        organization=operator,
        role=Role.COORDINATOR,
        user=UserFactory(email="sophie@example.org", first_name="Sophie", last_name="Martin"),
    ).user
    nadia = MembershipFactory(
        organization=operator,
        role=Role.VOLUNTEER,
        user=UserFactory(email="nadia@example.org", first_name="Nadia", last_name="Verhoeven"),
    ).user
    volunteer = Volunteer.objects.create(
        participant=ParticipantFactory(
            organization=operator, first_name="Nadia", last_name="Verhoeven"
        ),
        organization=operator,
        since=dt.date(2025, 6, 1),
        activity="Accueil",
        user=nadia,
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    shift = Shift.objects.create(
        organization=operator,
        role="Accueil",
        place="Maison d'accueil, rue Haute",
        starts_at=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9))),
        ends_at=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(13))),
        needed=3,
        created_by=sophie,
    )
    ShiftAssignment.objects.create(shift=shift, user=sophie, how="self", assigned_by=sophie)
    return {"shift": shift, "tomorrow": tomorrow, "volunteer": volunteer, "sophie": sophie}


def test_a_volunteer_signs_up_on_a_phone_and_the_coordinator_sees_the_gap_reduced(
    phone, desktop, live_server, rota
):
    week = f"?semaine={rota['tomorrow'].isoformat()}"
    log_in(phone, live_server, "nadia@example.org", PASSWORD)
    phone.get_by_role("button", name="Ouvrir le menu").click()
    phone.locator("#main-nav.show").wait_for()
    phone.get_by_role("link", name="Planning").click()
    phone.wait_for_url(f"{live_server.url}/benevoles/planning/")
    _check(phone, "the week on a phone")
    phone.goto(f"{live_server.url}/benevoles/planning/{week}")
    card = phone.locator(f"#creneau-{rota['shift'].pk}")
    assert "Il manque 2 personnes" in card.inner_text()
    assert "Sophie M." in card.inner_text()
    assert "Martin" not in card.inner_text()
    _check(phone, "the shift with a gap")

    card.get_by_role("button", name="Je m'inscris").click()
    phone.wait_for_load_state()
    main = phone.get_by_role("main").inner_text()
    assert "Vous êtes inscrit·e : Accueil" in main
    card = phone.locator(f"#creneau-{rota['shift'].pk}")
    assert "Il manque 1 personne" in card.inner_text()
    assert "vous" in card.inner_text()
    assert card.get_by_role("button", name="Me retirer").is_visible()
    _check(phone, "signed up")

    log_in(desktop, live_server, "sophie@example.org", PASSWORD)
    desktop.goto(f"{live_server.url}/benevoles/planning/{week}")
    card = desktop.locator(f"#creneau-{rota['shift'].pk}")
    assert "Il manque 1 personne" in card.inner_text()
    assert "Nadia Verhoeven" in card.inner_text()
    assert_accessible(desktop, "the coordinator's week")
    card.get_by_role("link", name="Gérer").click()
    desktop.wait_for_load_state()
    assert "Nadia Verhoeven" in desktop.get_by_test_id("people").inner_text()
    assert_accessible(desktop, "the shift's page")
    assert ShiftAssignment.objects.filter(shift=rota["shift"]).count() == 2


def test_a_second_shift_of_the_day_goes_on_that_days_sheet_from_a_phone(phone, live_server, rota):
    volunteer, sophie = rota["volunteer"], rota["sophie"]
    today = timezone.localdate()

    def done(days_ago, hour, hours, role):
        day = today - dt.timedelta(days=days_ago)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        shift = Shift.objects.create(
            organization=sophie.memberships.get().organization,
            role=role,
            place="Maison d'accueil, rue Haute",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
            needed=1,
            created_by=sophie,
        )
        line = ShiftAssignment.objects.create(
            shift=shift, volunteer=volunteer, how="assigned", assigned_by=sophie
        )
        return day, line

    def sheet(day, status):
        return ServiceSheet.objects.create(
            participant=volunteer.participant,
            organization=volunteer.organization,
            date=day,
            hours=3,
            activity="Accueil — Maison d'accueil, rue Haute",
            status=status,
            entered_by=volunteer.user,
        )

    day, morning = done(3, 9, 3, "Accueil")
    morning.sheet = sheet(day, ServiceSheet.Status.SUBMITTED)
    morning.save()
    _day, evening = done(3, 18, 2, "Veille")
    validated_day, _late = done(4, 9, 2, "Maraude")
    sheet(validated_day, ServiceSheet.Status.VALIDATED)

    log_in(phone, live_server, "nadia@example.org", PASSWORD)
    phone.goto(f"{live_server.url}/benevoles/mes-prestations/")
    lines = phone.get_by_test_id("shifts-to-declare")
    assert "Déjà une fiche validée ce jour-là" in lines.inner_text()
    _check(phone, "a shift to add to a sheet, another on a validated day")

    lines.get_by_role("link", name=f"Ajouter à la fiche du {day:%d/%m}").click()
    phone.wait_for_load_state()
    assert phone.locator("#id_hours").input_value() == "5,00"
    assert "; Veille" in phone.locator("#id_activity").input_value()
    _check(phone, "the sheet with the shift's hours added")
    phone.get_by_role("button", name="Enregistrer les modifications").click()
    phone.wait_for_load_state()
    evening.refresh_from_db()
    assert evening.sheet_id == morning.sheet_id
