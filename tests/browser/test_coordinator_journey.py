"""The coordinator at the worksite, on a phone: today's session, everyone present but one, saved."""

from decimal import Decimal

from chantiers.models import Attendance
from tests.browser.conftest import log_in, twelve_at_a_session_today


def test_the_coordinator_takes_attendance_for_twelve_on_a_phone(
    phone, live_server, transactional_db, legal_ceilings
):
    session, people = twelve_at_a_session_today()
    log_in(phone, live_server, "chantier@demo.local")
    phone.get_by_role("button", name="Ouvrir le menu").click()
    phone.get_by_role("link", name="Aujourd'hui").click()
    phone.get_by_role("link", name="Peinture des halls").click()
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
    hours.fill("")
    phone.get_by_role("button", name="Tout le monde présent").click()
    phone.get_by_role("button", name="Enregistrer").first.click()

    phone.get_by_text("12 présences enregistrées.").wait_for()
    assert phone.locator("[data-row]").filter(has_text="12,50").count() == 11
    assert "137,50" in phone.inner_text("main")  # 11 × 12,50 €
    marks = Attendance.objects.filter(session=session)
    assert marks.count() == 12
    assert marks.get(participant=absent).status == "unexcused"
    assert sum(m.indemnity for m in marks) == Decimal("137.50")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
