"""Direction pays last month's validated statements: a batch, its SEPA file, marked paid."""

import datetime as dt
import hashlib
import random
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import sepaxml
import xmlschema
from django.utils import timezone
from playwright.sync_api import expect

from accounts.dates import add_months
from accounts.models import Organization, User
from chantiers import payments
from chantiers.models import Enrolment, MonthlyStatement, PaymentBatch, VolunteerAgreement
from chantiers.services import Mark, attendance_record, statement_prepare, statement_validate
from demo.accounts import belgian_account, seed_accounts
from participants import services as participant_services
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DAILY_RATE = Decimal("12.50")
# 12,50 € a day. Amina 3 days (37,50), Bruno 2 (25,00), Chloé 1 (12,50): 75,00 € to pay.
# Dora, 2 days (25,00), has no IBAN: she waits for the next batch.
DAYS = {"Aubry": 3, "Bernard": 2, "Colin": 1, "Dumont": 2}
EXPECTED_TOTAL = "75,00\u00a0€"
EXPECTED_CTRL_SUM = "75.00"


def _volunteer(operator, first_name, last_name, iban):
    person = ParticipantFactory(
        organization=operator, first_name=first_name, last_name=last_name, iban=iban
    )
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    VolunteerAgreement.objects.create(
        participant=person,
        organization=operator,
        starts_on=dt.date(2024, 1, 1),
        daily_rate=DAILY_RATE,
        signed_on=dt.date(2024, 1, 1),
        organisation_note_given_on=dt.date(2024, 1, 1),
        declaration="none",
    )
    return person


def _validated_statements_for_last_month(operator, people, coordinator):
    """Marks through ``attendance_record`` on last month's weekdays, then the real statements."""
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    chantier = ChantierFactory(
        organization=operator, name="Rénovation de la salle", starts_on=last_month
    )
    for person in people:  # the chantier's group
        Enrolment.objects.create(chantier=chantier, participant=person, status="completed")
    weekdays = [
        day for day in (last_month + dt.timedelta(days=n) for n in range(28)) if day.weekday() < 5
    ][: max(DAYS.values())]
    for index, day in enumerate(weekdays):
        session = WorkSessionFactory(chantier=chantier, date=day)
        marks = [Mark(p.pk, "present") for p in people if DAYS[p.last_name] > index]
        attendance_record(session=session, marks=marks, by=coordinator)
    statements = []
    for person in people:
        statement = statement_prepare(participant=person, month=last_month)
        statements.append(statement_validate(statement=statement, by=coordinator))
    return statements


def test_direction_pays_last_month_by_a_sepa_batch(
    desktop, live_server, transactional_db, legal_ceilings
):
    seed_accounts(rng=random.Random(2026))
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    assert payments.operator_account_problems(operator) == []  # IBAN, BIC, holder from the seed
    coordinator = User.objects.get(email="chantier@demo.local")
    amina, bruno, chloe, dora = people = [
        _volunteer(operator, "Amina", "Aubry", belgian_account(random.Random(1))[0]),
        _volunteer(operator, "Bruno", "Bernard", belgian_account(random.Random(2))[0]),
        _volunteer(operator, "Chloé", "Colin", belgian_account(random.Random(3))[0]),
        _volunteer(operator, "Dora", "Dumont", ""),
    ]
    statements = _validated_statements_for_last_month(operator, people, coordinator)
    assert [(s.status, s.amount) for s in statements] == [
        ("validated", Decimal("37.50")),
        ("validated", Decimal("25.00")),
        ("validated", Decimal("12.50")),
        ("validated", Decimal("25.00")),
    ]

    page = desktop
    log_in(page, live_server, "direction@demo.local")
    page.get_by_test_id("main-nav").get_by_role("link", name="Paiements").click()
    assert_accessible(page, "payment batches")
    page.get_by_role("link", name="Nouveau lot").click()

    # Three to pay, all checked; Dora is listed apart, with the reason.
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"3 fiches validées à payer, {EXPECTED_TOTAL} au total.")
    for name in ("Amina AUBRY", "Bruno BERNARD", "Chloé COLIN"):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Dora DUMONT")).to_have_count(0)
    blocked = page.get_by_role("region", name="Ne peuvent pas être payées maintenant")
    expect(blocked.get_by_role("listitem")).to_have_count(1)
    expect(blocked.get_by_role("listitem")).to_contain_text("Dora DUMONT")
    expect(blocked.get_by_role("listitem")).to_contain_text(
        "Pas d'IBAN dans la fiche de la personne."
    )

    assert_accessible(page, "new batch")
    page.get_by_role("button", name="Créer le lot et le fichier SEPA").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Lot DEF-"))).to_be_visible()
    batch = PaymentBatch.objects.get(organization=operator)  # created once the page is there
    expect(page.get_by_role("heading", name=f"Lot {batch.reference}")).to_be_visible()
    expect(page.get_by_text(f"Lot {batch.reference} créé : 3 virement(s).")).to_be_visible()
    expect(page.get_by_test_id("batch-total")).to_have_text(EXPECTED_TOTAL)
    expect(page.get_by_test_id("batch-count")).to_have_text("3")
    transfers = page.get_by_role("table").locator("tbody").get_by_role("row")
    expect(transfers).to_have_count(3)
    expect(transfers.nth(0)).to_contain_text("Amina AUBRY")
    expect(transfers.nth(0)).to_contain_text("37,50\u00a0€")
    expect(page.get_by_role("table")).not_to_contain_text("DUMONT")
    assert_accessible(page, "batch created")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger le fichier SEPA (XML)").click()
    download = download_info.value
    assert download.suggested_filename == f"{batch.reference}.xml"
    content = Path(download.path()).read_bytes()
    # The file downloaded is the one whose fingerprint the page shows.
    expect(main).to_contain_text(hashlib.sha256(content).hexdigest())
    xmlschema.XMLSchema(XSD).validate(content.decode())
    root = ET.fromstring(content)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "3"
    assert header.findtext("p:CtrlSum", namespaces=NS) == EXPECTED_CTRL_SUM
    credited = {
        tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS): tx.findtext(
            "p:Amt/p:InstdAmt", namespaces=NS
        )
        for tx in root.iterfind(".//p:CdtTrfTxInf", NS)
    }
    assert credited == {amina.iban: "37.50", bruno.iban: "25.00", chloe.iban: "12.50"}

    # The download answers with a file; the page then reloads itself to show the next step.
    expect(page.get_by_test_id("batch-status")).to_have_text("Fichier SEPA téléchargé")
    assert_accessible(page, "batch exported")
    page.get_by_label("La banque a exécuté les virements de ce lot.").check()
    page.get_by_role("button", name="Marquer le lot comme payé").click()

    expect(page.get_by_text(f"Lot {batch.reference} payé.")).to_be_visible()
    expect(page.get_by_test_id("batch-status")).to_have_text("Payé")
    expect(page.get_by_role("button", name="Annuler le lot")).to_have_count(0)
    assert_accessible(page, "batch paid")
    statuses = dict(
        MonthlyStatement.objects.filter(pk__in=[s.pk for s in statements]).values_list(
            "participant__last_name", "status"
        )
    )
    assert statuses == {
        "Aubry": "paid",
        "Bernard": "paid",
        "Colin": "paid",
        "Dumont": "validated",  # no IBAN: still waiting, in no batch
    }
    assert MonthlyStatement.objects.get(participant=dora).batch is None
