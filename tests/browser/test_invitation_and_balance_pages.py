"""Two states no other journey reaches, checked as the others are (axe at 360 and 1280 px, no
sideways scroll at 320 and 360 px): an account invited by another organization — the banner on
every page, the invitations page, accepted — and a volunteer's page over 80 % of the year's
ceiling (the indemnities' section and its warning)."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services
from accounts.models import Membership, Organization, Role
from chantiers.models import ElsewhereDeclaration, VolunteerAgreement
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)


def test_an_invitation_answered_on_a_phone(phone, live_server, transactional_db, legal_ceilings):
    twelve_at_a_session_today()  # the demo accounts
    forest = Organization.objects.get(slug="ml-forest")
    services.membership_invite(
        organization=forest,
        email="conseil@demo.local",
        first_name="Karim",
        last_name="El Idrissi",
        role=Role.COUNSELLOR,
    )
    log_in(phone, live_server, "conseil@demo.local")
    banner = phone.get_by_test_id("invitation-banner")
    expect(banner).to_contain_text("Mission Locale de Forest vous invite à rejoindre son équipe.")
    _check(phone, "dashboard with an invitation waiting")
    banner.get_by_role("link", name="Répondre à l'invitation").click()
    phone.wait_for_url("**/invitations/")
    _check(phone, "invitations page")
    phone.get_by_role("button", name="Accepter").click()
    phone.get_by_text(
        "Vous faites maintenant partie de l'équipe de Mission Locale de Forest"
    ).wait_for()
    _check(phone, "invitation accepted")
    membership = Membership.objects.get(user__email="conseil@demo.local", organization=forest)
    assert membership.accepted_at is not None


def test_a_volunteer_over_80_percent_on_a_phone(
    phone, live_server, transactional_db, legal_ceilings
):
    _session, people = twelve_at_a_session_today()
    person = people[0]
    year = timezone.localdate().year
    agreement = VolunteerAgreement.objects.get(participant=person)
    agreement.starts_on = dt.date(year, 1, 1)
    agreement.save()
    ElsewhereDeclaration.objects.create(
        participant=person,
        organization=person.organization,
        year=year,
        amount=Decimal("1450.00"),
        declared_on=dt.date(year, 1, 1),
        source="ASBL Voisine",
    )
    log_in(phone, live_server, "conseil@demo.local")
    phone.goto(live_server.url + reverse("participants:detail", args=[person.pk]))
    section = phone.locator("#indemnities")
    expect(section).to_contain_text("Plafond annuel atteint à 80 %")
    expect(section).to_contain_text("1 450,00 €".replace(" ", "\u202f"))
    _check(phone, "participant page, indemnities over 80 %")
