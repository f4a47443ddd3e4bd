"""The administration confirms the month's anonymisation list on a phone (issue 17, item 2):
the list (ids and dates), the confirmation refused without its box, then done. Every state
checked by axe at 360 and 1280 px, no sideways scroll at 320 and 360 px."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from participants.models import Participant
from privacy.services import anonymisation_reviews_prepare
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    PathwayFactory,
)


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)


def test_the_administration_confirms_the_list_on_a_phone(phone, live_server, transactional_db):
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    admin = MembershipFactory(organization=operator, role=Role.ADMIN).user
    people = [ParticipantFactory(organization=operator) for _ in range(3)]
    for person in people:
        PathwayFactory(
            participant=person,
            started_on=dt.date(2018, 1, 1),
            ended_on=dt.date(2019, 3, 1),
            exit_outcome="job_permanent",
            phase="closed",
        )
    anonymisation_reviews_prepare(today=timezone.localdate())

    log_in(phone, live_server, admin.email, password="correct horse battery")
    phone.goto(f"{live_server.url}/organisation/anonymisation/")
    expect(phone.get_by_text("3 personnes sont à anonymiser.", exact=False)).to_be_visible()
    expect(phone.get_by_text(f"n° {people[0].pk}", exact=True)).to_be_visible()
    _check(phone, "anonymisation list")
    phone.get_by_role("button", name="Anonymiser ces personnes").click()
    expect(phone.get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    _check(phone, "anonymisation refused without its box")
    phone.get_by_label("Je confirme l'anonymisation", exact=False).check()
    phone.get_by_role("button", name="Anonymiser ces personnes").click()
    expect(phone.get_by_text("3 personnes anonymisées.")).to_be_visible()
    _check(phone, "anonymisation done")
    assert Participant.objects.filter(anonymised_at__isnull=False).count() == 3
