"""The coordinator plans a chantier's weeks on a phone: the plan stops at the chantier's end and
says so; a period that starts after the end is refused, the form given back as typed."""

import datetime as dt
import os

from accounts.models import User
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import ChantierFactory


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state, widths=(320, 360))
    if folder := os.environ.get("SCREENSHOTS"):  # to look at the states as a user would
        page.set_viewport_size({"width": 360, "height": 800})
        page.screenshot(path=f"{folder}/planning-{state.replace(' ', '-')}.png", full_page=True)


def _fill(page, first, last):
    page.get_by_label("Du").fill(first.isoformat())
    page.get_by_label("Au").fill(last.isoformat())
    page.get_by_label("lundi").check()
    page.get_by_label("jeudi").check()
    page.get_by_role("button", name="Planifier", exact=True).click()


def test_the_weekly_plan_stops_at_the_chantiers_end_on_a_phone(
    phone, live_server, transactional_db, legal_ceilings
):
    import random

    from accounts.models import Organization
    from demo.accounts import seed_accounts

    seed_accounts(rng=random.Random(2026))
    end = dt.date(2027, 4, 1)  # a Thursday
    chantier = ChantierFactory(
        organization=Organization.objects.get(slug="ml-bruxelles-midi"),
        name="Peinture des halls",
        starts_on=dt.date(2027, 3, 1),
        ends_on=end,
    )
    chantier.coordinators.add(User.objects.get(email="chantier@demo.local"))
    log_in(phone, live_server, "chantier@demo.local")
    url = f"{live_server.url}/chantiers/{chantier.pk}/seances/planifier/"

    phone.goto(url)
    _check(phone, "weekly plan form")
    _fill(phone, dt.date(2027, 3, 22), dt.date(2027, 4, 30))
    phone.get_by_text("Planification arrêtée le jeudi 1 avril 2027").wait_for()
    _check(phone, "plan stopped at the end")
    assert sorted(chantier.sessions.values_list("date", flat=True)) == [
        dt.date(2027, 3, 22),
        dt.date(2027, 3, 25),
        end,  # Monday 29/03 is Easter Monday: skipped
    ]

    phone.goto(url)
    _fill(phone, dt.date(2027, 4, 5), dt.date(2027, 4, 30))
    phone.get_by_text("Le chantier se termine le 01/04/2027").wait_for()
    assert phone.get_by_label("Du").input_value() == "2027-04-05"  # as typed
    assert phone.get_by_label("jeudi").is_checked()
    _check(phone, "plan refused after the end")
    assert chantier.sessions.count() == 3
