"""The rota on a phone (issue 21, point 4). Nadia, a volunteer with a log-in, opens "Planning"
from her phone's menu and goes to the week of tomorrow's reception shift (9:00–13:00, three
people needed, Sophie the coordinator on it: "Il manque 2 personnes"). She taps "Je m'inscris":
the message says so, the shift shows her as "vous" and one person missing. Sophie, at her desk,
sees the gap reduced and Nadia's full name on the shift. Each state checked by axe, with no
sideways scroll at 320 and 360 px."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
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
    Volunteer.objects.create(
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
    return {"shift": shift, "tomorrow": tomorrow}


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
