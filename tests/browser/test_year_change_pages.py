"""Issue 16's other pages, on a phone, in the states the ceiling journey does not reach: a
validated month's corrections (and a settlement refused, given back as typed), the new payment
batch with a correction carried and a person held back by an excess, the real costs of a
volunteer under that regime (an expense refused, then recorded), and the grid's kilometres
without their vehicle. Each state passes the accessibility check, with no sideways scroll."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.dates import add_months
from accounts.models import User
from chantiers.models import ElsewhereDeclaration, VolunteerAgreement
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from chantiers.year_changes import correction_create, declaration_save
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today
from tests.factories import WorkSessionFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state, widths=(320, 360))


def _last_month_validated(session, people, coordinator):
    """A day of last month on the same chantier, everyone of ``people`` present, each month's
    statement prepared and validated."""
    month = add_months(session.date.replace(day=1), -1)
    day = month + dt.timedelta(days=(7 - month.weekday()) % 7)  # its first Monday
    last = WorkSessionFactory(chantier=session.chantier, date=day)
    attendance_record(session=last, marks=[Mark(p.pk, "present") for p in people], by=coordinator)
    return [
        statement_validate(statement=statement_prepare(participant=p, month=month), by=coordinator)
        for p in people
    ]


def test_corrections_batch_real_costs_and_km_states_on_a_phone(
    phone, browser, live_server, transactional_db, legal_ceilings
):
    session, people = twelve_at_a_session_today()
    coordinator = User.objects.get(email="chantier@demo.local")
    anna, bruno, chloe = people[:3]
    for person in (anna, bruno):
        person.iban = "BE62510007547061"
        person.save()
    anna_month, _bruno_month = _last_month_validated(session, [anna, bruno], coordinator)
    correction_create(
        statement=anna_month,
        amount=Decimal("-5.00"),
        km=0,
        reason="Compté deux fois",
        by=coordinator,
    )
    declaration_save(  # Bruno's year goes above the ceiling: held back from the batch
        declaration=ElsewhereDeclaration(
            participant=bruno,
            year=anna_month.month.year,
            amount=Decimal("1760.00"),
            declared_on=timezone.localdate(),
            source="ASBL Voisine",
        ),
        by=coordinator,
    )
    VolunteerAgreement.objects.filter(participant=chloe).update(scheme="real_costs")

    # Direction: the corrections of Anna's month, and a settlement dated tomorrow, refused.
    direction = browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="fr-BE",
        service_workers="block",
    ).new_page()
    log_in(direction, live_server, "direction@demo.local")
    direction.goto(live_server.url + reverse("chantiers:corrections", args=[anna_month.pk]))
    expect(direction.get_by_text("Compté deux fois")).to_be_visible()
    _check(direction, "corrections, one pending, direction")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    direction.get_by_label("Réglée le").fill(tomorrow)
    direction.get_by_label("Réglée comment").fill("Remboursé en liquide")
    direction.get_by_role("button", name="Marquer réglée hors lot").click()
    expect(direction.get_by_role("alert")).to_contain_text("ne peut pas être dans le futur")
    expect(direction.get_by_label("Réglée comment")).to_have_value("Remboursé en liquide")
    _check(direction, "corrections, a settlement refused")

    # The new batch: Anna's transfer carries her correction; Bruno is held back, with why.
    direction.goto(live_server.url + reverse("chantiers:payment_batch_new"))
    expect(direction.get_by_text(f"correction de {anna_month.month:%m/%Y}")).to_be_visible()
    held = direction.get_by_role("region", name="Ne peuvent pas être payées maintenant")
    expect(held).to_contain_text("Plafond annuel dépassé")
    _check(direction, "new batch, a correction carried and a person held back")

    # The coordinator: Chloé's real costs, an expense without its amount refused, then recorded.
    page = phone
    log_in(page, live_server, "chantier@demo.local")
    page.goto(live_server.url + reverse("chantiers:real_costs", args=[chloe.pk]))
    _check(page, "real costs, none yet")
    page.get_by_label("Date de la dépense").fill(timezone.localdate().isoformat())
    page.get_by_label("Objet de la dépense").fill("Gants de travail")
    receipt = {"name": "ticket.png", "mimeType": "image/png", "buffer": PNG}
    page.get_by_label("Ticket ou facture (photo ou PDF)").set_input_files(receipt)
    page.get_by_role("button", name="Enregistrer la dépense").click()
    expect(page.locator("[data-file-again]")).to_be_visible()
    expect(page.get_by_label("Objet de la dépense")).to_have_value("Gants de travail")
    _check(page, "real costs, an expense refused")
    page.get_by_label("Montant (€)").fill("12.40")
    page.get_by_label("Ticket ou facture (photo ou PDF)").set_input_files(receipt)
    page.get_by_role("button", name="Enregistrer la dépense").click()
    expect(page.get_by_role("link", name="ticket — Gants de travail")).to_be_visible()
    _check(page, "real costs, one recorded")

    # The grid: 30 km typed for Anna without saying by what.
    page.goto(live_server.url + reverse("chantiers:session_attendance", args=[session.pk]))
    row = page.locator(f"#row-{anna.pk}")
    row.locator(f"label[for='s-{anna.pk}-present']").click()
    row.locator("summary").click()
    row.get_by_label("Km").fill("30")
    page.get_by_role("button", name="Enregistrer").last.click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Choisissez voiture ou vélo.")
    expect(page.locator(f"#k-{anna.pk}")).to_have_value("30")
    expect(page.locator(f"#v-{anna.pk}")).to_have_attribute("aria-invalid", "true")
    _check(page, "grid, km without their vehicle")
