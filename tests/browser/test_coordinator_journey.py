"""The coordinator at the worksite, on a phone: today's session, everyone present but one, saved."""

from decimal import Decimal

from playwright.sync_api import expect

from accounts.models import User
from chantiers import services
from chantiers.models import Attendance
from chantiers.services import Mark
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today


def _check(page, state):
    """Every page of the journey, in every state it reaches: axe at 360 and 1280 px, and nothing
    to scroll sideways at 320 and 360 px."""
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state, widths=(320, 360))


def test_the_coordinator_takes_attendance_for_twelve_on_a_phone(
    phone, live_server, transactional_db, legal_ceilings
):
    session, people = twelve_at_a_session_today()
    log_in(phone, live_server, "chantier@demo.local", check=True)
    assert_no_sideways_scroll(phone, "login form", widths=(320, 360))
    _check(phone, "dashboard")
    phone.get_by_role("button", name="Ouvrir le menu").click()
    phone.locator("#main-nav.show").wait_for()
    _check(phone, "menu open")
    phone.get_by_role("link", name="Aujourd'hui").click()
    phone.wait_for_url("**/aujourd-hui/")
    _check(phone, "today's sessions")
    phone.get_by_role("link", name="Peinture des halls").click()
    phone.locator("[data-row]").first.wait_for()
    _check(phone, "attendance grid, nothing marked yet")
    # Hours mistyped: the grid is refused and comes back as typed, the bad cell open and named.
    absent = sorted(people, key=lambda p: (p.last_name, p.first_name))[4]
    late = sorted(people, key=lambda p: (p.last_name, p.first_name))[0]
    phone.locator(f"label[for='s-{absent.pk}-unexcused']").click()
    row = phone.locator("[data-row]").first
    row.get_by_text("Heures et note").click()
    row.get_by_label("Heures").fill("25")
    phone.get_by_role("button", name="Enregistrer").first.click()
    phone.get_by_text("Heures illisibles ou impossibles (entre 0 et 24)").wait_for()
    assert not Attendance.objects.exists()
    assert phone.locator(f"#s-{absent.pk}-unexcused").is_checked()  # the tap is kept
    hours = phone.locator(f"#h-{late.pk}")
    assert hours.input_value() == "25" and hours.get_attribute("aria-invalid") == "true"
    assert hours.is_visible()  # its row's details are open
    _check(phone, "attendance grid refused")
    hours.fill("")
    phone.get_by_role("button", name="Tout le monde présent").click()
    # Said in the live region that was on the page (empty) since it loaded.
    expect(phone.locator("[data-grid-status][role=status]")).to_have_text(
        "11 personnes marquées présentes : enregistrez pour confirmer."
    )
    phone.get_by_role("button", name="Enregistrer").first.click()

    phone.get_by_text("12 présences enregistrées.").wait_for()
    expect(phone.locator("[data-messages]")).to_be_focused()  # read out at once
    _check(phone, "attendance saved")
    assert phone.locator("[data-row]").filter(has_text="12,50").count() == 11
    assert "137,50" in phone.inner_text("main")  # 11 × 12,50 €
    marks = Attendance.objects.filter(session=session)
    assert marks.count() == 12
    assert marks.get(participant=absent).status == "unexcused"
    assert sum(m.indemnity for m in marks) == Decimal("137.50")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # Meanwhile the direction, at the office, excuses the absent person; the coordinator, whose
    # page still shows the first version, marks them present: the row says both and who.
    director = User.objects.get(email="direction@demo.local")
    services.attendance_record(
        session=session,
        marks=[Mark(participant_id=absent.pk, status="excused", version=1)],
        by=director,
    )
    phone.locator(f"label[for='s-{absent.pk}-present']").click()
    phone.get_by_role("button", name="Enregistrer").first.click()
    row = phone.locator(f"#row-{absent.pk}")
    expect(row).to_contain_text(
        f"Modifié entre-temps par {director} : « Excusé » est enregistré ; vous aviez choisi "
        "« Présent »."
    )
    assert phone.locator(f"#s-{absent.pk}-excused").is_checked()  # what is recorded
    assert marks.get(participant=absent).status == "excused"
    _check(phone, "attendance conflict on a row")
