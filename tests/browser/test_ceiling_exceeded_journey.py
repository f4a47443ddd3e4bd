"""Issue 16, on a phone: a coordinator records what a volunteer receives elsewhere, which takes
the year above the annual ceiling (DESIGN §4 rules 6 and 7). The declarations page, the grid,
the participant page, the month's statements and the dashboard say so; validation is refused
with the reason until direction records what was done, then it goes through.

SHOTS_DIR=<folder> also saves screenshots at 360 px (the grid row, the declarations page, the
participant's section), to look at them; without it nothing is written."""

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from chantiers.models import (
    Attendance,
    CeilingExcess,
    Enrolment,
    IndemnityCeiling,
    MonthlyStatement,
    VolunteerAgreement,
)
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today
from tests.factories import ChantierFactory, WorkSessionFactory

DAILY_RATE = Decimal("44.00")  # just under the daily ceiling of 2026 (44,02 €)
PAST_DAYS = 38  # 38 × 44,00 = 1 672,00 € validated: 95 % of 2026's 1 760,83 €
ELSEWHERE = Decimal("150.00")  # what the coordinator is told: the year goes 61,17 € above
EXCEEDED = "Plafond annuel dépassé"


def _euros(amount: Decimal) -> str:
    """As the ``euros`` filter writes an amount under 1 000 € in French."""
    return f"{amount:.2f}".replace(".", ",") + "\u00a0€"


def _shot(target, name: str, **options) -> None:
    """A screenshot, only when SHOTS_DIR is set (never during CI)."""
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(Path(folder) / f"{name}.png"), **options)


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state, widths=(320, 360))


def _year_close_to_the_ceiling(person, coordinator) -> None:
    """``PAST_DAYS`` present days at ``DAILY_RATE`` on an earlier chantier, spread over this
    year's past months, recorded and validated month by month through the services."""
    today = timezone.localdate()
    VolunteerAgreement.objects.filter(participant=person).update(daily_rate=DAILY_RATE)
    weekdays = [
        day
        for day in (dt.date(today.year, 1, 1) + dt.timedelta(days=n) for n in range(366))
        if day < today.replace(day=1) and day.weekday() < 5
    ]
    assert len(weekdays) >= PAST_DAYS, "the journey needs a few past months in the year"
    days = weekdays[:: len(weekdays) // PAST_DAYS][:PAST_DAYS]
    earlier = ChantierFactory(
        organization=person.organization, name="Rénovation du préau", starts_on=days[0]
    )
    Enrolment.objects.create(chantier=earlier, participant=person, status="completed")
    for day in days:
        session = WorkSessionFactory(chantier=earlier, date=day)
        attendance_record(session=session, marks=[Mark(person.pk, "present")], by=coordinator)
    for month in sorted({day.replace(day=1) for day in days}):
        statement = statement_prepare(participant=person, month=month)
        statement_validate(statement=statement, by=coordinator)


# The lines the status word of a statement's "État" cell takes (1 when it reads as a word).
STATUS_LINES = """td => {
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT, {
        acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP,
    });
    const word = walker.nextNode();  // the status, the first words of the cell
    const range = document.createRange();
    range.selectNodeContents(word);
    return [...range.getClientRects()].filter(r => r.width > 0).length;
}"""


def _phone_of(browser):
    return browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="fr-BE",
        service_workers="block",
    )


def test_a_declaration_takes_a_volunteer_above_the_annual_ceiling_on_a_phone(
    phone, browser, live_server, transactional_db, legal_ceilings
):
    # 1. Nadia has a signed, complete flat-rate agreement and validated months close to the
    #    ceiling; today's session is marked, everyone present.
    session, people = twelve_at_a_session_today()
    coordinator = User.objects.get(email="chantier@demo.local")
    nadia = people[0]
    nadia.first_name, nadia.last_name = "Nadia", "Verhoeven"
    nadia.save()
    others = people[1:]
    _year_close_to_the_ceiling(nadia, coordinator)
    attendance_record(
        session=session, marks=[Mark(p.pk, "present") for p in people], by=coordinator
    )
    year = session.date.year
    annual = IndemnityCeiling.objects.get(year=year).annual
    validated = DAILY_RATE * PAST_DAYS
    over = validated + ELSEWHERE - annual
    assert Decimal("0.80") * annual <= validated < annual < validated + ELSEWHERE
    assert Attendance.objects.get(session=session, participant=nadia).indemnity == DAILY_RATE
    assert not CeilingExcess.objects.exists()

    # 2. The coordinator, on the group page, taps "Reçu ailleurs" for Nadia and records what
    #    another organisation pays her this year.
    page = phone
    log_in(page, live_server, "chantier@demo.local")
    page.goto(live_server.url + reverse("chantiers:group", args=[session.chantier_id]))
    _check(page, "group page")
    page.get_by_role("link", name="Reçu ailleurs — Nadia Verhoeven").click()
    page.wait_for_url(f"**{reverse('chantiers:declarations', args=[nadia.pk])}")
    aside = page.get_by_role("complementary")
    expect(aside).to_contain_text("Plafond annuel atteint à 80 %")
    _check(page, "declarations, none yet")
    expect(page.get_by_label("Année")).to_have_value(str(year))
    page.get_by_label(re.compile(r"^Défraiements forfaitaires reçus ailleurs")).fill("150.00")
    page.get_by_label("Déclaré le").fill(timezone.localdate().isoformat())
    page.get_by_label(re.compile(r"^Organisation\(s\) qui les versent")).fill("ASBL Les Jardins")
    page.get_by_role("button", name="Enregistrer la déclaration").click()

    messages = page.locator("[data-messages]")
    expect(messages).to_contain_text("Déclaration enregistrée ; l'année est recalculée.")
    expect(messages.get_by_role("alert")).to_contain_text(
        f"Plafond de {year} dépassé pour Nadia Verhoeven ({_euros(over)} au-delà)"
    )
    expect(aside).to_contain_text(EXCEEDED)
    expect(aside.get_by_role("link", name="Voir le dépassement")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("listitem").first).to_contain_text(
        "ASBL Les Jardins"
    )
    excess = CeilingExcess.objects.get(participant=nadia, year=year)
    assert excess.is_open and excess.amount_over == over
    _shot(page, "declarations-after-save", full_page=True)
    _check(page, "declarations, the year exceeded")

    # 3. Today's grid: the red badge on Nadia's row only, and the sentence under it.
    page.goto(live_server.url + reverse("chantiers:session_attendance", args=[session.pk]))
    row = page.locator(f"#row-{nadia.pk}")
    expect(row.locator("legend")).to_contain_text(EXCEEDED)
    expect(row.locator("legend .badge.text-bg-danger")).to_have_text(EXCEEDED)
    expect(row).to_contain_text(f"Plafond {year} dépassé de {_euros(over)}")
    expect(row).to_contain_text("Plafond annuel atteint")  # today's day: 0, with its reason
    for other in others:
        expect(page.locator(f"#row-{other.pk}")).not_to_contain_text(EXCEEDED)
    assert page.locator("[data-row]").filter(has_text=EXCEEDED).count() == 1
    row.scroll_into_view_if_needed()
    _shot(row, "grid-row-exceeded")
    _check(page, "attendance grid, a row above the ceiling")

    # 4. Direction, on a phone too (coordinators do not see participant pages): the
    #    participant page says it in the year's section.
    context = _phone_of(browser)
    try:
        office = context.new_page()
        log_in(office, live_server, "direction@demo.local")
        office.goto(live_server.url + reverse("participants:detail", args=[nadia.pk]))
        section = office.locator("#indemnities")
        expect(section.get_by_role("heading", name=f"Défraiements {year}")).to_be_visible()
        expect(section.locator(".alert-danger")).to_contain_text(
            f"{EXCEEDED} : {_euros(over)} au-delà."
        )
        section.scroll_into_view_if_needed()
        _shot(section, "participant-indemnities")
        _check(office, "participant page, the year exceeded")

        # 5. The month's statements: validating Nadia's draft is refused, with the reason.
        month = session.date
        page.goto(
            live_server.url
            + reverse("chantiers:month_statements", args=[session.chantier_id, year, month.month])
        )
        page.get_by_role("button", name="Préparer ou actualiser les fiches du mois").click()
        expect(page.locator("[data-messages]")).to_contain_text("Les fiches du mois sont à jour.")
        nadia_row = page.locator("tbody tr").filter(has_text="Nadia VERHOEVEN")
        expect(nadia_row.get_by_role("link", name=EXCEEDED)).to_be_visible()
        nadia_row.get_by_role("button", name="Valider").click()
        refusal = page.locator("[data-messages]").get_by_role("alert")
        expect(refusal).to_contain_text(f"Plafond de {year} dépassé pour Nadia Verhoeven")
        expect(refusal).to_contain_text("tant que la direction n'a pas indiqué la suite donnée")
        statement = MonthlyStatement.objects.get(participant=nadia, month=month.replace(day=1))
        assert statement.status == MonthlyStatement.Status.DRAFT
        _check(page, "month statements, validation refused")
        # Checked at the end, once the journey has gone through: the layout of the cell.
        status_lines = nadia_row.locator("td[data-label='État']").evaluate(STATUS_LINES)

        # 6. The coordinator's dashboard lists her.
        page.goto(live_server.url + "/")
        listed = page.get_by_test_id("ceiling-excesses")
        expect(listed).to_contain_text(f"Nadia VERHOEVEN · {year}")
        expect(listed).to_contain_text(f"{_euros(over)} au-delà")
        _check(page, "coordinator's dashboard, an excess listed")

        # 7. Direction sees it on its dashboard too, opens the excess and records it accepted
        #    as taxable pay, the day Nadia was told.
        office.goto(live_server.url + "/")
        _check(office, "direction's dashboard, an excess listed")
        office.get_by_test_id("ceiling-excesses").get_by_role(
            "link", name=f"Nadia VERHOEVEN · {year}"
        ).click()
        office.wait_for_url(f"**{reverse('chantiers:excess', args=[excess.pk])}")
        expect(office.get_by_role("heading", level=1)).to_contain_text(f"Plafond {year} dépassé")
        _check(office, "excess page, open")
        office.get_by_label("Accepté comme rémunération imposable").check()
        office.get_by_label("Personne informée le").fill(timezone.localdate().isoformat())
        office.get_by_role("button", name="Enregistrer la suite donnée").click()
        expect(office.locator("[data-messages]")).to_contain_text(
            "Suite enregistrée : les fiches et paiements reprennent."
        )
        expect(office.get_by_role("main")).to_contain_text("Accepté comme rémunération imposable")
        _check(office, "excess page, answered")
    finally:
        context.close()
    excess.refresh_from_db()
    assert excess.outcome == CeilingExcess.Outcome.TAXABLE
    assert excess.told_on == timezone.localdate()

    # The coordinator's dashboard no longer lists her; her statement is validated, once the
    # day not paid (the ceiling reached) is confirmed.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Plafonds de défraiement dépassés")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("Nadia VERHOEVEN")
    page.goto(
        live_server.url
        + reverse("chantiers:month_statements", args=[session.chantier_id, year, month.month])
    )
    nadia_row = page.locator("tbody tr").filter(has_text="Nadia VERHOEVEN")
    expect(nadia_row.get_by_role("link", name=EXCEEDED)).to_have_count(0)
    nadia_row.get_by_role("button", name="Confirmer les jours non payés").click()
    expect(page.locator("[data-messages]")).to_contain_text("1 jour(s) non payable(s) confirmé(s).")
    _check(page, "month statements, the days not paid confirmed")
    page.locator("tbody tr").filter(has_text="Nadia VERHOEVEN").get_by_role(
        "button", name="Valider"
    ).click()
    expect(page.locator("[data-messages]")).to_contain_text("Fiche de Nadia Verhoeven validée.")
    _check(page, "month statements, the statement validated")
    statement.refresh_from_db()
    assert statement.status == MonthlyStatement.Status.VALIDATED
    assert statement.amount == Decimal("0.00")  # never a cent across the ceiling

    # On a phone the statements table is stacked (.table-stack): each cell is a flex row, the
    # label then the content. The "État" cell holds several bits (the status, <br>, badges),
    # each a flex item side by side, and the status word is crushed: "Bro/uill/on".
    assert status_lines == 1, (
        f"month statements at 360 px: the status of Nadia's draft wraps on {status_lines} "
        "lines (templates/chantiers/month_statements.html, the 'État' cell: wrap its content "
        'in one element, e.g. <div class="text-end">…</div>, so that the <br> and badges '
        "stack under the status)"
    )
