"""The attendance grid with a keyboard only, on a phone-wide screen (320 px, the narrowest WCAG
asks for, and 360 px): Tab to each person, Space to mark them present, an arrow to change one, a
bad number of hours typed, Shift+Tab back up the rows; the refusal's summary takes the focus, its
link leads to the input, Enter saves. Where the focus goes is asserted at each step, and never
under the sticky bar of buttons."""

from decimal import Decimal

import pytest
from django.urls import reverse

from chantiers.models import Attendance
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in, twelve_at_a_session_today

FOCUSED_ID = "document.activeElement.id"
# What the focus is on, for a message: its id, else its text ("Heures et note").
FOCUSED = "document.activeElement.id || document.activeElement.textContent.trim()"
# The focused element is below the sticky bar (not hidden by it, WCAG 2.2 SC 2.4.11).
# Judged once the page has stopped scrolling (the same scroll position over five frames): a
# scroll still under way could carry the element back under the bar after a first look.
NOT_UNDER_THE_BAR = """async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let still = 0;
  let last = window.scrollY;
  while (still < 5) {
    await frame();
    still = window.scrollY === last ? still + 1 : 0;
    last = window.scrollY;
  }
  const bar = document.querySelector('.sticky-actions').getBoundingClientRect();
  const target = document.activeElement.matches('.btn-check')
    ? document.querySelector(`label[for="${document.activeElement.id}"]`)
    : document.activeElement;
  const box = target.getBoundingClientRect();
  return box.top >= bar.bottom - 1 && box.bottom <= window.innerHeight + 1;
}"""
# The same for the label of the focused input (a link of the error summary shows it too).
LABEL_NOT_UNDER_THE_BAR = """() => {
  const bar = document.querySelector('.sticky-actions').getBoundingClientRect();
  const label = document.querySelector(`label[for="${document.activeElement.id}"]`);
  return label.getBoundingClientRect().top >= bar.bottom - 1;
}"""
IN_THE_BAR = "document.activeElement.closest('.sticky-actions') !== null"


def _in_view(page) -> bool:
    """The focused element, once the page has stopped scrolling, is out from under the bar."""
    return page.evaluate(NOT_UNDER_THE_BAR)


def _tab_to(page, prefix: str) -> str:
    """Tab until the focus is on an element whose id starts with ``prefix``; its id."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_ID)
        if focused.startswith(prefix):
            return focused
    raise AssertionError(f"the focus never reached {prefix}…")


def _shift_tab_up_to_the_bar(page) -> list[str]:
    """Shift+Tab from where the focus is up to the sticky bar's buttons: the ids focused on the
    way, each asserted out from under the bar once the browser has scrolled it into view."""
    focused = []
    for _ in range(60):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(IN_THE_BAR):
            return focused
        focused.append(page.evaluate(FOCUSED))
        assert page.evaluate(NOT_UNDER_THE_BAR), f"{focused[-1]!r} is under the sticky bar"
    raise AssertionError("Shift+Tab never reached the sticky bar")


@pytest.mark.parametrize("width", [320, 360])
def test_a_coordinator_marks_twelve_people_with_the_keyboard_only(
    browser, live_server, transactional_db, legal_ceilings, width
):
    session, people = twelve_at_a_session_today()
    rows = sorted(people, key=lambda p: (p.last_name, p.first_name))
    context = browser.new_context(
        viewport={"width": width, "height": 640}, locale="fr-BE", service_workers="block"
    )
    page = context.new_page()
    log_in(page, live_server, "chantier@demo.local")
    page.goto(live_server.url + reverse("chantiers:session_attendance", args=[session.pk]))

    # Targets a cold or gloved hand can hit: 44 px high at least (the buttons, "Heures et note").
    targets = ".status-buttons label, .attendance-details > summary, .sticky-actions .btn"
    heights = page.evaluate(
        "(s) => [...document.querySelectorAll(s)].map((e) => e.getBoundingClientRect().height)",
        targets,
    )
    assert len(heights) == 12 * 6 + 2 and min(heights) >= 44, min(heights)

    for number, person in enumerate(rows):
        # Tab enters the row's group on its first button; Space chooses it.
        assert _tab_to(page, f"s-{person.pk}-") == f"s-{person.pk}-present"
        assert _in_view(page)
        page.keyboard.press("Space")
        if number == 0:
            page.keyboard.press("ArrowRight")  # present → late, within the row's group
            assert page.evaluate(FOCUSED_ID) == f"s-{person.pk}-late"
            page.keyboard.press("Tab")  # to "Heures et note", opened with Enter
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUSED_ID) == f"h-{person.pk}"
            assert _in_view(page)
            page.keyboard.type("sept")
    _tab_to(page, "save-bottom")  # past the last row's "Heures et note", the last button
    # Back up the rows: every row's buttons, "Heures et note" and the first row's inputs.
    focused = _shift_tab_up_to_the_bar(page)
    assert {f"s-{p.pk}-present" for p in rows[1:]} | {f"s-{rows[0].pk}-late"} <= set(focused)
    assert f"h-{rows[0].pk}" in focused
    _tab_to(page, "save-bottom")
    page.keyboard.press("Enter")

    # Refused: nothing saved, the summary has the focus and every choice is kept.
    page.get_by_text("Rien n'est enregistré : 1 case à corriger.").wait_for()
    assert not Attendance.objects.exists()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.locator(f"#s-{rows[0].pk}-late").is_checked()
    assert all(page.locator(f"#s-{p.pk}-present").is_checked() for p in rows[1:])
    assert_accessible(page, "grid refused, reached with the keyboard")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.keyboard.press("Tab")  # the summary's link to the bad input
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_ID) == f"h-{rows[0].pk}"
    assert _in_view(page)
    assert page.evaluate(LABEL_NOT_UNDER_THE_BAR), "the input's label is under the sticky bar"
    page.keyboard.press("Control+A")
    page.keyboard.type("7,5")
    page.keyboard.press("Enter")  # Enter in an input saves the grid (not "Tout le monde présent")

    page.get_by_text("12 présences enregistrées.").wait_for()
    marks = {m.participant_id: m for m in Attendance.objects.filter(session=session)}
    assert len(marks) == 12
    assert (marks[rows[0].pk].status, marks[rows[0].pk].hours) == ("late", Decimal("7.50"))
    assert all(marks[p.pk].status == "present" for p in rows[1:])
    context.close()
